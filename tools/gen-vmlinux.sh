#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tools/gen-vmlinux.sh - regenerate vmlinux.h from the running kernel's BTF (the only writer of vmlinux.h).
set -eu
cd "$(dirname "$0")/.."
btf=${BTF:-/sys/kernel/btf/vmlinux}
[ -r "$btf" ] || { echo "gen-vmlinux: $btf not readable: this kernel has no BTF" >&2; exit 1; }
bpftool btf dump file "$btf" format c >vmlinux.h.tmp
mv vmlinux.h.tmp vmlinux.h
echo "gen-vmlinux: vmlinux.h from $btf ($(uname -r))"
