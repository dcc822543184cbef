#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/check_tls_truth.sh - every TLS hello tshark decodes over TCP, parsed from the stream prefix, against truth.json.
#
#   tools/check_tls_truth.sh [PCAP_DIR]     (default ../shared/pcaps; needs tshark, python3, gcc, libcrypto)
#
# For each ClientHello in truth.json's "tls" entries, the client side of its TCP stream (tshark's
# follow,tcp,raw: a true prefix, in sequence order) goes through tlsrec_client_nth() and the fields
# are compared one by one with tshark's. Frames tshark marks malformed must give -EBADMSG. JA4 is
# compared with nDPI's published values (ndpi_ja4_ref.json). Each ServerHello tshark decodes goes
# through tlsrec_server_nth() and its JA3S is compared with tshark's. JA4 is also recomputed by a
# separate Python reading of the FoxIO spec from the (tshark-verified) fields, and must agree with
# tls_ja4(). Exit status 1 on any mismatch with tshark or the Python JA4.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/../shared/pcaps}
dir=$(cd "$dir" && pwd)
work=$(mktemp -d /tmp/check_tls_truth.XXXXXX)
trap 'rm -rf "$work"' EXIT

gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -Wall -Wextra -Werror -Wno-unused-parameter \
	-D_GNU_SOURCE -I"$top/include" -I"$top/user" "$top/tests/unit/tls_truth.c" \
	"$top/user/l7/tls.c" "$top/user/l7/ja.c" "$top/user/l7/tlsrec.c" -lcrypto -o "$work/tls_truth"

DRIVER="$work/tls_truth" PCAPS="$dir" WORK="$work" python3 - <<'EOF'
import json, os, subprocess, sys, collections, hashlib

pcaps, driver, work = os.environ["PCAPS"], os.environ["DRIVER"], os.environ["WORK"]
truth = json.load(open(os.path.join(pcaps, "truth.json")))
ndpi = json.load(open(os.path.join(pcaps, "ndpi_ja4_ref.json")))
FIELDS = ["sni", "alpn", "record_version", "legacy_version", "supported_versions", "cipher_suites",
          "extensions", "supported_groups", "ec_point_formats", "sig_hash_algs", "ech_extension",
          "ja3", "ja3_full"]

def tshark(*args):
    return subprocess.run(["tshark", *args], capture_output=True, text=True).stdout

cache = {}

def follow(pcap, stream):
    """Node 0 as 'ip:port', then node 0's and node 1's bytes of one TCP stream in hex."""
    if (pcap, stream) not in cache:
        cache[pcap, stream] = follow_uncached(pcap, stream)
    return cache[pcap, stream]

def follow_uncached(pcap, stream):
    out = tshark("-r", pcap, "-q", "-z", "follow,tcp,raw,%d" % stream)
    node0, cli, srv = None, [], []
    for line in out.splitlines():
        if line.startswith("Node 0: "):
            node0 = line[8:].strip()
        elif line.startswith("\t"):
            srv.append(line.strip())
        elif line and all(c in "0123456789abcdef" for c in line):
            cli.append(line)
    return node0, "".join(cli), "".join(srv)

def run(side, hexdata, nth):
    r = subprocess.run([driver, side, str(nth)], input=hexdata, capture_output=True, text=True)
    if r.returncode or r.stderr:
        sys.exit("driver failed: %s" % r.stderr)
    return json.loads(r.stdout)

def ndpi_ja4(name, src, sport):
    for f in ndpi.get(name, {}).get("flows", []):
        a = f["ndpi_flow"].split(" ")[1]
        if a == "%s:%d" % (src, sport) or a == "[%s]:%d" % (src, sport):
            return f["ja4"]
    return None

def grease(v):
    return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)

def py_ja4(g):
    """FoxIO JA4.md, written again from the spec text, from the parsed fields."""
    h = lambda l: [int(x, 16) for x in l]
    ciphers = [c for c in h(g["cipher_suites"]) if not grease(c)]
    exts = [e for e in g["extensions"] if not grease(e)]
    vers = [v for v in h(g["supported_versions"]) if not grease(v)]
    ver = max(vers) if 43 in exts and vers else int(g["legacy_version"], 16)
    vmap = {0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
            0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}
    alpn = "00"
    for a in g["alpn"]:
        b = a.encode("latin-1")
        if len(b) == 2 and grease(b[0] << 8 | b[1]):
            continue
        if b and b[:1].isalnum() and b[-1:].isalnum() and b.isascii():
            alpn = chr(b[0]) + chr(b[-1])
        elif b:
            alpn = b.hex()[0] + b.hex()[-1]
        break
    a = "t%s%s%02d%02d%s" % (vmap.get(ver, "00"), "d" if 0 in exts else "i", min(len(ciphers), 99),
                             min(len(exts), 99), alpn)
    hx = lambda l: ",".join("%04x" % x for x in l)
    b = hx(sorted(ciphers))
    c = hx(sorted(e for e in exts if e not in (0, 16)))
    sig = [s for s in h(g["sig_algs"]) if not grease(s)]
    if sig:
        c += "_" + hx(sig)
    h12 = lambda s: hashlib.sha256(s.encode()).hexdigest()[:12] if s else "000000000000"
    return "%s_%s_%s" % (a, h12(b), h12(c))

