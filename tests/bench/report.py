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
def render(p, d):
    if d.get("skipped"):
        row(p, "SKIPPED", d.get("why", ""), "", "")
        return
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
        for n, v in d["runs"].items():
            if "read" in v:
                r = v["read"]
                row(p, "read @ %s" % n, "%d B/flow" % r["rss_bytes_per_flow"], "rss %d MB" % (r["max_rss_kb"] // 1024),
                    "%d flows" % r["flows"])
            m = v.get("daemon") or {}
            if "rss_bytes_per_flow" in m:
                row(p, "daemon @ %s" % n, "%d B/flow" % m["rss_bytes_per_flow"],
                    "less umem %d, growth %d B/flow" % (m["rss_less_umem_bytes_per_flow"], m["rss_growth_bytes_per_flow"]),
                    "rss %d MB (umem %d MB), %d flows open" % (m["rss_kb"] // 1024, m["umem_rss_kb"] // 1024, m["flows_open"]))
                row(p, "kernel maps @ %s" % n, "%d B/flow" % m["maps_bytes_per_flow"],
                    "flow maps %d B/flow" % m["flow_maps_bytes_per_flow"],
                    "%d MB memlock, growth %d B/flow" % (m["maps_bytes"] >> 20, m["maps_growth_bytes_per_flow"]))
        for k, v in d.get("target_at_100k", {}).items():
            row(p, "target %d B/flow @100k: %s" % (d["target_bytes_per_flow_at_100k"], k), "%d B/flow" % v["bytes_per_flow"],
                "", "met" if v["met"] else "MISSED: " + v["missed_by"])
    elif p == "live":
        def lv(name, r):
            row(p, "%s (%s)" % (name, r["method"]), "%.3f Mpps" % (r["pps"] / 1e6),
                "loss %d%s" % (r["loss"], ", dropped %s" % r["dropped_any"] if r.get("dropped_any") else ""),
                "cpu %d ns/pkt (machine %s)" % (r["cpu_ns_per_packet"], r.get("machine_cpu_ns_per_packet")))
        lv("flowtower", d["flowtower"])
        if d.get("counter"):
            lv("counter.bpf.o", d["counter"])
            row(p, "ratio cpu/pkt flowtower/counter", "%.2fx" % d["ratio"], "extra %d ns/pkt" % d["extra_ns_per_packet"],
                "machine-wide %sx" % d.get("ratio_machine"))
        row(p, "rates by method", ", ".join("%s %.3f/%s" % (m, v["flowtower_pps"] / 1e6,
            "%.3f" % (v["counter_pps"] / 1e6) if v["counter_pps"] else "-") for m, v in d["methods"].items()),
            "Mpps flowtower/counter", "")
        if "paced" in d:
            z = d["paced"]["zero_loss_pps"]
            row(p, "paced, zero loss", "%s pps" % z if z else "none found",
                "; ".join("%s:%s" % (x["pps_asked"], "ok" if x["zero_loss"] else "lossy") for x in d["paced"]["runs"]), "")
    elif p == "l7":
        for k, v in d.get("parsers", {}).items():
            row(p, k, "%.0f /cpu-s" % v["per_s"], "%d/%d in %.2f cpu-s" % (v["count"], v["expected"], v["cpu_s"]),
                "%s, %.3f Mframes/cpu-s" % (v.get("what", ""), v["frames_per_s"] / 1e6))
    elif p == "storebench":
        import re
        for line in d.get("output", []):
            m = re.match(r"bench_store: (insert: .*|one batch of .*|the same through the store.*)", line)
            if m:
                row(p, m.group(1)[:90], "", "", "")
        if d.get("rc"):
            row(p, "exit status %s" % d["rc"], "", "", "")
    else:
        row(p, "see results.json", "", "", "")
for p, d in res["parts"].items():
    try:
        render(p, d)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
        row(p, "see results.json", "(table: %s %s)" % (type(e).__name__, e), "", "")
w = [max(len(r[i]) for r in rows) for i in range(5)] if rows else []
for r in rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
