#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Faults a running sensor lives through without a restart, each followed by traffic and checked
# against the database: the interface taken down and up; the interface deleted and created again
# (another ifindex: the program goes back on it, the AF_XDP sockets are reopened and read again);
# the state directory's disk full while the database is down (batches wait in memory). After
# each, the stored flows hold exactly what an offline read of the replayed captures gives, and
# throughput per minute sums exactly to the kernel's counters.
. "$(dirname "$0")/lib.sh"

STATE=$WORK/state
pg_init || { fail "outside cluster created"; exit 1; }
trap 'sensor_stop TERM; pg_cleanup; mountpoint -q "$STATE" && umount "$STATE"; lab_down' EXIT

lab_up || { fail "lab setup"; exit 1; }
check "outside cluster up" pg_ext start
# the state directory on a 256 KiB tmpfs: it fills up in the third part
mkdir -p "$STATE" && mount -t tmpfs -o size=256k,mode=0755 ftstate "$STATE"

A=$PCAPS/ndpi__chrome.pcap
B=$PCAPS/ndpi__sites.pcapng
C=$PCAPS/zeek__tls13-ech.pcap
D=$PCAPS/zeek__http-pipelined-requests.pcap
for f in "$A" "$B" "$C" "$D"; do "$FT" read --json "$f"; done | grep '"type":"flow"' >"$WORK/offline.jsonl"
frames() { "$FT" read --json "$1" | sed -n 's/.*"type":"stats".*"rx_frames":\([0-9]*\).*/\1/p'; }
fa=$(frames "$A") fb=$(frames "$B") fc=$(frames "$C") fd=$(frames "$D")

# wait_db N: the stored flows hold N packets (a batch every 5 s)
wait_db() {
	local got=
	for _ in $(seq 1 60); do
		got=$(q "SELECT coalesce(sum(orig_pkts + resp_pkts), 0) FROM flows WHERE sensor = 'faults'")
		[ "$got" = "$1" ] && return 0
		sleep 0.5
	done
	echo "  stored packets: $got, want $1" >&2
	return 1
}
opts=(--db "$DB" --state-dir "$STATE" --sensor faults --db-interval 5 --db-retry-max 2)
check "sensor attached with --db" sensor_start "${opts[@]}"
replay "$A"
check "capture A counted ($fa frames)" wait_frames "$fa"
check "capture A stored" wait_db "$fa"

# ---- down and up
ip -n $NS_S link set $IF_S down && ip -n $NS_R link set $IF_R down
sleep 1
ip -n $NS_S link set $IF_S up && ip -n $NS_R link set $IF_R up
sleep 1
replay "$B"
check "after down/up, capture B counted ($((fa + fb)) frames)" wait_frames "$((fa + fb))"
check "after down/up, stored" wait_db "$((fa + fb))"
check "the daemon lived through it" kill -0 "$SENSOR_PID"

# ---- deleted and created again: another ifindex
old=$(ip -n $NS_S -o link show $IF_S | cut -d: -f1)
ip -n $NS_R link del $IF_R
sleep 1
ip link add $IF_R netns $NS_R type veth peer name $IF_S netns $NS_S
ip -n $NS_R link set $IF_R mtu 9000 up && ip -n $NS_S link set $IF_S mtu 9000 up
new=$(ip -n $NS_S -o link show $IF_S | cut -d: -f1)
for _ in $(seq 1 50); do
	grep -q "AF_XDP sockets reopened" "$SENSOR_LOG" && grep -q "attached again" "$SENSOR_LOG" && break
	sleep 0.2
