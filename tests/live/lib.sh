#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/live/lib.sh - a lab of two network namespaces joined by a veth pair: the replayer's end
# and the sensor's end (the stand-in for a mirror port). Every name carries a per-test suffix,
# everything is removed on exit, and only processes this script started are ever signalled.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FT=${FT:-$top/build/flowtower}
case "$FT" in /*) ;; *) FT=$top/$FT ;; esac
TOOLS=${TOOLS:-$top/.output/rel/tools}
case "$TOOLS" in /*) ;; *) TOOLS=$top/$TOOLS ;; esac
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}
TRUTH=$PCAPS/truth.json
CHECK=$top/tests/pcap/check_truth.py

LAB_ID=${LAB_ID:-$(printf '%04x' $((RANDOM % 65536)))}
NS_R=ftr$LAB_ID     # replayer namespace
NS_S=fts$LAB_ID     # sensor namespace
IF_R=ftr$LAB_ID     # veth ends (15 characters at most)
IF_S=fts$LAB_ID
WORK=$(mktemp -d /tmp/ft-live.XXXXXX)
SENSOR_PID=

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

in_r() { nsenter --net=/run/netns/$NS_R "$@"; }
in_s() { nsenter --net=/run/netns/$NS_S "$@"; } # keeps our mount namespace: /sys/fs/bpf is shared

lab_up() { # lab_up [MTU]
	local mtu=${1:-16000} ns
	ip netns add $NS_R && ip netns add $NS_S || return 1
	for ns in $NS_R $NS_S; do
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add $IF_R netns $NS_R type veth peer name $IF_S netns $NS_S || return 1
	ip -n $NS_R link set $IF_R mtu "$mtu" up && ip -n $NS_S link set $IF_S mtu "$mtu" up
}

SENSOR_RUNS=0
sensor_start() { # sensor_start [run options...]; waits until attached. Log: $SENSOR_LOG
	SENSOR_RUNS=$((SENSOR_RUNS + 1))
	SENSOR_LOG=$WORK/sensor.$SENSOR_RUNS.log
	# a simple command, not the in_s function: $! must be the sensor itself, not a subshell
	local db=(--db none) # the tests that store say so
	case " $* " in *" --db "*) db=() ;; esac
	nsenter --net=/run/netns/$NS_S "$FT" run -i $IF_S --drain-interval 300 "${db[@]}" "$@" >"$SENSOR_LOG" 2>&1 &
	SENSOR_PID=$!
	local i
	for i in $(seq 1 150); do
		grep -q "counting" "$SENSOR_LOG" 2>/dev/null && return 0
		kill -0 "$SENSOR_PID" 2>/dev/null || { sed 's/^/  sensor: /' "$SENSOR_LOG" >&2; SENSOR_PID=; return 1; }
		sleep 0.1
	done
	return 1
}

sensor_stop() { # sensor_stop [SIGNAL]
	local sig=${1:-TERM}
	[ -n "$SENSOR_PID" ] || return 0
	kill -"$sig" "$SENSOR_PID" 2>/dev/null
	wait "$SENSOR_PID" 2>/dev/null
	SENSOR_PID=
}

status_json() { in_s "$FT" status -i $IF_S --json; }

# wait_frames N: until the sensor has counted N frames (2 s at most)
wait_frames() {
	local want=$1 i got
	for i in $(seq 1 40); do
		got=$(status_json 2>/dev/null | sed -n 's/.*"rx_frames":\([0-9]*\).*/\1/p')
		[ "${got:-0}" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# ethernet_copy FILE: FILE itself if Ethernet, else a copy rewritten to Ethernet for tcpreplay
# (tools/pcap2eth.c: tcprewrite --dlt=enet mangles BSD loopback and raw IPv4/IPv6 mixes)
ethernet_copy() {
	local f=$1 out
	case "$(tcpdump -r "$f" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p')" in
	EN10MB|"") echo "$f" ;;
	*)
		out=$WORK/$(basename "$f").enet.pcap
		"$TOOLS/pcap2eth" "$f" "$out" 2>/dev/null && echo "$out"
		;;
	esac
}

# frames_in JSONL: rx_frames of a `read --json` / `status --json` output
frames_in() { sed -n 's/.*"type":"stats".*"rx_frames":\([0-9]*\).*/\1/p' "$1"; }

replay() { in_r tcpreplay -q -i $IF_R --topspeed "$@" >>"$WORK/replay.log" 2>&1; }

lab_down() {
	sensor_stop TERM
	[ -d /sys/fs/bpf/flowtower/$IF_S ] && in_s "$FT" detach -i $IF_S >/dev/null 2>&1
	ip netns del $NS_R 2>/dev/null
	ip netns del $NS_S 2>/dev/null
	rm -rf "$WORK"
}
trap lab_down EXIT

# ---- capture modules (tests/live/test_afxdp.sh, test_afpacket.sh) ---------------------------------

