# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/lib.sh - helpers the benchmark scripts share: paths, timing a child, JSON fragments.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
FT=${FT:-$ROOT/build/flowtower}
case $FT in /*) ;; *) FT=$ROOT/$FT ;; esac
TOOLS=${TOOLS:-$ROOT/.output/rel/tools}
case $TOOLS in /*) ;; *) TOOLS=$ROOT/$TOOLS ;; esac
OUT=${BENCH_OUT:-$ROOT/.output/bench}
SHM=${BENCH_SHM:-/dev/shm/ftbench}
PKTS=${BENCH_PKTS:-2000000}
CAP=$SHM/cap.pcap
TRUTH=$SHM/cap.json
FRAG=$OUT/frag
mkdir -p "$OUT" "$FRAG" "$SHM"

say() { printf 'bench: %s\n' "$*" >&2; }

# the bench binary NAME (bench_xdp, ...) from BENCH_BINS or the default output directory
bench_bin() {
	local b
	for b in ${BENCH_BINS:-}; do
		case $b in */"$1") case $b in /*) echo "$b" ;; *) echo "$ROOT/$b" ;; esac; return ;; esac
	done
	echo "$ROOT/.output/rel/tests/$1"
}

# the shared 2M capture and its truth, generated once per machine boot (in /dev/shm)
need_capture() {
	if [ ! -s "$CAP" ] || [ ! -s "$TRUTH" ]; then
		say "generating $PKTS packets into $CAP"
		"$TOOLS/ftgen" -o "$CAP" -n "$PKTS" --truth "$TRUTH" || { say "ftgen failed"; return 1; }
	fi
}

# timed OUTFILE CMD...: run CMD, write "wall user sys maxrss_kb rc" to OUTFILE
timed() {
	local f=$1; shift
	/usr/bin/time -o "$f.t" -f '%e %U %S %M' "$@"
	local rc=$?
	echo "$(tail -1 "$f.t") $rc" > "$f"
	rm -f "$f.t"
	return $rc
}

# install the Debian package PKG when the command CMD is missing
need_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	say "installing $2 for $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 || true
	command -v "$1" >/dev/null 2>&1
}

# fragment NAME JSON: one measurement's results, merged by run.sh
fragment() { printf '%s\n' "$2" > "$FRAG/$1.json"; }
skipped() { fragment "$1" "{\"skipped\": true, \"why\": $(printf '%s' "$2" | python3 -c 'import json,sys;print(json.dumps(sys.stdin.read()))')}"; say "$1 skipped: $2"; }

# compile a BPF object from tests/bench/NAME.bpf.c into $OUT/NAME.bpf.o
bpf_obj() {
	local o=$OUT/$1.bpf.o
	if [ ! -e "$o" ] || [ "$BENCH_DIR/$1.bpf.c" -nt "$o" ]; then
		clang -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I"$ROOT" -I"$ROOT/include" -I/usr/include/$(gcc -print-multiarch) \
			-c "$BENCH_DIR/$1.bpf.c" -o "$o" || { say "clang $1.bpf.c failed"; return 1; }
	fi
	echo "$o"
}