done
check "recreated (index $old -> $new): program attached again" grep -q "attached again in native mode" "$SENSOR_LOG"
check "recreated: AF_XDP sockets reopened" grep -q "AF_XDP sockets reopened" "$SENSOR_LOG"
replay "$C"
check "after the recreate, capture C counted ($((fa + fb + fc)) frames)" wait_frames "$((fa + fb + fc))"
check "after the recreate, stored" wait_db "$((fa + fb + fc))"
sni=$(grep -o '"sni":"[^"]*"' <("$FT" read --json "$C") | sort -u | head -n 1 | cut -d'"' -f4)
got=$(q "SELECT count(*) FROM flows WHERE sensor = 'faults' AND tls_sni = '$sni'")
check "after the recreate, the steered packets are read again: SNI $sni stored ($got flows)" test "${got:-0}" -ge 1

# ---- the database down and the state directory's disk full: batches wait in memory
pg_ext -m immediate stop
dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null # fill what is left
replay "$D"
check "with the disk full, capture D counted ($((fa + fb + fc + fd)) frames)" wait_frames "$((fa + fb + fc + fd))"
sleep 7 # a batch (5 s) meets the full disk
check "the full disk is logged" grep -q "No space left on device" "$SENSOR_LOG"
grep -m 2 "No space" "$SENSOR_LOG" | sed 's/^/  /'
check "the daemon lived through it" kill -0 "$SENSOR_PID"
rm -f "$STATE/filler"
check "database back" pg_ext start
check "after the outage and the full disk, stored" wait_db "$((fa + fb + fc + fd))"
sensor_stop TERM
check "SIGTERM flushed" grep -q "store: everything is in the database" "$SENSOR_LOG"
status_json >"$WORK/final.jsonl"

# the stored flows against the offline reads, by 5-tuple; throughput against the kernel
q "SELECT json_build_object('k', proto || ' ' || host(orig_addr) || ' ' || coalesce(orig_port, -1) || ' ' ||
	host(resp_addr) || ' ' || coalesce(resp_port, -1), 'p', orig_pkts + resp_pkts, 'b', orig_bytes + resp_bytes)::text
	FROM flows WHERE sensor = 'faults'" >"$WORK/db.jsonl"
/usr/bin/python3 - "$WORK/offline.jsonl" "$WORK/db.jsonl" >"$WORK/cmp.txt" <<'EOF'
import json, sys
def key(f):
    port = lambda p: -1 if p is None else p
    return "%s %s %s %s %s" % (f["proto"], f["orig_addr"], port(f["orig_port"]), f["resp_addr"], port(f["resp_port"]))
off = {}
for l in open(sys.argv[1]):
    f = json.loads(l)
    k = key(f)
    p, b = off.get(k, (0, 0))
    off[k] = (p + f["orig_pkts"] + f["resp_pkts"], b + f["orig_bytes"] + f["resp_bytes"])
db = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    p, b = db.get(r["k"], (0, 0))
    db[r["k"]] = (p + r["p"], b + r["b"])
print("offline", sum(p for p, _ in off.values()), sum(b for _, b in off.values()))
print("stored", sum(p for p, _ in db.values()), sum(b for _, b in db.values()))
print("differ", len([k for k in set(off) | set(db) if off.get(k) != db.get(k)]))
EOF
sed 's/^/  /' "$WORK/cmp.txt"
want=$(sed -n 's/^offline //p' "$WORK/cmp.txt")
check "stored packets and bytes = offline reads ($want)" grep -qx "stored $want" "$WORK/cmp.txt"
check "every flow exact" grep -qx "differ 0" "$WORK/cmp.txt"
stat_of() { sed -n "s/.*\"type\":\"stats\".*\"$1\":\([0-9]*\).*/\1/p" "$WORK/final.jsonl"; }
kp=0 kb=0
for dir in tx rx other; do
	for v in 4 6; do
		kp=$((kp + $(stat_of "${dir}_packets_ipv$v"))) kb=$((kb + $(stat_of "${dir}_bytes_ipv$v")))
	done
done
got=$(q "SELECT sum(packets) || ' ' || sum(bytes) FROM throughput WHERE sensor = 'faults'")
check "throughput = kernel counters ($kp packets, $kb bytes)" test "$got" = "$kp $kb"
