#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/offline.sh - flowtower read against ndpiReader, tshark, softflowd and tcpdump on the same capture.
set -u
. "$(dirname "$0")/lib.sh"
need_capture || exit 1
W=$(mktemp -d /dev/shm/ftbench.off.XXXXXX)
trap 'rm -rf "$W"' EXIT
# page the capture in once so that no tool pays for the first read
cat "$CAP" > /dev/null
tools=""
say "tcpdump -r (the floor)"
if need_cmd tcpdump tcpdump; then
	timed "$W/tcpdump.t" tcpdump -r "$CAP" -w /dev/null 2>/dev/null; tools="$tools tcpdump"
fi
say "flowtower read --json"
timed "$W/flowtower.t" "$FT" read --json "$CAP" > "$W/flowtower.out" 2>"$W/flowtower.err"; tools="$tools flowtower"
if need_cmd ndpiReader libndpi-bin; then
	say "ndpiReader -i (CSV per flow)"
	timed "$W/ndpi.t" ndpiReader -q -i "$CAP" -C "$W/ndpi.csv" > "$W/ndpi.out" 2>&1; tools="$tools ndpi"
fi
if need_cmd softflowd softflowd; then
	# -d: foreground, prints its statistics at EOF; -v 9: IPv6 too; export to the discard port
	say "softflowd -r (NetFlow v9 to 127.0.0.1:9, discarded)"
	timed "$W/softflowd.t" softflowd -d -r "$CAP" -v 9 -n 127.0.0.1:9 > "$W/softflowd.out" 2>&1; tools="$tools softflowd"
fi
if need_cmd tshark tshark; then
	# tshark is ~50x slower: time it on the first BENCH_TSHARK_PKTS packets (default 200k) and say so
	n=${BENCH_TSHARK_PKTS:-200000}
	say "tshark -r -q -z conv,tcp (first $n packets)"
	timed "$W/tshark.t" tshark -r "$CAP" -c "$n" -q -z conv,tcp > "$W/tshark.out" 2>/dev/null; tools="$tools tshark"
	echo "$n" > "$W/tshark.pkts"
fi
python3 "$BENCH_DIR/offline_score.py" "$W" "$TRUTH" > "$FRAG/offline.json"
