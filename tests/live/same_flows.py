#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/live/same_flows.py - the flows of an offline read found live with the same counters.

usage: same_flows.py LABEL WANT.jsonl LIVE.jsonl [--established PRE.jsonl] [--min N]

WANT: `flowtower read --json` of what was replayed (or of the part whose flows must be exact);
LIVE: `flowtower status --json` after the replay. Flows are matched by protocol and their two
(address, port) endpoints. Every TCP/UDP flow of WANT (with --established: only those seen both
ways in PRE, a read of the frames replayed before the flood) must be in LIVE with the same packets,
IP, L4 and payload bytes each way, TCP flags and duplicates. Prints one PASS:/FAIL: line; --min:
FAIL unless at least N flows were compared (a check of nothing proves nothing).
"""
import json
import sys

COUNTERS = ("orig_pkts", "resp_pkts", "orig_bytes", "resp_bytes", "orig_l4_bytes", "resp_l4_bytes",
            "orig_payload_bytes", "resp_payload_bytes", "orig_tcp_flags", "resp_tcp_flags", "duplicates")


def flows(path):
    out = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:  # names from the wire: any bytes
        for line in f:
            o = json.loads(line)
            if o["type"] == "flow" and o["proto"] in (6, 17):
                ends = frozenset([(o["orig_addr"], o["orig_port"]), (o["resp_addr"], o["resp_port"])])
                out[(o["proto"], ends)] = o
    return out


def main():
    args = sys.argv[1:]
    label, want_path, live_path = args[:3]
    pre_path, least = None, 1
    i = 3
    while i < len(args):
        if args[i] == "--established":
            pre_path = args[i + 1]
        elif args[i] == "--min":
            least = int(args[i + 1])
        i += 2
    want, live = flows(want_path), flows(live_path)
    if pre_path:
        pre = flows(pre_path)
        want = {k: o for k, o in want.items() if k in pre and pre[k]["orig_pkts"] and pre[k]["resp_pkts"]}
    bad = []
    for k, o in sorted(want.items(), key=lambda kv: kv[1]["first_seen"]):
        l = live.get(k)
        name = "%s %s:%s-%s:%s" % (o["proto_name"], o["orig_addr"], o["orig_port"], o["resp_addr"], o["resp_port"])
        if l is None:
            bad.append("%s missing" % name)
            continue
        d = ["%s %s, want %s" % (c, l.get(c), o.get(c)) for c in COUNTERS if l.get(c) != o.get(c)]
        if d:
            bad.append("%s: %s" % (name, ", ".join(d)))
    ok = not bad and len(want) >= least
    print("%s: %s: all %d flows exact (packets, bytes, flags each way)%s" % (
        "PASS" if ok else "FAIL", label, len(want),
        "" if ok else "  %d wrong: %s" % (len(bad), "; ".join(bad[:4]) if bad else "too few flows")))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
