#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/run.sh [PART...] - make bench: every benchmark (or the named parts), one JSON file and a table.
set -u
. "$(dirname "$0")/lib.sh"
ALL="offline kernel live memory afxdp l7 storebench"
PARTS=${*:-$ALL}
RESULTS=${BENCH_RESULTS:-$OUT/results.json}
[ "$(id -u)" = 0 ] || say "not root: kernel, live and afxdp parts will be skipped"
start=$(date +%s)
for p in $PARTS; do
	case " $ALL " in *" $p "*) ;; *) say "unknown part '$p' (parts: $ALL)"; exit 2 ;; esac
	rm -f "$FRAG/$p.json"
	say "== $p"
	t0=$(date +%s)
	bash "$BENCH_DIR/$p.sh" || say "$p exited with $?"
	[ -s "$FRAG/$p.json" ] || skipped "$p" "the script wrote no results (see its messages above)"
	say "== $p took $(( $(date +%s) - t0 )) s"
done
python3 "$BENCH_DIR/report.py" "$FRAG" "$RESULTS" $PARTS
say "all took $(( $(date +%s) - start )) s; results in $RESULTS"
echo "results: $RESULTS"
