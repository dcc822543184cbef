#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/tools/test_ftreplay.sh - ftreplay into a veth pair between two namespaces: every frame of
# shared captures (pcap and pcapng) arrives exactly once, byte for byte, with either method and
# with several senders; frames over the MTU are counted, not sent. Root. Prints PASS:/FAIL: lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${TOOLS:-$top/.output/rel/tools}
case "$TOOLS" in /*) ;; *) TOOLS=$top/$TOOLS ;; esac
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}
FTREPLAY=$TOOLS/ftreplay
ID=$(printf '%04x' $((RANDOM % 65536)))
NS_T=ftrt$ID # sender
NS_R=ftrr$ID # receiver
W=$(mktemp -d /tmp/ft-replay.XXXXXX)
TCPDUMP_PID=

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

cleanup() {
	[ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2>/dev/null && wait "$TCPDUMP_PID" 2>/dev/null
	ip netns del $NS_T 2>/dev/null
	ip netns del $NS_R 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then
	fail "test_ftreplay needs root (network namespaces)"
	exit 1
fi
if [ ! -x "$FTREPLAY" ]; then
	fail "ftreplay is built ($FTREPLAY missing: make tools)"
	exit 1
fi

lab_up() { # lab_up MTU QUEUES
	ip netns del $NS_T 2>/dev/null
	ip netns del $NS_R 2>/dev/null
	ip netns add $NS_T && ip netns add $NS_R || return 1
	for ns in $NS_T $NS_R; do # no router solicitations or DAD: only replayed frames on the wire
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add vt netns $NS_T numtxqueues "$2" numrxqueues "$2" type veth peer name vr netns $NS_R \
		numtxqueues "$2" numrxqueues "$2" || return 1
	ip -n $NS_T link set vt mtu "$1" up && ip -n $NS_R link set vr mtu "$1" up
}

rx() { # rx FIELD: the receiving end's counter
	ip netns exec $NS_R cat /sys/class/net/vr/statistics/"$1"
}

# replay NAME FILE [ftreplay options...]: capture on the receiving end, send, compare frames
replay() {
	local name=$1 file=$2 p0 b0 p1 b1 rc i
	shift 2
	rm -f "$W/recv.pcap" "$W/tcpdump.err"
	# -Q in: only what arrives; -B: a buffer that holds the whole capture, so tcpdump drops nothing;
	# immediate mode: frames are not left in a TPACKET_V3 block that is still open when tcpdump stops
	ip netns exec $NS_R tcpdump -i vr -Q in -B 131072 -s 0 --immediate-mode -U -w "$W/recv.pcap" \
		2>"$W/tcpdump.err" &
	TCPDUMP_PID=$!
	for i in $(seq 1 50); do
		grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && break
		sleep 0.1
	done
	p0=$(rx rx_packets)
	b0=$(rx rx_bytes)
	ip netns exec $NS_T "$FTREPLAY" -i vt "$@" "$file" >"$W/out.txt" 2>"$W/err.txt"
	rc=$?
	sleep 1
	p1=$(rx rx_packets)
	b1=$(rx rx_bytes)
	kill -INT "$TCPDUMP_PID" 2>/dev/null
	wait "$TCPDUMP_PID" 2>/dev/null
	TCPDUMP_PID=
	echo "$name: $(head -1 "$W/out.txt")"
	RC=$rc
	DPKTS=$((p1 - p0))
	DBYTES=$((b1 - b0))
	SENT=$(sed -n 's/.*packets=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2/p' "$W/out.txt")
	grep -q " 0 packets dropped by kernel" "$W/tcpdump.err" || echo "  tcpdump: $(grep dropped "$W/tcpdump.err")"
}

# frames_equal ORIG RECV [LOOPS]: the received frames are the original's, LOOPS times each, nothing else
frames_equal() {
	editcap -F pcap "$1" "$W/orig.pcap" 2>/dev/null || return 1
	python3 - "$W/orig.pcap" "$2" "${3:-1}" <<'EOF'
import struct, sys
from collections import Counter

def frames(path):
    d = open(path, "rb").read()
    end = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, out = 24, []
    while off + 16 <= len(d):
        caplen = struct.unpack(end + "I", d[off + 8:off + 12])[0]
        out.append(d[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out

orig, recv = frames(sys.argv[1]), frames(sys.argv[2])
want = Counter()
for _ in range(int(sys.argv[3])):
    want.update(orig)
got = Counter(recv)
if got != want:
    print("  %d frames sent, %d received; missing %d, unexpected %d" %
          (sum(want.values()), len(recv), sum((want - got).values()), sum((got - want).values())))
    sys.exit(1)
EOF
}

# expect_exact NAME FILE [LOOPS]: after replay(): exit 0, receiver counters and frames match
expect_exact() {
	local name=$1 file=$2 loops=${3:-1} n bytes
	n=$(capinfos -c -M "$file" | awk '/Number of packets/ {print $NF}')
	bytes=$(capinfos -d -M "$file" | awk '/Data size/ {print $(NF-1)}')
	n=$((n * loops))
	bytes=$((bytes * loops))
	[ "$RC" -eq 0 ] && pass "$name: ftreplay exits 0" || fail "$name: ftreplay exits 0 (got $RC: $(head -3 "$W/err.txt"))"
	[ "$SENT" = "$n $bytes" ] && pass "$name: reports $n packets, $bytes bytes sent" ||
		fail "$name: reports $n packets, $bytes bytes sent (got '$SENT')"
	# without XDP on the receiver, veth counts whole frames (with XDP, 14 bytes a frame less)
	[ "$DPKTS" -eq "$n" ] && [ "$DBYTES" -eq "$bytes" ] &&
		pass "$name: receiver's rx_packets/rx_bytes grew by $n/$bytes" ||
		fail "$name: receiver's rx_packets/rx_bytes grew by $n/$bytes (got $DPKTS/$DBYTES)"
	frames_equal "$file" "$W/recv.pcap" "$loops" && pass "$name: every frame arrived exactly $loops time(s), byte for byte" ||
		fail "$name: every frame arrived exactly $loops time(s), byte for byte"
}

lab_up 9000 2 || { fail "lab: netns and veth"; exit 1; }

replay "test.pcap" "$PCAPS/tcpreplay__test.pcap" --threads 1
expect_exact "test.pcap" "$PCAPS/tcpreplay__test.pcap"
replay "sites.pcapng" "$PCAPS/ndpi__sites.pcapng"
expect_exact "sites.pcapng (pcapng, default senders)" "$PCAPS/ndpi__sites.pcapng"
replay "chrome.pcap x3" "$PCAPS/ndpi__chrome.pcap" --loop 3 --threads 2
expect_exact "chrome.pcap --loop 3, 2 senders" "$PCAPS/ndpi__chrome.pcap" 3
replay "vlan-qinqinq.pcap" "$PCAPS/zeek__vlan-qinqinq.pcap"
expect_exact "vlan-qinqinq.pcap (stacked tags)" "$PCAPS/zeek__vlan-qinqinq.pcap"
replay "firefox.pcap xsk" "$PCAPS/ndpi__firefox.pcap" --method xsk --threads 2
expect_exact "firefox.pcap over AF_XDP, 2 sockets" "$PCAPS/ndpi__firefox.pcap"

# pacing: 2000 frames at 20000/s take about 0.1 s, not the ~5 ms of top speed
replay "paced" "$PCAPS/tcpreplay__test.pcap" --loop 11 --pps 20000
secs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$W/out.txt")
python3 -c "import sys; sys.exit(0 if 0.08 <= $secs <= 0.3 else 1)" &&
	pass "--pps 20000: 1969 frames in ${secs}s" || fail "--pps 20000: 1969 frames in ${secs}s (want ~0.1)"
expect_exact "paced" "$PCAPS/tcpreplay__test.pcap" 11

# frames over the MTU: counted and reported, the rest sent, exit status 1
lab_up 1500 1 || { fail "lab: netns and veth (MTU 1500)"; exit 1; }
big=$PCAPS/zeek__ftp-bigtransfer.pcap
over=$(tshark -r "$big" -Y 'frame.len > 1518 || (frame.len > 1514 && eth.type != 0x8100 && eth.type != 0x88a8)' \
	-T fields -e frame.number 2>/dev/null | wc -l)
total=$(capinfos -c -M "$big" | awk '/Number of packets/ {print $NF}')
replay "ftp-bigtransfer.pcap at MTU 1500" "$big"
[ "$RC" -eq 1 ] && grep -q "oversize=$over " "$W/out.txt" && [ "$DPKTS" -eq $((total - over)) ] &&
	pass "$over frames over MTU 1500 counted and not sent, the other $((total - over)) arrive, exit 1" ||
	fail "$over frames over MTU 1500 counted and not sent, the other $((total - over)) arrive, exit 1 (rc $RC, $(tail -1 "$W/out.txt"), rx $DPKTS)"

# bad usage
ip netns exec $NS_T "$FTREPLAY" -i vt --pps 0 "$big" >/dev/null 2>&1
[ $? -eq 2 ] && pass "--pps 0 is refused (exit 2)" || fail "--pps 0 is refused (exit 2)"
ip netns exec $NS_T "$FTREPLAY" -i nosuchif0 "$big" >/dev/null 2>&1
[ $? -eq 2 ] && pass "an unknown interface is refused (exit 2)" || fail "an unknown interface is refused (exit 2)"
"$FTREPLAY" --help | grep -q -- "--topspeed" && pass "--help describes the options" || fail "--help describes the options"
