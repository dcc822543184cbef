#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/fuzz/run.sh FUZZER... - run each libFuzzer target for FUZZ_SECONDS (default 60) from its seed
# corpus (tests/fuzz/corpus/<name>/, copied: the committed seeds are never rewritten). Prints
# PASS:/FAIL: per target with the number of executions; a crash leaves its input in tests/fuzz/artifacts/.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
mkdir -p "$top/tests/fuzz/artifacts"
rc=0
for f in "$@"; do
	name=$(basename "$f" | sed 's/^fuzz_//')
	work=$(mktemp -d /tmp/ft-fuzz.XXXXXX)
	[ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$work/"
	log=$work.log
	"$f" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$top/tests/fuzz/artifacts/$name-" "$work" >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $st -eq 0 ]; then
		echo "PASS: fuzz $name ${secs}s, ${execs:-?} executions, no crash, leak or sanitizer report"
	else
		echo "FAIL: fuzz $name (exit $st): $(grep -m1 -E 'ERROR|runtime error|deadly' "$log")"
		tail -n 30 "$log" | sed 's/^/    /'
		rc=1
	fi
	rm -rf "$work" "$log"
done
exit $rc
