#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Every shared capture replayed with tcpreplay into a veth with the sensor attached in native
# mode: per-flow counts from `status --json` equal tshark's (truth.json, with flowtower's
# fragment rule) and equal `read --json` of the same frames, flow by flow and counter by counter.
. "$(dirname "$0")/lib.sh"

lab_up || { fail "lab setup"; exit 1; }
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	n=$(basename "$p")
	src=$(ethernet_copy "$p") || { fail "$n rewritten to Ethernet"; continue; }
	# --no-steer-done both ways: the parsers see exactly what the steering rule selects
	"$FT" read --json --no-steer-done "$src" >"$WORK/offline.jsonl" 2>/dev/null
	want=$(frames_in "$WORK/offline.jsonl")
	sensor_start --no-steer-done || { fail "$n sensor attached"; continue; }
	[ "$want" -gt 0 ] && replay "$src"
	check "$n live: all $want frames counted" wait_frames "$want"
	status_json >"$WORK/live.jsonl"
	sensor_stop TERM
	in_s "$FT" detach -i $IF_S >/dev/null 2>&1
	/usr/bin/python3 "$CHECK" "$TRUTH" "$p" "$WORK/live.jsonl" --label "$n live" --live --replayed "$src" \
		--same-as "$WORK/offline.jsonl"
done
mode=$(cat "$WORK"/sensor.*.log | grep -o "attached in [a-z]* mode" | sort -u)
check "attached in native mode every time ($mode)" test "$mode" = "attached in native mode"
