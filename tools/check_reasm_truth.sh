#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/check_reasm_truth.sh - dev aid: compare user/reasm prefixes with tshark's "Follow TCP stream" bytes.
#
#   tools/check_reasm_truth.sh [FILE.pcap...]     (default: four zeek captures in ../shared/pcaps)
#
# Every TCP segment of each file is extracted with tshark (stream, source, raw sequence number,
# flags, payload) and fed in file order to user/reasm through a small driver built here; with the
# default limits the module keeps the first 32 payload segments of each direction. Each
# direction's prefix must equal tshark's followed bytes of that node truncated to the same
# length. Each file runs twice: as captured, and with every direction's sequence numbers shifted
# so that they wrap past 2^32 about 700 bytes into the stream (the prefix must not change).
# One line per direction, then "N agree, N disagree". Exit status 1 on any disagreement.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
pcaps=/work/shared/pcaps
[ -d "$pcaps" ] || pcaps=$top/../shared/pcaps
if [ $# -eq 0 ]; then
	set -- "$pcaps/zeek__tcp-reassembly.pcap" "$pcaps/zeek__ftp-bigtransfer.pcap" \
		"$pcaps/zeek__tcp-handshake-reorder.pcap" "$pcaps/zeek__hrr.pcap"
fi
tmp=$(mktemp -d /tmp/reasm-truth.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The driver: stdin "stream<TAB>ip4<TAB>ip6<TAB>port<TAB>seq<TAB>flags<TAB>payloadhex" lines;
# stdout one line per stream and direction: stream endpoint len seen kept dup outside trimmed gap hex.
# Direction 0 is the client: the sender of the first packet, unless that packet is a SYN-ACK.
cat >"$tmp/drv.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reasm/reasm.h"

struct st { struct reasm *r; char ep[2][80]; unsigned int shift[2]; int shifted[2]; };

static int unhex(const char *h, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned int v;

	while (h[0] && h[1] && n < cap && sscanf(h, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		h += 2;
	}
	return (int)n;
}

int main(void)
{
	static char line[1 << 18];
	static unsigned char pay[1 << 17];
	struct st *s = NULL;
	size_t ns = 0, i;
	const char *w = getenv("REASM_WRAP");
	unsigned int wrap = w ? (unsigned int)strtoul(w, NULL, 10) : 0;
	int d;

	while (fgets(line, sizeof(line), stdin)) {
		char *p = line, *f[7];
		char ep[80];
		unsigned long stream, seq, flags;
		int k, n;

		line[strcspn(line, "\n")] = 0;
		for (k = 0; k < 7; k++)
			f[k] = strsep(&p, "\t");
		if (!f[6] || !*f[0])
			continue;
		stream = strtoul(f[0], NULL, 10);
		seq = strtoul(f[4], NULL, 10);
		flags = strtoul(f[5], NULL, 16);
		if (*f[1])
			snprintf(ep, sizeof(ep), "%s:%s", f[1], f[3]);
		else
			snprintf(ep, sizeof(ep), "[%s]:%s", f[2], f[3]);
		if (stream >= ns) {
			s = realloc(s, (stream + 1) * sizeof(*s));
			memset(s + ns, 0, (stream + 1 - ns) * sizeof(*s));
			ns = stream + 1;
		}
		if (!s[stream].r) {
			if (reasm_new(&s[stream].r, NULL))
				return 2;
			d = (flags & 0x12) == 0x12; /* first packet a SYN-ACK: its sender is the server */
			strcpy(s[stream].ep[d], ep);
		}
		if (!strcmp(ep, s[stream].ep[0]))
			d = 0;
		else if (!strcmp(ep, s[stream].ep[1]) || !s[stream].ep[1][0])
			d = 1;
		else
			d = 0;
		if (!s[stream].ep[d][0])
			strcpy(s[stream].ep[d], ep);
		if (wrap && !s[stream].shifted[d]) {
			s[stream].shift[d] = 0u - (unsigned int)seq - wrap; /* first seq -> 2^32 - wrap */
			s[stream].shifted[d] = 1;
		}
		n = unhex(f[6], pay, sizeof(pay));
		reasm_add(s[stream].r, d, (unsigned int)seq + s[stream].shift[d], (unsigned char)flags, pay, (size_t)n);
	}
	for (i = 0; i < ns; i++) {
		for (d = 0; s[i].r && d < 2; d++) {
			struct reasm_stats st;
			const unsigned char *data;
			size_t len, j;

			reasm_prefix(s[i].r, d, &data, &len);
			reasm_stats(s[i].r, d, &st);
			printf("%zu %s %zu %u %u %u %u %u %u ", i, s[i].ep[d][0] ? s[i].ep[d] : "-", len,
			       st.segs_seen, st.segs_kept, st.segs_dup, st.segs_outside, st.bytes_trimmed, st.gap);
			for (j = 0; j < len; j++)
				printf("%02x", data[j]);
			printf("%s\n", len ? "" : "-");
		}
		reasm_free(s[i].r);
	}
	free(s);
	return 0;
}
EOF
${CC:-gcc} -std=gnu11 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -Wall -Wextra \
	-Werror -D_GNU_SOURCE -I"$top/user" "$tmp/drv.c" "$top/user/reasm/reasm.c" -o "$tmp/drv"

agree=0
disagree=0
for run in "$@" ${WRAP_RUNS:-$(printf 'wrap:%s ' "$@")}; do
	f=${run#wrap:}
	wrap=0
	[ "$f" != "$run" ] && wrap=700
	name=$(basename "$f")
	[ "$wrap" -ne 0 ] && name="$name(wrap)"
	tshark -r "$f" -Y tcp -T fields -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e tcp.seq_raw \
		-e tcp.flags -e tcp.payload 2>/dev/null >"$tmp/segs.tsv"
	REASM_WRAP=$wrap "$tmp/drv" <"$tmp/segs.tsv" >"$tmp/ours.txt"
	while read -r stream ep len seen kept dup outside trimmed gap hex; do
		[ "$ep" = "-" ] && continue
		# tshark's followed bytes of this node: lines indented with a tab belong to node 1.
		tshark -r "$f" -q -z "follow,tcp,raw,$stream" 2>/dev/null | awk -v ep="$ep" '
			/^Node 0: / { n0 = $3 } /^Node 1: / { n1 = $3 }
			/^[0-9a-f]+$/ && n0 == ep { printf "%s", $1 }
			/^\t[0-9a-f]+$/ && n1 == ep { sub(/^\t/, ""); printf "%s", $1 }' >"$tmp/theirs.hex"
		theirs=$(($(wc -c <"$tmp/theirs.hex") / 2))
		[ "$hex" = "-" ] && hex=
		if [ "$(head -c $((len * 2)) "$tmp/theirs.hex")" = "$hex" ] && [ "$theirs" -ge "$len" ]; then
			verdict=agree
			agree=$((agree + 1))
		else
			verdict=DISAGREE
			disagree=$((disagree + 1))
		fi
		printf '%-8s %s stream %s %s: prefix %s of tshark %s bytes (segs seen %s kept %s dup %s outside %s, trimmed %s, gap %s)\n' \
			"$verdict" "$name" "$stream" "$ep" "$len" "$theirs" "$seen" "$kept" "$dup" "$outside" "$trimmed" "$gap"
	done <"$tmp/ours.txt"
done
echo "$agree agree, $disagree disagree"
[ "$disagree" -eq 0 ]
