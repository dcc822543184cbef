#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/pcap/check_l7.py - flowtower's L7 fields for one capture against tshark (truth.json) and nDPI's JA4.

usage: check_l7.py TRUTH.json PCAP OURS.jsonl [--label L]

Every ClientHello tshark decodes (TLS over TCP, and QUIC Initials it
decrypted) is compared field by field with the flow's "tls" / "quic" object:
SNI, ALPN, record and legacy versions, supported_versions, cipher suites,
extensions, supported groups, ECH, JA3 and JA3 full string (GREASE kept in the
lists as sent, dropped in the fingerprints, as tshark does). A flow that
carried two ClientHellos (after a HelloRetryRequest) reports the second; a
ClientHello tshark marks malformed must not be reported. The first HTTP
request of each flow gives its method and Host (host lower-cased, port apart).
JA4 has no tshark field; it is compared with the values nDPI's own tests
publish (ndpi_reference), except where nDPI departs from FoxIO's JA4
specification (JA4_EXCEPTIONS, each with the rule it breaks).
"""
import ipaddress
import json
import sys

failures = 0

# Where nDPI's published JA4 departs from FoxIO's specification (JA4.md), the value the spec gives.
# {(capture, "a:port-b:port" sorted): (nDPI's value, the spec's value, the rule nDPI breaks)}
SNI_RULE = "JA4.md: 'd' only when the SNI extension (0x0000) is present, else 'i'"
ALPN_H1 = "JA4.md: ALPN is the first and last character of the first value: 'http/1.1' gives 'h1'"
ALPN_H3 = "JA4.md: ALPN 'h3' gives 'h3' (first and last character); nDPI writes 'h0' for QUIC"
JA4_EXCEPTIONS = {
    ("ndpi__codm.pcap", "10.215.173.1:45028-49.51.177.25:8013"):
        ("t13d1713ht_5b57614c22b0_eca864cca44a", "t13d1713h1_5b57614c22b0_eca864cca44a", ALPN_H1),
    ("ndpi__sites.pcapng", "192.168.12.169:39248-23.12.104.83:443"):
        ("t13d1713ht_5b57614c22b0_eca864cca44a", "t13d1713h1_5b57614c22b0_eca864cca44a", ALPN_H1),
    ("ndpi__sites.pcapng", "142.250.181.238:443-192.168.1.128:36832"):
        ("q13d0314h0_55b375c5d22e_2d2a40a25571", "q13d0314h3_55b375c5d22e_2d2a40a25571", ALPN_H3),
    ("ndpi__sites.pcapng", "192.168.1.128:38642-216.58.212.142:443"):
        ("q13d0315h0_55b375c5d22e_9974e4f6be5b", "q13d0315h3_55b375c5d22e_9974e4f6be5b", ALPN_H3),
    ("ndpi__sites.pcapng", "2001:b07:a3d:c112:6ea5:ab52:9230:ba5:41590-2a03:2880:f208:c4:face:b00c:0:43fe:443"):
        ("q13d0314h0_55b375c5d22e_61e396c58b1f", "q13d0314h3_55b375c5d22e_61e396c58b1f", ALPN_H3),
    ("ndpi__sites.pcapng", "192.168.1.123:59102-216.58.209.46:443"):
        ("q13d0310h0_55b375c5d22e_cd85d2d88918", "q13d0310h3_55b375c5d22e_cd85d2d88918", ALPN_H3),
    ("ndpi__tls_with_huge_ch.pcapng", "172.30.84.193:40640-208.253.217.142:443"):
        ("t13d1811h2_f71e3e15ae0d_5c3a8cf9b2bc", "t13i1811h2_f71e3e15ae0d_5c3a8cf9b2bc", SNI_RULE),
    ("ndpi__tls_cipher_lens.pcap", "173.194.35.191:443-192.168.11.11:51588"):
        ("t10d660000_1ade43d4e5bc_e3b0c44298fc", "t10i660000_1ade43d4e5bc_000000000000",
         SNI_RULE + "; an empty extension list hashes to 000000000000, not sha256('')"),
    ("ndpi__quic_frags_ch_in_multiple_packets.pcapng", "::1:4443-::1:58822"):
        ("q00d0307h3_55b375c5d22e_af0a630e9e67", "q00i0307h4_55b375c5d22e_af0a630e9e67",
         SNI_RULE + "; ALPN 'h3-34' gives 'h4' (first and last character)"),
}


def result(ok, label, what, detail=""):
    global failures
    print("%s: %s %s%s" % ("PASS" if ok else "FAIL", label, what, ("  " + detail) if detail and not ok else ""))
    if not ok:
        failures += 1


def hexints(v):
    return [int(x, 16) if isinstance(x, str) else int(x) for x in (v or [])]


def norm(addr):
    """One spelling per address: nDPI and inet_ntop compress a lone zero group differently."""
    return ipaddress.ip_address(addr).exploded


def flow_id(proto, a, ap, b, bp):
    return (proto, frozenset([(norm(a), ap), (norm(b), bp)]))


def load(path):
    flows = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o["type"] == "flow" and o["proto_name"] in ("tcp", "udp"):
                flows[flow_id(o["proto_name"], o["orig_addr"], o["orig_port"], o["resp_addr"], o["resp_port"])] = o
    return flows


def compare_hello(label, what, t, o, with_record=True):
    """t: a truth ClientHello, o: our tls/quic object. Returns a list of differences."""
    diffs = []
    pairs = [
        ("sni", t.get("sni"), o.get("sni")),
        ("alpn", t.get("alpn") or [], o.get("alpn") or []),
        ("legacy_version", int(t["legacy_version"], 16) if t.get("legacy_version") else None,
         o.get("legacy_version")),
        ("supported_versions", hexints(t.get("supported_versions")), o.get("supported_versions") or []),
        ("cipher_suites", hexints(t.get("cipher_suites")), o.get("cipher_suites") or []),
        ("extensions", hexints(t.get("extensions")), o.get("extensions") or []),
        ("supported_groups", hexints(t.get("supported_groups")), o.get("supported_groups") or []),
        ("ech", bool(t.get("ech_extension")), bool(o.get("ech"))),
        ("ja3", t.get("ja3"), o.get("ja3")),
        ("ja3_full", t.get("ja3_full"), o.get("ja3_full")),
    ]
    if with_record and t.get("record_version"):
        pairs.append(("record_version", int(t["record_version"], 16), o.get("record_version")))
    for name, want, got in pairs:
        if want != got:
            diffs.append("%s: tshark %r, ours %r" % (name, want, got))
    return diffs


def check_tls(label, truth, flows):
    by_flow = {}
    malformed = set()
    for t in truth.get("tls", []):
        f = t["flow"]
        key = flow_id(f["proto"], f["src"], f["src_port"], f["dst"], f["dst_port"])
        if t.get("malformed_frame"):
            malformed.add(key)
            continue
        by_flow[key] = t  # file order: the last ClientHello of a flow wins (HelloRetryRequest)
    n, bad = 0, []
    for key, t in by_flow.items():
        o = flows.get(key)
        tls = o and o.get("tls")
        n += 1
        if not tls:
            bad.append("%s: no tls object" % sorted(key[1]))
            continue
        d = compare_hello(label, "tls", t, tls)
        if d:
            bad.append("%s: %s" % (sorted(key[1]), "; ".join(d)))
    if by_flow:
        result(not bad, label, "%d TLS ClientHellos equal tshark's, field by field" % n, " | ".join(bad[:3]))
    for key in malformed - set(by_flow):
        o = flows.get(key)
        result(not (o and o.get("tls")), label, "ClientHello tshark calls malformed is not reported (%s)" %
               sorted(key[1]), "ours: %s" % (o and o.get("tls")))


def check_quic(label, truth, flows):
    by_flow = {}
    for t in truth.get("quic", []):
        f = t["flow"]
        by_flow[flow_id(f["proto"], f["src"], f["src_port"], f["dst"], f["dst_port"])] = t
    bad = []
    for key, t in by_flow.items():
        o = flows.get(key)
        q = o and o.get("quic")
        if not q:
            bad.append("%s: no quic object" % sorted(key[1]))
            continue
        d = compare_hello(label, "quic", t, q, with_record=False)
        want_v = int(t["quic_versions"][0], 16) if t.get("quic_versions") else None
        if want_v != q.get("version"):
            d.append("version: tshark %r, ours %r" % (want_v, q.get("version")))
        if d:
            bad.append("%s: %s" % (sorted(key[1]), "; ".join(d)))
    if by_flow:
        result(not bad, label, "%d QUIC ClientHellos equal tshark's decryption" % len(by_flow), " | ".join(bad[:3]))


def check_http(label, truth, flows):
    first = {}
    for h in truth.get("http", []):
        f = h["flow"]
        first.setdefault(flow_id(f["proto"], f["src"], f["src_port"], f["dst"], f["dst_port"]), h)
    bad = []
    for key, h in first.items():
        o = flows.get(key)
        http = o and o.get("http")
        want_host, want_port = h.get("host"), None
        if want_host and ":" in want_host and not want_host.startswith("["):
            want_host, want_port = want_host.rsplit(":", 1)
            want_port = int(want_port)
        if not http:
            bad.append("%s: no http object" % sorted(key[1]))
            continue
        got = (http.get("method"), http.get("host"), http.get("port"))
        want = (h["method"], want_host.lower() if want_host else None, want_port)
        if got != want:
            bad.append("%s: tshark %r, ours %r" % (sorted(key[1]), want, got))
        elif want_host and (o.get("hostname"), o.get("hostname_source")) not in (
                (want_host.lower(), "http_host"), ((o.get("tls") or {}).get("sni"), "tls_sni")):
            bad.append("%s: hostname %r from %r" % (sorted(key[1]), o.get("hostname"), o.get("hostname_source")))
    if first:
        result(not bad, label, "%d HTTP requests: method, Host and hostname" % len(first), " | ".join(bad[:3]))


def check_ja4(label, name, truth, flows):
    ref = truth.get("ndpi_reference")
    if not ref:
        return
    bad, n, excused = [], 0, 0
    for r in ref.get("flows", []):
        if not r.get("ja4"):
            continue
        proto, rest = r["ndpi_flow"].split(" ", 1)
        a, b = rest.split(" <-> ") if " <-> " in rest else rest.split(" -> ")
        ah, ap = a.rsplit(":", 1)
        bh, bp = b.rsplit(":", 1)
        ends = sorted([(str(ipaddress.ip_address(ah.strip("[]"))), int(ap)),
                       (str(ipaddress.ip_address(bh.strip("[]"))), int(bp))])
        key = flow_id(proto.lower(), ends[0][0], ends[0][1], ends[1][0], ends[1][1])
        o = flows.get(key)
        ours = o and ((o.get("tls") or {}).get("ja4") or (o.get("quic") or {}).get("ja4"))
        n += 1
        exc = JA4_EXCEPTIONS.get((name, "%s:%d-%s:%d" % (ends[0][0], ends[0][1], ends[1][0], ends[1][1])))
        if exc and exc[0] == r["ja4"]:
            excused += 1
            if ours != exc[1]:
                bad.append("%s: the spec gives %s (%s), ours %s" % (r["ndpi_flow"], exc[1], exc[2], ours))
        elif ours != r["ja4"]:
            bad.append("%s: nDPI %s, ours %s" % (r["ndpi_flow"], r["ja4"], ours))
    result(not bad, label, "JA4 of %d flows: nDPI's published value, or the FoxIO spec's where nDPI departs "
           "from it (%d)" % (n, excused), " | ".join(bad[:3]))


def main():
    args = sys.argv[1:]
    label = None
    if "--label" in args:
        i = args.index("--label")
        label = args[i + 1]
        del args[i:i + 2]
    truth_path, pcap, ours = args
    name = pcap.rsplit("/", 1)[-1]
    truth = json.load(open(truth_path))[name]
    label = label or name
    flows = load(ours)
    check_tls(label, truth, flows)
    check_quic(label, truth, flows)
    check_http(label, truth, flows)
    check_ja4(label, name, truth, flows)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
