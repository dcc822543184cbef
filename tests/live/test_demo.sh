#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo` end to end, under a name of its own (FT_DEMO_NAME) so that a demo left running is not
# disturbed: it exits 0; what it printed from SQL and what the database holds agree with an offline
# `flowtower read --json` of the captures it replayed (bytes per hostname, the top hostnames); the
# IPv6 ping put the replayer's MAC in the neighbor catalog; the live page answers from the host on
# the URL it printed; `make demo-clean` leaves no namespace, veth, pin, process or state behind and
# is idempotent.
. "$(dirname "$0")/lib.sh"

NAME=t$LAB_ID
STATE=/run/flowtower-$NAME
IF_S=ft$NAME-s
DB="host=$STATE/pg/run port=5432 dbname=flowtower user=flowtower"
q() { PGOPTIONS="-c search_path=flowtower" psql "$DB" -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>>"$WORK/psql.err"; }
demo() { FT_DEMO_NAME=$NAME make -s -C "$top" "$@"; }
cleaned=0
finish() {
	[ "$cleaned" = 1 ] || demo demo-clean >/dev/null 2>&1
	rm -rf "$WORK"
}
trap finish EXIT

demo demo >"$WORK/demo.out" 2>&1
rc=$?
sed 's/^/  demo: /' "$WORK/demo.out" | tail -n 12
check "make demo exits 0" test "$rc" = 0
pid=$(cat "$STATE/sensor.pid" 2>/dev/null)
check "the sensor keeps running after make demo (PID ${pid:-none})" \
	test "$(cat /proc/"${pid:-0}"/comm 2>/dev/null)" = flowtower
check "attached in native mode" grep -q "$IF_S: attached in native mode" "$STATE/sensor.log"
check "the embedded cluster started in $STATE/pg" grep -q "embedded PostgreSQL: started" "$STATE/sensor.log"
for s in "top hostnames by bytes" "flows with a name" "throughput per minute" "the neighbor catalog"; do
	check "printed: $s" grep -q "^== $s" "$WORK/demo.out"
done

# ---- the same captures, read offline with the demo's local prefixes
n=0
while read -r f; do
	"$FT" read --json -l 192.168.0.0/16 -l 10.0.0.0/8 -l 172.16.0.0/12 "$f" >>"$WORK/offline.jsonl" 2>/dev/null
	n=$((n + 1))
done <"$STATE/replayed.list"
check "captures replayed and read offline ($n)" test "$n" -ge 20
q "SELECT json_build_object('h', hostname, 'b', orig_bytes + resp_bytes, 'sni', tls_sni, 'ja4', tls_ja4,
	'http', http_host, 'k', concat_ws(' ', host(orig_addr), orig_port, host(resp_addr), resp_port))::text
	FROM flows WHERE sensor = 'demo'" >"$WORK/db_flows.jsonl"
q "SELECT json_build_object('h', hostname, 'b', bytes)::text FROM top_hostnames_30d WHERE sensor = 'demo'
	ORDER BY bytes DESC, hostname LIMIT 5" >"$WORK/db_top.jsonl"
/usr/bin/python3 - "$WORK/offline.jsonl" "$WORK/db_flows.jsonl" "$WORK/db_top.jsonl" >"$WORK/cmp.txt" <<'EOF'
import collections, json, sys
off = [o for o in map(json.loads, open(sys.argv[1])) if o["type"] == "flow"]
db = [json.loads(l) for l in open(sys.argv[2])]
top = [json.loads(l) for l in open(sys.argv[3])]
def by_name(rows, name, nbytes):
    c = collections.Counter()
    for r in rows:
        if r.get(name):
            c[r[name]] += nbytes(r)
    return c
off_names = by_name(off, "hostname", lambda o: o["orig_bytes"] + o["resp_bytes"])
db_names = by_name(db, "h", lambda r: r["b"])
print("names", len(off_names), len(db_names))
print("bytes_per_hostname_equal", off_names == db_names)
for k in sorted(set(off_names) | set(db_names)):
    if off_names[k] != db_names[k]:
        print("  differs:", k, off_names[k], db_names[k])
# top_hostnames(): a flow counts to its hostname, else to its remote address (the local side's peer)
groups = collections.Counter()
for o in off:
    remote = o["orig_addr"] if o["local_side"] == "resp" else o["resp_addr"]
    groups[o["hostname"] or remote] += o["orig_bytes"] + o["resp_bytes"]
want = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
got = [(t["h"], t["b"]) for t in top]
print("top_offline", want)
print("top_sql", got)
print("top_equal", want == got)
print("top_hostname", next(k for k, v in off_names.most_common(1)))
# the TLS and HTTP fields per flow: a capture that repeats another's flow (the same addresses and
# ports) is one flow live and one per file offline, so compare the sets of (flow key, value)
key = lambda o: " ".join(str(x) for x in (o["orig_addr"], o["orig_port"], o["resp_addr"], o["resp_port"]))
for name, get in (("sni", lambda o: (o.get("tls") or {}).get("sni")), ("ja4", lambda o: (o.get("tls") or {}).get("ja4")),
                  ("http", lambda o: (o.get("http") or {}).get("host"))):
    a = {(key(o), get(o)) for o in off if get(o)}
    b = {(r["k"], r[name]) for r in db if r[name]}
    print("field", name, len(a), a == b)
EOF
sed 's/^/  cmp: /' "$WORK/cmp.txt"
check "hostnames with bytes: SQL equals the offline read, flow by flow summed" \
	grep -qx "bytes_per_hostname_equal True" "$WORK/cmp.txt"
check "top_hostnames_30d: the top 5 equal the offline read's" grep -qx "top_equal True" "$WORK/cmp.txt"
tophost=$(sed -n 's/^top_hostname //p' "$WORK/cmp.txt")
firstrow=$(sed -n '/^== top hostnames/,/^$/p' "$WORK/demo.out" | sed -n '3,$p' | grep -v -- '---' |
	awk -F'|' -v h="$tophost" '{ gsub(/ /, "", $1) } $1 == h { print NR; exit }')
check "the printed top hostnames show $tophost" test -n "$firstrow"
for f in sni ja4 http; do
	check "flows' $f in SQL equal the offline read's ($(sed -n "s/^field $f \([0-9]*\) .*/\1/p" "$WORK/cmp.txt") flows)" \
		grep -qE "^field $f [1-9][0-9]* True" "$WORK/cmp.txt"
done
check "a TLS 1.3 flow with ALPN and JA4 was printed" grep -qE '\| TLS 1\.3 \| h2,http/1\.1 +\| t13d' "$WORK/demo.out"

got=$(q "SELECT coalesce(sum(packets), 0) FROM throughput WHERE sensor = 'demo'")
flowpk=$(q "SELECT coalesce(sum(orig_pkts + resp_pkts), 0) FROM flows WHERE sensor = 'demo'")
check "throughput per minute holds the packets of the flows ($got >= $flowpk)" test "${got:-0}" -ge "${flowpk:-1}"
mac_r=$(ip -n ft$NAME-replay link show ft$NAME-r | awk '/link\/ether/ { print $2; exit }')
got=$(q "SELECT count(*) FROM neighbors WHERE sensor = 'demo' AND mac = '$mac_r' AND addr = '2001:db8:d3::10'")
check "neighbors: 2001:db8:d3::10 is the replayer's $mac_r" test "$got" = 1
check "neighbors: the captures' NDP too" test "$(q "SELECT count(*) FROM neighbors WHERE sensor = 'demo' AND source = 'ndp'")" -ge 1

url=$(sed -n 's|^The live page: *\(http://[0-9.]*:[0-9]*/\).*|\1|p' "$WORK/demo.out")
check "printed the page's URL ($url)" test -n "$url"
check "the page answers from the host" test "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$url")" = 200
check "/metrics answers from the host" bash -c "curl -s --max-time 5 '${url}metrics' | grep -q '^flowtower_packets_total'"
check "printed how to stop" grep -q "make demo-clean" "$WORK/demo.out"

# ---- demo-clean: nothing left
start=$SECONDS
demo demo-clean >"$WORK/clean.out" 2>&1
check "make demo-clean exits 0 ($((SECONDS - start)) s)" test $? = 0
cleaned=1
check "the sensor stopped" test ! -d "/proc/${pid:-0}" -o "$(cat /proc/"${pid:-0}"/comm 2>/dev/null)" != flowtower
check "no network namespace left" bash -c "! ip netns list | grep -q '^ft$NAME-'"
check "no veth left on the host" bash -c "! ip link show ft$NAME-h >/dev/null 2>&1"
check "no pins left" test ! -e /sys/fs/bpf/flowtower/$IF_S
no_postgres() { ! pgrep -f -- "$STATE/pg" >/dev/null; } # the cluster's processes name their data directory
check "no postgres process of the demo left" no_postgres
check "no state left" test ! -e "$STATE"
check "no lock or socket left" bash -c "! ls /run/flowtower/$IF_S.* >/dev/null 2>&1"
start=$SECONDS
demo demo-clean >/dev/null 2>&1
check "make demo-clean again: idempotent, exit 0" test $? = 0
check "... and quick ($((SECONDS - start)) s)" test $((SECONDS - start)) -le 2