# lab_up_mq QUEUES [MTU]: lab_up, with QUEUES RX and TX queues on both veth ends. veth hands a frame
# to the peer's RX queue numbered like the TX queue it was sent on, which the sender picks by flow hash.
lab_up_mq() {
	local q=$1 mtu=${2:-16000} ns
	ip netns add $NS_R && ip netns add $NS_S || return 1
	for ns in $NS_R $NS_S; do
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	lab_veth_mq "$q" "$mtu"
}

# lab_veth_mq QUEUES [MTU]: (re)create just the veth pair, e.g. after deleting it to change its ifindex
lab_veth_mq() {
	local q=$1 mtu=${2:-16000}
	ip link add $IF_R netns $NS_R numtxqueues "$q" numrxqueues "$q" type veth \
		peer name $IF_S netns $NS_S numtxqueues "$q" numrxqueues "$q" || return 1
	ip -n $NS_R link set $IF_R mtu "$mtu" up && ip -n $NS_S link set $IF_S mtu "$mtu" up
}

# cap_start MODE ARGS...: tools/capcount in the sensor namespace, until its "ready" line (10 s at
# most). Its output: $CAP_LOG. cap_stop ends it; call it from the EXIT trap too.
CAP_PID=
CAP_RUNS=0
cap_start() {
	CAP_RUNS=$((CAP_RUNS + 1))
	CAP_LOG=$WORK/capcount.$CAP_RUNS.log
	nsenter --net=/run/netns/$NS_S "$TOOLS/capcount" "$@" >"$CAP_LOG" 2>&1 &
	CAP_PID=$!
	local i
	for i in $(seq 1 100); do
		grep -q '^ready' "$CAP_LOG" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || { CAP_PID=; return 1; }
		sleep 0.1
	done
	return 1
}

# cap_stats: a fresh "stats" line from the running capcount (SIGUSR1)
cap_stats() {
	local n i
	n=$(grep -c '^stats' "$CAP_LOG")
	kill -USR1 "$CAP_PID" 2>/dev/null || return 1
	for i in $(seq 1 100); do
		[ "$(grep -c '^stats' "$CAP_LOG")" -gt "$n" ] && break
		sleep 0.02
	done
	grep '^stats' "$CAP_LOG" | tail -n 1
}

# cap_field LINE KEY: the value of KEY=value in a capcount line
cap_field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# cap_wait KEY N: until capcount's KEY reaches N (5 s at most); prints the last stats line
cap_wait() {
	local i line
	for i in $(seq 1 50); do
		line=$(cap_stats)
		[ "$(cap_field "$line" "$1")" -ge "$2" ] 2>/dev/null && break
		sleep 0.1
	done
	echo "$line"
}

# cap_stop: SIGTERM, wait for it (not in a $(...) subshell: only this shell can wait for it)
cap_stop() {
	[ -n "$CAP_PID" ] || return 0
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID" 2>/dev/null
	CAP_PID=
}

# cap_final: the "final" line capcount printed when it stopped
cap_final() { grep '^final' "$CAP_LOG" | tail -n 1; }

# replay_sent [TCPREPLAY OPTIONS] FILE: replay it, print "FRAMES BYTES" as tcpreplay counted them;
# fails unless every frame went out. REPLAY_RATE (default --topspeed) sets the pace.
replay_sent() {
	local out
	out=$(in_r tcpreplay -i $IF_R "${REPLAY_RATE:---topspeed}" "$@" 2>&1)
	echo "$out" >>"$WORK/replay.log"
	echo "$out" | grep -q 'Failed packets: *0$' || { echo "0 0"; return 1; }
	echo "$out" | sed -n 's/.*Actual: \([0-9]*\) packets (\([0-9]*\) bytes).*/\1 \2/p'
}

# ---- devices (test_devices.sh) -----------------------------------------------------------------
# lab_ipv6 SENSOR_ADDR/LEN [HOST_ADDR/LEN...]: IPv6 back on at both ends of the veth (lab_up turns
# it off), without duplicate address detection so addresses are usable at once; the sensor's end
# gets SENSOR_ADDR, the replayer's end (a host whose devices the sensor learns) the HOST_ADDRs.
lab_ipv6() {
	local s=$1 a
	shift
	ip netns exec $NS_S sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.$IF_S.accept_dad=0 \
		net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.$IF_S.disable_ipv6=0 || return 1
	ip netns exec $NS_R sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.$IF_R.accept_dad=0 \
		net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.$IF_R.disable_ipv6=0 || return 1
	ip -n $NS_S addr add "$s" dev $IF_S nodad || return 1
	for a in "$@"; do
		ip -n $NS_R addr add "$a" dev $IF_R nodad || return 1
	done
}

# if_mac NS IF: the interface's MAC; if_ll NS IF: its link-local IPv6 address
if_mac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2; exit }'; }
if_ll() { ip -n "$1" -6 addr show dev "$2" scope link | awk '/inet6/ { sub(/\/.*/, "", $2); print $2; exit }'; }

# nb_has FILE ADDR MAC [SOURCE]: FILE (neighbor JSON lines) pairs ADDR with MAC (learned from SOURCE)
nb_has() {
	grep "\"addr\":\"$2\",\"mac\":\"$3\"" "$1" 2>/dev/null | grep -q "\"source\":\"${4:-[a-z]*}\""
}

