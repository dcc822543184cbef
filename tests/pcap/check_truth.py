#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/pcap/check_truth.py - compare flowtower's JSON lines for one capture with tshark's view.

usage: check_truth.py TRUTH.json PCAP OURS.jsonl [--label L] [--live [--replayed FILE]] [--same-as OTHER.jsonl
                     [--counts-only]]

truth.json (../shared/pcaps) holds tshark's per-direction packets and IP-layer
bytes of every TCP/UDP flow, with IP defragmentation off and non-first
fragments left out of flows. flowtower's rule differs there on purpose: a
non-first fragment is counted to its datagram's flow (ports from the first
fragment, when that was seen earlier; ports 0 otherwise). So the expected
counts are tshark's plus the non-first fragments, attributed by that rule
from tshark's own fragment fields (frame by frame, in file order).

--live: the capture was replayed with tcpreplay (frames as captured), so
rx_frame_bytes is the sum of captured lengths, not wire lengths; of the
--replayed file when the capture was rewritten to Ethernet first.
--same-as: also require the same flows and counters as another run (offline
equals live), ignoring times, UUIDs and the throughput minutes' labels;
--counts-only: and ignoring what userspace learned (L7 fields, parser
figures), which a daemon killed mid-flow loses while the kernel counts on.
Prints PASS:/FAIL: lines.
"""
import json
import subprocess
import sys
from collections import defaultdict

FIELDS = ["frame.number", "frame.cap_len", "ip.src", "ip.dst", "ip.proto", "ip.id", "ip.frag_offset",
          "ip.flags.mf", "ip.len", "ipv6.src", "ipv6.dst", "ipv6.fraghdr.nxt", "ipv6.fraghdr.ident",
          "ipv6.fraghdr.offset", "ipv6.fraghdr.more", "ipv6.plen", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport"]

failures = 0


def result(ok, label, what, detail=""):
    global failures
    print("%s: %s %s%s" % ("PASS" if ok else "FAIL", label, what, ("  " + detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def tshark_frames(pcap):
    cmd = ["tshark", "-r", pcap, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-T", "fields",
           "-E", "occurrence=f", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        yield dict(zip(FIELDS, v))


_frag_cache = {}


def fragment_additions(pcap):
    """Memoized: one tshark run per capture."""
    if pcap not in _frag_cache:
        _frag_cache[pcap] = _fragment_additions(pcap)
    return _frag_cache[pcap]


def _fragment_additions(pcap):
    """Non-first fragments per flow under flowtower's rule: {(proto, src, sport, dst, dport): [pkts, l3]}."""
    firsts = {}
    add = defaultdict(lambda: [0, 0])
    caplen = 0
    for f in tshark_frames(pcap):
        caplen += int(f["frame.cap_len"] or 0)
        if f["ip.src"]:
            src, dst, proto, ident = f["ip.src"], f["ip.dst"], int(f["ip.proto"]), f["ip.id"]
            off, more, l3 = int(f["ip.frag_offset"] or 0), f["ip.flags.mf"] in ("1", "True"), int(f["ip.len"] or 0)
        elif f["ipv6.fraghdr.ident"]:
            src, dst, proto, ident = f["ipv6.src"], f["ipv6.dst"], int(f["ipv6.fraghdr.nxt"]), f["ipv6.fraghdr.ident"]
            off, more = int(f["ipv6.fraghdr.offset"] or 0), f["ipv6.fraghdr.more"] in ("1", "True")
            l3 = 40 + int(f["ipv6.plen"] or 0)
        else:
            continue
        if proto not in (6, 17):
            continue
        key = (src, dst, ident, proto)
        if off == 0:
            if more:
                sp = f["tcp.srcport"] or f["udp.srcport"]
                dp = f["tcp.dstport"] or f["udp.dstport"]
                firsts[key] = (int(sp or 0), int(dp or 0))
            continue
        sp, dp = firsts.get(key, (0, 0))
        name = "tcp" if proto == 6 else "udp"
        add[(name, src, sp, dst, dp)][0] += 1
        add[(name, src, sp, dst, dp)][1] += l3
    return add, caplen


def load_ours(path):
    flows, tput, stats = [], [], None
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o["type"] == "flow":
                flows.append(o)
            elif o["type"] == "throughput":
                tput.append(o)
            elif o["type"] == "stats":
                stats = o
    return flows, tput, stats


