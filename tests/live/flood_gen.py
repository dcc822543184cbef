#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/live/flood_gen.py - a SYN flood as a pcap, written as raw bytes (scapy would take minutes).

usage: flood_gen.py OUT.pcap N [--seed S] [--mix FILE.pcap --pre PRE.pcap [--pre-pkts K]]

N TCP SYNs in 60-byte Ethernet frames (54 bytes of headers, zero padding), each from a random
source in 100.64.0.0/10 (shared address space: never in the shared captures) and a random port in
1024..65535, to 198.18.0.1:80 (benchmarking space), checksums right.

--mix: the frames of FILE (a classic pcap, Ethernet) go with the flood: the first K frames (default
3: a handshake) of each of its flows into PRE.pcap, the rest spread evenly through the flood, in
their order. Replaying PRE then OUT replays FILE whole, beside the flood.

Prints one JSON object: frames and bytes of OUT (captured = wire), flood_flows (distinct 5-tuples),
pre_frames, mixed_frames.
"""
import argparse
import json
import random
import struct

from pcapw import PCAP_HDR, csum, rec


def read_pcap(path):
    """[(ts_s, ts_us, frame, wirelen)] of a classic little- or big-endian pcap."""
    d = open(path, "rb").read()
    magic = d[:4]
    e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    if struct.unpack(e + "I", d[20:24])[0] != 1:
        raise SystemExit("%s: not Ethernet" % path)
    out, off = [], 24
    while off + 16 <= len(d):
        s, us, cap, wire = struct.unpack(e + "IIII", d[off:off + 16])
        out.append((s, us, d[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    return out


def flow_of(frame):
    """An unordered (proto, endpoints) key for IPv4/IPv6 TCP/UDP frames, else None."""
    et, off = struct.unpack("!H", frame[12:14])[0], 14
    while et in (0x8100, 0x88a8) and len(frame) >= off + 4:
        et, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(frame) >= off + 20:
        ihl, proto = (frame[off] & 15) * 4, frame[off + 9]
        a, b, l4 = frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl
    elif et == 0x86dd and len(frame) >= off + 40:
        proto, a, b, l4 = frame[off + 6], frame[off + 8:off + 24], frame[off + 24:off + 40], off + 40
    else:
        return None
    ports = frame[l4:l4 + 4] if proto in (6, 17) else b""
    sa, sb = (a, ports[:2]), (b, ports[2:])
    return (proto,) + tuple(sorted([sa, sb]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--mix")
    ap.add_argument("--pre")
    ap.add_argument("--pre-pkts", type=int, default=3)
    o = ap.parse_args()
    rng = random.Random(o.seed)
    dst = bytes([198, 18, 0, 1])
    eth = bytes.fromhex("020000000001" "020000000002") + b"\x08\x00"
    mixed, pre = [], []
    if o.mix:
        seen = {}
        for r in read_pcap(o.mix):
            k = flow_of(r[2])
            seen[k] = seen.get(k, 0) + 1
            (pre if k is not None and seen[k] <= o.pre_pkts else mixed).append(r)
        with open(o.pre, "wb") as f:
            f.write(PCAP_HDR + b"".join(rec(s, us, fr, w) for s, us, fr, w in pre))
    every = o.n // (len(mixed) + 1) if mixed else 0
    flows = set()
    buf = [PCAP_HDR]
    nbytes = 0
    ts = 1700000000
    for i in range(o.n):
        if every and i % every == every - 1 and mixed:
            s, us, fr, w = mixed.pop(0)
            buf.append(rec(ts + i // 1000000, i % 1000000, fr, w))
            nbytes += len(fr)
        a = (100 << 24) | (64 << 16) | rng.getrandbits(22)  # 100.64.0.0/10
        src = struct.pack("!I", a)
        sport = rng.randint(1024, 65535)
        flows.add((a, sport))
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i & 0xffff, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        tcp = struct.pack("!HHIIBBHHH", sport, 80, rng.getrandbits(32), 0, 0x50, 0x02, 64240, 0, 0)
        ph = src + dst + struct.pack("!BBH", 0, 6, 20)
        tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
        frame = eth + ip + tcp + b"\0" * 6
        buf.append(rec(ts + i // 1000000, i % 1000000, frame))
        nbytes += len(frame)
    for s, us, fr, w in mixed:  # whatever did not fit between (none unless n is small)
        buf.append(rec(s, us, fr, w))
        nbytes += len(fr)
    with open(o.out, "wb") as f:
        f.write(b"".join(buf))
    print(json.dumps({"frames": len(buf) - 1, "bytes": nbytes, "flood_flows": len(flows),
                      "pre_frames": len(pre), "mixed_frames": (len(buf) - 1) - o.n}))


if __name__ == "__main__":
    main()
