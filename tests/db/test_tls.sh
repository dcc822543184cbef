#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/db/test_tls.sh - TLS when the conninfo asks for it (libpq's sslmode), the password from
# PGPASSWORD or ~/.pgpass and never in a log line or the stats, a wrong one reported without it.
. "$(dirname "$0")/lib.sh"
db_start
make_json
PW="s3cret-$RANDOM-pw"
PORT=$((20000 + RANDOM % 20000))

# a self-signed certificate for 127.0.0.1, TCP on loopback only, scram over hostssl only
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$T/run/server.key" -out "$T/run/server.crt" >/dev/null 2>&1 || { fail "openssl"; exit 1; }
cp "$T/run/server.crt" "$T/ca.crt"
[ "$(id -u)" -eq 0 ] && chown postgres "$T/run/server.key" "$T/run/server.crt"
chmod 600 "$T/run/server.key"
q "ALTER ROLE flowtower PASSWORD '$PW'" >/dev/null
cat >>"$T/data/postgresql.conf" <<-EOF2
	listen_addresses = '127.0.0.1'
	port = $PORT
	ssl = on
	ssl_cert_file = '$T/run/server.crt'
	ssl_key_file = '$T/run/server.key'
EOF2
sed -i '/^host/d' "$T/data/pg_hba.conf"
echo "hostssl all all 127.0.0.1/32 scram-sha-256" >>"$T/data/pg_hba.conf"
db_down fast && db_up
DB="host=$T/run port=$PORT dbname=fttest user=flowtower" # the socket, for the checks (trust)
URL="postgresql://flowtower@127.0.0.1:$PORT/fttest?sslmode=verify-full&sslrootcert=$T/ca.crt"
load_expect expect "$T"/json/*.jsonl

PGPASSWORD=$PW feed --db "$URL" --sensor tls1 --per-file "$T"/json/*.jsonl >"$T/o1" 2>"$T/e1"
check "verify-full TLS with PGPASSWORD: all written" "$?" 0
grep -q "on 127.0.0.1 port $PORT, TLS" "$T/e1"
check "the log says TLS is in use" "$?" 0
check "rows exact over TLS" "$(flow_diff tls1)" ""

mkdir -p "$T/home"
echo "127.0.0.1:$PORT:fttest:flowtower:$PW" >"$T/home/.pgpass"
chmod 600 "$T/home/.pgpass"
HOME=$T/home feed --db "$URL" --sensor tls2 --per-file "$T"/json/*.jsonl >"$T/o2" 2>"$T/e2"
check "password from ~/.pgpass: all written" "$?" 0

PGPASSWORD=wrong-$PW feed --db "$URL" --sensor tls3 --flush-ms 1500 "$T"/json/*.jsonl >"$T/o3" 2>"$T/e3"
check "wrong password: batches stay in the spool (exit 1)" "$?" 1
grep -q "password authentication failed" "$T/e3"
check "wrong password: the server's reason is logged" "$?" 0
feed --db "postgresql://flowtower@127.0.0.1:$PORT/fttest?sslmode=disable" --sensor tls4 --flush-ms 1500 \
	"$T"/json/*.jsonl >"$T/o4" 2>"$T/e4"
check "without TLS the server refuses (hostssl only): exit 1" "$?" 1
check "the password is in no log line or stats" "$(cat "$T"/o[1-4] "$T"/e[1-4] | grep -c -- "$PW")" 0
exit 0
