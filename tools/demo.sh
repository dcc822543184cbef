#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/demo.sh - the end-to-end demo on this machine (make demo): a lab of two network namespaces
# joined by a veth pair that stands in for a mirror port, the sensor attached to it in native XDP
# mode and writing to a private PostgreSQL, the captures in ../shared/pcaps replayed into it with
# tcpreplay, an IPv6 ping for the neighbor catalog, and the answers printed from SQL. The sensor
# keeps running with its live page on a second veth pair that the host reaches.
# `tools/demo.sh clean` (make demo-clean) stops and removes everything it created. Needs root.
#
# Everything is named after FT_DEMO_NAME (default "demo", at most 7 of [a-z0-9]): network
# namespaces ftNAME-replay and ftNAME-sensor, interfaces ftNAME-r/-s/-w/-h, state in
# /run/flowtower-NAME, pins in /sys/fs/bpf/flowtower/ftNAME-s. tests/live/test_demo.sh runs it under
# another name, so a demo left running is not disturbed.
set -u
cd "$(dirname "$0")/.."
top=$PWD
NAME=${FT_DEMO_NAME:-demo}
case "$NAME" in *[!a-z0-9]* | "" | ????????*) echo "demo: FT_DEMO_NAME: 1 to 7 of [a-z0-9]" >&2; exit 2 ;; esac
NS_R=ft$NAME-replay NS_S=ft$NAME-sensor # namespaces: the replayer's, the sensor's
IF_R=ft$NAME-r IF_S=ft$NAME-s           # the "mirror port": replayer -> sensor
IF_W=ft$NAME-w IF_H=ft$NAME-h           # the live page: sensor namespace <-> host
STATE=/run/flowtower-$NAME
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}
FT=$top/build/flowtower
# The page's /30 comes from 198.18.0.0/15 (RFC 2544, benchmarking): nothing real uses it.
if [ "$NAME" = demo ]; then oct=244; else oct=$(($(printf %s "$NAME" | cksum | cut -d' ' -f1) % 200 + 10)); fi
WEB_HOST=198.18.$oct.1 WEB_ADDR=198.18.$oct.2 WEB_PORT=8480
DB="host=$STATE/pg/run port=5432 dbname=flowtower user=flowtower"
LOCALS=(--local 192.168.0.0/16 --local 10.0.0.0/8 --local 172.16.0.0/12) # the captures' home networks

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
netns_has() { ip netns list | grep -qw "$1"; }

clean() {
	local pid i owner pm
	pid=$(cat $STATE/sensor.pid 2>/dev/null)
	# SIGTERM: the daemon writes its last batch, stops its cluster and exits (the program stays)
	if [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = flowtower ]; then
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	# the cluster, if the daemon could not stop it (killed, or stopped half-way)
	if [ -f $STATE/pg/data/postmaster.pid ]; then
		owner=$(stat -c %U $STATE/pg/data)
		runuser -u "$owner" -- "$(pgbin)/pg_ctl" -D $STATE/pg/data -m fast -w -t 30 stop >/dev/null 2>&1
		pm=$(head -n 1 $STATE/pg/data/postmaster.pid 2>/dev/null)
		[ -n "$pm" ] && [ "$(cat /proc/"$pm"/comm 2>/dev/null)" = postgres ] && kill -KILL "$pm" 2>/dev/null
	fi
	if netns_has $NS_S && [ -x "$FT" ]; then
		nsenter --net=/run/netns/$NS_S "$FT" detach -i $IF_S >/dev/null 2>&1
	fi
	[ -d /sys/fs/bpf/flowtower/$IF_S ] && rm -rf /sys/fs/bpf/flowtower/$IF_S
	ip link del $IF_H 2>/dev/null
	netns_has $NS_R && ip netns del $NS_R
	netns_has $NS_S && ip netns del $NS_S
	rm -f /run/flowtower/$IF_S.lock /run/flowtower/$IF_S.sock /run/flowtower/$IF_S.neighbors.jsonl \
		/run/flowtower/$IF_S.dump.lock
	rm -rf $STATE
	echo "demo: removed the lab ($NS_R, $NS_S), the sensor, its pins, its database and $STATE"
}

# die MESSAGE: say why, show the sensor's last words, remove what was made
die() {
	echo "demo: $1" >&2
	[ -f $STATE/sensor.log ] && { echo "demo: the sensor's log ends with:" >&2; tail -n 15 $STATE/sensor.log >&2; }
	trap - INT TERM
	clean >&2
	exit 1
}

