#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# AF_XDP capture (user/capture/afxdp.c) on a veth with 2 RX queues, fed by tests/bpf/xsk_redirect.bpf.c,
# which redirects every frame with struct xdp_meta in front. tools/capcount drains one thread per queue.
# Every shared capture is replayed; each must arrive whole: frames, bytes and a digest of their
# contents equal what tcpreplay sent, zero kernel drops, metadata present, its length and queue
# right, its timestamp inside the test's time window. Then: frames larger than a page (reassembled
# from XDP_USE_SG descriptors), both queues, zero-copy refused on veth, 2 KiB frames, a flap and a
# recreated interface (afxdp_reopen), and loss counted and warned about once.
. "$(dirname "$0")/lib.sh"
trap 'cap_stop; lab_down' EXIT

PROG=$WORK/xsk_redirect.bpf.o
ARCH=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$ARCH -Wall -Werror -I"$top" -I"$top/include" \
	-c "$top/tests/bpf/xsk_redirect.bpf.c" -o "$PROG" || { fail "test XDP program builds"; exit 1; }
lab_up_mq 2 16000 || { fail "lab with 2 RX queues"; exit 1; }
check "veth has 2 RX queues" sh -c "ip netns exec $NS_S ethtool -l $IF_S | sed -n '/Current/,\$p' | grep -q '^RX:[[:space:]]*2$'"
ifindex() { ip -n $NS_S -o link show $IF_S | cut -d: -f1; }

eq() { # eq WHAT GOT WANT
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi
}

# ---- every capture, default configuration (1 GiB UMEM, 4 KiB frames, zero-copy tried first) ----
t0=$(date +%s%N)
cap_start afxdp -i $IF_S -p "$PROG" -T 300 || { fail "capcount afxdp started"; cat "$CAP_LOG"; exit 1; }
ready=$(grep '^ready' "$CAP_LOG")
eq "zero-copy tried, copy mode in use on veth; one socket per queue" "$ready" \
	"ready mode=copy queues=2 ifindex=$(ifindex)"
sent_f=0 sent_b=0 files=()
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	n=$(basename "$p")
	src=$(ethernet_copy "$p") || { fail "$n rewritten to Ethernet"; continue; }
	want=$("$TOOLS/capcount" pcap "$src")
	[ "$(cap_field "$want" frames)" -gt 0 ] || continue
	read -r f b < <(replay_sent "$src") || { fail "$n: tcpreplay sent every frame"; continue; }
	sent_f=$((sent_f + f))
	sent_b=$((sent_b + b))
	files+=("$src")
	got=$(cap_wait frames $sent_f)
	want=$("$TOOLS/capcount" pcap "${files[@]}")
	if [ "$(cap_field "$got" frames)" = $sent_f ] && [ "$(cap_field "$got" bytes)" = $sent_b ] &&
		[ "$(cap_field "$got" digest)" = "$(cap_field "$want" digest)" ]; then
		pass "afxdp $n: $f frames, $b bytes, contents equal"
	else
		fail "afxdp $n: frames $(cap_field "$got" frames)/$sent_f bytes $(cap_field "$got" bytes)/$sent_b" \
			"digest $(cap_field "$got" digest)/$(cap_field "$want" digest)"
	fi
done
sleep 0.3 # anything extra (a duplicate, a stray frame) would show now
t1=$(date +%s%N)
cap_stop
end=$(cap_final)
echo "  $end"
eq "frames received == frames sent" "$(cap_field "$end" frames)" $sent_f
eq "bytes received == bytes sent" "$(cap_field "$end" bytes)" $sent_b
for k in rx_dropped rx_ring_full fill_empty rx_invalid tx_invalid; do
	eq "XDP_STATISTICS $k" "$(cap_field "$end" $k)" 0
done
eq "every frame has xdp_meta in front" "$(cap_field "$end" nometa)/$(cap_field "$end" mod_nometa)" 0/0
eq "xdp_meta.len == delivered length" "$(cap_field "$end" badlen)" 0
eq "xdp_meta.rx_queue == the socket's queue" "$(cap_field "$end" badq)" 0
eq "every timestamp between capcount's start and the frame's arrival" "$(cap_field "$end" ts_bad)" 0
lo=$(cap_field "$end" ts_min) hi=$(cap_field "$end" ts_max)
check "timestamps within the test's window [$t0, $t1]: $lo..$hi" test "$lo" -ge "$t0" -a "$hi" -le "$t1"
want=$("$TOOLS/capcount" pcap "${files[@]}")
eq "frames larger than a page (14546 bytes: 4 descriptors each) delivered whole" \
	"$(cap_field "$end" big)" "$(cap_field "$want" big)"
