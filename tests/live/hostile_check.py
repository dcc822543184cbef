#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/live/hostile_check.py - what hostile frames counted, against what their generator says.

usage: hostile_check.py LABEL EXPECT.json LIVE.jsonl --hostile H.jsonl --good G.jsonl --corpus C.jsonl
                        --all A.jsonl

EXPECT.json: hostile_gen.py's counts per counter and its flows. H, G, C: `flowtower read --json` of
the hostile frames alone, of the good captures alone, of the corpus frames alone; A: of the file
replayed (all three interleaved); LIVE: `status --json` after the replay. Checks, one PASS:/FAIL:
line each:
  - offline, the hostile frames alone count exactly what the generator worked out, kind by kind;
  - live, every counter of EXPECT equals good + corpus (offline) + the generator's figure;
  - live, each flow the generator made has its packets and (lying) IP bytes;
  - live and offline (A) give the same flows, L7 fields included, and the same counters.
"""
import json
import sys


def load(path):
    flows, stats = {}, None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:  # names from the wire: any bytes
        for line in f:
            o = json.loads(line)
            if o["type"] == "flow":
                ends = frozenset([(o["orig_addr"], o["orig_port"] or 0), (o["resp_addr"], o["resp_port"] or 0)])
                flows[(o["proto"], ends)] = o
            elif o["type"] == "stats":
                stats = o
    return flows, stats or {}


failures = 0


def result(ok, what, detail=""):
    global failures
    print("%s: %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else "  " + detail))
    failures += not ok


def main():
    args = sys.argv[1:]
    label, exp_path, live_path = args[:3]
    opt = dict(zip(args[3::2], args[4::2]))
    exp = json.load(open(exp_path))
    want = exp["counters"]
    lf, ls = load(live_path)
    _, hs = load(opt["--hostile"])
    _, gs = load(opt["--good"])
    _, cs = load(opt["--corpus"])
    af, as_ = load(opt["--all"])

    off = ["%s %d, generator %d" % (k, hs.get(k, -1), n) for k, n in want.items() if hs.get(k) != n]
    result(not off, "%s: offline, the %d hostile frames alone count what the generator says, kind by kind"
           % (label, exp["frames"]), "; ".join(off))
    for k, n in want.items():
        base = gs.get(k, 0) + cs.get(k, 0)
        got = ls.get(k)
        result(got == base + n, "%s: live %s = %d (hostile %d + good %d + corpus %d)" % (label, k, base + n, n,
               gs.get(k, 0), cs.get(k, 0)), "got %s" % got)

    bad = []
    for f in exp["flows"]:
        key = (f["proto"], frozenset([tuple(f["a"]), tuple(f["b"])]))
        o = lf.get(key)
        got = (o["orig_pkts"] + o["resp_pkts"], o["orig_bytes"] + o["resp_bytes"]) if o else None
        if got != (f["pkts"], f["bytes"]):
            bad.append("%s %s-%s: got %s, want %s" % (f["proto"], f["a"], f["b"], got, (f["pkts"], f["bytes"])))
    result(not bad, "%s: live, the generator's %d flows have their packets and IP bytes (lying lengths believed)"
           % (label, len(exp["flows"])), "; ".join(bad[:3]))

    def strip(flows):
        return {k: {x: v for x, v in o.items() if x not in ("uuid", "first_seen", "last_seen")}
                for k, o in flows.items()}
    a, b = strip(lf), strip(af)
    diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
    result(not diff, "%s: live and offline give the same %d flows, L7 fields included" % (label, len(b)),
           "; ".join("%s live %s offline %s" % (sorted(k[1]), a.get(k), b.get(k)) for k in diff[:2]))
    # how frames reached userspace (socket or copy) and which arrived after a flow's start was read
    # are the live path's own business; the daemon's own figures are not in an offline read
    skip = ("steer_", "userspace_late")
    sd = ["%s live %s offline %s" % (k, ls[k], v) for k, v in as_.items()
          if k != "type" and not k.startswith(skip) and ls.get(k) != v]
    result(not sd, "%s: live and offline give the same %d counters" % (label, len(as_) - 1), "; ".join(sd))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