# ping6 ADDR: three ICMPv6 echo requests from the sensor's namespace, all answered (python3: iputils
# ping is not among the dependencies)
ping6() {
	nsenter --net=/run/netns/$NS_S /usr/bin/python3 - "$1" <<'PY'
import os, select, socket, struct, sys, time
dst = socket.getaddrinfo(sys.argv[1], None, socket.AF_INET6, socket.SOCK_RAW)[0][4]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
ident, answered = os.getpid() & 0xffff, 0
for seq in range(3):
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"flowtower", dst)
    end = time.time() + 2
    while time.time() < end and select.select([s], [], [], max(0, end - time.time()))[0]:
        d = s.recv(2048)
        if len(d) >= 8 and d[0] == 129 and struct.unpack("!HH", d[4:8]) == (ident, seq):
            answered += 1
            break
    time.sleep(0.1)
sys.exit(0 if answered == 3 else 1)
PY
}

# sql TITLE QUERY: a titled table from the demo's database
sql() {
	echo
	echo "== $1 =="
	PGOPTIONS="-c search_path=flowtower" psql "$DB" -X -q -P pager=off -P footer=off -v ON_ERROR_STOP=1 -c "$2" ||
		echo "demo: the query failed" >&2
}
q() { PGOPTIONS="-c search_path=flowtower" psql "$DB" -XAtq -c "$1" 2>/dev/null; }

if [ "${1:-}" = clean ]; then
	[ "$(id -u)" -eq 0 ] || { echo "demo: run as root" >&2; exit 1; }
	clean
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces and loads XDP)" >&2; exit 1; }
bash tools/install-deps.sh || exit 1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || exit 1
make -s -j"$(nproc)" all || exit 1
clean >/dev/null
if ip -4 route show to match $WEB_ADDR | grep -qv '^default'; then
	echo "demo: $WEB_ADDR is already routed on this host (ip route show to match $WEB_ADDR); the" \
		"live page's address would collide: remove that route or set FT_DEMO_NAME" >&2
	exit 1
fi
trap 'die "interrupted"' INT TERM
mkdir -p $STATE && chmod 755 $STATE # the embedded cluster runs as postgres below it

echo "demo: lab $NS_R --($IF_R | $IF_S)--> $NS_S, the page on $IF_H ($WEB_HOST) <-> $IF_W ($WEB_ADDR)"
ip netns add $NS_R && ip netns add $NS_S || die "cannot create the network namespaces"
for ns in $NS_R $NS_S; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip link add $IF_R netns $NS_R type veth peer name $IF_S netns $NS_S || die "cannot create the veth pair"
ip -n $NS_R link set $IF_R mtu 16000 up && ip -n $NS_S link set $IF_S mtu 16000 up || die "veth up"
ip link add $IF_H type veth peer name $IF_W netns $NS_S || die "cannot create the page's veth pair"
sysctl -qw net.ipv6.conf.$IF_H.disable_ipv6=1
ip addr add $WEB_HOST/30 dev $IF_H && ip link set $IF_H up &&
	ip -n $NS_S addr add $WEB_ADDR/30 dev $IF_W && ip -n $NS_S link set $IF_W up &&
	ip -n $NS_S link set lo up || die "cannot address the page's veth pair"

# setsid: the sensor outlives this script and the terminal; nsenter execs it, so $! is its PID
setsid nsenter --net=/run/netns/$NS_S "$FT" run -i $IF_S --mode native "${LOCALS[@]}" \
	--db embedded --state-dir $STATE --sensor demo --db-interval 5 --web $WEB_ADDR:$WEB_PORT \
	</dev/null >$STATE/sensor.log 2>&1 &
echo $! >$STATE/sensor.pid
for i in $(seq 1 900); do # initdb on the first start takes a few seconds
	grep -q counting $STATE/sensor.log && break
	kill -0 "$(cat $STATE/sensor.pid)" 2>/dev/null || die "the sensor exited"
	sleep 0.1
done
grep -q counting $STATE/sensor.log || die "the sensor did not start counting within 90 s"
sed 's/^<[0-9]>//' $STATE/sensor.log

n=0
: >$STATE/replayed.list
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -f "$p" ] || continue
	src=$p
	case "$(tcpdump -r "$p" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p')" in
	EN10MB | "") ;;
	*) src=$STATE/$(basename "$p").pcap && .output/rel/tools/pcap2eth "$p" "$src" 2>/dev/null || continue ;;
	esac
	if nsenter --net=/run/netns/$NS_R tcpreplay -q -i $IF_R --topspeed "$src" >>$STATE/replay.log 2>&1; then
		n=$((n + 1))
		echo "$p" >>$STATE/replayed.list
	fi
done
echo "demo: replayed $n captures from $PCAPS"
[ "$n" -gt 0 ] || die "nothing replayed (see $STATE/replay.log)"

