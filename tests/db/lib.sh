# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/lib.sh - a throwaway PostgreSQL cluster per test script (temp dir, Unix socket only),
# the store's feed tool, and PASS:/FAIL: helpers. Source it; db_start; the EXIT trap cleans up.
#
# As root, initdb/pg_ctl run as the `postgres` user (they refuse root); otherwise as the caller.
# Environment: FT (flowtower binary), TOOLS (built tools/), PCAPS (captures), FLOWTOWER_PG_BINDIR.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FT=${FT:-$TOP/build/flowtower}
TOOLS=${TOOLS:-$TOP/.output/rel/tools}
FEED=${FEED:-$TOOLS/storefeed}
PCAPS=${PCAPS:-$TOP/../shared/pcaps}
PG_BIN=${FLOWTOWER_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
T=""		# the test's temp dir
DB=""		# conninfo of the throwaway cluster
FAILS=0

pass() { echo "PASS: $(basename "$0" .sh) $*"; }
fail() { echo "FAIL: $(basename "$0" .sh) $*"; FAILS=$((FAILS + 1)); }
# check NAME GOT WANT
check() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi; }

as_pg() { # run a PostgreSQL tool as the cluster's user
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

db_cleanup() {
	local rc=$?
	[ -n "${FEED_PIDS:-}" ] && kill $FEED_PIDS 2>/dev/null
	if [ -n "$T" ] && [ -d "$T/data" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$T/data" -m immediate -w stop >/dev/null 2>&1
	fi
	if [ -n "$T" ] && [ -d "$T/state/pg/data" ]; then # an embedded cluster a test left running
		as_pg "$PG_BIN/pg_ctl" -D "$T/state/pg/data" -m immediate -w stop >/dev/null 2>&1
	fi
	[ -n "$T" ] && [ -z "${KEEP:-}" ] && rm -rf "$T"
	[ "$FAILS" -gt 0 ] && rc=1
	exit $rc
}

# t_start: a fresh temp dir T (readable by the postgres user), removed on exit.
t_start() {
	T=$(mktemp -d /tmp/ft-db.XXXXXX)
	chmod 755 "$T"
	trap db_cleanup EXIT
}

# db_start: initdb + start in a fresh temp dir; sets T and DB. fsync off: the OS does not crash here.
db_start() {
	t_start
	mkdir -p "$T/run" "$T/state"
	[ "$(id -u)" -eq 0 ] && chown postgres "$T/run"
	if [ "$(id -u)" -eq 0 ]; then install -d -o postgres -m 700 "$T/data"; fi
	as_pg "$PG_BIN/initdb" -D "$T/data" -U flowtower --auth=trust -E UTF8 --no-locale >"$T/initdb.log" 2>&1 ||
		{ fail "initdb (see $T/initdb.log)"; exit 1; }
	cat >>"$T/data/postgresql.conf" <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$T/run'
		fsync = off
		max_connections = 40
		max_locks_per_transaction = 256
	EOF
	db_up || exit 1
	DB="host=$T/run port=5432 dbname=fttest user=flowtower"
	psql -h "$T/run" -U flowtower -d postgres -XAtq -c "CREATE DATABASE fttest" >/dev/null
}

db_up() {
	as_pg "$PG_BIN/pg_ctl" -D "$T/data" -l "$T/run/pg.log" -w -t 60 start >/dev/null ||
		{ fail "pg_ctl start (see $T/run/pg.log)"; return 1; }
}

db_down() { as_pg "$PG_BIN/pg_ctl" -D "$T/data" -m "${1:-fast}" -w -t 60 stop >/dev/null; }

# q SQL: one query, unaligned, no headers; prints QUERY-ERROR (so comparisons fail) when it fails
q() { psql "$DB" -XAtq -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" -c "$1" || echo QUERY-ERROR; }

# JSON lines of every shared capture, one file each in $T/json/, via `flowtower read --json`.
make_json() {
	local f n=0
	mkdir -p "$T/json"
	for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
		[ -f "$f" ] || continue
		"$FT" read --json "$f" >"$T/json/$(basename "$f").jsonl" 2>/dev/null
		[ -s "$T/json/$(basename "$f").jsonl" ] || rm -f "$T/json/$(basename "$f").jsonl"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { fail "no captures in $PCAPS"; exit 1; }
}

# load_expect TABLE FILE...: JSON lines into TABLE(line jsonb), by psql's \copy, not the store.
load_expect() {
	local tab=$1
	shift
	q "DROP TABLE IF EXISTS $tab; CREATE TABLE $tab (line jsonb)" >/dev/null
	cat "$@" | sed 's/\\/\\\\/g' | psql "$DB" -XAtq -v ON_ERROR_STOP=1 -c "\\copy $tab (line) from stdin"
}

# feed ARGS...: the store driver, state (spool) in $STATE (default $T/state), backoff capped at 1 s.
feed() { "$FEED" --state-dir "${STATE:-$T/state}" --retry-max-ms 1000 "$@"; }

# spool_files DIR: batch records waiting in a state dir's spool
spool_files() { ls "$1/spool" 2>/dev/null | grep -c '\.batch$'; }

# The store's rows compared with JSON lines in table expect: prints one line per difference.
# A key is compared with the flows column of its name (nested objects flatten to http_host,
# tls_sni, ...); a key without a column must be kept, NULLs stripped, in flows.extra.
FLOW_DIFF_SQL="
WITH e AS (SELECT line FROM expect WHERE line->>'type' = 'flow'),
kv AS (
	SELECT e.line->>'uuid' AS uuid, NULL::text AS obj, k.key AS jkey, k.key, k.value FROM e, jsonb_each(e.line) k
	WHERE k.key NOT IN ('type', 'proto_name', 'http', 'tls', 'quic')
	UNION ALL
	SELECT e.line->>'uuid', o.obj, k.key, o.obj || '_' || k.key, k.value
	FROM e, (VALUES ('http'), ('tls'), ('quic')) o(obj),
	     jsonb_each(CASE WHEN jsonb_typeof(e.line->o.obj) = 'object' THEN e.line->o.obj ELSE '{}' END) k),
r AS (SELECT f.uuid::text AS uuid, to_jsonb(f) AS row FROM flowtower.flows f WHERE f.sensor = :'sensor')
SELECT format('%s %s: json %s, row %s', kv.uuid, kv.key, kv.value,
	      CASE WHEN r.row ? kv.key THEN r.row->kv.key ELSE r.row->'extra' END)
FROM kv LEFT JOIN r ON r.uuid = kv.uuid
WHERE r.uuid IS NULL OR NOT CASE
	WHEN NOT r.row ? kv.key THEN -- no column: in extra, or null
		jsonb_strip_nulls(jsonb_build_object('v', kv.value))->'v' IS NOT DISTINCT FROM
		CASE WHEN kv.obj IS NULL THEN r.row->'extra'->kv.jkey ELSE r.row->'extra'->kv.obj->kv.jkey END
	WHEN kv.value = 'null' THEN r.row->kv.key = 'null'
	WHEN kv.key IN ('first_seen', 'last_seen') THEN (r.row->>kv.key)::timestamptz = (kv.value#>>'{}')::timestamptz
	WHEN kv.key LIKE '%_addr' THEN (r.row->>kv.key)::inet = (kv.value#>>'{}')::inet
	WHEN kv.key LIKE '%_mac' THEN (r.row->>kv.key)::macaddr = (kv.value#>>'{}')::macaddr
	ELSE r.row->kv.key = kv.value END
LIMIT 20"

# Keys a flow line has that no column holds (kept in flows.extra): for the log.
EXTRA_KEYS_SQL="SELECT string_agg(DISTINCT k, ' ') FROM flowtower.flows f,
	LATERAL (SELECT key FROM jsonb_each(f.extra) WHERE jsonb_typeof(value) <> 'object'
		 UNION ALL SELECT o.key || '.' || i.key FROM jsonb_each(f.extra) o, jsonb_each(o.value) i
		 WHERE jsonb_typeof(o.value) = 'object') x(k)"

# flow_diff SENSOR: differences between expect's flow lines and the sensor's rows (empty: none).
flow_diff() { psql "$DB" -XAtq -v ON_ERROR_STOP=1 -v sensor="$1" <<<"$FLOW_DIFF_SQL" || echo QUERY-ERROR; }

# tput_diff SENSOR: expect's throughput lines summed per key vs the sensor's rows (empty: none).
tput_diff() {
	q "SELECT format('%s %s v%s: json %s/%s, row %s/%s', coalesce(e.minute, t.minute), coalesce(e.direction, t.direction),
		coalesce(e.ipv, t.ip_version), e.p, e.b, t.packets, t.bytes)
	FROM (SELECT (line->>'minute')::timestamptz AS minute, line->>'direction' AS direction, (line->>'ip_version')::int AS ipv,
		     sum((line->>'packets')::bigint) AS p, sum((line->>'bytes')::bigint) AS b
	      FROM expect WHERE line->>'type' = 'throughput' GROUP BY 1, 2, 3) e
	FULL JOIN (SELECT * FROM flowtower.throughput WHERE sensor = '$1') t
	  ON t.minute = e.minute AND t.direction = e.direction AND t.ip_version = e.ipv
	WHERE e.p IS DISTINCT FROM t.packets OR e.b IS DISTINCT FROM t.bytes LIMIT 20"
}

# count_flows SENSOR / count_expect_flows
count_flows() { q "SELECT count(*) FROM flowtower.flows WHERE sensor = '$1'"; }
count_expect_flows() { q "SELECT count(DISTINCT line->>'uuid') FROM expect WHERE line->>'type' = 'flow'"; }

# wait_for CMD... : up to 60 s
wait_for() {
	local i
	for i in $(seq 1 600); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
