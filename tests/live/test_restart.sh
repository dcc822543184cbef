#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Restarts lose no count: the sensor is killed with SIGKILL while traffic flows, traffic goes on
# while it is down (the pinned program keeps counting), it dies again in the middle of a drain
# (totals written, buffer entry not yet deleted), and after each restart the totals still equal
# an offline read of everything replayed, flow by flow.
. "$(dirname "$0")/lib.sh"

lab_up || { fail "lab setup"; exit 1; }
parts=()
for f in ndpi__sites.pcapng ndpi__tls_with_huge_ch.pcapng zeek__tcp-reassembly.pcap ndpi__chrome.pcap \
	zeek__ipv6-fragmented-dns.pcap tcpreplay__test.pcap; do
	parts+=("$PCAPS/$f")
done
mergecap -a -F pcap -w "$WORK/all.pcap" "${parts[@]}" 2>/dev/null || { fail "mergecap"; exit 1; }
"$FT" read --json "$WORK/all.pcap" >"$WORK/offline.jsonl"
total=$(frames_in "$WORK/offline.jsonl")
# three slices of the same stream, by frame number
n1=$((total / 3))
n2=$((2 * total / 3))
editcap -r "$WORK/all.pcap" "$WORK/p1.pcap" "1-$n1" 2>/dev/null
editcap -r "$WORK/all.pcap" "$WORK/p2.pcap" "$((n1 + 1))-$n2" 2>/dev/null
editcap -r "$WORK/all.pcap" "$WORK/p3.pcap" "$((n2 + 1))-$total" 2>/dev/null

check "sensor attached" sensor_start
replay "$WORK/p1.pcap"
check "first slice counted ($n1 frames)" wait_frames "$n1"
sensor_stop KILL
check "pins survive kill -9" test -e /sys/fs/bpf/flowtower/$IF_S/link

replay "$WORK/p2.pcap" # nobody drains: the program alone counts
check "second slice counted while the daemon is down ($n2 frames in all)" wait_frames "$n2"

FLOWTOWER_FAULT=drain-mid nsenter --net=/run/netns/$NS_S "$FT" run -i $IF_S --db none >"$WORK/fault.log" 2>&1
rc=$?
check "daemon killed inside its first drain (exit $rc)" test "$rc" -eq 137
state=$(bpftool map dump pinned /sys/fs/bpf/flowtower/$IF_S/ctl 2>/dev/null | tr -d ' \n' |
	sed -n 's/.*"drain_state":\([0-9]*\).*/\1/p')
check "ctl shows the drain cut short (drain_state $state)" test "$state" = 1

check "restarted after the crash" sensor_start
# the third slice at a modest rate, with a kill -9 and a restart in the middle of it
in_r tcpreplay -q -i $IF_R --pps 400 "$WORK/p3.pcap" >>"$WORK/replay.log" 2>&1 &
replayer=$!
sleep 0.6
sensor_stop KILL
check "restarted during the replay" sensor_start
wait "$replayer"
check "all $total frames counted" wait_frames "$total"
sleep 1 # a few drains by the restarted daemon
status_json >"$WORK/live.jsonl"
grep -q "resuming from pinned state" "$SENSOR_LOG" && pass "restart resumed from pinned state" ||
	fail "restart resumed from pinned state"
/usr/bin/python3 "$CHECK" "$TRUTH" "$PCAPS/ndpi__chrome.pcap" "$WORK/live.jsonl" --label "restart" \
	--same-as "$WORK/offline.jsonl" --counts-only --live --replayed "$WORK/all.pcap" 2>/dev/null |
	grep "offline and live"
