// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bench/drop.bpf.c - the trivial baseline: drop every packet, touch nothing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
