#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_explain.sh - the views' plans on a million generated flows (EXPLAIN_ROWS): partitions
# pruned, the sized indexes used; prints each plan's key lines, its time, and the index sizes.
. "$(dirname "$0")/lib.sh"
db_start
ROWS=${EXPLAIN_ROWS:-1000000}
feed --db "$DB" --sensor x </dev/null >/dev/null 2>&1 # migrations, as a sensor's start does

# 30 days of flows from 400 local devices (every other one named) to 20000 remote hosts; one in
# 5000 still open; 90 days of per-minute throughput in 6 series
psql "$DB" -XAtq -v ON_ERROR_STOP=1 -v rows="$ROWS" >/dev/null <<'SQL' || fail "generating $ROWS flows"
SELECT flowtower.ensure_flow_partitions(now() - interval '31 days', now() + interval '1 day');
INSERT INTO flowtower.flows (sensor, uuid, first_seen, last_seen, ip_version, proto, orig_addr, orig_port,
	resp_addr, resp_port, local_side, orig_pkts, orig_bytes, orig_l4_bytes, orig_payload_bytes,
	resp_pkts, resp_bytes, resp_l4_bytes, resp_payload_bytes, tcp_flags, hostname, hostname_source, device, state)
SELECT 'gen', gen_random_uuid(), t.fs,
       CASE WHEN i % 5000 = 0 THEN now() - interval '1 minute' ELSE t.fs + (i % 600) * interval '1 second' END,
       4, 6, ('10.1.' || (d / 200) || '.' || (d % 200 + 1))::inet, 30000 + i % 30000,
       ('198.18.' || (h / 250) || '.' || (h % 250 + 1))::inet, CASE WHEN i % 3 = 0 THEN 80 ELSE 443 END, 'orig',
       10 + i % 50, 1000 + i % 7000, 800 + i % 6000, 500 + i % 5000,
       20 + i % 90, 20000 + (i * 37) % 900000, 19000 + (i * 37) % 800000, 18000 + (i * 37) % 700000, 27,
       'host' || h || '.example', 'tls_sni', CASE WHEN d % 2 = 0 THEN 'dev' || d END,
       CASE WHEN i % 5000 = 0 THEN 'established' ELSE 'closed' END
FROM generate_series(1::bigint, :rows) i,
     LATERAL (SELECT now() - interval '30 days' * (1 - i::float8 / :rows) AS fs, i % 400 AS d, (i * 7919) % 20000 AS h) t;
INSERT INTO flowtower.throughput (sensor, minute, direction, ip_version, packets, bytes)
SELECT 'gen', m, dir, v, 1000, 1000000
FROM generate_series(date_trunc('minute', now() - interval '90 days'), now(), interval '1 minute') m,
     (VALUES ('tx'), ('rx'), ('other')) d(dir), (VALUES (4), (6)) v(v);
VACUUM ANALYZE flowtower.flows;
VACUUM ANALYZE flowtower.throughput;
SQL
check "generated flows" "$(q "SELECT count(*) FROM flowtower.flows")" "$ROWS"

# explain NAME WANT-REGEX MAX-SCANS SQL: the plan must match WANT-REGEX and touch at most MAX-SCANS
# partitions; prints the lines that say how
explain() {
	local name=$1 want=$2 max=$3 sql=$4 plan scans
	plan=$(q "EXPLAIN (ANALYZE, BUFFERS) $sql")
	scans=$(grep -cE "(Seq Scan|Bitmap Heap Scan|Index (Only )?Scan using [a-z0-9_]+) on flows_2" <<<"$plan")
	echo "--- $name: $sql"
	grep -E "Subplans Removed|Index Cond|Scan on throughput|Execution Time" <<<"$plan" | sort | uniq -c | sort -rn | head -n 5 |
		sed 's/^/    /'
	echo "    partitions scanned: $scans"
	grep -qE "$want" <<<"$plan"
	check "$name: plan uses $want" "$?" 0
	[ "$scans" -le "$max" ]
	check "$name: at most $max partitions scanned ($scans)" "$?" 0
}
explain "top hostnames, one day" "Subplans Removed" 2 \
	"SELECT * FROM flowtower.top_hostnames(now() - interval '1 day', now()) LIMIT 20"
explain "top hostnames, 30 days (view)" "Seq Scan on flows_" 32 "SELECT * FROM flowtower.top_hostnames_30d LIMIT 20"
explain "usage per device per day, one device, a week" "flows_[0-9]+_coalesce_idx" 8 \
	"SELECT * FROM flowtower.device_daily(now() - interval '7 days', now()) WHERE device = 'dev42'"
explain "usage per device per day, all devices, a week" "Subplans Removed" 8 \
	"SELECT * FROM flowtower.device_daily(now() - interval '7 days', now())"
explain "hosts a device talks to (name), a week" "flows_[0-9]+_coalesce_idx" 8 \
	"SELECT * FROM flowtower.device_peers('dev42', now() - interval '7 days', now())"
explain "hosts a device talks to (address), 30 days (view)" "flows_[0-9]+_coalesce_idx" 36 \
	"SELECT * FROM flowtower.device_peers_30d WHERE device = '10.1.0.43'"
explain "open flows now" "last_seen_idx" 40 "SELECT * FROM flowtower.open_flows"
explain "who talked to an address" "resp_addr_idx" 40 \
	"SELECT uuid, first_seen FROM flowtower.flows WHERE resp_addr = '198.18.3.4'"
explain "monthly totals per direction" "Seq Scan on throughput" 0 "SELECT * FROM flowtower.monthly_totals WHERE sensor = 'gen'"
# a third of this data set is "this month": a sequential scan is right here, the minute index is
# for a year of rows
explain "this month so far" "Scan on throughput|throughput_minute" 0 "SELECT * FROM flowtower.month_to_date"

echo "--- sizes ($ROWS flows)"
q "SELECT format('    %-16s %8s  (%s bytes/row)', n, pg_size_pretty(s), (s / $ROWS)::bigint) FROM (
	SELECT v.n, sum(pg_relation_size(t.relid)) AS s
	FROM (VALUES ('flows'), ('flows_pkey'), ('flows_last_seen'), ('flows_resp_addr'), ('flows_device')) v(n),
	     pg_partition_tree(('flowtower.' || v.n)::regclass) t GROUP BY v.n) x ORDER BY s DESC"
exit 0
