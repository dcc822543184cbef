#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Devices: the neighbor catalog learns exactly the (address, MAC) pairs the shared captures' NDP
# frames teach (truth.json); `read --json` gives flows their local MACs from NDP and from a NAT
# port-range config generated from the capture; in a lab, the prober alone (tools/ndpcat, libpcap
# standing in for XDP) resolves a host's addresses; and the daemon in pass mode learns them from
# its kernel's table, its probes and a host's advertisement, while the host's own IPv6
# connectivity through the capture interface keeps working (ping6 before and during); in drop
# mode it does not probe.
. "$(dirname "$0")/lib.sh"

NDPCAT=$TOOLS/ndpcat
LISTEN_PID=
not() { ! "$@"; }
cleanup() {
	if [ -n "$LISTEN_PID" ]; then
		kill "$LISTEN_PID" 2>/dev/null
		wait "$LISTEN_PID" 2>/dev/null
	fi
	rm -f "/run/flowtower/$IF_S.neighbors.jsonl"
	[ -n "${FT_KEEP_LOGS:-}" ] && cp "$WORK"/sensor.*.log "$FT_KEEP_LOGS"/ 2>/dev/null # sanitizer reports
	lab_down
}
trap cleanup EXIT

# ---- 1. the shared captures: exactly the pairs truth.json's NDP frames teach ----------------------
# NA: (target, target_lladdr); NS/RS/RA: (ip_src, src_lladdr) unless ip_src is :: (DAD teaches nothing)
/usr/bin/python3 - "$TRUTH" "$PCAPS" "$NDPCAT" <<'EOF'
import json, subprocess, sys
truth, pcaps, ndpcat = sys.argv[1:4]
t = json.load(open(truth))
names = ["zeek__icmp6-nd-options.pcap", "zeek__ipv6-http-atomic-frag.pcap"]
want = set()
for n in names:
    for f in t[n]["ndp"]:
        if f["type"] == "NA" and f.get("target_lladdr"):
            want.add((f["target"], f["target_lladdr"]))
        elif f["type"] in ("NS", "RS", "RA") and f.get("src_lladdr") and f["ip_src"] != "::":
            want.add((f["ip_src"], f["src_lladdr"]))
out = subprocess.run([ndpcat] + [pcaps + "/" + n for n in names], capture_output=True, text=True)
got = set()
for line in out.stdout.splitlines():
    o = json.loads(line)
    got.add((o["addr"], o["mac"]))
ok = out.returncode == 0 and got == want and len(want) == 4
print(("PASS" if ok else "FAIL") + ": shared captures: the catalog holds exactly the %d pairs truth.json's NDP frames teach" % len(want))
if not ok:
    print("  want only:", sorted(want - got), " got only:", sorted(got - want), out.stderr.strip())
EOF

# ---- 2. offline flows get MACs: IPv6 from NDP, IPv4 from a generated NAT port-range config ---------
"$FT" read --json --local 2001:db8:1::/48 --device "web server,aa:00:04:00:0a:04" \
	"$PCAPS/zeek__ipv6-http-atomic-frag.pcap" >"$WORK/read6.jsonl" 2>"$WORK/read6.err"
/usr/bin/python3 - "$WORK/read6.jsonl" <<'EOF'
import json, sys
macs = {"2001:db8:1::1": "aa:00:04:00:0a:04", "2001:db8:1::2": "00:10:18:95:31:6a"}
flows = [o for o in map(json.loads, open(sys.argv[1])) if o["type"] == "flow" and o["proto"] == 6]
nb = [o for o in map(json.loads, open(sys.argv[1])) if o["type"] == "neighbor"]
ok = len(flows) > 0
for f in flows:
    ok &= f.get("orig_mac") == macs.get(f["orig_addr"]) and f.get("resp_mac") == macs.get(f["resp_addr"])
    ok &= f.get("device") == "web server"
print(("PASS" if ok else "FAIL") + ": read --json: %d TCP flows of ipv6-http-atomic-frag carry both sides' MACs and the device name" % len(flows))
ok = sorted((o["addr"], o["mac"], o["source"]) for o in nb) == sorted((a, m, "ndp") for a, m in macs.items())
ok &= [o["device"] for o in nb if o["mac"] == "aa:00:04:00:0a:04"] == ["web server"]
print(("PASS" if ok else "FAIL") + ": read --json: neighbor lines for the two NDP pairs, the configured one named")
EOF

