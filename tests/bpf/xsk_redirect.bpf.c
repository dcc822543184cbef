// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bpf/xsk_redirect.bpf.c - every frame to its queue's AF_XDP socket with struct xdp_meta in front (afxdp tests). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "flowtower/abi.h"

/*
 * The steering half of sensor.bpf.c without its rule: tests/live/test_afxdp.sh
 * needs every frame in userspace to compare counts, bytes and timestamps with
 * what tcpreplay sent. Built by the test with clang -target bpf.
 */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, FT_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsk_by_queue SEC(".maps");

volatile __s64 wall_offset_ns = 0; /* CLOCK_REALTIME - CLOCK_BOOTTIME, set by the test driver */
volatile __u64 no_meta = 0;	   /* frames whose headroom had no room for the metadata */

/* xdp.frags: frames larger than a page arrive as multi-buffer xdp_buffs instead of being refused */
SEC("xdp.frags")
int xsk_redirect(struct xdp_md *ctx)
{
	__u32 len = bpf_xdp_get_buff_len(ctx);
	struct xdp_meta *m;

	if (!bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) <= (void *)(long)ctx->data) {
			m->ts_ns = bpf_ktime_get_boot_ns() + wall_offset_ns;
			m->len = len;
			m->caplen = len;
			m->flags = 0;
			m->rx_queue = (__u16)ctx->rx_queue_index;
			m->magic = XMETA_MAGIC;
		}
	} else {
		__sync_fetch_and_add(&no_meta, 1);
	}
	return bpf_redirect_map(&xsk_by_queue, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
