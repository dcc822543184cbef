#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""tests/live/hostile_gen.py - hostile frames of every kind as a pcap, and what each must count.

usage: hostile_gen.py OUT.pcap EXPECT.json [--runts RUNTS.pcap] [--corpus DIR] [--mix GOOD.pcap]

OUT.pcap holds frames built byte by byte (caplen = wire length: a frame is what it says it is
on the wire, and replays as such): truncated at every layer, lengths that lie at every layer,
IPv6 extension chains past the parser's limit, fragment chains, TCP options of length zero,
VLAN/QinQ/MPLS/PPPoE cut short; and in well-formed TCP flows, TLS records and ClientHellos whose
lengths lie, QUIC Initial-looking datagrams full of garbage to UDP/443, DNS responses with
compression loops. Addresses are in 10.66.0.0/16 and 2001:db8:66::/48, in no shared capture.

EXPECT.json: {"counters": {name: n}} - what the frames must add to `status --json`'s stats
line, worked out here from the rule each case tests (the fates of include/flowtower/parse.h,
the L7 decoders' error rules), not by running flowtower; and {"flows": [...]}: each flow the
frames make, with its packets and IP-layer bytes (both ways), lying lengths included.

--runts: frames shorter than an Ethernet header, in a file of their own: Linux refuses to send
them (packet sockets want the 14-byte header), so they can only be read offline (bad_eth).
--corpus: the fuzz corpus (tests/fuzz/corpus) goes in too - parse/ inputs whose link type byte
says Ethernet as frames, tls/ and http/ as client (server_*: server) streams of TCP flows, quic/
inputs as datagrams to UDP/443 (plaintext ones sealed into client Initials with the keys RFC 9001
derives, so that they get past decryption), dns/ UDP messages as datagrams from port 53; each also
mutated a few times with a fixed seed. What they count is not predicted here; the caller counts
them apart, from an offline read.
--mix: GOOD.pcap's frames (classic pcap, Ethernet) interleaved evenly with all of the above
into OUT (hostile and corpus frames keep their order); EXPECT still counts only the hostile ones.
Beside OUT: BASE.hostile.pcap (the hostile frames alone) and BASE.corpus.pcap (the corpus frames).
"""
import argparse
import json
import os
import random
import struct
from collections import Counter

from pcapw import PCAP_HDR, csum, rec

FATES = ["flow_packets", "bad_eth", "bad_vlan", "bad_mpls", "bad_pppoe", "bad_ipv4_trunc", "bad_ipv4_ihl",
         "bad_ipv4_len", "bad_ip_version", "bad_ipv6_trunc", "bad_ipv6_ext", "bad_ipv6_chain", "bad_l4_trunc"]
NOTES = ["l4_snapped", "bad_tcp_doff", "frag_later", "frag_nofirst"]
L7 = ["tls_client_hellos", "tls_errors", "quic_client_hellos", "quic_errors", "dns_responses", "dns_answers",
      "dns_errors", "http_requests", "http_errors"]

MAC_C, MAC_S = bytes.fromhex("02000000aa01"), bytes.fromhex("02000000aa02")


def v4(n):
    return bytes([10, 66, n >> 8 & 255, n & 255])


def v6(n):
    return bytes.fromhex("20010db8006600000000000000000000")[:14] + struct.pack("!H", n)


def addr_text(a):
    if len(a) == 4:
        return ".".join(str(x) for x in a)
    import ipaddress
    return str(ipaddress.IPv6Address(a))


def eth(payload, et=0x0800, tags=(), src=MAC_C, dst=MAC_S):
    """Ethernet II; tags: (tpid, vid) pairs outermost first."""
    h = dst + src
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", et) + payload


def ipv4(src, dst, proto, payload, ihl=5, tot=None, ident=1, frag=0x4000, ver=4, opts=b"", cut=None):
    """IPv4; tot: the total length to claim (default: the truth); cut: bytes of header+payload kept."""
    opts = opts + b"\0" * (ihl * 4 - 20 - len(opts)) if ihl > 5 else b""
    real = 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", ver << 4 | ihl, 0, real if tot is None else tot, ident, frag, 64, proto, 0,
                    src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    b = h + payload
    return b if cut is None else b[:cut]


def ipv6(src, dst, nh, payload, plen=None, ver=6, cut=None):
    b = struct.pack("!IHBB", ver << 28, len(payload) if plen is None else plen, nh, 64) + src + dst + payload
    return b if cut is None else b[:cut]


def tcp(sport, dport, seq, ack, flags, payload=b"", doff=None, opts=b""):
    opts = opts + b"\0" * (-len(opts) % 4)
    d = doff if doff is not None else 5 + len(opts) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, d << 4, flags, 65535, 0,
                       0) + opts + payload


def udp(sport, dport, payload, length=None):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload) if length is None else length, 0) + payload


# TCP options of length zero: an option walker that trusts the length byte never moves (RFC 9293 3.2
# says kind-length-data; length counts kind and length, so 0 and 1 are impossible).
ZERO_OPTS = bytes([2, 0, 3, 0, 8, 0, 4, 0, 1, 1, 5, 1, 30, 0, 0, 0])

SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


class Gen:
    def __init__(self):
        self.frames = []  # (frame bytes, kind)
        self.expect = Counter()
        self.flows = {}  # key -> [pkts, ip bytes]
        self.kinds = Counter()

    def add(self, kind, frame, fate, notes=(), flow=None, ip_bytes=0):
        """A frame, the fate it must have, the notes it must add, and the flow it goes to (if any)."""
        self.frames.append(frame)
        self.kinds[kind] += 1
        self.expect[fate] += 1
        for n in notes:
            self.expect[n] += 1
        if fate == "flow_packets":
            f = self.flows.setdefault(flow, [0, 0])
            f[0] += 1
            f[1] += ip_bytes

    def l7(self, **counts):
        for k, v in counts.items():
            self.expect[k] += v


def fkey(proto, a, ap, b, bp):
    return (proto,) + tuple(sorted([(addr_text(a), ap), (addr_text(b), bp)]))


def tcp_flow(g, kind, n, cport, sport, c_data=(), s_data=(), opts=b"", v6addr=False):
    """A whole TCP connection (handshake, client segments, server segments, FINs) between two
    addresses from n. Every segment carries opts. Returns nothing; the flow's frames all count."""
    c, s = (v6(n), v6(n + 1)) if v6addr else (v4(n), v4(n + 1))
    mk = (lambda a, b, seg: eth(ipv6(a, b, 6, seg), 0x86dd)) if v6addr else \
        (lambda a, b, seg: eth(ipv4(a, b, 6, seg)))
    hdr = 40 if v6addr else 20
    key = fkey(6, c, cport, s, sport)
    cs, ss = 1000 + n * 7, 500000 + n * 11
    segs = [(c, s, cport, sport, cs, 0, SYN, b""), (s, c, sport, cport, ss, cs + 1, SYN | ACK, b""),
            (c, s, cport, sport, cs + 1, ss + 1, ACK, b"")]
    cs += 1
    ss += 1
    for d in c_data:
        segs.append((c, s, cport, sport, cs, ss, PSH | ACK, d))
        cs += len(d)
        segs.append((s, c, sport, cport, ss, cs, ACK, b""))
    for d in s_data:
        segs.append((s, c, sport, cport, ss, cs, PSH | ACK, d))
        ss += len(d)
        segs.append((c, s, cport, sport, cs, ss, ACK, b""))
    segs += [(c, s, cport, sport, cs, ss, FIN | ACK, b""), (s, c, sport, cport, ss, cs + 1, FIN | ACK, b""),
             (c, s, cport, sport, cs + 1, ss + 1, ACK, b"")]
    for a, b, ap, bp, seq, ack, fl, d in segs:
        seg = tcp(ap, bp, seq, ack, fl, d, opts=opts)
        g.add(kind, mk(a, b, seg), "flow_packets", flow=key, ip_bytes=hdr + len(seg))


# ---- TLS pieces (RFC 8446 4.1.2, 5.1) ----

def client_hello(sni=b"hostile.example", ext_len_delta=0, sni_len_delta=0):
    """A minimal ClientHello body; the deltas make the extensions block or the SNI extension lie."""
    name = struct.pack("!BH", 0, len(sni)) + sni
    sni_data = struct.pack("!H", len(name)) + name
    ext = struct.pack("!HH", 0, len(sni_data) + sni_len_delta) + sni_data
    ext += struct.pack("!HH", 43, 3) + b"\x02\x03\x04"  # supported_versions: TLS 1.3
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
    return body + struct.pack("!H", len(ext) + ext_len_delta) + ext


def handshake(body, hlen=None):
    return b"\x01" + struct.pack("!I", len(body) if hlen is None else hlen)[1:] + body


def record(frag, rlen=None, ctype=22):
    return struct.pack("!BHH", ctype, 0x0301, len(frag) if rlen is None else rlen) + frag


# ---- QUIC (RFC 9000 17.2.2) ----

def varint2(v):
    return struct.pack("!H", 0x4000 | v)


def quic_initial_garbage(rng, length_delta=0, version=1):
    """A long-header Initial: DCID 8, no SCID, no token, Length covering the rest (plus delta), then
    random bytes where the protected packet number and payload would be. No key opens it."""
    rest = bytes(rng.getrandbits(8) for _ in range(1162))
    return bytes([0xc3]) + struct.pack("!I", version) + b"\x08" + bytes(rng.getrandbits(8) for _ in range(8)) + \
        b"\x00" + b"\x00" + varint2(len(rest) + length_delta) + rest


# ---- DNS (RFC 1035 4.1) ----

def dns_response(answers, an=None, qname=b"\x07hostile\x07example\x00"):
    """A response with one question for qname; answers: raw RR bytes; an: the ANCOUNT to claim."""
    hdr = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, len(answers) if an is None else an, 0, 0)
    return hdr + qname + struct.pack("!HH", 1, 1) + b"".join(answers)


