#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/store.sh BENCH_STORE [FLOWS] - the store's benchmark against a throwaway cluster
# (fsync on, as a real database): flow rows/s with COPY + upsert, one batch of FLOWS changed flows.
BENCH=${1:?usage: tests/bench/store.sh path/to/bench_store [FLOWS]}
. "$(dirname "$0")/../db/lib.sh"
db_start
sed -i 's/^fsync = off/fsync = on/' "$T/data/postgresql.conf"
db_down fast && db_up
"$BENCH" "$DB" "${2:-100000}" "$T/state"
check "bench_store ran" "$?" 0
