#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_upsert.sh - the upsert rules on crafted lines: attributes never go back to NULL,
# absolute vs delta throughput, neighbors, odd bytes, lines without a key, a refused batch.
. "$(dirname "$0")/lib.sh"
db_start

U1=0190a1b2-0000-7000-8000-000000000001
U2=0190a1b2-0000-7000-8000-000000000002
L7='"hostname":"www.example.org","hostname_source":"tls_sni","orig_mac":"00:11:22:33:44:55","resp_mac":"66:77:88:99:aa:bb","device":"laptop","state":"established","http":{"host":"h.example","method":"GET"},"tls":{"sni":"www.example.org","alpn":["h2","http/1.1"],"legacy_version":771,"supported_versions":[772,771],"cipher_suites":[4865,4866],"extensions":[0,16,43],"ja3":"j3","ja3_full":"771,4865","ja4":"t13d0202h2_x_y","ech":false,"grease":true},"quic":{"version":1,"sni":"q.example","alpn":["h3"],"ja4":"q13d"}'
flow() { # flow UUID FIRST PKTS [EXTRA-JSON]
	echo "{\"type\":\"flow\",\"uuid\":\"$1\",\"ip_version\":6,\"proto\":6,\"proto_name\":\"tcp\",\"orig_addr\":\"2001:db8::1\",\"orig_port\":40000,\"resp_addr\":\"2001:db8:ffff::2\",\"resp_port\":443,\"local_side\":\"orig\",\"orig_pkts\":$3,\"orig_bytes\":$(($3 * 100)),\"orig_l4_bytes\":$(($3 * 60)),\"orig_payload_bytes\":$(($3 * 40)),\"resp_pkts\":$3,\"resp_bytes\":$(($3 * 1000)),\"resp_l4_bytes\":$(($3 * 960)),\"resp_payload_bytes\":$(($3 * 940)),\"duplicates\":0,\"tcp_flags\":27,\"orig_tcp_flags\":27,\"resp_tcp_flags\":26,\"first_seen\":\"$2\",\"last_seen\":\"2024-05-01T10:09:00.5Z\"${4:+,$4}}"
}
tput() { echo "{\"type\":\"throughput\",\"minute\":\"$1\",\"direction\":\"$2\",\"ip_version\":4,\"packets\":$3,\"bytes\":$4}"; }
neigh() { echo "{\"type\":\"neighbor\",\"addr\":\"$1\",\"mac\":\"$2\",\"first_seen\":\"$3\",\"last_seen\":\"$4\",\"source\":\"$5\"}"; }

{
	flow $U1 2024-05-01T10:00:00.123456789Z 10 "$L7,\"future_field\":{\"a\":1}"
	tput 2024-05-01T10:00:00Z tx 10 1000
	tput 2024-05-01T10:00:00Z tx 12 1200
	neigh 2001:db8::1 00:11:22:33:44:55 2024-05-01T10:00:00Z 2024-05-01T10:05:00Z ndp
	echo '{"type":"stats","rx_frames":1}'
	echo '{"type":"something_new","x":1}'
	flow 0190a1b2-0000-7000-8000-000000000007 2024-05-02T23:59:59.9999Z 1
	flow 0190a1b2-0000-7000-8000-000000000008 2024-05-04T00:00:00.0002Z 1 '"device":"d8"'
} >"$T/b1"
{
	# a restarted sensor: counters grew, attributes forgotten, first_seen 0.5 ms earlier
	flow $U1 2024-05-01T10:00:00.122956789Z 20 '"hostname":null,"device":null,"tls":null,"http":{"host":null,"method":null},"quic":null'
	printf '%s\n' "$(flow $U2 2024-05-02T23:59:59.9Z 1 '"hostname":"a\u0000b'$'\xff''c"')"
	echo '{"type":"flow","uuid":null,"ip_version":4,"proto":17}'
	echo '{"type":"neighbor","addr":"2001:db8::9","mac":null}'
	tput 2024-05-01T10:00:00Z tx 15 1500
	neigh 2001:db8::1 00:11:22:33:44:55 2024-05-01T09:59:00Z 2024-05-01T10:10:00Z probe
	neigh 2001:db8::1 00:11:22:33:44:66 2024-05-01T11:00:00Z 2024-05-01T11:00:00Z ndp
	# first_seen across midnight: later (a sensor that lost it), earlier (the row moves a partition)
	flow 0190a1b2-0000-7000-8000-000000000007 2024-05-03T00:00:00.0001Z 5
	flow 0190a1b2-0000-7000-8000-000000000008 2024-05-03T23:59:59.9998Z 6
} >"$T/b2"
{
	# a flow value that does not fit its column: NULL there, kept as sent in extra
	flow 0190a1b2-0000-7000-8000-000000000005 2024-05-01T10:00:00Z 1 '"orig_port":"not a number","proto":70000'
	# a throughput line the database would refuse: skipped and counted, the batch goes in
	echo '{"type":"throughput","minute":"2024-05-01T10:00:00Z","direction":"tx","ip_version":4,"packets":"x","bytes":1}'
} >"$T/b3"
flow 0190a1b2-0000-7000-8000-000000000004 2024-05-01T10:00:00Z 1 >"$T/b4"
flow 0190a1b2-0000-7000-8000-000000000006 2024-05-01T10:00:00Z 1 '"orig_port":"not a number","tls":{"alpn":"h2","ja4":"x"}' >"$T/b5"

