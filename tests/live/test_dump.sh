#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `flowtower dump`: while it runs, XDP copies frames to it; it applies a pcap filter and writes
# pcapng that tcpdump reads, with the frames as they were replayed; -c stops it; the copy stops
# when it exits (the dump counters stop moving).
. "$(dirname "$0")/lib.sh"

lab_up || { fail "lab setup"; exit 1; }
check "sensor attached (drop mode: tcpdump on the interface would see nothing)" \
	sensor_start --verdict drop --umem-mb 32
p=$PCAPS/tcpreplay__test.pcap
nsenter --net=/run/netns/$NS_S "$FT" dump -i $IF_S -w "$WORK/all.pcapng" >"$WORK/dump1.log" 2>&1 &
dumper=$!
sleep 1
replay "$p"
sleep 0.5
kill -INT $dumper
wait $dumper
check "dump exits 0 on SIGINT" test $? -eq 0
n=$(tcpdump -r "$WORK/all.pcapng" 2>/dev/null | wc -l)
want=$(tcpdump -r "$p" 2>/dev/null | wc -l)
check "tcpdump reads the pcapng: every frame replayed ($n of $want)" test "$n" -eq "$want"
check "frames byte for byte as replayed" bash -c "cmp <(tcpdump -r '$WORK/all.pcapng' -x 2>/dev/null | grep -v '^[0-9]') \
	<(tcpdump -r '$p' -x 2>/dev/null | grep -v '^[0-9]')"
first=$(tcpdump -r "$WORK/all.pcapng" -tt -c 1 2>/dev/null | cut -d' ' -f1)
now=$(date +%s)
check "kernel timestamps (within a minute of now: $first)" \
	/usr/bin/python3 -c "import sys; sys.exit(0 if abs(float('$first') - $now) < 60 else 1)"

# a filter and a count
nsenter --net=/run/netns/$NS_S "$FT" dump -i $IF_S -w "$WORK/dns.pcapng" -c 5 udp port 53 >"$WORK/dump2.log" 2>&1 &
dumper=$!
sleep 1
replay "$p"
wait $dumper
check "dump -c 5 stops by itself" test $? -eq 0
check "exactly 5 frames" test "$(tcpdump -r "$WORK/dns.pcapng" 2>/dev/null | wc -l)" -eq 5
check "all of them match 'udp port 53'" test "$(tcpdump -r "$WORK/dns.pcapng" 'udp port 53' 2>/dev/null | wc -l)" -eq 5

# no dump running: no copies
c1=$(bpftool map dump pinned /sys/fs/bpf/flowtower/$IF_S/dump_ctl -j | /usr/bin/python3 -c 'import json,sys
e = json.load(sys.stdin)[0]
print(e.get("formatted", e)["value"]["copied"])')
replay "$p"
sleep 0.3
c2=$(bpftool map dump pinned /sys/fs/bpf/flowtower/$IF_S/dump_ctl -j | /usr/bin/python3 -c 'import json,sys
e = json.load(sys.stdin)[0]
print(e.get("formatted", e)["value"]["copied"])')
check "no copies when no dump runs ($c1 -> $c2)" test -n "$c1" -a "$c1" = "$c2"
out=$(in_s "$FT" dump -i $IF_S 'not a filter ((' -w /dev/null 2>&1)
check "a bad filter is refused with pcap's message" grep -q "filter 'not a filter ((':" <<<"$out"
