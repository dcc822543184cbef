#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `run --capture afpacket`, the fallback where XDP cannot attach: TPACKET_V3 rings in a fanout
# group feed the same accounting and pipeline in userspace; replayed captures give the same flows,
# L7 fields and counters as `read` of the same frames, and tshark's per-flow counts.
. "$(dirname "$0")/lib.sh"

lab_up || { fail "lab setup"; exit 1; }
for n in ndpi__sites.pcapng zeek__vlan-qinqinq.pcap zeek__ipv6-fragmented-dns.pcap tcpreplay__test.pcap \
	zeek__hrr.pcap ndpi__quic_frags_ch_in_multiple_packets.pcapng zeek__tcp-truncated-header.pcap; do
	p=$PCAPS/$n
	"$FT" read --json --no-steer-done "$p" >"$WORK/offline.jsonl" 2>/dev/null
	want=$(frames_in "$WORK/offline.jsonl")
	sensor_start --capture afpacket --no-steer-done --drain-interval 200 ||
		{ fail "$n sensor started in AF_PACKET mode"; continue; }
	replay "$p"
	check "$n afpacket: all $want frames counted" wait_frames "$want"
	sleep 0.5 # two drains: every worker's counters in the records
	status_json >"$WORK/live.jsonl"
	sensor_stop TERM
	/usr/bin/python3 "$CHECK" "$TRUTH" "$p" "$WORK/live.jsonl" --label "$n afpacket" --live --replayed "$p" \
		--same-as "$WORK/offline.jsonl"
done
check "nothing pinned in AF_PACKET mode" test ! -e /sys/fs/bpf/flowtower/$IF_S
