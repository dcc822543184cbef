// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bench/counter.bpf.c - the live baseline: one per-CPU packet counter, then drop. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

SEC("xdp.frags")
int xdp_count(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&pkts, &k);

	if (v)
		(*v)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
