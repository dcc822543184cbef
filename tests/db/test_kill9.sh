#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_kill9.sh - SIGKILL at the worst moments of the writer (fault points), and a restart
# after an outage: the spool replays and the rows are exact, nothing applied twice.
. "$(dirname "$0")/lib.sh"
db_start
make_json
feed --db "$DB" --sensor init </dev/null >/dev/null 2>&1 # the schema, as a sensor start makes it
J=$(ls -S "$T"/json/*.jsonl | head -n 1) # the biggest capture: many flows and minutes
load_expect expect "$J"

# store-after-spool: on disk, not in the DB; store-before-commit: all statements sent, no COMMIT;
# store-after-commit: committed, still in the spool (the replay must be skipped, not re-added)
for fault in store-after-spool store-before-commit store-after-commit; do
	S=k_${fault//-/_}
	STATE="$T/$S" FLOWTOWER_FAULT=$fault feed --db "$DB" --sensor "$S" --per-file "$J" >/dev/null 2>&1
	rc=$?
	check "$fault: the writer dies by SIGKILL" "$rc" 137
	check "$fault: the batch is still in the spool" "$(spool_files "$T/$S")" 1
	committed=0
	[ "$fault" = store-after-commit ] && committed=1
	check "$fault: committed before the kill: $committed" \
		"$(q "SELECT count(*) FROM flowtower.batches WHERE sensor = '$S'")" "$committed"
	STATE="$T/$S" feed --db "$DB" --sensor "$S" </dev/null >/dev/null 2>"$T/$S.err"
	check "$fault: restart replays it" "$(spool_files "$T/$S")" 0
	check "$fault: applied once" "$(q "SELECT count(*) FROM flowtower.batches WHERE sensor = '$S'")" 1
	check "$fault: one row per flow" "$(count_flows "$S")" "$(count_expect_flows)"
	d=$(flow_diff "$S")
	check "$fault: flows exact (first difference: ${d%%$'\n'*})" "$d" ""
	d=$(tput_diff "$S")
	check "$fault: throughput exact (first difference: ${d%%$'\n'*})" "$d" ""
done

# database down: everything goes to the spool and the writer exits (SIGTERM path: flush says 1);
# a new process with the database back replays all of it
db_down fast
STATE="$T/outage" feed --db "$DB" --sensor k_restart --batch-lines 20 --flush-ms 0 "$T"/json/*.jsonl >/dev/null 2>&1
check "database down: feed ends with batches spooled (exit 1)" "$?" 1
n=$(spool_files "$T/outage")
[ "$n" -gt 1 ]
check "database down: $n batches on disk" "$?" 0
db_up
STATE="$T/outage" feed --db "$DB" --sensor k_restart </dev/null >/dev/null 2>&1
check "restart with the database back: all replayed" "$(spool_files "$T/outage")" 0
load_expect expect "$T"/json/*.jsonl
check "restart: one row per flow" "$(count_flows k_restart)" "$(count_expect_flows)"
d=$(flow_diff k_restart)
check "restart: flows exact (first difference: ${d%%$'\n'*})" "$d" ""
d=$(tput_diff k_restart)
check "restart: throughput exact (first difference: ${d%%$'\n'*})" "$d" ""
check "restart: batches once each" "$(q "SELECT count(*) FROM flowtower.batches WHERE sensor = 'k_restart'")" "$n"
exit 0
