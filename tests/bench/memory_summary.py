#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/memory_summary.py DIR [live] - the JSON fragment of tests/bench/memory.sh: per
# measurement NAME, NAME.conf (flows, read_flows, max_flows, kernel_flows), NAME.read (timed:
# wall user sys max_rss_kb rc), and when live NAME.rss0/.rss1 (daemon before/after the replay),
# NAME.maps0/.maps1 (bytes_memlock), NAME.state (the daemon's state), NAME.replay.
import json, os, sys

D = sys.argv[1]
live = "live" in sys.argv[2:]
TARGET = 400


def kv(path):
    try:
        return {k: int(v) for k, v in (t.split("=", 1) for t in open(path).read().split() if "=" in t)
                if v.isdigit()}
    except OSError:
        return {}


def js(path):
    try:
        return json.loads(open(path).read().strip() or "{}")
    except (OSError, ValueError):
        return {}


def verdict(b):
    return {"bytes_per_flow": b, "met": b <= TARGET, "missed_by": None if b <= TARGET else
            "%d B (%.1fx) over %d" % (b - TARGET, b / TARGET, TARGET)}


FLOWMAPS = ("flows_a", "flows_b", "flows")
out = {"target_bytes_per_flow_at_100k": TARGET, "runs": {}}
names = sorted((f[:-5] for f in os.listdir(D) if f.endswith(".conf")),
               key=lambda n: (not n.startswith("synthetic"), kv(os.path.join(D, n + ".conf")).get("flows", 0)))
for n in names:
    c = kv(os.path.join(D, n + ".conf"))
    r = {"flows": c["flows"], "max_flows": c["max_flows"], "kernel_flows": c["kernel_flows"]}
    try:
        wall, u, s, rss, rc = open(os.path.join(D, n + ".read")).read().split()
        r["read"] = {"max_rss_kb": int(rss), "flows": c["read_flows"], "wall_s": float(wall), "rc": int(rc),
                     "rss_bytes_per_flow": int(rss) * 1024 // c["read_flows"]}
        err = open(os.path.join(D, n + ".read.err")).read()
        if "did not fit" in err:
            r["read"]["warning"] = err.strip().splitlines()[-1]
    except (OSError, ValueError):
        pass
    st = js(os.path.join(D, n + ".state"))
    if live and st:
        r0, r1 = js(os.path.join(D, n + ".rss0")), js(os.path.join(D, n + ".rss1"))
        m0, m1 = js(os.path.join(D, n + ".maps0")), js(os.path.join(D, n + ".maps1"))
        fo = st.get("flows_open") or 0
        dd = {"flows_open": fo, "rss_kb": r1.get("rss_kb"), "rss_kb_before": r0.get("rss_kb"),
              "hwm_kb": r1.get("hwm_kb"), "umem_rss_kb": r1.get("umem_rss_kb"),
              "maps_bytes": m1.get("total"), "maps_bytes_before": m0.get("total"), "maps": m1.get("maps"),
              "worker_queue_drops": st.get("worker_queue_drops"), "flows_lost": st.get("flows_lost"),
              "flows_evicted_early": st.get("flows_evicted_early")}
        rp = kv(os.path.join(D, n + ".replay"))
        if rp:
            dd["replayed_packets"] = rp.get("packets")
        if fo:
            flowmaps = sum(v for k, v in (m1.get("maps") or {}).items() if k in FLOWMAPS)
            dd.update(rss_bytes_per_flow=r1["rss_kb"] * 1024 // fo,
                      rss_less_umem_bytes_per_flow=(r1["rss_kb"] - r1["umem_rss_kb"]) * 1024 // fo,
                      rss_growth_bytes_per_flow=(r1["rss_kb"] - r0["rss_kb"]) * 1024 // fo,
                      maps_bytes_per_flow=m1["total"] // fo,
                      flow_maps_bytes_per_flow=flowmaps // fo,
                      maps_growth_bytes_per_flow=(m1["total"] - m0["total"]) // fo)
            if fo < c["flows"] * 0.98:
                dd["warning"] = "the daemon's table held %d of the %d flows replayed" % (fo, c["flows"])
        r["daemon"] = dd
    out["runs"][n] = r

# the target: at most 400 bytes of RSS per flow at 100k flows
t100 = out["runs"].get("synthetic_100000", {})
tg = {}
if "read" in t100:
    tg["read_rss"] = verdict(t100["read"]["rss_bytes_per_flow"])
d = t100.get("daemon", {})
if "rss_bytes_per_flow" in d:
    tg["daemon_rss"] = verdict(d["rss_bytes_per_flow"])
    tg["daemon_rss_less_umem"] = verdict(d["rss_less_umem_bytes_per_flow"])
    tg["daemon_rss_growth"] = verdict(d["rss_growth_bytes_per_flow"])
out["target_at_100k"] = tg
main = tg.get("daemon_rss") or tg.get("read_rss")
if main:
    out["met"], out["missed_by"] = main["met"], main["missed_by"]
notes = ["synthetic_N: tests/bench/manyflows.py, N one-packet IPv4/UDP flows (60-byte frames) all open at once "
         "(tools/ftgen opens ~40k flows a second of capture time at ~13 packets each: `ftgen -f 1000000 -n 3M` "
         "holds at most ~84k at once); ftgen_100k: ftgen -f 100000 -n 1M, flows with TLS/QUIC/HTTP/DNS names, "
         "divided by all its flows (none ends within the read's 60 s timeouts)",
         "read: max RSS of `flowtower read --json --max-flows 1.5N` / N (the whole process)",
         "daemon: `flowtower run --verdict drop --db none --max-flows 1.5N --kernel-flows 1.25N` after ftreplay "
         "sent the capture into the lab veth; VmRSS / flows_open; 'less umem' leaves out the AF_XDP frame area "
         "(--umem-mb, default 1024 MiB, pinned whole at start: a fixed cost, not per flow); 'growth' = (RSS after "
         "- RSS before the replay) / flows",
         "maps: bytes_memlock of the maps pinned under /sys/fs/bpf/flowtower/IF and those the program uses; "
         "flows_a/flows_b (per-CPU LRU hashes, --kernel-flows each) are preallocated, so their bytes per flow "
         "depend on --kernel-flows and the CPU count (%d here), not on the flows seen" % os.cpu_count()]
if not live:
    notes.append("daemon and maps not measured: needs root and bpftool")
out["note"] = notes
print(json.dumps(out, indent=1))