feed --db "$DB" --sensor s1 --mode absolute --per-file --seq-from 1 "$T/b1" "$T/b2" "$T/b3" "$T/b4" "$T/b5" >"$T/out" 2>"$T/err"
cat "$T/out"
check "one row per uuid although first_seen moved earlier" "$(q "SELECT count(*) FROM flowtower.flows WHERE uuid = '$U1'")" 1
check "counters replaced by the newer totals" "$(q "SELECT orig_pkts || '/' || resp_bytes FROM flowtower.flows WHERE uuid = '$U1'")" "20/20000"
check "L7 attributes kept when the newer line has NULL" \
	"$(q "SELECT concat_ws('|', hostname, hostname_source, device, state, http_host, http_method, tls_sni, tls_alpn, tls_legacy_version,
		tls_supported_versions, tls_cipher_suites, tls_extensions, tls_ja3, tls_ja3_full, tls_ja4, tls_ech, quic_version, quic_sni,
		quic_alpn, quic_ja4, orig_mac, resp_mac) FROM flowtower.flows WHERE uuid = '$U1'")" \
	"www.example.org|tls_sni|laptop|established|h.example|GET|www.example.org|{h2,http/1.1}|771|{772,771}|{4865,4866}|{0,16,43}|j3|771,4865|t13d0202h2_x_y|f|1|q.example|{h3}|q13d|00:11:22:33:44:55|66:77:88:99:aa:bb"
check "first_seen is the earlier one (ns rounded to us), written twice" \
	"$(q "SELECT first_seen = '2024-05-01T10:00:00.122957Z' AND writes = 2 FROM flowtower.flows WHERE uuid = '$U1'")" t
check "first_seen later, across midnight: one row, the earlier first_seen, the newer counters" \
	"$(q "SELECT count(*) || ' ' || min(first_seen) || ' ' || max(orig_pkts) FROM flowtower.flows WHERE uuid = '0190a1b2-0000-7000-8000-000000000007'")" \
	"1 2024-05-02 23:59:59.9999+00 5"
check "first_seen earlier, across midnight: the row moves to the day before, keeps its device" \
	"$(q "SELECT count(*) || ' ' || min(c.relname) || ' ' || max(orig_pkts) || ' ' || max(device)
	      FROM flowtower.flows f JOIN pg_class c ON c.oid = f.tableoid WHERE uuid = '0190a1b2-0000-7000-8000-000000000008'")" \
	"1 flows_20240503 6 d8"
check "keys without a column kept in extra" "$(q "SELECT extra FROM flowtower.flows WHERE uuid = '$U1'")" \
	'{"tls": {"grease": true}, "future_field": {"a": 1}}'
