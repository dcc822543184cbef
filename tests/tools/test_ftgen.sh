#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/tools/test_ftgen.sh - ftgen's capture against tshark: per-flow counts, names, no malformed
# packets or bad checksums, and the same bytes for the same seed. Prints PASS:/FAIL: lines.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${TOOLS:-$top/.output/rel/tools}
case "$TOOLS" in /*) ;; *) TOOLS=$top/$TOOLS ;; esac
FTGEN=$TOOLS/ftgen
N=${FTGEN_TEST_PACKETS:-50000}
W=$(mktemp -d /tmp/ft-gen.XXXXXX)
trap 'rm -rf "$W"' EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

if [ ! -x "$FTGEN" ]; then
	fail "ftgen is built ($FTGEN missing: make tools)"
	exit 1
fi
if ! command -v tshark >/dev/null; then
	fail "tshark is installed"
	exit 1
fi

check "ftgen writes $N packets with a truth file" \
	"$FTGEN" -o "$W/a.pcap" -n "$N" -f 2000 -s 7 --truth "$W/a.json"
"$FTGEN" -o "$W/b.pcap" -n "$N" -f 2000 -s 7 --truth "$W/b.json" 2>/dev/null
"$FTGEN" -o "$W/c.pcap" -n "$N" -f 2000 -s 8 2>/dev/null
check "same seed, byte-identical capture" cmp -s "$W/a.pcap" "$W/b.pcap"
check "same seed, byte-identical truth" cmp -s "$W/a.json" "$W/b.json"
check "another seed, another capture" bash -c "! cmp -s '$W/a.pcap' '$W/c.pcap'"
check "--help exits 0 and says what -n is" bash -c "'$FTGEN' --help | grep -q -- '--packets'"
check "-n 0 is refused" bash -c "! '$FTGEN' -o '$W/x.pcap' -n 0 2>/dev/null"
check "-f beyond the range is refused" bash -c "! '$FTGEN' -o '$W/x.pcap' -f 1000001 2>/dev/null"
check "-n 1 writes one packet" bash -c "'$FTGEN' -o '$W/one.pcap' -n 1 2>/dev/null && [ \"\$(capinfos -c -M '$W/one.pcap' | awk '/Number of packets/ {print \$NF}')\" = 1 ]"

TS=(tshark -n -r "$W/a.pcap" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
# one line per frame: what the per-flow, name and sanity checks below need
"${TS[@]}" -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.len -e ipv6.plen \
	-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport -e icmpv6.type -e vlan.id \
	-e _ws.malformed -e _ws.expert.severity -e tcp.analysis.flags \
	-e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status -e icmpv6.checksum.status \
	-e icmpv6.opt.linkaddr >"$W/frames.tsv" 2>"$W/tshark.err"
# names: ClientHellos (TCP and QUIC, tshark decrypts QUIC Initials), HTTP requests, DNS queries
"${TS[@]}" -Y 'tls.handshake.type == 1 || http.request || (dns && dns.flags.response == 0)' \
	-T fields -E separator=/t -E occurrence=f \
	-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport -e udp.srcport \
	-e udp.dstport -e tls.handshake.extensions_server_name -e http.host -e dns.qry.name \
	>"$W/names.tsv" 2>>"$W/tshark.err"
"${TS[@]}" -q -z expert,error >"$W/expert.txt" 2>>"$W/tshark.err"

python3 - "$W/a.json" "$W/frames.tsv" "$W/names.tsv" "$W/expert.txt" <<'EOF'
import json, sys
from collections import defaultdict

truth = json.load(open(sys.argv[1]))
flows = truth["flows"]
tot = truth["totals"]
def ok(cond, what, detail=""):
    print("%s: %s%s" % ("PASS" if cond else "FAIL", what, "" if cond or not detail else "  (" + detail + ")"))

# tshark per direction: (proto, src, sport, dst, dport) -> [frames, IP-layer bytes]
seen = defaultdict(lambda: [0, 0])
nframes = vlan = malformed = errors = analysis = badsum = ndp_ll = ns = na = 0
for line in open(sys.argv[2]):
    v = line.rstrip("\n").split("\t")
    v += [""] * (21 - len(v))
    (num, s4, s6, d4, d6, l4, pl6, ts, td, us, ud, icmp6, vid, mal, sev, anl, c_ip, c_tcp, c_udp, c_icmp6,
     lladdr) = v[:21]
    nframes += 1
    vlan += vid != ""
    malformed += mal != ""
    analysis += anl != ""
    badsum += "0" in (c_ip, c_tcp, c_udp, c_icmp6)   # 0 = Bad, 1 = Good, 2 = Unverified
    ndp_ll += lladdr != ""
    ns += icmp6 == "135"
    na += icmp6 == "136"
    src, dst = s4 or s6, d4 or d6
    iplen = int(l4) if l4 else (40 + int(pl6) if pl6 else 0)
    if ts:
        k = (6, src, int(ts), dst, int(td))
    elif us:
        k = (17, src, int(us), dst, int(ud))
    else:
        continue
    seen[k][0] += 1
    seen[k][1] += iplen

ok(nframes == tot["packets"], "tshark reads as many frames as the truth's total", "%d vs %d" % (nframes, tot["packets"]))
ok(malformed == 0, "no frame tshark calls malformed", str(malformed))
ok(badsum == 0, "IPv4, TCP, UDP and ICMPv6 checksums all good", str(badsum))
ok(analysis == 0, "no TCP analysis flag (retransmission, lost segment, window, ...)", str(analysis))
ok(vlan == tot["vlan_frames"] and vlan > 0, "802.1Q frames as the truth says", "%d vs %d" % (vlan, tot["vlan_frames"]))
experr = [l for l in open(sys.argv[4]) if l.strip().startswith(tuple("0123456789"))]
ok(not experr, "tshark's expert info has no errors", experr[0].strip() if experr else "")

# every TCP/UDP flow of the truth, both ways, equals tshark's count; tshark sees no other flow
want = {}
for f in flows:
    if f["proto"] not in (6, 17):
        continue
    a, b = (f["proto"], f["orig_addr"], f["orig_port"]), (f["resp_addr"], f["resp_port"])
    want[a + b] = [f["orig_pkts"], f["orig_bytes"]]
    want[(f["proto"],) + b + a[1:]] = [f["resp_pkts"], f["resp_bytes"]]
want = {k: v for k, v in want.items() if v[0]}
bad = [k for k in set(want) | set(seen) if want.get(k) != (seen[k] if k in seen else None)]
ok(not bad, "per-flow packets and IP bytes, each way, equal tshark's (%d directions)" % len(want),
   "%d differ, e.g. %s truth %s tshark %s" % (len(bad), bad[0], want.get(bad[0]), seen.get(bad[0])) if bad else "")
tcp_truth = sum(1 for f in flows if f["proto"] == 6)
udp_truth = sum(1 for f in flows if f["proto"] == 17)
ok(tcp_truth == tot["flows_by_proto"]["tcp"] and udp_truth == tot["flows_by_proto"]["udp"],
   "flow records add up to the totals by protocol")
v6 = sum(1 for f in flows if f["ip_version"] == 6)
ok(0 < v6 < len(flows), "both IPv4 and IPv6 flows", "%d of %d IPv6" % (v6, len(flows)))

ndp_truth = [f for f in flows if f["app"] == "ndp"]
ok(ns == sum(1 for f in ndp_truth if f["ndp"] == "ns") and na == sum(1 for f in ndp_truth if f["ndp"] == "na")
   and ns > 0, "NDP solicitations and advertisements as the truth says", "ns %d na %d" % (ns, na))
ok(ndp_ll == ns + na, "every NDP message carries a link-layer address option")
ok(len(truth["neighbors"]) == na, "one neighbor per advertisement in the truth")

# names: tshark's per flow (first seen) against the truth's
names = defaultdict(set)
for line in open(sys.argv[3]):
    v = line.rstrip("\n").split("\t")
    v += [""] * (11 - len(v))
    s4, s6, d4, d6, ts, td, us, ud, sni, host, qname = v[:11]
    proto, sp, dp = (6, ts, td) if ts else (17, us, ud)
    k = (proto, s4 or s6, int(sp), d4 or d6, int(dp))
    for kind, val in (("sni", sni), ("http_host", host), ("dns_query", qname)):
        if val:
            names[(kind,) + k].add(val)
for kind, label in (("sni", "TLS/QUIC SNI"), ("http_host", "HTTP Host"), ("dns_query", "DNS query name")):
    exp = {(kind, f["proto"], f["orig_addr"], f["orig_port"], f["resp_addr"], f["resp_port"]): {f[kind]}
           for f in flows if f.get(kind)}
    got = {k: v for k, v in names.items() if k[0] == kind}
    miss = [k for k in exp if got.get(k) != exp[k]]
    extra = [k for k in got if k not in exp]
    ok(exp and not miss and not extra, "tshark decodes every %s the truth lists, on its flow (%d)" % (label, len(exp)),
       "missing/different %d, e.g. %s; extra %d" % (len(miss), miss[:1], len(extra)))
quic = [f for f in flows if f["app"] == "quic" and f["sni"]]
ok(len(quic) > 0, "QUIC Initials decrypt to SNIs (RFC 9001 keys)", "%d" % len(quic))
split = [f for f in flows if f.get("split") and f.get("sni" if f["app"] != "http" else "http_host")]
ok(any(f["app"] == "tls" for f in split) and any(f["app"] == "http" for f in split),
   "some ClientHellos and Host lines are split, and still decode")
grease = sum(1 for f in flows if f.get("tls_profile", "").startswith("chrome"))
ok(grease > 0, "some ClientHellos carry GREASE (chrome profiles)")
EOF
echo "tshark stderr (first lines):"
grep -v '^Running as user' "$W/tshark.err" | head -5