def endpoints(o):
    return frozenset([(o["orig_addr"], o["orig_port"] or 0), (o["resp_addr"], o["resp_port"] or 0)])


def sent_by(o, addr, port):
    """(pkts, bytes) sent by endpoint (addr, port) in our flow o."""
    if (o["orig_addr"], o["orig_port"] or 0) == (addr, port):
        return o["orig_pkts"], o["orig_bytes"]
    return o["resp_pkts"], o["resp_bytes"]


NONFLOW_MAP = {
    "non_ip:arp": ["nonip_arp"], "non_ip:stp": ["nonip_llc"], "non_ip:llc": ["nonip_llc"],
    "non_ip:other": ["nonip_other"], "ip:fragment_nonfirst": ["frag_later"],
    "ipv6:fragment_nonfirst": ["frag_later"], "ip:no_payload_or_truncated": ["bad_ipv4_trunc"],
    "ipv6:no_payload_or_truncated": ["bad_ipv6_ext", "bad_ipv6_trunc"],
}
PROTO_CATEGORIES = {"ip:icmp": 1, "ipv6:icmpv6": 58, "ip:igmp": 2, "ip:eigrp": 88}
FATES = ["flow_packets", "nonip_arp", "nonip_llc", "nonip_other", "skipped_own", "duplicates", "bad_eth",
         "bad_vlan", "bad_mpls", "bad_pppoe", "bad_ipv4_trunc", "bad_ipv4_ihl", "bad_ipv4_len", "bad_ip_version",
         "bad_ipv6_trunc", "bad_ipv6_ext", "bad_ipv6_chain", "bad_l4_trunc", "no_flow_map", "flow_nomem"]


def check_flows(label, truth, pcap, flows):
    add, _ = fragment_additions(pcap)
    expected = {}
    for t in truth["flows"]:
        key = (t["proto"], frozenset([(t["a"], t["a_port"]), (t["b"], t["b_port"])]))
        expected[key] = {(t["a"], t["a_port"]): [t["a_to_b"]["packets"], t["a_to_b"]["l3_bytes"]],
                         (t["b"], t["b_port"]): [t["b_to_a"]["packets"], t["b_to_a"]["l3_bytes"]]}
    for (proto, src, sp, dst, dp), (n, b) in add.items():
        key = (proto, frozenset([(src, sp), (dst, dp)]))
        e = expected.setdefault(key, {(src, sp): [0, 0], (dst, dp): [0, 0]})
        e[(src, sp)][0] += n
        e[(src, sp)][1] += b
    ours = {}
    for o in flows:
        if o["proto_name"] in ("tcp", "udp"):
            ours[(o["proto_name"], endpoints(o))] = o
    missing = [k for k in expected if k not in ours]
    extra = [k for k in ours if k not in expected]
    result(not missing, label, "every tshark flow found (%d)" % len(expected), "missing %s" % missing[:3])
    result(not extra, label, "no flow tshark does not have", "extra %s" % extra[:3])
    bad = []
    for k, e in expected.items():
        o = ours.get(k)
        if not o:
            continue
        for (addr, port), (n, b) in e.items():
            got = sent_by(o, addr, port)
            if got != (n, b):
                bad.append("%s %s:%s sent %s, tshark+fragments %s" % (k[0], addr, port, got, (n, b)))
    result(not bad, label, "per-direction packets and IP bytes equal tshark's", "; ".join(bad[:3]))


def check_nonflow(label, truth, flows, stats):
    want = defaultdict(int)
    got = {}
    for cat, n in truth["non_flow_frames"].items():
        if cat in PROTO_CATEGORIES:
            p = PROTO_CATEGORIES[cat]
            got[cat] = sum(o["orig_pkts"] + o["resp_pkts"] for o in flows if o["proto"] == p)
            want[cat] += n
        elif cat in NONFLOW_MAP:
            want[tuple(NONFLOW_MAP[cat])] += n
        else:
            result(False, label, "non-flow category %s is mapped" % cat)
    for cat, n in want.items():
        if isinstance(cat, tuple):
            g = sum(stats[c] for c in cat)
            result(g == n, label, "%s = tshark's count %d" % ("+".join(cat), n), "got %d" % g)
        else:
            result(got[cat] == n, label, "%s packets = tshark's %d" % (cat, n), "got %d" % got[cat])


