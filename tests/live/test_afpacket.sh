#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# AF_PACKET capture (user/capture/afpacket.c): TPACKET_V3 rings, 2 sockets in a PACKET_FANOUT_HASH
# group, drained by tools/capcount one thread per socket. Every shared capture is replayed; each
# frame must arrive exactly once and byte for byte as sent (a digest of the contents), so the outer
# VLAN tag the kernel strips into tp_vlan_tci must have been put back. Then: both sockets used,
# PACKET_STATISTICS, promiscuous mode while open and not after, and loss counted when nobody drains.
. "$(dirname "$0")/lib.sh"
trap 'cap_stop; lab_down' EXIT

lab_up 16000 || { fail "lab setup"; exit 1; }

eq() { # eq WHAT GOT WANT
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', want '$3'"; fi
}
promiscuity() { ip -n $NS_S -d link show $IF_S | grep -o 'promiscuity [0-9]*' | cut -d' ' -f2; }

t0=$(date +%s%N)
cap_start afpacket -i $IF_S -n 2 -T 300 || { fail "capcount afpacket started"; cat "$CAP_LOG"; exit 1; }
eq "two sockets in the fanout group" "$(grep '^ready' "$CAP_LOG" | cut -d' ' -f2-3)" "mode=afpacket queues=2"
check "promiscuous while open (PACKET_MR_PROMISC, one reference per socket)" test "$(promiscuity)" -ge 1
sent_f=0 sent_b=0 files=()
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	n=$(basename "$p")
	src=$(ethernet_copy "$p") || { fail "$n rewritten to Ethernet"; continue; }
	want=$("$TOOLS/capcount" pcap "$src")
	[ "$(cap_field "$want" frames)" -gt 0 ] || continue
	vlan0=$(cap_field "$(cap_wait frames $sent_f)" vlan) # before the replay: its frames may be read at once
	read -r f b < <(replay_sent "$src") || { fail "$n: tcpreplay sent every frame"; continue; }
	sent_f=$((sent_f + f))
	sent_b=$((sent_b + b))
	files+=("$src")
	got=$(cap_wait frames $sent_f)
	want=$("$TOOLS/capcount" pcap "${files[@]}")
	if [ "$(cap_field "$got" frames)" = $sent_f ] && [ "$(cap_field "$got" bytes)" = $sent_b ] &&
		[ "$(cap_field "$got" digest)" = "$(cap_field "$want" digest)" ]; then
		pass "afpacket $n: $f frames, $b bytes, contents equal"
	else
		fail "afpacket $n: frames $(cap_field "$got" frames)/$sent_f bytes $(cap_field "$got" bytes)/$sent_b" \
			"digest $(cap_field "$got" digest)/$(cap_field "$want" digest)"
	fi
	case $n in
	zeek__vlan-qinqinq.pcap | zeek__http-vlan-0.pcap)
		# the digest above already proves the tags are back; this proves the kernel took them
		check "$n: outer VLAN tag of every frame re-inserted from tp_vlan_tci" \
			test $(($(cap_field "$got" vlan) - vlan0)) -eq "$f"
		;;
	esac
done
sleep 0.3 # a frame delivered twice would show now
t1=$(date +%s%N)
cap_stop
end=$(cap_final)
echo "  $end"
eq "every frame received once" "$(cap_field "$end" frames) $(cap_field "$end" bytes)" "$sent_f $sent_b"
q=$(cap_field "$end" per_queue)
check "both fanout sockets received frames (per socket: $q)" test "${q%,*}" -gt 0 -a "${q#*,}" -gt 0
eq "PACKET_STATISTICS: tp_packets == frames, no drops, never frozen" \
	"$(cap_field "$end" tp_packets) $(cap_field "$end" tp_drops) $(cap_field "$end" tp_freeze_q_cnt)" \
	"$sent_f 0 0"
eq "caplen == wirelen, timestamps between start and arrival" \
	"$(cap_field "$end" badlen) $(cap_field "$end" truncated) $(cap_field "$end" ts_bad)" "0 0 0"
lo=$(cap_field "$end" ts_min) hi=$(cap_field "$end" ts_max)
check "timestamps within the test's window [$t0, $t1]: $lo..$hi" test "$lo" -ge "$t0" -a "$hi" -le "$t1"
eq "promiscuous mode dropped with the sockets" "$(promiscuity)" 0

# ---- nobody drains: 2 blocks of 64 KiB fill up, the kernel drops and freezes, and says so ----
cap_start afpacket -i $IF_S -n 1 -b 65536 -c 2 -P -T 60 || fail "capcount that never drains"
read -r f b < <(replay_sent --loop=4 "$PCAPS/ndpi__tls_with_huge_ch.pcapng")
sleep 0.3
cap_stop
end=$(cap_final)
echo "  $end"
eq "tp_packets counts every frame, delivered or dropped" "$(cap_field "$end" tp_packets)" "$f"
check "drops counted ($(cap_field "$end" tp_drops)) and the ring froze" \
	test "$(cap_field "$end" tp_drops)" -gt 0 -a "$(cap_field "$end" tp_freeze_q_cnt)" -gt 0
eq "loss warned about exactly once" "$(grep -c 'AF_PACKET lost' "$CAP_LOG")" 1
