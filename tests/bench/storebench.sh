#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/storebench.sh - the store's benchmark (issue 6) if its author left one (tests/bench/store.sh + bench_store).
set -u
. "$(dirname "$0")/lib.sh"
b=$(bench_bin bench_store)
if [ ! -x "$BENCH_DIR/store.sh" ] && [ ! -f "$BENCH_DIR/store.sh" ]; then skipped storebench "no tests/bench/store.sh"; exit 0; fi
[ -x "$b" ] || { skipped storebench "bench_store not built"; exit 0; }
out=$(bash "$BENCH_DIR/store.sh" "$b" "${BENCH_STORE_FLOWS:-100000}" 2>&1); rc=$?
printf '%s\n' "$out" | tail -20 >&2
python3 -c 'import json,sys; print(json.dumps({"rc": int(sys.argv[1]), "output": sys.argv[2].splitlines()[-20:], "source": "tests/bench/store.sh (issue 6 owner)"}, indent=1))' "$rc" "$out" > "$FRAG/storebench.json"
