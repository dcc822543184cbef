# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# flowtower - one Makefile: the BPF object and skeleton, the daemon, tests, fuzzers, benchmarks.
#
#   make              build/flowtower (and the BPF object inside it)
#   make test         every test (as root: netns, veth, XDP, a throwaway PostgreSQL)
#   make check        native unit tests only (no root)      SANITIZE=1: under ASan/UBSan
#   make check-bpf    BPF_PROG_TEST_RUN tables (root)
#   make check-pcap   offline reads of ../shared/pcaps against tshark's truth
#   make check-netns  live: XDP on veth in network namespaces, tcpreplay
#   make fuzz         every libFuzzer target, FUZZ_SECONDS each (default 60)
#   make bench        benchmarks, figures and ratios against baselines run alongside
#   make demo         the end-to-end demo on this machine
#   make vmlinux      regenerate vmlinux.h from /sys/kernel/btf/vmlinux

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
OUTPUT    := .output/san
BIN       := build/san/flowtower
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
OUTPUT    := .output/rel
BIN       := build/flowtower
SANFLAGS  :=
endif
BPFOUT    := .output/bpf

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      ?= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
CFLAGS    := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Werror=undef -Wno-unused-parameter \
	     -Wno-missing-field-initializers -D_GNU_SOURCE -MMD -MP -Iinclude -Iuser -I$(BPFOUT) \
	     -I/usr/include/postgresql $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS   := $(SANFLAGS)
LDLIBS    := -lxdp -lbpf -lelf -lz -lpq -lpcap -lcrypto -lmicrohttpd -lpthread -lm
BPF_FLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror -I. -Iinclude -Ibpf

ifeq ($(V),1)
msg =
else
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

USER_SRCS := $(filter-out $(EXCLUDE),$(shell find user -name '*.c' ! -path user/ctl/main.c | sort))
USER_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
LIBFT     := $(OUTPUT)/libft.a
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
BPFT_SRCS := $(sort $(wildcard tests/bpf/test_*.c))
BPFT_BINS := $(patsubst tests/bpf/%.c,$(OUTPUT)/tests/%,$(BPFT_SRCS))
TOOL_SRCS := $(sort $(wildcard tools/*.c))
TOOL_BINS := $(patsubst tools/%.c,$(OUTPUT)/tools/%,$(TOOL_SRCS))
BENCH_SRCS:= $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BINS:= $(patsubst tests/bench/%.c,$(OUTPUT)/tests/%,$(BENCH_SRCS))


.PHONY: unit-bins san-build all check check-bpf check-pcap check-netns test fuzz bench demo demo-clean clean vmlinux install tools
all: $(BIN) tools

$(BPFOUT) $(OUTPUT) build build/san:
	@mkdir -p $@

$(BPFOUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h include/flowtower/*.h) vmlinux.h | $(BPFOUT)
	$(call msg,BPF,$@)$(CLANG) $(BPF_FLAGS) -c $< -o $@
$(BPFOUT)/%.skel.h: $(BPFOUT)/%.bpf.o
	$(call msg,SKEL,$@)$(BPFTOOL) gen skeleton $< name $* > $@

# only the loader and the BPF tests see the skeletons
$(OUTPUT)/user/kern/loader.o: $(BPFOUT)/sensor.skel.h

$(OUTPUT)/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) -c $< -o $@

$(LIBFT): $(USER_OBJS)
	$(call msg,AR,$@)rm -f $@ && ar rcs $@ $^

$(BIN): $(OUTPUT)/user/ctl/main.o $(LIBFT)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIBFT)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) -Itests/unit $< $(LIBFT) $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/tests/test_xdp_%: tests/bpf/test_xdp_%.c $(BPFOUT)/sensor.skel.h $(LIBFT)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) -Itests/unit -Itests/bpf $< $(LIBFT) $(LDFLAGS) $(LDLIBS) -o $@

$(OUTPUT)/tests/bench_%: tests/bench/bench_%.c $(BPFOUT)/sensor.skel.h $(LIBFT)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) -Itests/unit -Itests/bench $< $(LIBFT) $(LDFLAGS) $(LDLIBS) -o $@

$(OUTPUT)/tools/%: tools/%.c $(LIBFT)
	@mkdir -p $(@D)
	$(call msg,CC,$@)$(CC) $(CFLAGS) $< $(LIBFT) $(LDFLAGS) $(LDLIBS) -o $@

tools: $(TOOL_BINS)

# ---- tests ------------------------------------------------------------------
check: $(UNIT_BINS)
	@tests/run.sh unit $(UNIT_BINS)

check-bpf: $(BPFT_BINS)
	@tests/run.sh bpf $(BPFT_BINS)

check-pcap: $(BIN)
	@FT=$(BIN) tests/run.sh pcap tests/pcap/run.sh

check-netns: $(BIN) tools
	@FT=$(BIN) TOOLS=$(OUTPUT)/tools tests/run.sh netns $(sort $(wildcard tests/live/test_*.sh))

unit-bins: $(UNIT_BINS)

# The unit and offline suites again under ASan/UBSan (tests/run.sh all runs them).
san-build:
	@$(MAKE) -s SANITIZE=1 build/san/flowtower unit-bins

# Everything, in the order that fails fastest; one summary line at the end.
test: $(BIN) tools $(UNIT_BINS) $(BPFT_BINS)
	@FT=$(BIN) TOOLS=$(OUTPUT)/tools tests/run.sh all

# ---- fuzzing ----------------------------------------------------------------
FUZZ_SECONDS ?= 60
FUZZOUT   := .output/fuzz
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(FUZZOUT)/%,$(FUZZ_SRCS))
FUZZ_OBJS := $(patsubst %.c,$(FUZZOUT)/%.o,$(USER_SRCS))
FUZZ_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(CFLAGS)) -Wno-unknown-warning-option \
	       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

$(FUZZOUT)/user/kern/loader.o: $(BPFOUT)/sensor.skel.h
$(FUZZOUT)/%.o: %.c
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZOUT)/libft.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)rm -f $@ && ar rcs $@ $^
$(FUZZOUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZOUT)/libft.a
	$(call msg,FUZZLD,$@)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZOUT)/libft.a $(LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)
fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BINS)

# ---- benchmarks, demo, install ----------------------------------------------
bench: $(BIN) tools $(BENCH_BINS)
	@FT=$(BIN) TOOLS=$(OUTPUT)/tools BENCH_BINS="$(BENCH_BINS)" tests/bench/run.sh

demo:
	@tools/demo.sh

demo-clean:
	@tools/demo.sh clean

vmlinux:
	@tools/gen-vmlinux.sh

PREFIX ?= /usr/local
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/flowtower
	install -D -m 0644 tools/flowtower.service $(DESTDIR)/etc/systemd/system/flowtower.service
	install -D -m 0644 tools/flowtower.conf.example $(DESTDIR)/etc/flowtower/flowtower.conf.example
	install -D -m 0644 doc/flowtower.8 $(DESTDIR)$(PREFIX)/share/man/man8/flowtower.8
	@[ -n "$(DESTDIR)" ] || getent passwd flowtower >/dev/null || \
		useradd --system --no-create-home --shell /usr/sbin/nologin flowtower
	@echo "installed: $(PREFIX)/sbin/flowtower, flowtower.service (systemctl enable --now flowtower after editing"
	@echo "/etc/flowtower/flowtower.conf from the example), the man page, and the user 'flowtower'"

clean:
	rm -rf .output build

.DELETE_ON_ERROR:
.SECONDARY:
-include $(USER_OBJS:.o=.d) $(OUTPUT)/user/ctl/main.d
include web.mk
include store.mk
