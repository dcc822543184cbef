#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_sensors.sh - two sensors write the same flows (same uuids) to one database at once:
# rows kept apart by sensor, each exact, no conflict between them.
. "$(dirname "$0")/lib.sh"
db_start
make_json
load_expect expect "$T"/json/*.jsonl

# small batches, both at once, absolute mode for one and delta for the other
STATE="$T/a" feed --db "$DB" --sensor sensor-a --batch-lines 7 "$T"/json/*.jsonl >"$T/a.out" 2>"$T/a.err" &
pa=$!
STATE="$T/b" feed --db "$DB" --sensor sensor-b --batch-lines 5 --mode absolute "$T"/json/*.jsonl >"$T/b.out" 2>"$T/b.err" &
pb=$!
FEED_PIDS="$pa $pb"
wait $pa
ra=$?
wait $pb
rb=$?
FEED_PIDS=
check "sensor a: everything written" "$ra" 0
check "sensor b: everything written" "$rb" 0
check "no errors on either side" "$(grep -ho 'errors=[0-9]*' "$T/a.out" "$T/b.out" | tr '\n' ' ')" "errors=0 errors=0 "
for s in sensor-a sensor-b; do
	check "$s: one row per flow" "$(count_flows $s)" "$(count_expect_flows)"
	d=$(flow_diff $s)
	check "$s: flows exact (first difference: ${d%%$'\n'*})" "$d" ""
done
d=$(tput_diff sensor-a)
check "sensor-a (delta): throughput exact (first difference: ${d%%$'\n'*})" "$d" ""
# absolute mode sets a minute to its last line: a minute split across captures keeps the last one
want=$(q "SELECT count(DISTINCT (line->>'minute', line->>'direction', line->>'ip_version')) FROM expect WHERE line->>'type' = 'throughput'")
check "sensor-b (absolute): one row per minute, direction and version" \
	"$(q "SELECT count(*) FROM flowtower.throughput WHERE sensor = 'sensor-b'")" "$want"
check "same uuids, two rows each: one per sensor" \
	"$(q "SELECT count(*) FROM (SELECT uuid FROM flowtower.flows GROUP BY uuid HAVING count(*) = 2 AND count(DISTINCT sensor) = 2) x")" \
	"$(count_expect_flows)"
exit 0