total = collections.Counter()
bad = 0
for name in sorted(truth):
    if name == "_meta" or not truth[name].get("tls"):
        continue
    pcap = os.path.join(pcaps, name)
    streams = {}
    for line in tshark("-r", pcap, "-Y", "tls.handshake.type==1 && tcp", "-T", "fields",
                       "-e", "frame.number", "-e", "tcp.stream").splitlines():
        fr, st = line.split("\t")
        streams[int(fr)] = int(st)
    by_stream = collections.defaultdict(list)
    for t in truth[name]["tls"]:
        by_stream[streams[t["frame"]]].append(t)
    n_ch = n_fields = n_agree = n_ja4 = n_ja4_ok = 0
    notes = []
    for st, entries in sorted(by_stream.items()):
        node0, cli, srv = follow(pcap, st)
        entries.sort(key=lambda t: t["frame"])
        for nth, t in enumerate(entries):
            n_ch += 1
            got = run("client", cli, nth)
            fl = t["flow"]
            if node0.rsplit(":", 1)[1] != str(fl["src_port"]):
                got = run("client", srv, nth)   # tshark's node 0 was the server
            if t["malformed_frame"]:
                n_fields += 1
                if got["rc"] == -74:            # -EBADMSG
                    n_agree += 1
                else:
                    notes.append("frame %d: tshark malformed, we rc=%d" % (t["frame"], got["rc"]))
                continue
            if got["rc"] != 0:
                n_fields += len(FIELDS)
                notes.append("frame %d: rc=%d %s" % (t["frame"], got["rc"], got["rc_name"]))
                continue
            for f in FIELDS:
                n_fields += 1
                if got.get(f) == t[f]:
                    n_agree += 1
                else:
                    notes.append("frame %d %s: tshark %r, we %r" % (t["frame"], f, t[f], got.get(f)))
            n_fields += 1
            if py_ja4(got) == got.get("ja4"):
                n_agree += 1
            else:
                notes.append("frame %d ja4: python %s, tls_ja4 %s" % (t["frame"], py_ja4(got), got.get("ja4")))
            ref = ndpi_ja4(name, fl["src"], fl["src_port"])
            if ref:
                n_ja4 += 1
                if ref == got.get("ja4"):
                    n_ja4_ok += 1
                else:
                    notes.append("frame %d ja4: nDPI %s, we %s (%s)" % (t["frame"], ref, got.get("ja4"),
                                                                       got.get("ja4_r")))
    # ServerHellos: JA3S against tshark's, nth in stream order
    s_total = s_ok = 0
    sh = collections.defaultdict(list)
    for line in tshark("-r", pcap, "-Y", "tls.handshake.type==2 && tcp", "-T", "fields",
                       "-e", "tcp.stream", "-e", "tls.handshake.ja3s_full").splitlines():
        st, full = line.split("\t")
        sh[int(st)].append(full)
    for st, fulls in sorted(sh.items()):
        node0, cli, srv = follow(pcap, st)
        for nth, full in enumerate(fulls):
            s_total += 1
            got = run("server", srv, nth)
            if got.get("ja3s_full") == full:
                s_ok += 1
            else:
                notes.append("stream %d server hello %d: tshark %r, we %r" % (st, nth, full, got))
    print("%-44s ClientHellos %3d  fields+ja4py %4d/%-4d  JA4 vs nDPI %2d/%-2d  JA3S %2d/%-2d" %
          (name, n_ch, n_agree, n_fields, n_ja4_ok, n_ja4, s_ok, s_total))
    for n in notes:
        print("    " + n)
    total.update(ch=n_ch, fields=n_fields, agree=n_agree, ja4=n_ja4, ja4_ok=n_ja4_ok, s=s_total, s_ok=s_ok)
    bad += n_fields - n_agree + s_total - s_ok
print("TOTAL: ClientHellos %d, fields agreeing with tshark (+ JA4 with the Python one) %d/%d, JA4 agreeing with nDPI %d/%d, "
      "JA3S agreeing with tshark %d/%d" % (total["ch"], total["agree"], total["fields"], total["ja4_ok"],
                                           total["ja4"], total["s_ok"], total["s"]))
sys.exit(1 if bad else 0)
EOF
