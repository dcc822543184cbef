#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/report.py FRAGDIR RESULTS PART... - merge the parts' JSON into RESULTS and print a table.
import json, os, sys, time

frag, out, parts = sys.argv[1], sys.argv[2], sys.argv[3:]
res = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "host_cpus": os.cpu_count(), "parts": {}}
for p in parts:
    try:
        res["parts"][p] = json.load(open(os.path.join(frag, p + ".json")))
    except (OSError, ValueError) as e:
        res["parts"][p] = {"skipped": True, "why": "no readable results: %s" % e}
json.dump(res, open(out, "w"), indent=1)

rows = []
def row(*c): rows.append([str(x) for x in c])
for p, d in res["parts"].items():
    if d.get("skipped"):
        row(p, "SKIPPED", d.get("why", ""), "", "")
        continue
    if p == "offline":
        for t, v in d["tools"].items():
            extra = "flows %s" % v.get("flows")
            if "snis_found" in v:
                extra += " sni %d/%d host %d/%d" % (v["snis_found"], d["truth"]["snis"], v["http_hosts_found"], d["truth"]["http_hosts"])
            row(p, t, "%.3f Mpps (cpu)" % (v["pps"] / 1e6), "%.2f cpu-s, %.0f MB" % (v["cpu_s"], v["max_rss_mb"]), extra)
        for k, v in d["ratios"].items():
            row(p, k, "%.3f" % v["ratio"], "target %s" % v["target"], "met" if v["met"] else "MISSED: " + v["missed_by"])
    elif p == "kernel":
        for prog, s in d["programs"].items():
            for z, m in s.items():
                row(p, "%s %sB" % (prog, z), "hot %.0f ns" % m["hot_ns"], "64k %.0f ns" % m["many_flows_ns"], "new %.0f ns" % m["new_flow_ns"])
        for k, v in d["ratios_to_minimal"].items():
            if "target" in v:
                row(p, k, "%.2fx minimal" % v["ratio"], "%.1fx drop" % v["vs_drop"], "met" if v["met"] else "MISSED: " + v["missed_by"])
    elif p == "memory":
        for f in ("100000", "1000000"):
            v = d[f]
            row(p, "read @ %s flows" % f, "%d B/flow" % v["read_rss_bytes_per_flow"], "rss %d MB" % (v["read_max_rss_kb"] // 1024), "peak %d" % v["peak_open_flows"])
        row(p, "target 400 B/flow @100k", "", "", "met" if d["met"] else "MISSED: " + d["missed_by"])
    else:
        row(p, "see results.json", "", "", "")
w = [max(len(r[i]) for r in rows) for i in range(5)] if rows else []
for r in rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