# ping6_ok NS ADDR[%IF] [COUNT]: COUNT (default 3) ICMPv6 echo requests from namespace NS, each
# answered within 2 s (iputils ping is not among the dependencies)
ping6_ok() {
	nsenter --net=/run/netns/"$1" /usr/bin/python3 - "$2" "${3:-3}" <<'PY'
import os, select, socket, struct, sys, time
addr, count = sys.argv[1], int(sys.argv[2])
dst = socket.getaddrinfo(addr, None, socket.AF_INET6, socket.SOCK_RAW)[0][4]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
ident, answered = os.getpid() & 0xffff, 0
for seq in range(count):
    s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"flowtower", dst)
    end = time.time() + 2
    while time.time() < end:
        if not select.select([s], [], [], max(0, end - time.time()))[0]:
            break
        d = s.recv(2048)
        if len(d) >= 8 and d[0] == 129 and struct.unpack("!HH", d[4:8]) == (ident, seq):
            answered += 1
            break
    time.sleep(0.2)
sys.exit(0 if answered == count else 1)
PY
}

# ---- the web page (test_web.sh) ----------------------------------------------------------------
# lab_lo_up: loopback up in the sensor's namespace (a new namespace's lo is down), for --web there
lab_lo_up() { ip -n $NS_S link set lo up; }

# web_get PATH [CURL OPTIONS...]: the body the daemon's --web answers on 127.0.0.1:$WEB_PORT, from
# inside the sensor's namespace (where it listens)
web_get() {
	local p=$1
	shift
	in_s curl -s --max-time 10 "$@" "http://127.0.0.1:$WEB_PORT$p"
}

# page_dom URL [VIRTUAL_MS]: the DOM after headless Chromium ran the page for VIRTUAL_MS (default 8000)
# of virtual time, in the sensor's namespace; a profile of its own under $WORK, 60 s at most
page_dom() {
	local prof
	prof=$(mktemp -d "$WORK/chromium.XXXXXX")
	in_s timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
		--virtual-time-budget="${2:-8000}" --dump-dom "$1" 2>>"$WORK/chromium.log"
}

# ---- an outside PostgreSQL cluster for the store (test_store.sh, test_faults.sh) -------------------
# pg_init: sets PGBIN, EXT ($WORK/ext) and DB (its conninfo); the cluster runs as postgres, so $WORK
# is opened to it. pg_ext start|stop...: pg_ctl on it. pg_cleanup: stops it and the embedded cluster
# in $STATE, if either runs. q SQL: one query in schema flowtower, unaligned, errors to psql.err.
pg_init() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$PGBIN/pg_ctl" ] || { fail "PostgreSQL server binaries (tools/install-deps.sh)"; return 1; }
	chmod 755 "$WORK"
	EXT=$WORK/ext
	DB="host=$EXT/run port=5432 dbname=postgres user=flowtower"
	install -d -o postgres -m 700 "$EXT/data" && install -d -o postgres "$EXT/run" || return 1
	runuser -u postgres -- "$PGBIN/initdb" -D "$EXT/data" -U flowtower --auth=trust -E UTF8 --no-locale \
		>"$WORK/initdb.log" 2>&1 || return 1
	printf "listen_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\n" "$EXT/run" \
		>>"$EXT/data/postgresql.conf"
}
pg_ext() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$EXT/data" -l "$EXT/run/pg.log" -w -t 60 "$@" >/dev/null 2>&1; }
pg_cleanup() {
	[ -f "${EXT:-/nonexistent}/data/postmaster.pid" ] && pg_ext -m immediate stop
	[ -f "${STATE:-/nonexistent}/pg/data/postmaster.pid" ] &&
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$STATE/pg/data" -m immediate stop >/dev/null 2>&1
	return 0
}
q() { psql "$DB" -XAtq -v ON_ERROR_STOP=1 -c "SET search_path = flowtower" -c "$1" 2>>"$WORK/psql.err"; }

# sensor_end WHAT: the sensor lived through WHAT: still running, `status` answers, SIGTERM ends it
# with status 0, and no sanitizer report is in its log (an ASan build: FT=build/san/flowtower).
sensor_end() {
	local log=$SENSOR_LOG rc
	check "daemon still running" kill -0 "$SENSOR_PID"
	status_json >"$WORK/after.jsonl" 2>/dev/null
	check "status answers after $1" grep -q '"type":"stats"' "$WORK/after.jsonl"
	kill -TERM "$SENSOR_PID"
	wait "$SENSOR_PID"
	rc=$?
	SENSOR_PID=
	check "daemon exited cleanly on SIGTERM (exit $rc)" test "$rc" = 0
	check "no sanitizer report in the daemon's log" bash -c "! grep -q -E 'Sanitizer|runtime error:' '$log'"
	grep -E "Sanitizer|runtime error:|warning|error" "$log" | sort | uniq -c | sort -rn | head -n 8 |
		sed 's/^/  sensor: /'
}
