// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bench/minimal.bpf.c - issue 8's baseline: parse Ethernet/IPv4/TCP, per-CPU hash by 5-tuple, timestamp. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto, pad[3];
};

struct val {
	__u64 pkts, bytes, last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct key);
	__type(value, struct val);
} mflows SEC(".maps");

SEC("xdp")
int xdp_minimal(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *tcp;
	struct key k = {};
	struct val *v, nv = {};

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->ihl < 5 || ip->protocol != IPPROTO_TCP)
		return XDP_DROP;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end)
		return XDP_DROP;
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = tcp->source;
	k.dport = tcp->dest;
	k.proto = IPPROTO_TCP;
	v = bpf_map_lookup_elem(&mflows, &k);
	if (v) {
		v->pkts++;
		v->bytes += bpf_ntohs(ip->tot_len);
		v->last_ns = bpf_ktime_get_ns();
	} else {
		nv.pkts = 1;
		nv.bytes = bpf_ntohs(ip->tot_len);
		nv.last_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&mflows, &k, &nv, BPF_NOEXIST);
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
