#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/kernel.sh - ns per packet of the XDP program (BPF_PROG_TEST_RUN) against drop and minimal programs.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { skipped kernel "needs root for BPF_PROG_TEST_RUN"; exit 0; }
drop=$(bpf_obj drop) && minimal=$(bpf_obj minimal) || exit 1
"$(bench_bin bench_xdp)" "$drop" "$minimal" "${BENCH_XDP_REPEAT:-1000000}" > "$FRAG/kernel.raw" || exit 1
python3 - "$FRAG/kernel.raw" > "$FRAG/kernel.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
P = d["programs"]
rat = {}
for full in ("flowtower_steer_off", "flowtower_steer_on"):
    for sz in ("64", "1514"):
        for m in ("hot_ns", "many_flows_ns", "new_flow_ns"):
            r = P[full][sz][m] / P["minimal"][sz][m]
            e = {"ratio": round(r, 2), "vs_drop": round(P[full][sz][m] / P["drop"][sz][m], 2)}
            if m != "new_flow_ns":
                e.update(target=1.5, met=r <= 1.5, missed_by=None if r <= 1.5 else "%.0f%% over 1.5x" % (100 * (r / 1.5 - 1)))
            rat["%s/%s/%s" % (full, sz, m)] = e
d["ratios_to_minimal"] = rat
d["note"] = ("hot: one frame, repeat N (kernel's per-run average); many_flows: 65536 distinct flows, one run each "
             "(repeat 1, so each figure includes the test-run timer overhead the drop program shows); new_flow: "
             "first packet of each of 65536 fresh flows (map insert); sizes are frame bytes (1514 = 1500-byte IP)")
print(json.dumps(d, indent=1))
PY
rm -f "$FRAG/kernel.raw"