def check_totals(label, truth, pcap, stats, tput, live, replayed):
    _, caplen = fragment_additions(replayed or pcap)
    result(stats["rx_frames"] == truth["packets"], label, "rx_frames = capinfos packets %d" % truth["packets"],
           "got %d" % stats["rx_frames"])
    fates = sum(stats[c] for c in FATES)
    result(fates == stats["rx_frames"], label, "every frame has exactly one fate", "fates sum %d" % fates)
    wire = truth["size_bytes"]  # not comparable: only checked live, against captured lengths
    if live:
        result(stats["rx_frame_bytes"] == caplen, label, "rx_frame_bytes = captured bytes replayed %d" % caplen,
               "got %d" % stats["rx_frame_bytes"])
    del wire
    tp = sum(t["packets"] for t in tput)
    tb = sum(t["bytes"] for t in tput)
    dirp = sum(stats[k] for k in stats if k.startswith(("tx_packets", "rx_packets", "other_packets")))
    dirb = sum(stats[k] for k in stats if k.startswith(("tx_bytes", "rx_bytes", "other_bytes")))
    result(tp == stats["flow_packets"] == dirp, label, "throughput minutes sum to the flow packets",
           "minutes %d, flow_packets %d, by direction %d" % (tp, stats["flow_packets"], dirp))
    result(tb == dirb, label, "throughput bytes sum to the per-direction bytes", "%d vs %d" % (tb, dirb))


L7_KEYS = ("hostname", "hostname_source", "http", "tls", "quic", "orig_mac", "resp_mac")
PIPELINE_STATS = ("userspace_", "tls_", "http_", "quic_", "dns_", "reasm_", "ndp_")


def strip(flows, counts_only=False):
    out = {}
    for o in flows:
        o = dict(o)
        for k in ("uuid", "first_seen", "last_seen") + (L7_KEYS if counts_only else ()):
            o.pop(k, None)
        out[(o["proto"], endpoints(o))] = o
    return out


def check_same(label, flows, stats, tput, other_path, live, counts_only=False):
    of, ot, os_ = load_ours(other_path)
    a, b = strip(flows, counts_only), strip(of, counts_only)
    diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
    result(not diff, label, "offline and live give the same flows (%d)" % len(a),
           "differ: %s" % [(a.get(k), b.get(k)) for k in diff[:2]])
    skip = {"rx_frame_bytes"} if live else set()
    # frames that arrive after a flow's start was read: how many depends on thread timing
    skip.add("userspace_late")
    # steer_*: how frames reached userspace (socket, copy, none bound) is the live path's own business
    sd = [k for k in stats if k not in skip and not k.startswith("steer_") and k in os_ and stats[k] != os_[k]
          and not (counts_only and k.startswith(PIPELINE_STATS))]
    result(not sd, label, "offline and live give the same counters", str([(k, stats[k], os_[k]) for k in sd]))
    key = lambda t: (t["direction"], t["ip_version"])
    sa = defaultdict(lambda: [0, 0])
    sb = defaultdict(lambda: [0, 0])
    for t in tput:
        sa[key(t)][0] += t["packets"]
        sa[key(t)][1] += t["bytes"]
    for t in ot:
        sb[key(t)][0] += t["packets"]
        sb[key(t)][1] += t["bytes"]
    result(dict(sa) == dict(sb), label, "offline and live throughput totals agree", "%s vs %s" % (dict(sa), dict(sb)))


def main():
    args = sys.argv[1:]
    label, live, same, replayed, counts_only = None, False, None, None, False
    pos = []
    i = 0
    while i < len(args):
        if args[i] == "--label":
            label = args[i + 1]
            i += 1
        elif args[i] == "--live":
            live = True
        elif args[i] == "--counts-only":
            counts_only = True
        elif args[i] == "--replayed":
            replayed = args[i + 1]
            i += 1
        elif args[i] == "--same-as":
            same = args[i + 1]
            i += 1
        else:
            pos.append(args[i])
        i += 1
    truth_path, pcap, ours_path = pos
    name = pcap.rsplit("/", 1)[-1]
    truth = json.load(open(truth_path))[name]
    label = label or name
    flows, tput, stats = load_ours(ours_path)
    if stats is None:
        result(False, label, "output has a stats line")
        return 1
    check_flows(label, truth, pcap, flows)
    check_nonflow(label, truth, flows, stats)
    check_totals(label, truth, pcap, stats, tput, live, replayed)
    if same:
        check_same(label, flows, stats, tput, same, live, counts_only)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
