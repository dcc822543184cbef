#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The daemon's store (--db embedded): captures replayed into the lab land in PostgreSQL once per
# --db-interval; through a kill -9 and restart, and a database outage (the cluster stopped while
# traffic flows, batches spooled, replayed when it is back), every flow row holds exactly the
# kernel's totals, throughput per minute sums exactly to the kernel's counters, the names equal
# an offline read's, and the neighbor the lab's IPv6 ping taught is in `neighbors`.
. "$(dirname "$0")/lib.sh"

STATE=$WORK/state
pg_init || { fail "outside cluster created"; exit 1; }
trap 'sensor_stop TERM; pg_cleanup; lab_down' EXIT

lab_up || { fail "lab setup"; exit 1; }
parts=()
for f in ndpi__sites.pcapng ndpi__tls_with_huge_ch.pcapng ndpi__chrome.pcap zeek__http-pipelined-requests.pcap \
	zeek__ipv6-fragmented-dns.pcap ndpi__quic_frags_ch_in_multiple_packets.pcapng tcpreplay__test.pcap; do
	[ -f "$PCAPS/$f" ] && parts+=("$PCAPS/$f")
done
mergecap -a -F pcap -w "$WORK/all.pcap" "${parts[@]}" 2>/dev/null || { fail "mergecap"; exit 1; }
total=$("$FT" read --json "$WORK/all.pcap" | tee "$WORK/offline.jsonl" | sed -n 's/.*"type":"stats".*"rx_frames":\([0-9]*\).*/\1/p')
half=$((total / 2))
editcap -r "$WORK/all.pcap" "$WORK/p1.pcap" "1-$half" 2>/dev/null
editcap -r "$WORK/all.pcap" "$WORK/p2.pcap" "$((half + 1))-$total" 2>/dev/null

# ---- the embedded cluster: created, written once per --db-interval, flushed and stopped at exit
check "sensor attached with --db embedded" sensor_start --db embedded --state-dir "$STATE" --sensor lab --db-interval 5
check "the embedded cluster started" grep -q "embedded PostgreSQL: started" "$SENSOR_LOG"
replay "$WORK/p1.pcap"
check "first half counted ($half frames)" wait_frames "$half"
emb="host=$STATE/pg/run port=5432 dbname=flowtower user=flowtower"
rows=0
for _ in $(seq 1 40); do # within one --db-interval and a drain, the rows arrive on their own
	rows=$(psql "$emb" -XAtq -c "SELECT coalesce(sum(orig_pkts + resp_pkts), 0) FROM flowtower.flows" 2>/dev/null)
	[ "$rows" = "$half" ] && break
	sleep 0.5
done
check "a batch arrived by itself: flow packets in the database = $half" test "$rows" = "$half"
sensor_stop TERM
check "SIGTERM: everything in the database, the cluster stopped" \
	grep -q "store: everything is in the database" "$SENSOR_LOG"
check "the daemon stopped the cluster it started" test ! -f "$STATE/pg/data/postmaster.pid"
got=$("$FT" psql --state-dir "$STATE" <<<"SELECT 'n=' || count(*) FROM flows WHERE sensor = 'lab';" 2>/dev/null |
	sed -n 's/^ *n=//p')
want=$("$FT" status -i $IF_S --json 2>/dev/null | grep -c '"type":"flow"')
check "flowtower psql: $want flows for sensor lab (got $got)" test "$got" = "$want"

# ---- an outside cluster (--db URL) that goes away while traffic flows: batches are spooled
check "outside cluster up" pg_ext start
opts=(--db "$DB" --state-dir "$STATE" --sensor lab --db-interval 5 --db-retry-max 2)
"$FT" detach -i $IF_S >/dev/null 2>&1 # the same traffic again, counted from zero
check "sensor attached with --db URL" sensor_start "${opts[@]}"
replay "$WORK/p1.pcap"
check "first half counted again ($half frames)" wait_frames "$half"
rows=0
for _ in $(seq 1 40); do
	rows=$(q "SELECT coalesce(sum(orig_pkts + resp_pkts), 0) FROM flows WHERE sensor = 'lab'")
	[ "$rows" = "$half" ] && break
	sleep 0.5