# tcpreplay__test.pcap's client 172.16.11.12 plays the NAT's public address: its TCP/UDP flows' local
# ports are split into two devices' ranges at the median; each flow must name the device its port is in.
PUB=172.16.11.12
"$FT" read --json --local $PUB/32 "$PCAPS/tcpreplay__test.pcap" >"$WORK/read4.jsonl" 2>/dev/null
ARGS=$(/usr/bin/python3 - "$WORK/read4.jsonl" $PUB <<'EOF'
import json, sys
pub = sys.argv[2]
ports = sorted({(o["orig_port"] if o["orig_addr"] == pub else o["resp_port"]) for o in map(json.loads, open(sys.argv[1]))
                if o["type"] == "flow" and o["proto"] in (6, 17) and pub in (o["orig_addr"], o["resp_addr"])})
mid = ports[len(ports) // 2 - 1]
print("--device nat-a,02:00:00:00:0a:01,,%d-%d --device nat-b,02:00:00:00:0b:01,,%d-%d" % (ports[0], mid, mid + 1, ports[-1]))
EOF
)
# shellcheck disable=SC2086
"$FT" read --json --local $PUB/32 --nat-public $PUB $ARGS "$PCAPS/tcpreplay__test.pcap" >"$WORK/nat.jsonl" 2>"$WORK/nat.err"
/usr/bin/python3 - "$WORK/nat.jsonl" $PUB "$ARGS" <<'EOF'
import json, sys
pub, args = sys.argv[2], sys.argv[3].split()
ranges = []
for d in args[1::2]:
    name, mac, _, r = d.split(",")
    lo, hi = map(int, r.split("-"))
    ranges.append((lo, hi, name, mac))
n = bad = 0
for o in map(json.loads, open(sys.argv[1])):
    if o["type"] != "flow" or pub not in (o["orig_addr"], o["resp_addr"]):
        continue
    side = "orig" if o["orig_addr"] == pub else "resp"
    port = o[side + "_port"]
    want = [(name, mac) for lo, hi, name, mac in ranges if o["proto"] in (6, 17) and lo <= port <= hi]
    got = (o.get("device"), o.get(side + "_mac"))
    n += 1
    if (want and got != want[0]) or (not want and got != (None, None)):
        bad += 1
        print("  flow %s:%s -> %s:%s proto %d: got %s, want %s" % (o["orig_addr"], o["orig_port"], o["resp_addr"], o["resp_port"], o["proto"], got, want))
ok = n > 10 and bad == 0
print(("PASS" if ok else "FAIL") + ": read --json with a generated NAT config (%s): %d flows on %s, each with its range's device or none" % (" ".join(args), n, pub))
EOF

# ---- 3. the lab: a host namespace behind the capture interface --------------------------------------
lab_up || { fail "lab setup"; exit 1; }
lab_ipv6 2001:db8:5::1/64 2001:db8:5::10/64 2001:db8:5::11/64 2001:db8:5::12/64 2001:db8:5::13/64 \
	2001:db8:5::14/64 2001:db8:5::20/64 || { fail "IPv6 on the lab"; exit 1; }
MAC_R=$(if_mac $NS_R $IF_R)
MAC_S=$(if_mac $NS_S $IF_S)
LL_R=$(if_ll $NS_R $IF_R)
check "lab: host $MAC_R ($LL_R), sensor $MAC_S" test -n "$MAC_R" -a -n "$MAC_S" -a -n "$LL_R"

# 3a. the prober on its own: it makes the sensor's kernel resolve a global and a link-local address;
#     the answers are learned as 'probe', an address nobody holds is not learned at all
in_s "$NDPCAT" --probe $IF_S --wait 3 2001:db8:5::20 "$LL_R" 2001:db8:5::99 >"$WORK/probe.jsonl" 2>"$WORK/probe.err"
check "prober alone: 2001:db8:5::20 -> $MAC_R (probe)" nb_has "$WORK/probe.jsonl" 2001:db8:5::20 "$MAC_R" probe
check "prober alone: $LL_R (link-local, scope id) -> $MAC_R (probe)" nb_has "$WORK/probe.jsonl" "$LL_R" "$MAC_R" probe
check "prober alone: 2001:db8:5::99 (nobody) is not in the catalog" \
	bash -c "! grep -q '\"addr\":\"2001:db8:5::99\"' '$WORK/probe.jsonl'"
check "prober alone: the sensor's own address -> $MAC_S (netlink)" nb_has "$WORK/probe.jsonl" 2001:db8:5::1 "$MAC_S" netlink
check "prober alone: no host address with another MAC" \
	bash -c "! grep '\"addr\":\"2001:db8:5::[0-9a-f]*\"' '$WORK/probe.jsonl' | grep -v '\"addr\":\"2001:db8:5::1\"' | grep -vq '$MAC_R'"
ip -n $NS_S neigh flush dev $IF_S

# 3b. the daemon in pass mode
check "ping6 through the capture interface before the sensor" ping6_ok $NS_S 2001:db8:5::10 2
check "ping6 to an address nobody holds fails (the check can fail)" not ping6_ok $NS_S 2001:db8:5::99 1
# the host never has to ask for the sensor's MAC: only probes can teach the sensor ::11 and ::12
ip -n $NS_R neigh replace 2001:db8:5::1 lladdr "$MAC_S" dev $IF_R nud permanent
sensor_start || { fail "sensor attached (pass mode)"; exit 1; }
check "ping6 through the capture interface while the sensor runs (pass mode)" \
	ping6_ok $NS_S 2001:db8:5::10 3
check "link-local ping6 while the sensor runs" ping6_ok $NS_S "$LL_R%$IF_S" 2
# a sink on the sensor: the host's datagrams cause no ICMP error, which would resolve the host
nsenter --net=/run/netns/$NS_S /usr/bin/python3 -c 'import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::", 5000)); time.sleep(120)' &
LISTEN_PID=$!
sleep 0.3
for a in 2001:db8:5::11 2001:db8:5::12; do
	in_r /usr/bin/python3 -c "import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('$a', 0))
for i in range(3): s.sendto(b'flow from a device', ('2001:db8:5::1', 5000))"
done
# an unsolicited advertisement (RFC 4861 7.2.6) for ::13 from the host, to all nodes
in_r /usr/bin/python3 -c "import socket, struct
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('$IF_R'))
na = struct.pack('!BBHI', 136, 0, 0, 0x20000000) + socket.inet_pton(socket.AF_INET6, '2001:db8:5::13')
na += bytes([2, 1]) + bytes.fromhex('$MAC_R'.replace(':', ''))
s.sendto(na, ('ff02::1', 0, 0, socket.if_nametoindex('$IF_R')))"

