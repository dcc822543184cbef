#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/l7.sh - TLS, QUIC and HTTP parsing throughput of `flowtower read`: for each, the
# shared captures (tests/pcap's FT_PCAPS) where `read` finds only that kind of name, copied with
# new addresses (tests/bench/l7copies.py) until about BENCH_L7_FRAMES frames (default 1M), so
# that every copy's ClientHellos / requests are parsed again; parsed per CPU-second of read.
set -u
. "$(dirname "$0")/lib.sh"
PCAPS=${FT_PCAPS:-$ROOT/../shared/pcaps}
[ -d "$PCAPS" ] || { skipped l7 "no shared captures at $PCAPS (FT_PCAPS)"; exit 0; }
command -v editcap >/dev/null || need_cmd editcap wireshark-common || { skipped l7 "no editcap"; exit 0; }
W=$(mktemp -d /dev/shm/ftbench.l7.XXXXXX)
trap 'rm -rf "$W"' EXIT
FRAMES=${BENCH_L7_FRAMES:-1000000}

# each shared capture as pcap, with what read parses in it: "FILE tls quic http dns frames"
for f in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	[ -s "$f" ] || continue
	p=$W/$(basename "$f").pcap
	editcap -F pcap "$f" "$p" 2>/dev/null || continue
	case "$(capinfos -E "$p" 2>/dev/null | sed -n 's/.*encapsulation: *//p')" in
	Ethernet) ;;
	*) "$TOOLS/pcap2eth" "$p" "$p.eth" 2>/dev/null && mv "$p.eth" "$p" || continue ;; # tools/pcap2eth
	esac
	"$FT" read --json "$p" 2>/dev/null | grep '"type":"stats"' | python3 -c '
import json, sys
d = json.loads(sys.stdin.read() or "{}")
print(sys.argv[1], *(d.get(k, 0) for k in ("tls_client_hellos", "quic_client_hellos", "http_requests", "dns_responses", "rx_frames")))' "$p"
done > "$W/files"

res=$W/res
: > "$res"
for kind in tls quic http; do
	case $kind in # the files where read finds this kind of name and no other
	tls) sel='$2 > 0 && $3 == 0 && $4 == 0 && $5 == 0' ;;
	quic) sel='$3 > 0 && $2 == 0 && $4 == 0 && $5 == 0' ;;
	http) sel='$4 > 0 && $2 == 0 && $3 == 0 && $5 == 0' ;;
	esac
	files=$(awk "$sel { print \$1 }" "$W/files")
	[ -n "$files" ] || continue
	per=$(awk "$sel { n += \$6 } END { print n }" "$W/files")
	copies=$(( FRAMES / per )); [ "$copies" -ge 1 ] || copies=1
	say "$kind: $(echo "$files" | wc -l) captures, $per frames a copy, $copies copies"
	python3 "$BENCH_DIR/l7copies.py" "$W/$kind.pcap" "$copies" $files >/dev/null || continue
	cat "$W/$kind.pcap" > /dev/null
	timed "$W/$kind.t" "$FT" read --json "$W/$kind.pcap" > "$W/$kind.out" 2>/dev/null
	grep '"type":"stats"' "$W/$kind.out" | tail -n 1 > "$W/$kind.stats"
	echo "$kind $copies $(awk "$sel { t += \$2; q += \$3; h += \$4 } END { print t, q, h }" "$W/files") $(cat "$W/$kind.t") $(echo $files | xargs -n1 basename | sed 's/\.pcap$//' | paste -sd, -)" >> "$res"
	rm -f "$W/$kind.pcap" "$W/$kind.out"
done
[ -s "$res" ] || { skipped l7 "no shared capture held TLS, QUIC or HTTP names alone"; exit 0; }
python3 - "$res" "$W" > "$FRAG/l7.json" <<'PY'
import json, os, sys
res, W = sys.argv[1], sys.argv[2]
key = {"tls": ("tls_client_hellos", "TLS ClientHellos", 0), "quic": ("quic_client_hellos", "QUIC Initial ClientHellos", 1),
       "http": ("http_requests", "HTTP requests", 2)}
out = {"parsers": {}, "note": [
    "flowtower read --json on copies of the shared captures where read finds only that kind of name (every "
    "copy with new addresses, so new flows parsed again); per_s = parsed / (user+sys) of the whole read, so "
    "it includes reading, flow accounting and the copies' other frames (handshakes, data): a lower bound on "
    "the parser's own rate",
    "expected = copies x what read finds in one copy; a shortfall means copies were not all parsed"]}
for line in open(res):
    kind, copies, t, q, h, wall, u, s, rss, rc, files = line.split()
    k, what, i = key[kind]
    st = json.loads(open(os.path.join(W, kind + ".stats")).read() or "{}")
    cpu = float(u) + float(s)
    n = st.get(k, 0)
    out["parsers"][kind] = {"what": what, "count": n, "expected": int(copies) * int((t, q, h)[i]),
                            "copies": int(copies), "frames": st.get("rx_frames"), "cpu_s": round(cpu, 2),
                            "wall_s": float(wall), "per_s": round(n / cpu) if cpu else None,
                            "frames_per_s": round(st.get("rx_frames", 0) / cpu) if cpu else None,
                            "errors": st.get(kind + "_errors"), "max_rss_kb": int(rss), "rc": int(rc),
                            "captures": files.split(",")}
print(json.dumps(out, indent=1))
PY