done
check "a batch arrived: flow packets in the database = $half" test "$rows" = "$half"
sensor_stop KILL
check "restarted after kill -9" sensor_start "${opts[@]}"
pg_ext -m immediate stop
check "database stopped" test ! -f "$EXT/data/postmaster.pid"
replay "$WORK/p2.pcap"
check "second half counted ($total frames in all)" wait_frames "$total"
# NDP for the catalog: IPv6 on both ends, a ping from the sensor's side (the replayer's side answers)
lab_ipv6 2001:db8:77::1/64 2001:db8:77::10/64 && ping6_ok $NS_S 2001:db8:77::10 2
spooled=0
for _ in $(seq 1 40); do
	spooled=$(find "$STATE/spool.$IF_S" -maxdepth 1 -type f -name '*.batch' 2>/dev/null | wc -l)
	[ "$spooled" -gt 0 ] && break
	sleep 0.5
done
check "batches wait in the spool while the database is down ($spooled)" test "$spooled" -gt 0
check "database back" pg_ext start
sleep 3 # a retry (--db-retry-max 2) and a batch
sensor_stop TERM
check "SIGTERM flushed to the database" grep -q "store: everything is in the database" "$SENSOR_LOG"
status_json >"$WORK/final.jsonl"

# flows: exactly the kernel's totals, row by row (uuid), once each
grep '"type":"flow"' "$WORK/final.jsonl" >"$WORK/flows.jsonl"
q "SELECT json_build_object('uuid', uuid, 'p', orig_pkts + resp_pkts, 'b', orig_bytes + resp_bytes,
	'h', hostname)::text FROM flows WHERE sensor = 'lab'" >"$WORK/db_flows.jsonl"
/usr/bin/python3 - "$WORK/flows.jsonl" "$WORK/db_flows.jsonl" "$WORK/offline.jsonl" >"$WORK/cmp.txt" <<'EOF'
import json, sys
live = [json.loads(l) for l in open(sys.argv[1])]
db = [json.loads(l) for l in open(sys.argv[2])]
off = [json.loads(l) for l in open(sys.argv[3]) if '"type":"flow"' in l]
byu = {r["uuid"]: r for r in db}
print("rows", len(db), "uuids", len(byu), "live", len(live))
bad = 0
for f in live:
    r = byu.get(f["uuid"])
    p = f["orig_pkts"] + f["resp_pkts"]
    b = f["orig_bytes"] + f["resp_bytes"]
    if not r or r["p"] != p or r["b"] != b:
        bad += 1
print("mismatched", bad)
names = lambda rows, k: sorted(x[k] for x in rows if x.get(k))
print("hostnames_equal", names(db, "h") == names(off, "hostname"), len(names(off, "hostname")))
EOF
sed "s/^/  cmp: /" "$WORK/cmp.txt"
n_live=$(grep -c . "$WORK/flows.jsonl")
check "one row per flow ($n_live)" grep -qx "rows $n_live uuids $n_live live $n_live" "$WORK/cmp.txt"
check "every row holds the kernel's packets and bytes" grep -qx "mismatched 0" "$WORK/cmp.txt"
check "hostnames equal the offline read's" grep -q "^hostnames_equal True [1-9]" "$WORK/cmp.txt"
stat_of() { sed -n "s/.*\"type\":\"stats\".*\"$1\":\([0-9]*\).*/\1/p" "$WORK/final.jsonl"; }
for dir in tx rx other; do
	for v in 4 6; do
		want_p=$(stat_of "${dir}_packets_ipv$v")
		want_b=$(stat_of "${dir}_bytes_ipv$v")
		got=$(q "SELECT coalesce(sum(packets), 0) || ' ' || coalesce(sum(bytes), 0) FROM throughput
			WHERE sensor = 'lab' AND direction = '$dir' AND ip_version = $v")
		check "throughput $dir IPv$v = kernel counters (${want_p:-0} packets, ${want_b:-0} bytes)" \
			test "$got" = "${want_p:-0} ${want_b:-0}"
	done
done
mac_r=$(if_mac $NS_R $IF_R)
got=$(q "SELECT count(*) FROM neighbors WHERE sensor = 'lab' AND mac = '$mac_r'")
check "the replayer's MAC is in neighbors ($got rows)" test "${got:-0}" -ge 1
check "each batch applied once" test "$(q "SELECT count(*) - count(DISTINCT seq) FROM batches WHERE sensor = 'lab'")" = 0
check "no rejected or corrupt spool records" test -z "$(ls "$STATE/spool.$IF_S/rejected" "$STATE/spool.$IF_S/corrupt" 2>/dev/null | grep -v ':$' | grep .)"
