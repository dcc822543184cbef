#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/l7copies.py OUT.pcap COPIES FILE.pcap... - COPIES copies of the (Ethernet, pcap)
# FILEs one after another, each copy of each FILE with its IPv4/IPv6 addresses changed (bytes 1-3
# of an IPv4 address, 4-6 of an IPv6 one, XORed with copy * len(FILES) + the FILE's index, the same
# way in both directions), so that every copy is a new set of flows whose ClientHellos and requests
# are parsed again, even where two FILEs hold the same flow (e.g. with other VLAN tags).
# Timestamps are rewritten 1 us apart (in order, no flow times out). IPv4 header checksums are
# recomputed; TCP/UDP checksums are left stale (flowtower does not check them).
import struct, sys

out, copies, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if not 1 <= copies or copies * len(files) >= 1 << 24:
    sys.exit("COPIES x FILES is at most 2^24 - 1")


def frames(path):
    b = open(path, "rb").read()
    magic = struct.unpack("<I", b[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = ">"
    else:
        sys.exit("%s: not a pcap file" % path)
    if struct.unpack(e + "I", b[20:24])[0] != 1:
        sys.stderr.write("l7copies: %s: not Ethernet, left out\n" % path)
        return
    o = 24
    while o + 16 <= len(b):
        _, _, incl, orig = struct.unpack(e + "IIII", b[o:o + 16])
        yield b[o + 16:o + 16 + incl], orig
        o += 16 + incl


def plan(f):
    """where a frame's addresses are: (ipv4 header offset or -1, [address byte offsets])"""
    o, et = 12, None
    while o + 2 <= len(f):
        et = struct.unpack("!H", f[o:o + 2])[0]
        if et in (0x8100, 0x88a8, 0x9100):
            o += 4
            continue
        break
    o += 2
    if et == 0x0800 and len(f) >= o + 20:
        return o, [o + 12 + 1, o + 16 + 1]
    if et == 0x86dd and len(f) >= o + 40:
        return -1, [o + 8 + 4, o + 24 + 4]  # the bytes after a /32 prefix
    return -1, []


def csum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


pk = []
for i, p in enumerate(files):
    for f, orig in frames(p):
        ip4, addrs = plan(f)
        pk.append((i, f, orig, ip4, addrs))
rec = struct.Struct("<IIII")
t = 0
with open(out, "wb", buffering=1 << 22) as w:
    w.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for k in range(copies):
        buf = bytearray()
        for i, f, orig, ip4, addrs in pk:
            v = k * len(files) + i
            g = bytearray(f)
            for a in addrs:
                g[a] ^= v >> 16
                g[a + 1] ^= (v >> 8) & 0xff
                g[a + 2] ^= v & 0xff
            if ip4 >= 0 and addrs:
                ihl = (g[ip4] & 0x0f) * 4
                if len(g) >= ip4 + ihl:
                    g[ip4 + 10:ip4 + 12] = b"\0\0"
                    g[ip4 + 10:ip4 + 12] = struct.pack("!H", csum(bytes(g[ip4:ip4 + ihl])))
            buf += rec.pack(1714564800 + t // 1000000, t % 1000000, len(g), max(orig, len(g)))
            buf += g
            t += 1
        w.write(buf)
print("%d frames per copy, %d copies" % (len(pk), copies))
