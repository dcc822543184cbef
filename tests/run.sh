#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/run.sh - run test suites and count PASS:/FAIL: lines; ends with "N passed, N failed".
#
#   tests/run.sh unit BIN...      native unit test binaries
#   tests/run.sh bpf BIN...       BPF_PROG_TEST_RUN binaries (root)
#   tests/run.sh pcap SCRIPT      offline checks against truth.json
#   tests/run.sh netns SCRIPT...  live tests in network namespaces (root)
#   tests/run.sh all              everything `make test` runs
#
# A test binary or script that exits non-zero without printing a FAIL line
# (a crash, a sanitizer report) counts as one failure of its own.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cd "$top"

passed=0
failed=0
failures=()
log_dir=${FT_TEST_LOG:-$(mktemp -d /tmp/ft-test.XXXXXX)}
mkdir -p "$log_dir"

run_one() { # run_one NAME CMD...
	local name=$1 out rc p f
	shift
	out="$log_dir/$(echo "$name" | tr '/ ' '__').log"
	local start=$SECONDS
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	grep '^FAIL: ' "$out" | while read -r line; do echo "  $line"; done
	if [ "$f" -gt 0 ]; then
		failures+=("$name")
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		failures+=("$name (exit $rc)")
		echo "  FAIL: $name exited $rc without a FAIL line; last lines of $out:"
		tail -n 15 "$out" | sed 's/^/    /'
	elif [ "$f" -gt 0 ]; then
		echo "  details: $out"
		grep -B0 -A0 '^  ' "$out" | head -n 30 | sed 's/^/    /'
	fi
	printf '%-40s %3d passed %3d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
}

suite_bins() { # suite_bins KIND BIN...
	local b kind=$1 pfx=
	shift
	case "$kind" in *-san) pfx=san: ;; esac
	for b in "$@"; do
		run_one "$pfx$(basename "$b")" "$b"
	done
}

suite_scripts() {
	local s kind=$1 pfx=
	shift
	case "$kind" in *-san) pfx=san: ;; esac
	for s in "$@"; do
		run_one "$pfx$(basename "$s" .sh)" bash "$s"
	done
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1 needs root (CAP_BPF, CAP_NET_ADMIN): skipped, counted as failed"
		failed=$((failed + 1))
		failures+=("$1 (not root)")
		return 1
	fi
	if ! mountpoint -q /sys/fs/bpf; then
		mount -t bpf bpf /sys/fs/bpf || return 1
	fi
	return 0
}

mode=${1:-all}
shift || true
case "$mode" in
unit) suite_bins unit "$@" ;;
bpf) need_root check-bpf && suite_bins bpf "$@" ;;
pcap) suite_scripts pcap "$@" ;;
netns) need_root check-netns && suite_scripts netns "$@" ;;
tools) suite_scripts tools "$@" ;;
db) suite_scripts db "$@" ;;
all)
	out=.output/rel
	[ "${SANITIZE:-0}" = 1 ] && out=.output/san
	suite_bins unit $(ls $out/tests/test_* 2>/dev/null | grep -v '/test_xdp_' | grep -v '\.d$')
	suite_scripts pcap tests/pcap/run.sh tests/pcap/streams.sh
	suite_scripts tools tests/tools/test_ftgen.sh
	# the same unit and offline suites under ASan/UBSan
	if make -s san-build >"$log_dir/san-build.log" 2>&1; then
		suite_bins unit-san $(ls .output/san/tests/test_* 2>/dev/null | grep -v '/test_xdp_' | grep -v '\.d$')
		FT=build/san/flowtower suite_scripts pcap-san tests/pcap/run.sh
	else
		echo "FAIL: sanitizer build (see $log_dir/san-build.log)"
		failed=$((failed + 1))
		failures+=("san-build")
	fi
	if need_root "bpf and live tests"; then
		suite_bins bpf $(ls $out/tests/test_xdp_* 2>/dev/null | grep -v '\.d$')
		suite_scripts netns $(ls tests/live/test_*.sh 2>/dev/null)
		suite_scripts db $(ls tests/db/test_*.sh 2>/dev/null) # throwaway clusters run as postgres
		suite_scripts tools tests/tools/test_ftreplay.sh
		[ -x tests/fuzz/smoke.sh ] && suite_scripts fuzz tests/fuzz/smoke.sh
	fi
	;;
*)
	echo "usage: $0 unit|bpf|pcap|netns|tools|db|all [...]" >&2
	exit 2
	;;
esac

echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "logs: $log_dir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
