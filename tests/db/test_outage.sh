#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_outage.sh - PostgreSQL goes away during a long feed and comes back: every row
# present, exact, none doubled. OUTAGE_S (default 8) sets how long it is down.
. "$(dirname "$0")/lib.sh"
db_start
make_json
OUTAGE_S=${OUTAGE_S:-8}

# four replays of every capture (new uuids each), delta mode, 10 lines per batch, 60 ms apart
for r in 1 2 3 4; do
	for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do "$FT" read --json "$f" 2>/dev/null; done
done >"$T/long.jsonl"
load_expect expect "$T/long.jsonl"
lines=$(wc -l <"$T/long.jsonl")
batches=$(( (lines + 9) / 10 ))

feed --db "$DB" --sensor s1 --batch-lines 10 --delay-ms 60 --flush-ms $(( (OUTAGE_S + 120) * 1000 )) "$T/long.jsonl" >"$T/out" 2>"$T/err" &
pid=$!
FEED_PIDS=$pid
sleep 1.5
db_down immediate # a crash: the transaction in flight is lost
down_at=$(spool_files "$T/state")
sleep "$OUTAGE_S"
during=$(spool_files "$T/state")
db_up
wait $pid
rc=$?
FEED_PIDS=
cat "$T/out"
check "feed ends with everything in the database" "$rc" 0
[ "$during" -gt "$down_at" ] && [ "$during" -gt 0 ]
check "batches wait in the spool while the database is down ($down_at -> $during)" "$?" 0
grep -q "database unavailable" "$T/err"
check "the outage is logged" "$?" 0
check "spool empty afterwards" "$(spool_files "$T/state")" 0
check "every batch recorded once" "$(q "SELECT count(*) || '/' || count(DISTINCT seq) FROM flowtower.batches")" "$batches/$batches"
check "one row per flow" "$(count_flows s1)" "$(count_expect_flows)"
d=$(flow_diff s1)
check "every flow exact (first difference: ${d%%$'\n'*})" "$d" ""
d=$(tput_diff s1)
check "throughput exact, nothing doubled or lost (first difference: ${d%%$'\n'*})" "$d" ""
exit 0