check "... as multi-buffer packets, none truncated ($(cap_field "$end" multibuf) multi-buffer)" \
	test "$(cap_field "$end" multibuf)" -ge "$(cap_field "$want" big)" -a "$(cap_field "$end" truncated)" = 0
q=$(cap_field "$end" per_queue)
check "both RX queues received frames (per queue: $q)" test "${q%,*}" -gt 0 -a "${q#*,}" -gt 0
check "XDP program detached and sockets gone at exit" sh -c "! ip -n $NS_S link show $IF_S | grep -q xdp"

# ---- zero-copy required: veth has no zero-copy, so the open fails cleanly ----
cap_start afxdp -i $IF_S -p "$PROG" -z require -u 16777216 -T 10
check "zero-copy required on veth: refused (EOPNOTSUPP)" grep -q '^error Operation not supported' "$CAP_LOG"
cap_stop
check "... and nothing left attached" sh -c "! ip -n $NS_S link show $IF_S | grep -q xdp"

# ---- 2 KiB frames: 1792 bytes per descriptor, a 14546-byte frame in 9 ----
big=$PCAPS/zeek__ftp-bigtransfer.pcap
cap_start afxdp -i $IF_S -p "$PROG" -f 2048 -u 16777216 -T 60 || fail "capcount with 2 KiB frames"
read -r f b < <(replay_sent "$big")
got=$(cap_wait frames "$f")
want=$("$TOOLS/capcount" pcap "$big")
eq "2 KiB frames: $(basename "$big") frames, bytes, contents" \
	"$(cap_field "$got" frames) $(cap_field "$got" bytes) $(cap_field "$got" digest)" \
	"$f $b $(cap_field "$want" digest)"
cap_stop

# ---- the interface flaps (down/up), then is deleted and created again (a new ifindex) ----
small=$PCAPS/tcpreplay__test.pcap
cap_start afxdp -i $IF_S -p "$PROG" -u 67108864 -T 120 || fail "capcount for the flap test"
ip -n $NS_S link set $IF_S down && ip -n $NS_R link set $IF_R down
ip -n $NS_S link set $IF_S up && ip -n $NS_R link set $IF_R up
sleep 0.5
read -r f b < <(replay_sent "$small")
got=$(cap_wait frames "$f")
eq "after down/up: every frame" "$(cap_field "$got" frames)" "$f"
old=$(ifindex)
ip -n $NS_R link del $IF_R
lab_veth_mq 2 16000 || fail "veth created again"
for i in $(seq 1 100); do grep -q '^reopened' "$CAP_LOG" && break; sleep 0.1; done
eq "recreated interface (index $old -> $(ifindex)) noticed, sockets reopened" \
	"$(grep '^reopened' "$CAP_LOG" | tail -n 1)" "reopened ifindex=$(ifindex) mode=copy queues=2"
read -r f2 b2 < <(replay_sent "$small")
got=$(cap_wait frames $((f + f2)))
eq "after the new ifindex: every frame" "$(cap_field "$got" frames)" $((f + f2))
cap_stop
end=$(cap_final)
eq "statistics carried over the reopen, no drops" \
	"$(cap_field "$end" reopens) $(cap_field "$end" mod_frames) $(cap_field "$end" rx_dropped)" "1 $((f + f2)) 0"

# ---- nobody drains: the fill rings run dry, the kernel counts, afxdp_warn_loss() says so once ----
xdp_pkts() { ip netns exec $NS_S ethtool -S $IF_S | sed -n "s/^ *rx_queue_$1_xdp_packets: //p"; }
cap_start afxdp -i $IF_S -p "$PROG" -u 1 -P -T 60 || fail "capcount that never drains"
a0=$(xdp_pkts 0) a1=$(xdp_pkts 1)
replay_sent --loop=14 "$PCAPS/ndpi__tls_with_huge_ch.pcapng" >/dev/null # 428 frames, none over 1514 bytes
sleep 0.3
a0=$(($(xdp_pkts 0) - a0)) a1=$(($(xdp_pkts 1) - a1))
cap_stop
end=$(cap_final)
echo "  queue 0: $a0 frames, queue 1: $a1 frames; $end"
# each queue's UMEM holds 2048 frames (the floor); the rest of its frames find no fill entry
# (one descriptor per frame here: frames over 3840 bytes would take two)
lost=0
for a in $a0 $a1; do [ "$a" -gt 2048 ] && lost=$((lost + a - 2048)); done
eq "rx_dropped == what arrived beyond 2048 frames per queue" "$(cap_field "$end" rx_dropped)" $lost
eq "fill ring found empty as often" "$(cap_field "$end" fill_empty)" $lost
eq "loss warned about exactly once" "$(grep -c 'AF_XDP lost' "$CAP_LOG")" 1
