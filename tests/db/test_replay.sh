#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_replay.sh - every shared capture through `read --json` and the store: rows equal the JSON.
. "$(dirname "$0")/lib.sh"
db_start
make_json

# one batch per capture (delta: read --db's mode)
feed --db "$DB" --sensor s1 --per-file "$T"/json/*.jsonl >"$T/feed.out" 2>"$T/feed.err"
check "feed exits 0 (all in the database)" "$?" 0
load_expect expect "$T"/json/*.jsonl

check "one row per flow uuid" "$(count_flows s1)" "$(count_expect_flows)"
d=$(flow_diff s1)
check "every flow field equals its JSON (first difference: ${d%%$'\n'*})" "$d" ""
echo "note: JSON keys without a column, kept in flows.extra: $(q "$EXTRA_KEYS_SQL")"
d=$(tput_diff s1)
check "throughput rows sum exactly to the JSON's lines" "$d" ""
# independent of the throughput lines: the stats lines' per-direction counters
want=$(q "SELECT sum((line->>'tx_packets_ipv4')::bigint + (line->>'rx_packets_ipv4')::bigint
	+ (line->>'other_packets_ipv4')::bigint + (line->>'tx_packets_ipv6')::bigint + (line->>'rx_packets_ipv6')::bigint
	+ (line->>'other_packets_ipv6')::bigint) || '/' || sum((line->>'tx_bytes_ipv4')::bigint
	+ (line->>'rx_bytes_ipv4')::bigint + (line->>'other_bytes_ipv4')::bigint + (line->>'tx_bytes_ipv6')::bigint
	+ (line->>'rx_bytes_ipv6')::bigint + (line->>'other_bytes_ipv6')::bigint) FROM expect WHERE line->>'type' = 'stats'")
got=$(q "SELECT sum(packets) || '/' || sum(bytes) FROM flowtower.throughput WHERE sensor = 's1'")
check "throughput totals equal the captures' packet/byte counters" "$got" "$want"
check "flow packets equal throughput packets" \
	"$(q "SELECT sum(orig_pkts + resp_pkts) FROM flowtower.flows WHERE sensor = 's1'")" "${want%/*}"
check "batches recorded" "$(q "SELECT count(*) FROM flowtower.batches WHERE sensor = 's1'")" "$(ls "$T"/json/*.jsonl | wc -l)"

# a batch applied twice (same seq: a crash between COMMIT and the spool's unlink) changes nothing
snap() { q "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (SELECT sensor, uuid, orig_pkts, resp_bytes FROM flowtower.flows
	UNION ALL SELECT sensor, NULL, packets, bytes FROM flowtower.throughput) t"; }
feed --db "$DB" --sensor s2 --per-file --seq-from 100 "$T"/json/*.jsonl >/dev/null 2>&1
before=$(snap)
feed --db "$DB" --sensor s2 --per-file --seq-from 100 "$T"/json/*.jsonl >/dev/null 2>"$T/again.err"
check "replaying applied batches (same seq) changes nothing" "$(snap)" "$before"
check "s2 rows equal s1 rows" "$(count_flows s2)" "$(count_flows s1)"

# the same lines again under new seqs: flows are current totals (unchanged), throughput adds (delta)
feed --db "$DB" --sensor s1 --per-file "$T"/json/*.jsonl >/dev/null 2>&1
check "flows unchanged by a second delta replay" "$(flow_diff s1)" ""
check "still one row per flow" "$(count_flows s1)" "$(count_expect_flows)"
check "throughput doubled exactly by a second delta replay" \
	"$(q "SELECT sum(packets) || '/' || sum(bytes) FROM flowtower.throughput WHERE sensor = 's1'")" \
	"$(( ${want%/*} * 2 ))/$(( ${want#*/} * 2 ))"
# `flowtower read --json --db` itself: the rows it writes equal the JSON lines it prints (the same
# run: uuids are new each run), flow by flow, and its throughput adds up to the captures' counters
mkdir -p "$T/rjson"
for f in "$T"/json/*.jsonl; do
	cap=$PCAPS/$(basename "$f" .jsonl)
	"$FT" read "$cap" --json --db "$DB" --sensor r1 --state-dir "$T/rstate" >"$T/rjson/$(basename "$f")" \
		2>>"$T/read-db.err" || fail "read --db $(basename "$cap")"
done
load_expect expect "$T"/rjson/*.jsonl
check "read --db: one row per flow uuid" "$(count_flows r1)" "$(count_expect_flows)"
d=$(flow_diff r1)
check "read --db: every flow field equals the JSON it printed (first difference: ${d%%$'\n'*})" "$d" ""
check "read --db: throughput totals equal the captures' counters" \
	"$(q "SELECT sum(packets) || '/' || sum(bytes) FROM flowtower.throughput WHERE sensor = 'r1'")" "$want"
exit 0
