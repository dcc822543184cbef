#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/check_quic_truth.sh - feed captures' UDP payloads through quic_asm and compare ClientHellos with truth.json.
#
#   tools/check_quic_truth.sh [PCAP...]     default: every capture with QUIC Initials in truth.json
#
# A dev aid, not a test target. tshark extracts each UDP datagram; a small
# driver (built here from user/l7/*.c) feeds each flow's client datagrams (the
# flow's first sender) to one struct quic_asm, then the datagrams of both
# directions to another (robustness: server packets must not produce errors).
# Compared with tshark's decrypted ClientHello: QUIC version, the frame that
# completes the hello, SNI, ALPN, legacy version, suites, extensions,
# supported_versions, supported_groups; JA4 with nDPI's reference where there
# is one. Prints one line per flow and "N/M fields agree" per capture.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pcaps=${PCAPS:-$top/../shared/pcaps}
[ -d "$pcaps" ] || pcaps=/work/shared/pcaps
work=$(mktemp -d /tmp/ft-quic-truth.XXXXXX)
trap 'rm -rf "$work"' EXIT

cat >"$work/driver.c" <<'EOF'
/* Reads "frame\tsrc\tsport\tdst\tdport\thex" lines; prints one JSON object per flow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "l7/quic.h"

#define MAXF 256
struct fl {
	char a[64], b[64];
	int ap, bp, frame, neg_client, neg_both, done_both;
	struct quic_asm q, qb;
};

static size_t unhex(const char *h, uint8_t *o, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (h[0] && h[1] && n < cap && sscanf(h, "%2x", &v) == 1) {
		o[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

static void print_flow(struct fl *f)
{
	struct tls_client_hello ch;
	char ja4[40] = "";
	uint32_t ver = 0;
	int i, r;

	printf("{\"src\":\"%s\",\"src_port\":%d,\"neg_client\":%d,\"neg_both\":%d,\"done_both\":%d", f->a, f->ap,
	       f->neg_client, f->neg_both, f->done_both);
	if (!f->q.done) {
		printf(",\"frame\":null}\n");
		return;
	}
	r = quic_asm_client_hello(&f->q, &ch, &ver);
	printf(",\"frame\":%d,\"parse\":%d", f->frame, r);
	if (r) {
		printf("}\n");
		return;
	}
	tls_ja4(&ch, true, ja4);
	printf(",\"version\":\"0x%08x\",\"sni\":", ver);
	if (ch.has_sni)
		printf("\"%s\"", ch.sni);
	else
		printf("null");
	printf(",\"alpn\":[");
	for (i = 0; i < ch.n_alpn; i++)
		printf("%s\"%s\"", i ? "," : "", ch.alpn_buf + ch.alpn_off[i]);
	printf("],\"legacy_version\":\"0x%04x\",\"cipher_suites\":[", ch.legacy_version);
	for (i = 0; i < ch.n_suites; i++)
		printf("%s\"0x%04x\"", i ? "," : "", ch.suites[i]);
	printf("],\"extensions\":[");
	for (i = 0; i < ch.n_exts; i++)
		printf("%s%u", i ? "," : "", ch.exts[i]);
	printf("],\"supported_versions\":[");
	for (i = 0; i < ch.n_versions; i++)
		printf("%s\"0x%04x\"", i ? "," : "", ch.versions[i]);
	printf("],\"supported_groups\":[");
	for (i = 0; i < ch.n_groups; i++)
		printf("%s\"0x%04x\"", i ? "," : "", ch.groups[i]);
	printf("],\"ja4\":\"%s\"}\n", ja4);
}

int main(void)
{
	static struct fl f[MAXF];
	static char line[300000];
	static uint8_t buf[70000];
	int nf = 0, k;

	while (fgets(line, sizeof(line), stdin)) {
		char *t[6], *s = line, *p;
		int i = 0, sp, dp, dir = 0, r;
		size_t n;

		line[strcspn(line, "\n")] = 0;
		while (i < 6 && (p = strsep(&s, "\t")))
			t[i++] = p;
		if (i < 6 || !*t[5])
			continue;
		sp = atoi(t[2]), dp = atoi(t[4]);
		for (k = 0; k < nf; k++) {
			if (!strcmp(f[k].a, t[1]) && f[k].ap == sp && !strcmp(f[k].b, t[3]) && f[k].bp == dp)
				break;
			if (!strcmp(f[k].b, t[1]) && f[k].bp == sp && !strcmp(f[k].a, t[3]) && f[k].ap == dp) {
				dir = 1;
				break;
			}
		}
		if (k == nf) {
			if (nf == MAXF)
				continue;
			snprintf(f[k].a, sizeof(f[k].a), "%s", t[1]);
			snprintf(f[k].b, sizeof(f[k].b), "%s", t[3]);
			f[k].ap = sp, f[k].bp = dp;
			quic_asm_init(&f[k].q);
			quic_asm_init(&f[k].qb);
			nf++;
		}
		n = unhex(t[5], buf, sizeof(buf));
		r = quic_asm_feed(&f[k].qb, buf, n);
		f[k].neg_both += r < 0 && r != -EPROTONOSUPPORT;
		f[k].done_both |= r == 1;
		if (dir)
			continue;
		r = quic_asm_feed(&f[k].q, buf, n);
		f[k].neg_client += r < 0 && r != -EPROTONOSUPPORT;
		if (r == 1 && !f[k].frame)
			f[k].frame = atoi(t[0]);
	}
	for (k = 0; k < nf; k++)
		print_flow(&f[k]);
	return 0;
}
EOF

srcs=$(ls "$top"/user/l7/*.c)
if ! gcc -std=gnu11 -O1 -g -fsanitize=address,undefined -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
	-include errno.h -I"$top/include" -I"$top/user" "$work/driver.c" $srcs -lcrypto -o "$work/driver"; then
	echo "check_quic_truth: driver does not build" >&2
	exit 1
fi

if [ $# -eq 0 ]; then
	mapfile -t names < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k, v in d.items():
    if k != "_meta" and (v.get("quic") or v.get("quic_long_initial_frames")):
        print(k)' "$pcaps/truth.json")
	set -- "${names[@]/#/$pcaps/}"
fi

for pcap in "$@"; do
	name=$(basename "$pcap")
	tshark -r "$pcap" -Y udp -T fields -e frame.number -e ip.src -e ipv6.src -e udp.srcport \
		-e ip.dst -e ipv6.dst -e udp.dstport -e udp.payload 2>/dev/null |
		awk -F'\t' -v OFS='\t' '{ print $1, $2 $3, $4, $5 $6, $7, $8 }' >"$work/$name.in"
	"$work/driver" <"$work/$name.in" >"$work/$name.json"
	python3 - "$pcaps" "$name" "$work/$name.json" <<'EOF'
import json, sys
pcaps, name, ours_path = sys.argv[1:4]
truth = json.load(open(f"{pcaps}/truth.json")).get(name, {}).get("quic") or []
try:
    ref = json.load(open(f"{pcaps}/ndpi_ja4_ref.json")).get(name, {}).get("flows", [])
except FileNotFoundError:
    ref = []
ours = [json.loads(l) for l in open(ours_path)]
by_flow = {(o["src"], o["src_port"]): o for o in ours}
agree = total = ja4_agree = ja4_total = ja4_bc = 0
fields = ["sni", "alpn", "legacy_version", "cipher_suites", "extensions", "supported_versions", "supported_groups"]
for t in truth:
    key = (t["flow"]["src"], t["flow"]["src_port"])
    o = by_flow.get(key, {})
    bad = []
    checks = [("version", o.get("version"), t["quic_versions"][0]),
              ("frame", o.get("frame"), t["client_initial_frames_so_far"][-1])]
    checks += [(f, o.get(f), t.get(f)) for f in fields]
    for f, got, want in checks:
        total += 1
        if got == want:
            agree += 1
        else:
            bad.append(f"{f}: got {got} want {want}")
    for r in ref:
        if f":{key[1]} " in r["ndpi_flow"] or f"]:{key[1]} " in r["ndpi_flow"]:
            ja4_total += 1
            mine = o.get("ja4") or ""
            ja4_bc += r["ja4"].split("_")[1:] == mine.split("_")[1:]
            if r["ja4"] == mine:
                ja4_agree += 1
            else:
                bad.append(f"ja4: got {o.get('ja4')} nDPI {r['ja4']}")
    print(f"  {name} frame {t['frame']} {key[0]}:{key[1]} sni={o.get('sni')} "
          f"{'ok' if not bad else 'DIFF ' + '; '.join(bad)}")
extra = [o for o in ours if o.get("frame") and (o["src"], o["src_port"]) not in
         {(t["flow"]["src"], t["flow"]["src_port"]) for t in truth}]
neg_c = sum(o["neg_client"] for o in ours)
neg_b = sum(o["neg_both"] for o in ours)
both_miss = sum(1 for o in ours if o.get("frame") and not o["done_both"])
print(f"{name}: {agree}/{total} fields agree over {len(truth)} ClientHellos; "
      f"JA4 vs nDPI {ja4_agree}/{ja4_total} whole, {ja4_bc}/{ja4_total} suite+extension hashes; hellos tshark lacks: {len(extra)}; "
      f"error codes: client-only {neg_c}, both directions {neg_b} (hellos lost that way: {both_miss})")
EOF
done
