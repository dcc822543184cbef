# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# store.mk - what the store adds to the build; include it at the end of the Makefile (it uses
# OUTPUT, FUZZOUT, BIN). Its migrations are assembled into the binary with .incbin
# (user/store/migrate.c), which the compiler's -MMD files do not see: rebuild on any sql/ edit.
STORE_SQL := $(sort $(wildcard sql/*.sql))
$(OUTPUT)/user/store/migrate.o $(FUZZOUT)/user/store/migrate.o: $(STORE_SQL)

# The database tests: a throwaway PostgreSQL cluster per script (as root, initdb runs as postgres).
# tests/run.sh db runs each script and counts its PASS:/FAIL: lines; `make test` runs them too.
.PHONY: check-db bench-store
check-db: $(BIN) tools
	@FT=$(BIN) TOOLS=$(OUTPUT)/tools tests/run.sh db $(sort $(wildcard tests/db/test_*.sh))

bench-store: $(OUTPUT)/tests/bench_store
	@tests/bench/store.sh $(OUTPUT)/tests/bench_store