def rr_a(owner=b"\xc0\x0c", addr=b"\xc6\x33\x64\x07"):
    return owner + struct.pack("!HHIH", 1, 1, 300, 4) + addr


def build(g, rng):
    n = 10  # address counter: every case its own hosts
    def nxt(k=2):
        nonlocal n
        n += k
        return n

    # ---- link layer ----
    for i in range(3):  # an 802.1Q tag cut short after 1..3 of its 4 bytes
        g.add("vlan_cut", (MAC_S + MAC_C + b"\x81\x00" + b"\x00\x07\x08")[:15 + i], "bad_vlan")
    for i in range(2):  # QinQ: a whole 802.1ad tag, then an 802.1Q tag cut short
        g.add("qinq_cut", MAC_S + MAC_C + b"\x88\xa8" + b"\x00\x64\x81\x00" + b"\x00\xc8\x08"[:1 + i], "bad_vlan")
    a = nxt()
    g.add("vlan_9_deep", eth(ipv4(v4(a), v4(a + 1), 17, udp(1, 2, b"x" * 8)), tags=[(0x8100, 5)] * 9), "bad_vlan")
    g.add("qinq_ipv4_ihl4", eth(ipv4(v4(a), v4(a + 1), 17, udp(1, 2, b"x" * 8), ihl=4),
                                tags=[(0x88a8, 100), (0x8100, 200)]), "bad_ipv4_ihl")
    a = nxt()  # FT_MAX_L2_LAYERS is 8: 7 or 8 tags are walked, then IPv4 is a flow
    seg = udp(1000, 2000, b"seven or eight tags")
    for tags in (7, 8):
        g.add("vlan_%d_deep" % tags, eth(ipv4(v4(a), v4(a + 1), 17, seg), tags=[(0x8100, 5)] * tags),
              "flow_packets", flow=fkey(17, v4(a), 1000, v4(a + 1), 2000), ip_bytes=20 + len(seg))
    g.add("mpls_cut", MAC_S + MAC_C + b"\x88\x47" + b"\x00\x01", "bad_mpls")
    g.add("mpls_pw_cut", MAC_S + MAC_C + b"\x88\x47" + b"\x00\x01\x01\x40" + b"\x00\x00\x00\x00" + MAC_S, "bad_mpls")
    g.add("pppoe_cut", MAC_S + MAC_C + b"\x88\x64" + b"\x11\x00\x00\x01", "bad_pppoe")

    # ---- IPv4 ----
    a = nxt()
    s, d = v4(a), v4(a + 1)
    g.add("ipv4_cut_in_header", eth(ipv4(s, d, 6, b"")[:12]), "bad_ipv4_trunc")
    g.add("ipv4_options_cut", eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN), ihl=15, opts=b"\x01" * 4)[:36]),
          "bad_ipv4_trunc")
    for ihl in (0, 1, 4):  # ihl < 5: a walker that trusts it never gets past the header
        g.add("ipv4_ihl_%d" % ihl, eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN), ihl=ihl)), "bad_ipv4_ihl")
    for tot in (0x0013, 0x0001):  # total length below the header's 20 bytes
        g.add("ipv4_tot_below_hdr", eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN), tot=tot)), "bad_ipv4_len")
    g.add("ipv4_version_6", eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN), ver=6)), "bad_ip_version")
    g.add("ipv6_in_ipv4_ethertype", eth(ipv6(v6(a), v6(a + 1), 17, udp(1, 2, b"")), 0x0800), "bad_ip_version")
    g.add("ipv4_tot_22_tcp", eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN), tot=22)), "bad_l4_trunc")
    g.add("ipv4_tcp_3_bytes", eth(ipv4(s, d, 6, tcp(1, 2, 0, 0, SYN))[:23]), "bad_l4_trunc")
    g.add("ipv4_udp_2_bytes", eth(ipv4(s, d, 17, udp(1, 2, b""))[:22]), "bad_l4_trunc")
    # Total length larger than the frame: the header is believed (a frame cut by a capture's
    # snaplen looks the same), so the flow gets the claimed bytes; a TCP header the frame cuts is
    # noted (l4_snapped), a whole one is not.
    a = nxt()
    s, d = v4(a), v4(a + 1)
    seg = tcp(40001, 80, 1, 0, SYN, opts=ZERO_OPTS)
    g.add("ipv4_tot_over_frame", eth(ipv4(s, d, 6, seg, tot=9000)), "flow_packets",
          flow=fkey(6, s, 40001, d, 80), ip_bytes=9000)
    g.add("ipv4_tot_over_frame_tcp_cut", eth(ipv4(s, d, 6, seg, tot=1500)[:30]), "flow_packets", ["l4_snapped"],
          flow=fkey(6, s, 40001, d, 80), ip_bytes=1500)
    g.add("ipv4_tot_65535", eth(ipv4(s, d, 6, seg, tot=65535)), "flow_packets",
          flow=fkey(6, s, 40001, d, 80), ip_bytes=65535)
    # Total length shorter than the frame (the rest is padding): the header wins.
    a = nxt()
    s, d = v4(a), v4(a + 1)
    seg = udp(5353, 9, b"p" * 100)
    g.add("ipv4_tot_under_frame", eth(ipv4(s, d, 17, seg, tot=20 + 8 + 10)), "flow_packets",
          flow=fkey(17, s, 5353, d, 9), ip_bytes=38)
    # UDP length lies (longer than the datagram, shorter than its header, zero): IP's length counts
    for ul in (9000, 3, 0):
        seg = udp(5353, 9, b"u" * 20, length=ul)
        g.add("udp_len_lies", eth(ipv4(s, d, 17, seg)), "flow_packets", flow=fkey(17, s, 5353, d, 9),
              ip_bytes=20 + len(seg))

    # ---- TCP data offset and options ----
    a = nxt()
    s, d = v4(a), v4(a + 1)
    k = fkey(6, s, 41000, d, 22)
    for doff in (0, 2, 4):  # below 5: the header is not believed, nor any payload
        seg = tcp(41000, 22, 7, 0, ACK, b"data" * 5, doff=doff)
        g.add("tcp_doff_%d" % doff, eth(ipv4(s, d, 6, seg)), "flow_packets", ["bad_tcp_doff"], flow=k,
              ip_bytes=20 + len(seg))
    for doff in (15, 9):  # past the segment (IP says 20 + 4 bytes of payload)
        seg = tcp(41000, 22, 7, 0, ACK, b"abcd", doff=doff)
        g.add("tcp_doff_past", eth(ipv4(s, d, 6, seg)), "flow_packets", ["bad_tcp_doff"], flow=k,
              ip_bytes=20 + len(seg))
    seg = tcp(41000, 22, 7, 0, ACK, b"", doff=15) + b"\x01" * 40  # 60-byte header, all there: fine
    g.add("tcp_doff_15_whole", eth(ipv4(s, d, 6, seg)), "flow_packets", flow=k, ip_bytes=20 + len(seg))
    seg = tcp(41000, 22, 7, 0, ACK, b"", doff=15)  # doff 15, IP length says so too, the frame stops at 20
    g.add("tcp_doff_15_frame_cut", eth(ipv4(s, d, 6, seg, tot=80)), "flow_packets", ["l4_snapped"], flow=k,
          ip_bytes=80)
    seg = tcp(41000, 22, 7, 0, ACK, b"zz", opts=ZERO_OPTS * 2)
    g.add("tcp_zero_len_options", eth(ipv4(s, d, 6, seg)), "flow_packets", flow=k, ip_bytes=20 + len(seg))

    # ---- IPv4 fragments ----
    a = nxt()
    s, d = v4(a), v4(a + 1)
    k = fkey(17, s, 7000, d, 7001)
    body = udp(7000, 7001, b"F" * 40)  # 48 bytes: fragments of 16
    for i, off in enumerate((0, 16, 32)):
        mf = 0x2000 if off < 32 else 0
        g.add("frag_chain", eth(ipv4(s, d, 17, body[off:off + 16], ident=0x4242, frag=mf | off // 8)),
              "flow_packets", ["frag_later"] if off else [], flow=k, ip_bytes=36)
    g.add("frag_overlap_dup", eth(ipv4(s, d, 17, body[16:32], ident=0x4242, frag=0x2000 | 2)), "flow_packets",
          ["frag_later"], flow=k, ip_bytes=36)
    k0 = fkey(17, s, 0, d, 0)  # later fragments whose first never came: ports 0
    for off in (8, 16, 8184):
        g.add("frag_no_first", eth(ipv4(s, d, 17, b"L" * 16, ident=0x5151, frag=0x2000 | off)), "flow_packets",
              ["frag_later", "frag_nofirst"], flow=k0, ip_bytes=36)
    kt = fkey(6, s, 7100, d, 7101)  # a first fragment too small for the TCP flags: ports only
    g.add("frag_first_tiny", eth(ipv4(s, d, 6, tcp(7100, 7101, 1, 0, SYN)[:8], ident=0x6161, frag=0x2000)),
          "flow_packets", ["l4_snapped"], flow=kt, ip_bytes=28)
    g.add("frag_first_tiny_rest", eth(ipv4(s, d, 6, tcp(7100, 7101, 1, 0, SYN)[8:], ident=0x6161, frag=1)),
          "flow_packets", ["frag_later"], flow=kt, ip_bytes=32)

    # ---- IPv6 ----
    a = nxt()
    s6, d6 = v6(a), v6(a + 1)
    g.add("ipv6_cut_in_header", eth(ipv6(s6, d6, 17, udp(1, 2, b""))[:30], 0x86dd), "bad_ipv6_trunc")
    g.add("ipv6_version_4", eth(ipv6(s6, d6, 17, udp(1, 2, b""), ver=4), 0x86dd), "bad_ip_version")
    g.add("ipv6_plen_2_udp", eth(ipv6(s6, d6, 17, udp(1, 2, b"xx"), plen=2), 0x86dd), "bad_l4_trunc")
    k6 = fkey(17, s6, 6000, d6, 6001)
    seg = udp(6000, 6001, b"six" * 4)
    g.add("ipv6_plen_over_frame", eth(ipv6(s6, d6, 17, seg, plen=40000), 0x86dd), "flow_packets", flow=k6,
          ip_bytes=40 + 40000)
    g.add("ipv6_plen_under_frame", eth(ipv6(s6, d6, 17, seg + b"\0" * 30, plen=len(seg)), 0x86dd), "flow_packets",
          flow=k6, ip_bytes=40 + len(seg))

    def dst_opts(nh, n8=0):  # a Destination Options header of 8 * (n8 + 1) bytes: PadN
        return bytes([nh, n8, 1, 4 + 8 * n8]) + b"\0" * (4 + 8 * n8)

    def chain(n_ext, last=17, payload=None, kind=60):
        p = payload if payload is not None else udp(6100, 6101, b"chain")
        for i in range(n_ext):
            nh = last if i == 0 else kind
            p = dst_opts(nh) + p if kind == 60 else struct.pack("!BBHI", nh, 0, 0, 0x7000 + i) + p
        return p
    for n_ext in (9, 10, 16):  # past FT_MAX_IPV6_EXT: 8 headers walked, and the next is not upper layer
        g.add("ipv6_ext_chain_%d" % n_ext, eth(ipv6(s6, d6, 60, chain(n_ext)), 0x86dd), "bad_ipv6_chain")
    g.add("ipv6_frag_hdr_chain_9", eth(ipv6(s6, d6, 44, chain(9, kind=44)), 0x86dd), "bad_ipv6_chain")
    kc = fkey(17, s6, 6100, d6, 6101)
    for n_ext in (7, 8):  # within the walk: flows
        p = chain(n_ext)
        g.add("ipv6_ext_chain_%d" % n_ext, eth(ipv6(s6, d6, 60, p), 0x86dd), "flow_packets", flow=kc,
              ip_bytes=40 + len(p))
    g.add("ipv6_hbh_len_past_frame", eth(ipv6(s6, d6, 0, bytes([17, 255]) + b"\x01\x04" + b"\0" * 20), 0x86dd),
          "bad_ipv6_ext")
    g.add("ipv6_ext_cut", eth(ipv6(s6, d6, 60, b"\x11"), 0x86dd), "bad_ipv6_ext")
    p = dst_opts(60, 1) + dst_opts(17) + udp(6100, 6101, b"chain")
    g.add("ipv6_ext_past_plen", eth(ipv6(s6, d6, 60, p, plen=16), 0x86dd), "bad_ipv6_ext")
    g.add("ipv6_frag_hdr_cut", eth(ipv6(s6, d6, 44, b"\x11\x00\x00"), 0x86dd), "bad_ipv6_ext")
    # Fragment chains: a first fragment, and one whose fragment header is followed by another
    # (a later fragment by the second header: counted, its first never seen)
    kf = fkey(17, s6, 6200, d6, 6201)
    body = udp(6200, 6201, b"V" * 24)
    g.add("ipv6_frag_first", eth(ipv6(s6, d6, 44, struct.pack("!BBHI", 17, 0, 1, 0x99) + body[:16]), 0x86dd),
          "flow_packets", flow=kf, ip_bytes=40 + 8 + 16)
    g.add("ipv6_frag_later", eth(ipv6(s6, d6, 44, struct.pack("!BBHI", 17, 0, 16, 0x99) + body[16:]), 0x86dd),
          "flow_packets", ["frag_later"], flow=kf, ip_bytes=40 + 8 + 16)
    g.add("ipv6_frag_in_frag", eth(ipv6(s6, d6, 44, struct.pack("!BBHI", 44, 0, 1, 0x98) +
                                        struct.pack("!BBHI", 17, 0, 8 << 3, 0x97) + b"W" * 16), 0x86dd),
          "flow_packets", ["frag_later", "frag_nofirst"], flow=fkey(17, s6, 0, d6, 0), ip_bytes=40 + 32)

    # ---- TLS in well-formed TCP flows (port 443), every segment with zero-length options ----
    ch = client_hello()
    tls_cases = [
        ("tls_good", [record(handshake(ch))], dict(tls_client_hellos=1)),
        ("tls_ext_block_len_lies", [record(handshake(client_hello(ext_len_delta=40)))], dict(tls_errors=1)),
        ("tls_ext_block_len_short", [record(handshake(client_hello(ext_len_delta=-3)))], dict(tls_errors=1)),
        ("tls_sni_ext_len_lies", [record(handshake(client_hello(sni_len_delta=200)))], dict(tls_errors=1)),
        ("tls_record_len_65535", [record(handshake(ch), rlen=0xffff)], dict(tls_errors=1)),
        ("tls_record_len_0", [record(b"", rlen=0) + record(handshake(ch))], dict(tls_errors=1)),
        # the record says 16000 bytes, the hello in it is not whole when FIN comes: no hello, no error
        ("tls_record_len_over_stream", [record(handshake(ch)[:60], rlen=16000)], {}),
        ("tls_handshake_len_16M", [record(handshake(ch, hlen=0xffffff))], dict(tls_errors=1)),
        # the hello's length says less than its record holds: the rest must start a message
        ("tls_handshake_len_short", [record(handshake(ch, hlen=len(ch) - 20))], dict(tls_errors=1)),
        # split over two records and three segments, lengths true: still one hello
        ("tls_split_records", [record(handshake(ch)[:30]), record(handshake(ch)[30:])[:10],
                               record(handshake(ch)[30:])[10:]], dict(tls_client_hellos=1)),
    ]
    for kind, data, l7 in tls_cases:
        a = nxt()
        tcp_flow(g, kind, a, 50000 + a, 443, c_data=data, opts=ZERO_OPTS)
        g.l7(**l7)
    a = nxt()
    tcp_flow(g, "tls_good_ipv6", a, 50000 + a, 443, c_data=[record(handshake(ch))], opts=ZERO_OPTS,
             v6addr=True)
    g.l7(tls_client_hellos=1)

    # ---- QUIC-looking datagrams to UDP/443: garbage where the protected payload goes ----
    for kind, delta, version, errs in (("quic_garbage", 0, 1, 1), ("quic_length_lies", 500, 1, 1),
                                       ("quic_garbage_v2", 0, 0x6b3343cf, 1),
                                       ("quic_unknown_version", 0, 0x0a0a0a0a, 0)):
        a = nxt()
        s, d = v4(a), v4(a + 1)
        k = fkey(17, s, 51000, d, 443)
        first = 0xc3 if version != 0x6b3343cf else 0xd3  # v2 Initial is type 1 (RFC 9369 3.2)
        for i in range(3):
            dg = bytes([first]) + quic_initial_garbage(rng, delta, version)[1:]
            seg = udp(51000, 443, dg)
            g.add(kind, eth(ipv4(s, d, 17, seg)), "flow_packets", flow=k, ip_bytes=20 + len(seg))
            g.l7(quic_errors=errs)
        seg = udp(443, 51000, b"\x40" + bytes(rng.getrandbits(8) for _ in range(40)))  # a short-header reply
        g.add(kind, eth(ipv4(d, s, 17, seg)), "flow_packets", flow=k, ip_bytes=20 + len(seg))

    # ---- real client Initials (sealed with RFC 9001's keys) whose plaintext lies ----
    def crypto(data, off=0, length=None):  # a CRYPTO frame (RFC 9000 19.6), 2-byte varints
        return b"\x06" + varint2(off) + varint2(len(data) if length is None else length) + data
    pad = b"\x00" * 900  # PADDING frames
    for kind, pt, l7 in (("quic_sealed_good", crypto(handshake(ch)) + pad, dict(quic_client_hellos=1)),
                         ("quic_sealed_ch_ext_len_lies", crypto(handshake(client_hello(ext_len_delta=40))) + pad,
                          dict(quic_errors=1)),
                         # a frame that lies ends the walk of the frames, not counted (tests/unit/test_quic.c
                         # "crypto length past end"): the hello never completes
                         ("quic_sealed_crypto_len_lies", crypto(handshake(ch), length=3000) + pad, {})):
        a = nxt()
        s, d = v4(a), v4(a + 1)
        seg = udp(51000, 443, quic_seal(1, 0, pt, dcid=bytes(rng.getrandbits(8) for _ in range(8))))
        g.add(kind, eth(ipv4(s, d, 17, seg)), "flow_packets", flow=fkey(17, s, 51000, d, 443), ip_bytes=20 + len(seg))
        g.l7(**l7)

    # ---- DNS responses (UDP from port 53), each in its own flow ----
    qn = b"\x07hostile\x07example\x00"
    dns_cases = [
        ("dns_good", dns_response([rr_a()]), dict(dns_responses=1, dns_answers=1)),
        ("dns_pointer_to_itself", dns_response([b"\xc0\x21" + struct.pack("!HHIH", 1, 1, 300, 4) + b"\1\2\3\4"]),
         dict(dns_errors=1)),
        # the question's name ends in a pointer to the answer's, which points back to the question's
        ("dns_pointer_loop_two", dns_response([b"\x03abc\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + b"\1\2\3\4"],
                                              qname=b"\x03xyz\xc0\x16"), dict(dns_errors=1)),
        ("dns_pointer_forward", dns_response([b"\xc0\x40" + struct.pack("!HHIH", 1, 1, 300, 4) + b"\1\2\3\4"]),
         dict(dns_errors=1)),
        ("dns_ancount_lies", dns_response([rr_a()], an=9), dict(dns_errors=1)),
        ("dns_rdlength_lies", dns_response([b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 400) + b"\1\2\3\4"]),
         dict(dns_errors=1)),
        ("dns_a_rdlength_5", dns_response([b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 5) + b"\1\2\3\4\5"]),
         dict(dns_errors=1)),
        ("dns_label_past_end", dns_response([], qname=b"\x3fshort"), dict(dns_errors=1)),
    ]
    for kind, msg, l7 in dns_cases:
        a = nxt()
        s, d = v4(a), v4(a + 1)
        seg = udp(53, 33000 + a, msg)
        g.add(kind, eth(ipv4(s, d, 17, seg)), "flow_packets", flow=fkey(17, s, 53, d, 33000 + a),
              ip_bytes=20 + len(seg))
        g.l7(**l7)
    del qn


# ---- QUIC Initial sealing (RFC 9001 5, RFC 9369 3.3), as tests/fuzz/fuzz_quic.c's MODE_SEALED ----

QUIC_V2 = 0x6b3343cf
FUZZ_DCID = bytes([0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08])


def hkdf_expand_label(secret, label, length):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    info = struct.pack("!HB", length, 6 + len(label)) + b"tls13 " + label + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def quic_client_keys(version, dcid):
    import hmac
    import hashlib
    salt = bytes.fromhex("0dede3def700a6db819381be6e269dcbf9bd2ed9" if version == QUIC_V2 else
                         "38762cf7f55934b34d179ae6a4c80cadccbb7f0a")
    pfx = b"quicv2 " if version == QUIC_V2 else b"quic "
    initial = hmac.new(salt, dcid, hashlib.sha256).digest()  # HKDF-Extract
    client = hkdf_expand_label(initial, b"client in", 32)
    return (hkdf_expand_label(client, pfx + b"key", 16), hkdf_expand_label(client, pfx + b"iv", 12),
            hkdf_expand_label(client, pfx + b"hp", 16))


def quic_seal(version, pn, plaintext, dcid=FUZZ_DCID):
    """A client Initial carrying plaintext (frames), packet number pn in 2 bytes: what a client sends."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    key, iv, hp = quic_client_keys(version, dcid)
    first = 0xc0 | (0x10 if version == QUIC_V2 else 0) | 1  # Initial, 2-byte packet number
    length = len(plaintext) + 2 + 16
    hdr = bytes([first]) + struct.pack("!I", version) + bytes([len(dcid)]) + dcid + b"\x00\x00" + \
        bytes([0x40 | length >> 8, length & 0xff])
    pn_off = len(hdr)
    hdr += struct.pack("!H", pn)
    nonce = bytes(a ^ b for a, b in zip(iv, (pn).to_bytes(12, "big")))
    ct = AESGCM(key).encrypt(nonce, plaintext, hdr)
    pkt = bytearray(hdr + ct)
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    mask = enc.update(bytes(pkt[pn_off + 4:pn_off + 20])) + enc.finalize()
    pkt[0] ^= mask[0] & 0x0f
    pkt[pn_off] ^= mask[1]
    pkt[pn_off + 1] ^= mask[2]
    return bytes(pkt)


def mutate(rng, data, k):
    b = bytearray(data)
    for _ in range(k):
        if not b:
            break
        b[rng.randrange(len(b))] = rng.getrandbits(8)
    return bytes(b)


def addr_pair(frame):
    """The unordered IPv4/IPv6 address pair of an Ethernet frame (VLAN tags skipped), or None."""
    if len(frame) < 14:
        return None
    et, off = struct.unpack("!H", frame[12:14])[0], 14
    while et in (0x8100, 0x88a8, 0x9100) and len(frame) >= off + 4:
        et, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    if et == 0x0800 and len(frame) >= off + 20:
        return frozenset([frame[off + 12:off + 16], frame[off + 16:off + 20]])
    if et == 0x86dd and len(frame) >= off + 40:
        return frozenset([frame[off + 8:off + 24], frame[off + 24:off + 40]])
    return None


def corpus_frames(root, rng, avoid=frozenset()):
    """Frames carrying the fuzz corpus (and seeded mutations of it), in flows of 10.66.200.0/22.
    Corpus frames between an address pair in 'avoid' are left out: the corpus was seeded from the
    shared captures, and the good captures' flows must stay theirs alone."""
    out = []
    n = [200 << 8]

    def nxt():
        n[0] += 2
        return n[0]
    d = os.path.join(root, "parse")
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        b = open(os.path.join(d, f), "rb").read()
        if len(b) < 15 or b[0] % 6 not in (0, 5):  # DLT_EN10MB in fuzz_parse.c's table
            continue
        for fr in (b[1:], mutate(rng, b[1:], 2)):
            if addr_pair(fr) not in avoid:
                out.append(fr)
    g = Gen()
    for sub, port in (("tls", 443), ("http", 80)):
        d = os.path.join(root, sub)
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            b = open(os.path.join(d, f), "rb").read()
            for data in [b, b[:len(b) // 2]] + [mutate(rng, b, k) for k in (1, 4, 16)]:
                segs = [data[i:i + 1400] for i in range(0, len(data), 1400)][:20]
                a = nxt()
                tcp_flow(g, sub, a, 40000 + a % 20000, port,
                         c_data=segs if not f.startswith("server") else (),
                         s_data=segs if f.startswith("server") else ())
    d = os.path.join(root, "quic")
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        b = open(os.path.join(d, f), "rb").read()
        if not b:
            continue
        recs, off = [], 1  # fuzz_quic.c: a mode byte, then [u16 length][bytes] records
        while off + 2 <= len(b):
            ln = struct.unpack("!H", b[off:off + 2])[0]
            recs.append(b[off + 2:off + 2 + ln])
            off += 2 + ln
        version = QUIC_V2 if b[0] & 4 else 1
        for k in (0, 1, 8):
            rs = [mutate(rng, x, k) for x in recs]
            if b[0] % 3:  # plaintext frames: sealed into real client Initials, so the frame parser runs live
                rs = [quic_seal(version, pn, x) for pn, x in enumerate(rs) if 4 <= len(x) <= 1400]
            a = nxt()
            for x in rs[:8]:
                g.add("quic", eth(ipv4(v4(a), v4(a + 1), 17, udp(52000, 443, x[:1472]))), "flow_packets")
    d = os.path.join(root, "dns")
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        b = open(os.path.join(d, f), "rb").read()
        if not b or b[0] % 3:
            continue
        for x in [b[1:]] + [mutate(rng, b[1:], k) for k in (1, 3)]:
            a = nxt()
            g.add("dns", eth(ipv4(v4(a), v4(a + 1), 17, udp(53, 34000, x[:1472]))), "flow_packets")
    return out + g.frames


def read_pcap(path):
    d = open(path, "rb").read()
    e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out, off = [], 24
    while off + 16 <= len(d):
        s, us, cap, wire = struct.unpack(e + "IIII", d[off:off + 16])
        out.append((s, us, d[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    return out


def write_pcap(path, frames, t0=1700000000):
    """Frames 1 ms apart, each whole: captured length = wire length."""
    with open(path, "wb") as f:
        f.write(PCAP_HDR)
        for i, fr in enumerate(frames):
            f.write(rec(t0 + i // 1000, (i % 1000) * 1000, fr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("expect")
    ap.add_argument("--runts")
    ap.add_argument("--corpus")
    ap.add_argument("--mix")
    ap.add_argument("--seed", type=int, default=66)
    o = ap.parse_args()
    rng = random.Random(o.seed)
    g = Gen()
    build(g, rng)
    bad = list(g.frames)
    good = [x[2] for x in read_pcap(o.mix)] if o.mix else []
    corpus = corpus_frames(o.corpus, rng, {addr_pair(f) for f in good} - {None}) if o.corpus else []
    base = o.out.rsplit(".", 1)[0]
    write_pcap(base + ".hostile.pcap", bad)
    write_pcap(base + ".corpus.pcap", corpus)
    frames = bad + corpus
    if o.mix:  # good frames as replayed (what was captured), in their order, spread evenly among ours
        out, gi = [], 0
        step = len(frames) / (len(good) + 1)
        for i, fr in enumerate(frames):
            while gi < len(good) and (gi + 1) * step <= i:
                out.append(good[gi])
                gi += 1
            out.append(fr)
        frames = out + good[gi:]
    write_pcap(o.out, frames)
    if o.runts:
        write_pcap(o.runts, [MAC_S[:n] if n <= 6 else (MAC_S + MAC_C + b"\x08\x00")[:n] for n in (1, 6, 12, 13)])
    exp = {"counters": {k: g.expect.get(k, 0) for k in FATES + NOTES + L7},
           "frames": len(bad), "corpus_frames": len(corpus), "runts": 4 if o.runts else 0,
           "kinds": dict(g.kinds),
           "flows": [{"proto": k[0], "a": k[1], "b": k[2], "pkts": v[0], "bytes": v[1]}
                     for k, v in g.flows.items()]}
    exp["counters"]["rx_frames"] = len(bad)
    exp["counters"]["bad_eth"] = 0
    with open(o.expect, "w") as f:
        json.dump(exp, f, indent=1)
    print(json.dumps({"frames": len(frames), "hostile": len(bad), "corpus": len(corpus), "kinds": len(g.kinds)}))


if __name__ == "__main__":
    main()
