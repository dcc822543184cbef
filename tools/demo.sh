#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/demo.sh - the end-to-end demo on this machine: a lab (two network namespaces joined by a
# veth pair that stands in for a mirror port), the sensor attached in native XDP mode, the shared
# captures replayed into it with tcpreplay, and the answers printed. `tools/demo.sh clean` (make
# demo-clean) removes everything it created. Needs root.
set -u
cd "$(dirname "$0")/.."
top=$PWD
NS_R=ftdemo-replay NS_S=ftdemo-sensor IF_R=ftdemo-r IF_S=ftdemo-s
STATE=/run/flowtower-demo
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}

clean() {
	if [ -f $STATE/sensor.pid ]; then
		kill "$(cat $STATE/sensor.pid)" 2>/dev/null
		sleep 0.5
	fi
	[ -x build/flowtower ] && nsenter --net=/run/netns/$NS_S build/flowtower detach -i $IF_S >/dev/null 2>&1
	ip netns del $NS_R 2>/dev/null
	ip netns del $NS_S 2>/dev/null
	rm -rf $STATE
	echo "demo: removed the lab, the sensor and its pins"
}

if [ "${1:-}" = clean ]; then
	clean
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces and loads XDP)" >&2; exit 1; }
bash tools/install-deps.sh || exit 1
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
make -s -j"$(nproc)" all || exit 1
clean >/dev/null
mkdir -p $STATE

echo "demo: lab $NS_R --($IF_R | $IF_S)--> $NS_S"
ip netns add $NS_R && ip netns add $NS_S || exit 1
for ns in $NS_R $NS_S; do ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip link add $IF_R netns $NS_R type veth peer name $IF_S netns $NS_S
ip -n $NS_R link set $IF_R mtu 16000 up
ip -n $NS_S link set $IF_S mtu 16000 up

# 192.168.0.0/16 and 10.0.0.0/8 play the home network in several of the captures
nsenter --net=/run/netns/$NS_S build/flowtower run -i $IF_S --mode native \
	--local 192.168.0.0/16 --local 10.0.0.0/8 --local 172.16.0.0/12 >$STATE/sensor.log 2>&1 &
echo $! >$STATE/sensor.pid
for i in $(seq 1 100); do grep -q counting $STATE/sensor.log && break; sleep 0.1; done
sed 's/^<[0-9]>//' $STATE/sensor.log

n=0
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	src=$p
	case "$(tcpdump -r "$p" -c 1 2>&1 >/dev/null | sed -n 's/.*link-type \([^ ]*\).*/\1/p')" in
	EN10MB|"") ;;
	*) src=$STATE/$(basename "$p").pcap; .output/rel/tools/pcap2eth "$p" "$src" 2>/dev/null ;;
	esac
	nsenter --net=/run/netns/$NS_R tcpreplay -q -i $IF_R --topspeed "$src" >/dev/null 2>&1 && n=$((n + 1))
done
echo "demo: replayed $n captures from $PCAPS"
sleep 1

echo
echo "== the twenty biggest flows (flowtower status) =="
nsenter --net=/run/netns/$NS_S build/flowtower status -i $IF_S --json >$STATE/status.jsonl
/usr/bin/python3 - "$STATE/status.jsonl" <<'PY'
import json, sys
flows = [json.loads(l) for l in open(sys.argv[1]) if '"type":"flow"' in l]
flows.sort(key=lambda f: -(f["orig_bytes"] + f["resp_bytes"]))
print("%-5s %-42s %-42s %7s %9s %-5s" % ("proto", "originator", "responder", "packets", "bytes", "local"))
for f in flows[:20]:
    o = "%s:%s" % (f["orig_addr"], f["orig_port"]) if f["orig_port"] is not None else f["orig_addr"]
    r = "%s:%s" % (f["resp_addr"], f["resp_port"]) if f["resp_port"] is not None else f["resp_addr"]
    print("%-5s %-42s %-42s %7d %9d %-5s" % (f["proto_name"] or f["proto"], o[:42], r[:42],
          f["orig_pkts"] + f["resp_pkts"], f["orig_bytes"] + f["resp_bytes"], f["local_side"] or "-"))
print("%d flows in all" % len(flows))
PY
echo
echo "== throughput per minute and the counters =="
nsenter --net=/run/netns/$NS_S build/flowtower status -i $IF_S | sed -n '/^minute/,$p'
echo
echo "The sensor keeps running. Inspect it with:"
echo "  nsenter --net=/run/netns/$NS_S $top/build/flowtower status -i $IF_S"
echo "  bpftool map dump pinned /sys/fs/bpf/flowtower/$IF_S/flows"
echo "Stop and remove everything: make demo-clean"
