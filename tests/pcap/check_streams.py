#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/pcap/check_streams.py - the pipeline's reassembled TCP prefixes against tshark's "Follow TCP stream".

usage: check_streams.py PCAP DUMPDIR     (DUMPDIR from `flowtower read --no-steer-done --dump-streams DUMPDIR`)

For every TCP stream tshark knows, each direction the pipeline dumped must be
(1) byte for byte the start of tshark's followed bytes of that direction, and
(2) exactly as long as the contiguous stream bytes that the direction's first
32 packets carry (the preamble the kernel steers), counted from the first
byte after the SYN (or from the first payload when the SYN was not seen), up
to the first hole, at most 64 KiB. (2) is computed here from tshark's
sequence numbers, independently of the reassembly code.
"""
import os
import subprocess
import sys

PREAMBLE = 32
WINDOW = 65536
failures = 0


def result(ok, what, detail=""):
    global failures
    print("%s: %s%s" % ("PASS" if ok else "FAIL", what, ("  " + detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def tshark(args):
    return subprocess.run(["tshark"] + args, capture_output=True, text=True).stdout


def packets(pcap):
    out = tshark(["-r", pcap, "-o", "tcp.relative_sequence_numbers:FALSE", "-Y", "tcp", "-T", "fields", "-E",
                  "occurrence=f", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e",
                  "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.seq", "-e", "tcp.len", "-e",
                  "tcp.flags.syn", "-e", "tcp.flags.ack"])
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 11 or not f[0]:
            continue
        yield {"stream": int(f[0]), "src": (f[1] or f[2], int(f[3])), "dst": (f[4] or f[5], int(f[6])),
               "seq": int(f[7]), "len": int(f[8] or 0), "syn": f[9] in ("1", "True"), "ack": f[10] in ("1", "True")}


def follow(pcap, stream):
    """{(addr, port): bytes} of one stream, from tshark's follow output."""
    out = tshark(["-r", pcap, "-q", "-z", "follow,tcp,raw,%d" % stream])
    nodes, data = [], {}
    for line in out.splitlines():
        if line.startswith("Node "):
            ep = line.split(": ", 1)[1]
            addr, port = ep.rsplit(":", 1)
            nodes.append((addr.strip("[]"), int(port)))
            data[nodes[-1]] = bytearray()
        elif len(nodes) == 2 and line and not line.startswith("="):
            node = nodes[1] if line.startswith("\t") else nodes[0]
            data[node] += bytes.fromhex(line.strip())
    return data


def coverage(pkts):
    """Contiguous bytes the first PREAMBLE packets of one direction carry (sequence arithmetic mod 2^32)."""
    first = pkts[:PREAMBLE]
    syn = [p for p in first if p["syn"]]
    if syn:
        base = (syn[0]["seq"] + 1) % 2**32
    else:
        data = [p for p in first if p["len"]]
        if not data:
            return 0
        base = data[0]["seq"]
    spans = sorted(((p["seq"] - base) % 2**32, (p["seq"] - base) % 2**32 + p["len"]) for p in first
                   if p["len"] and (p["seq"] - base) % 2**32 < 2**31)
    end = 0
    for s, e in spans:
        if s > end:
            break
        end = max(end, e)
    return min(end, WINDOW)


def main():
    pcap, dump = sys.argv[1], sys.argv[2]
    name = os.path.basename(pcap)
    streams = {}
    for p in packets(pcap):
        streams.setdefault(p["stream"], []).append(p)
    checked = 0
    for sid, pkts in sorted(streams.items()):
        # the client: a SYN's sender, else a SYN-ACK's receiver, else the side with the higher port
        syn = [p for p in pkts if p["syn"]]
        if syn:
            client = syn[0]["src"] if not syn[0]["ack"] else syn[0]["dst"]
        else:
            a, b = pkts[0]["src"], pkts[0]["dst"]
            client = a if a[1] > b[1] else b
        server = pkts[0]["dst"] if pkts[0]["src"] == client else pkts[0]["src"]
        base = os.path.join(dump, "%s_%d-%s_%d" % (client[0], client[1], server[0], server[1]))
        if not os.path.exists(base + ".client"):
            result(False, "%s stream %d dumped" % (name, sid), base)
            continue
        fol = follow(pcap, sid)
        for side, ep in (("client", client), ("server", server)):
            ours = open("%s.%s" % (base, side), "rb").read()
            want_len = coverage([p for p in pkts if p["src"] == ep])
            theirs = bytes(fol.get(ep, b""))
            ok = ours == theirs[:len(ours)] and len(ours) == want_len
            result(ok, "%s stream %d %s prefix: %d bytes, tshark's first bytes, all the first %d packets "
                   "carry contiguously" % (name, sid, side, len(ours), PREAMBLE),
                   "ours %d bytes, covered %d, tshark has %d, equal start: %s" %
                   (len(ours), want_len, len(theirs), ours == theirs[:len(ours)]))
            checked += 1
    result(checked > 0, "%s: %d prefixes compared" % (name, checked))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