# IPv6 on at both ends of the mirror veth: the sensor's ping teaches the catalog the replayer's MAC
for end in "$NS_S $IF_S 2001:db8:d3:0::1" "$NS_R $IF_R 2001:db8:d3:0::10"; do
	set -- $end
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf."$2".disable_ipv6=0 \
		net.ipv6.conf."$2".accept_dad=0 net.ipv6.conf."$2".router_solicitations=0
	ip -n "$1" addr add "$3"/64 dev "$2" nodad
done
ping6 2001:db8:d3::10 && echo "demo: IPv6 ping $IF_S -> $IF_R answered" || echo "demo: the IPv6 ping went unanswered" >&2

# every packet counted so far must reach the database (a batch each --db-interval, 5 s)
sleep 0.5
want=$(nsenter --net=/run/netns/$NS_S "$FT" status -i $IF_S --json |
	/usr/bin/python3 -c 'import json, sys
print(sum(o["orig_pkts"] + o["resp_pkts"] for o in map(json.loads, sys.stdin) if o["type"] == "flow"))')
echo "demo: the kernel counted $want packets in flows; waiting for them in PostgreSQL"
for i in $(seq 1 300); do
	got=$(q "SELECT coalesce(sum(orig_pkts + resp_pkts), 0) || ' ' || (SELECT count(*) FROM neighbors) FROM flows")
	[ "${got% *}" -ge "${want:-1}" ] 2>/dev/null && [ "${got#* }" -gt 0 ] && break
	sleep 0.2
done
[ "${got% *}" -ge "${want:-1}" ] 2>/dev/null || die "after 60 s the database holds ${got% *} of $want packets"
echo "demo: the database has them: $(q "SELECT count(*) FROM flows") flows, $(q "SELECT count(*) FROM batches") batches"

sql "top hostnames by bytes (top_hostnames_30d)" "
SELECT hostname, flows, bytes, bytes_out, bytes_in FROM top_hostnames_30d
WHERE sensor = 'demo' ORDER BY bytes DESC, hostname LIMIT 15"

sql "flows with a name: TLS, QUIC and HTTP fields (table flows)" "
SELECT hostname, hostname_source AS source, host(resp_addr) || ':' || resp_port AS server,
       orig_bytes + resp_bytes AS bytes,
       CASE WHEN 772 = ANY (coalesce(tls_supported_versions, '{}')) THEN 'TLS 1.3'
            WHEN tls_legacy_version = 771 THEN 'TLS 1.2' WHEN tls_legacy_version = 770 THEN 'TLS 1.1'
            WHEN tls_legacy_version = 769 THEN 'TLS 1.0' WHEN quic_version IS NOT NULL THEN 'QUIC' END AS tls,
       array_to_string(coalesce(tls_alpn, quic_alpn), ',') AS alpn,
       coalesce(tls_ja4, quic_ja4) AS ja4, http_method || ' ' || http_host AS http
FROM flows WHERE sensor = 'demo' AND hostname IS NOT NULL
ORDER BY bytes DESC LIMIT 25"

sql "throughput per minute (table throughput)" "
SELECT to_char(minute, 'YYYY-MM-DD HH24:MI') AS minute, direction, ip_version AS ip,
       packets, bytes FROM throughput WHERE sensor = 'demo' ORDER BY minute, direction, ip_version"

sql "this month so far (month_to_date)" "
SELECT direction, packets, bytes FROM month_to_date WHERE sensor = 'demo' ORDER BY direction"

sql "the neighbor catalog (table neighbors)" "
SELECT addr, mac, source, to_char(first_seen, 'HH24:MI:SS') AS first_seen,
       to_char(last_seen, 'HH24:MI:SS') AS last_seen
FROM neighbors WHERE sensor = 'demo' ORDER BY addr"

trap - INT TERM
echo
if curl -s -o /dev/null --max-time 5 "http://$WEB_ADDR:$WEB_PORT/api/state"; then
	echo "The live page:   http://$WEB_ADDR:$WEB_PORT/   (metrics: http://$WEB_ADDR:$WEB_PORT/metrics)"
	echo "                 from this host; from elsewhere: ssh -L 8480:$WEB_ADDR:$WEB_PORT THIS-HOST"
else
	echo "demo: the live page does not answer on http://$WEB_ADDR:$WEB_PORT/ (see $STATE/sensor.log)" >&2
fi
echo "The sensor keeps running (PID $(cat $STATE/sensor.pid), log $STATE/sensor.log). Ask it more:"
echo "  $FT psql --state-dir $STATE"
echo "  nsenter --net=/run/netns/$NS_S $FT status -i $IF_S"
echo "  nsenter --net=/run/netns/$NS_S $FT neighbors -i $IF_S"
echo "  bpftool map dump pinned /sys/fs/bpf/flowtower/$IF_S/stats"
echo "Stop it and remove everything: make demo-clean"
