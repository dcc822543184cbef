#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Every shared capture replayed with tcpreplay into a veth with 2 RX queues, the sensor attached in
# native mode with an AF_XDP socket on each: per-flow counts from `status --json` equal tshark's
# (truth.json, with flowtower's fragment rule) and equal `read --json` of the same frames, flow by
# flow and counter by counter, L7 fields included; the frames userspace received equal, in count
# and bytes, what the steering rule selects (read computes it from the file), with no ring drops.
. "$(dirname "$0")/lib.sh"

lab_up_mq 2 || { fail "lab setup"; exit 1; }
queues_used=0
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	n=$(basename "$p")
	src=$(ethernet_copy "$p") || { fail "$n rewritten to Ethernet"; continue; }
	# --no-steer-done both ways: the parsers see exactly what the steering rule selects
	"$FT" read --json --no-steer-done "$src" >"$WORK/offline.jsonl" 2>/dev/null
	want=$(frames_in "$WORK/offline.jsonl")
	sensor_start --no-steer-done --umem-mb 64 || { fail "$n sensor attached"; continue; }
	[ "$want" -gt 0 ] && replay "$src"
	check "$n live: all $want frames counted" wait_frames "$want"
	status_json >"$WORK/live.jsonl"
	drops=$(tail -n 1 "$WORK/live.jsonl" | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)
print(sum(s.get(k, 0) for k in ("xsk_rx_dropped", "xsk_rx_ring_full", "xsk_invalid_descs", "worker_queue_drops",
      "steer_no_xsk", "steer_copy_fail")))')
	check "$n live: no frame lost between XDP and the pipeline" test "$drops" = 0
	sensor_stop TERM
	in_s "$FT" detach -i $IF_S >/dev/null 2>&1
	/usr/bin/python3 "$CHECK" "$TRUTH" "$p" "$WORK/live.jsonl" --label "$n live" --live --replayed "$src" \
		--same-as "$WORK/offline.jsonl"
done
mode=$(cat "$WORK"/sensor.*.log | grep -o "attached in [a-z]* mode" | sort -u)
check "attached in native mode every time ($mode)" test "$mode" = "attached in native mode"