neighbors_now() { in_s "$FT" neighbors -i $IF_S --json >"$WORK/nb.jsonl" 2>"$WORK/nb.err"; }
for _ in $(seq 1 50); do
	neighbors_now
	nb_has "$WORK/nb.jsonl" 2001:db8:5::11 "$MAC_R" && nb_has "$WORK/nb.jsonl" 2001:db8:5::12 "$MAC_R" &&
		nb_has "$WORK/nb.jsonl" 2001:db8:5::13 "$MAC_R" && break
	sleep 0.2
done
check "neighbors -i: 2001:db8:5::10 -> $MAC_R from the kernel's table (netlink)" \
	nb_has "$WORK/nb.jsonl" 2001:db8:5::10 "$MAC_R" netlink
check "neighbors -i: 2001:db8:5::11 -> $MAC_R, seen only in a flow, resolved by a probe" \
	nb_has "$WORK/nb.jsonl" 2001:db8:5::11 "$MAC_R" probe
check "neighbors -i: 2001:db8:5::12 -> $MAC_R (probe)" nb_has "$WORK/nb.jsonl" 2001:db8:5::12 "$MAC_R" probe
check "neighbors -i: 2001:db8:5::13 -> $MAC_R from its advertisement's copy (ndp)" \
	nb_has "$WORK/nb.jsonl" 2001:db8:5::13 "$MAC_R" ndp
check "neighbors -i: the sensor's own 2001:db8:5::1 -> $MAC_S" nb_has "$WORK/nb.jsonl" 2001:db8:5::1 "$MAC_S"
check "neighbors -i: no host address with another MAC" \
	bash -c "test -s '$WORK/nb.jsonl' && ! grep '\"addr\":\"2001:db8:5::[0-9a-f]*\"' '$WORK/nb.jsonl' | grep -v '\"addr\":\"2001:db8:5::1\"' | grep -vq '$MAC_R'"
check "neighbors -i (text): a line for 2001:db8:5::11" \
	bash -c "nsenter --net=/run/netns/$NS_S '$FT' neighbors -i $IF_S | grep -q '^2001:db8:5::11 .*$MAC_R .*probe'"
check "ping6 still fine after the probes" ping6_ok $NS_S 2001:db8:5::12 2
sensor_stop TERM
check "the daemon saved its catalog at exit (/run/flowtower/$IF_S.neighbors.jsonl)" \
	nb_has "/run/flowtower/$IF_S.neighbors.jsonl" 2001:db8:5::11 "$MAC_R" probe
check "neighbors -i without a daemon: the saved catalog" \
	bash -c "nsenter --net=/run/netns/$NS_S '$FT' neighbors -i $IF_S --json | grep -q '\"addr\":\"2001:db8:5::13\"'"
in_s "$FT" detach -i $IF_S >/dev/null 2>&1

# 3c. drop mode: a dedicated mirror port has no host traffic, so nothing is probed
ip -n $NS_S neigh flush dev $IF_S
sensor_start --verdict drop || { fail "sensor attached (drop mode)"; exit 1; }
in_r /usr/bin/python3 -c "import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('2001:db8:5::14', 0))
for i in range(3): s.sendto(b'flow from a device', ('2001:db8:5::1', 5000))"
sleep 3
neighbors_now
check "drop mode: the daemon says probing is off" grep -q "probing off" "$SENSOR_LOG"
check "drop mode: 2001:db8:5::14, seen only in a flow, is not probed" \
	bash -c "test -s '$WORK/nb.jsonl' && ! grep -q '\"addr\":\"2001:db8:5::14\"' '$WORK/nb.jsonl'"
sensor_stop TERM
