#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_spoolfull.sh - the database is down and the spool fills: a loud warning first, then
# the oldest batches are dropped, counted and named in dropped.log; the rest reaches the database.
. "$(dirname "$0")/lib.sh"
db_start

# six batches of 20 flows each, every line the same length so that records are the same size
for b in 1 2 3 4 5 6; do
	for i in $(seq 10 29); do
		printf '{"type":"flow","uuid":"0190a1b2-0000-7000-8000-0000000%02d0%02d","ip_version":4,"proto":17,"orig_addr":"192.0.2.%d","orig_port":5353,"resp_addr":"198.51.100.%d","resp_port":53,"orig_pkts":%d,"resp_pkts":1,"first_seen":"2024-05-01T10:00:00Z","last_seen":"2024-05-01T10:00:01Z"}\n' \
			"$b" "$i" "$b" "$i" "$b"
	done >"$T/b$b"
done
rec=$(( $(wc -c <"$T/b1") + 64 ))
db_down fast
feed --db "$DB" --sensor s1 --per-file --seq-from 1 --spool-max $((rec * 3 + 10)) --flush-ms 0 "$T"/b[1-6] >"$T/out" 2>"$T/err"
check "feed ends with batches spooled (exit 1)" "$?" 1
grep -q "WARNING: spool .* is [0-9]*% full" "$T/err"
check "a loud warning before the spool is full" "$?" 0
check "three oldest batches dropped, three kept" "$(spool_files "$T/state")" 3
check "drops counted" "$(grep -o 'batches_dropped=[0-9]* lines_dropped=[0-9]*' "$T/out")" "batches_dropped=3 lines_dropped=60"
check "each drop logged" "$(grep -c 'dropped seq' "$T/err")" 3
check "dropped.log names them" "$(grep -o 'dropped seq [0-9]*' "$T/state/spool/dropped.log" | tr '\n' ' ')" \
	"dropped seq 1 dropped seq 2 dropped seq 3 "
db_up
feed --db "$DB" --sensor s1 </dev/null >/dev/null 2>&1
check "the kept batches reach the database" "$(q "SELECT string_agg(DISTINCT orig_pkts::text, ' ') FROM flowtower.flows")" "4 5 6"
check "exactly their rows" "$(q "SELECT count(*) FROM flowtower.flows")" 60
check "spool empty" "$(spool_files "$T/state")" 0
exit 0