check "NUL and invalid UTF-8 from the wire become U+FFFD" "$(q "SELECT hostname = 'a' || U&'\FFFD' || 'b' || U&'\FFFD' || 'c' FROM flowtower.flows WHERE uuid = '$U2'")" t
check "partitions created for each day" "$(q "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'flowtower.flows'::regclass AND c.relname IN ('flows_20240501', 'flows_20240502')")" "flows_20240501 flows_20240502"
check "absolute throughput: the minute is SET to the last count" \
	"$(q "SELECT packets || '/' || bytes FROM flowtower.throughput WHERE sensor = 's1' AND minute = '2024-05-01T10:00:00Z'")" "15/1500"
check "neighbor upsert: least first_seen, greatest last_seen, newest source" \
	"$(q "SELECT first_seen = '2024-05-01T09:59:00Z' AND last_seen = '2024-05-01T10:10:00Z' AND source = 'probe'
	      FROM flowtower.neighbors WHERE mac = '00:11:22:33:44:55'")" t
check "a new MAC for an address is a new row" "$(q "SELECT count(*) FROM flowtower.neighbors WHERE addr = '2001:db8::1'")" 2
check "lines without a key are skipped and counted" "$(q "SELECT skipped FROM flowtower.batches WHERE seq = 2")" 2
check "lines with values their columns refuse are skipped, the batch applied" "$(q "SELECT skipped FROM flowtower.batches WHERE seq = 3")" 2
check "the batch after it is applied" "$(q "SELECT count(*) FROM flowtower.flows WHERE uuid = '0190a1b2-0000-7000-8000-000000000004'")" 1
check "a value that does not fit its column is NULL there and kept in extra" \
	"$(q "SELECT orig_port IS NULL AND proto = 6 AND tls_alpn IS NULL AND tls_ja4 = 'x' AND extra = '{\"tls\": {\"alpn\": \"h2\"}, \"orig_port\": \"not a number\"}'
	      FROM flowtower.flows WHERE uuid = '0190a1b2-0000-7000-8000-000000000006'")" t
check "a required value that does not fit (proto 70000): the line is skipped" \
	"$(q "SELECT count(*) FROM flowtower.flows WHERE uuid = '0190a1b2-0000-7000-8000-000000000005'")" 0
# a batch the database refuses (here: a seq beyond bigint) is set aside with the reason, not retried
feed --db "$DB" --sensor s1 --seq-from 9223372036854775808 "$T/b4" >"$T/out" 2>"$T/err"
check "the refused batch is set aside" "$(ls "$T/state/spool/rejected/" | tr '\n' ' ')" \
	"09223372036854775808.batch 09223372036854775808.batch.err "
grep -q "out of range" "$T/state/spool/rejected/09223372036854775808.batch.err"
check "the reason is kept next to it" "$?" 0
check "store counted the rejection" "$(grep -o 'batches_rejected=[0-9]*' "$T/out")" "batches_rejected=1"

# delta: lines of one minute add, within a batch and across batches
{ tput 2024-05-01T11:00:00Z rx 1 10; tput 2024-05-01T11:00:00Z rx 2 20; } >"$T/d1"
tput 2024-05-01T11:00:00Z rx 4 40 >"$T/d2"
feed --db "$DB" --sensor s1 --mode delta --per-file "$T/d1" "$T/d2" >/dev/null 2>&1
check "delta throughput adds up" "$(q "SELECT packets || '/' || bytes FROM flowtower.throughput WHERE minute = '2024-05-01T11:00:00Z'")" "7/70"

# retention: day partitions that ended more than N days ago are dropped (at start, then hourly)
parts() { q "SELECT count(*) FROM pg_inherits WHERE inhparent = 'flowtower.flows'::regclass AND inhrelid::regclass::text ~ '$1'"; }
old=$(parts 'flows_2024')
recent=$(parts 'flows_20[3-9]|flows_202[5-9]')
feed --db "$DB" --sensor s1 --retention-days 30 </dev/null >/dev/null 2>"$T/ret.err"
check "retention drops the 2024 partitions ($old)" "$(grep -c 'retention 30 days: dropped partition flows_2024' "$T/ret.err")" "$old"
check "and keeps the recent ones" "$(parts 'flows_2')" "$recent"
check "their rows are gone" "$(q "SELECT count(*) FROM flowtower.flows WHERE first_seen < now() - interval '30 days'")" 0
exit 0
