#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/fuzz/smoke.sh - the short fuzz run inside `make test`: builds every target, runs each briefly.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
make -s fuzz-build >/dev/null 2>&1 || { echo "FAIL: fuzz targets build (make fuzz-build)"; exit 1; }
targets=()
for f in tests/fuzz/fuzz_*.c; do
	targets+=(".output/fuzz/$(basename "$f" .c)")
done
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-10} exec tests/fuzz/run.sh "${targets[@]}"
