// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sensor.bpf.c - the XDP entry: parse, count every packet per flow, pass or drop. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "flowtower/account.h"
#include "maps.bpf.h"

/* Runtime config lives in rodata, set by the loader between open and load. */
const volatile __u32 cfg_verdict = XDP_PASS; /* for packets nobody in userspace wants */
const volatile __u8 cfg_skip_own = 0;	     /* own_addrs flows go to CTR_SKIPPED_OWN */
const volatile __u8 cfg_dedup = 1;	     /* drop IPv6 near-duplicates from counting */
const volatile __u32 cfg_abi = FT_ABI_VERSION;
const volatile __u8 cfg_steer = 0;		     /* hand preamble packets to userspace */
const volatile __u32 cfg_tcp_preamble = FT_PREAMBLE_PKTS;  /* TCP packets each way */
const volatile __u32 cfg_udp_preamble = FT_UDP_PREAMBLE_PKTS; /* UDP/443, UDP/53 datagrams each way */
const volatile __u8 cfg_own_mac[6] = {};	     /* pass mode: frames to it are copied, never stolen */

/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME in ns, refreshed by the daemon on every
 * drain so that an NTP step reaches packet timestamps within seconds. In .bss
 * rather than a map: a plain load on the packet path.
 */
volatile __s64 wall_offset_ns = 0;

/* Which flow buffer XDP writes: 0 = flows_a, 1 = flows_b. Flipped by the daemon's drain. */
volatile __u32 active_buf = 0;

static __always_inline void ctr_add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += n;
}

/* Fill in ports of fragments: the first one records them, later ones look them up. */
static __always_inline void frag_ports(struct pkt_info *pi)
{
	struct frag_val *fv, nv = {};
	struct frag_key fk;

	ft_frag_key(pi, &fk);
	if (pi->frag == FRAG_FIRST) {
		nv.sport = pi->sport;
		nv.dport = pi->dport;
		bpf_map_update_elem(&frags, &fk, &nv, BPF_ANY);
		return;
	}
	ctr_add(CTR_FRAG_LATER, 1);
	fv = bpf_map_lookup_elem(&frags, &fk);
	if (fv) {
		pi->sport = fv->sport;
		pi->dport = fv->dport;
	} else {
		ctr_add(CTR_FRAG_NOFIRST, 1); /* counted to the flow with ports 0 */
	}
}

/* Is this IPv6 packet a near-duplicate of one seen within the window? */
static __always_inline int is_near_dup(void *data, void *data_end, const struct pkt_info *pi, __u64 now)
{
	/* offsets are below 256 by the parser's bounded walk; the mask tells the verifier */
	struct ft_ipv6 *ip6 = data + (pi->l3_off & 0x1ff);
	__u8 zero_mac[6] = {}, *mac = zero_mac;
	struct dedup_val *v, nv = {};
	struct dedup_key dk;
	void *l4;

	if ((void *)(ip6 + 1) > data_end)
		return 0;
	/* the transport header's first 8 bytes (ports) where there is one, past any extension headers */
	l4 = pi->l4_off > pi->l3_off && pi->frag != FRAG_LATER ? data + (pi->l4_off & 0x1ff) : (void *)(ip6 + 1);
	if (l4 + 8 > data_end)
		l4 = NULL;
	if (pi->mac_off != 0xffff) {
		__u8 *m = data + (pi->mac_off & 0x1ff) + 6;

		if ((void *)(m + 6) <= data_end)
			mac = m;
	}
	ft_dedup_key(pi, ip6->vcf, ip6->plen, ip6->nexthdr, l4, &dk);
	v = bpf_map_lookup_elem(&dedup, &dk);
	if (v && ft_dedup_is_dup(v, mac, pi->hop_limit, now))
		return 1;
	nv.ts_ns = now;
	__builtin_memcpy(nv.mac, mac, 6);
	nv.hop_limit = pi->hop_limit;
	bpf_map_update_elem(&dedup, &dk, &nv, BPF_ANY);
	return 0;
}

/* Local and own-address flags of a flow, computed once per flow, CPU and buffer. */
static __always_inline __u8 flow_flags(const struct flow_key *k)
{
	struct lpm_key lk = { .prefixlen = 128 };
	__u8 f = FLOW_F_INIT;

	__builtin_memcpy(lk.addr, k->addr_a, 16);
	if (bpf_map_lookup_elem(&local_nets, &lk))
		f |= FLOW_F_LOCAL_A;
	__builtin_memcpy(lk.addr, k->addr_b, 16);
	if (bpf_map_lookup_elem(&local_nets, &lk))
		f |= FLOW_F_LOCAL_B;
	if (cfg_skip_own && k->ip_version == 4 &&
	    (bpf_map_lookup_elem(&own_addrs, &k->addr_a[3]) || bpf_map_lookup_elem(&own_addrs, &k->addr_b[3])))
		f |= FLOW_F_SKIP;
	return f;
}

/* This CPU's counters of the flow in the active buffer, created on first sight. */
static __always_inline struct flow_ctr *flow_get(const struct flow_key *k)
{
	__u32 b = active_buf & 1;
	void *buf = b ? (void *)&flows_b : (void *)&flows_a;
	struct flow_ctr *c, init = {};
	__u64 *n;

	c = bpf_map_lookup_elem(buf, k);
	if (!c) {
		/* NOEXIST: another CPU may have created it meanwhile; either way look it up again */
		if (!bpf_map_update_elem(buf, k, &init, BPF_NOEXIST) && (n = bpf_map_lookup_elem(&created, &b)))
			(*n)++;
		c = bpf_map_lookup_elem(buf, k);
		if (!c) {
			ctr_add(CTR_FLOW_NOMEM, 1);
			return NULL;
		}
	}
	if (!(c->flags & FLOW_F_INIT))
		c->flags = flow_flags(k);
	return c;
}

/*
 * Count one IP packet into its flow, the totals and its minute. Returns this
 * CPU's counters of the flow when the packet may be steered (not a duplicate,
 * not an own-address flow), else NULL; *k and *side describe the flow.
 */
static __always_inline struct flow_ctr *account(void *data, void *data_end, struct pkt_info *pi, __u64 now,
						struct flow_key *k, int *side)
{
	__u32 minute_slot;
	struct tput_slot *ts;
	struct flow_ctr *c;
	int tdir, ctr, dup = 0;
	__u64 minute;

	if (pi->frag)
		frag_ports(pi);
	if (pi->ip_version == 6 && cfg_dedup)
		dup = is_near_dup(data, data_end, pi, now);
	*side = ft_flow_key(pi, k);
	c = flow_get(k);
	if (!c)
		return NULL;
	if (c->flags & FLOW_F_SKIP) {
		ctr_add(CTR_SKIPPED_OWN, 1);
		return NULL;
	}
	if (dup) {
		c->dups++;
		ctr_add(CTR_DUPLICATES, 1);
		return NULL;
	}
	ft_account(c, pi, *side, now);
	ctr_add(CTR_FLOW_PKTS, 1);
	if (pi->notes & NOTE_SNAPPED)
		ctr_add(CTR_L4_SNAPPED, 1);
	if (pi->notes & NOTE_TCP_DOFF)
		ctr_add(CTR_BAD_TCP_DOFF, 1);
	tdir = ft_tdir(c->flags, *side);
	ctr = ft_dir_ctr(tdir, pi->ip_version);
	ctr_add(ctr, 1);
	ctr_add(ctr + 1, pi->l3_len);

	minute = now / FT_NS_PER_MIN;
	minute_slot = minute % FT_TPUT_SLOTS;
	ts = bpf_map_lookup_elem(&tput, &minute_slot);
	if (ts)
		ft_tput_add(ts, minute, tdir, pi->ip_version, pi->l3_len);
	return c;
}

/* Does this packet belong to its flow's preamble? Counts it towards the preamble either way. */
static __always_inline int in_preamble(struct flow_ctr *c, const struct flow_key *k, int side, __u32 limit)
{
	struct steer_val *sv, init = {};
	__u32 n;

	sv = bpf_map_lookup_elem(&preamble, k);
	if (!sv) {
		bpf_map_update_elem(&preamble, k, &init, BPF_NOEXIST);
		sv = bpf_map_lookup_elem(&preamble, k);
		if (!sv)
			return 0;
	}
	if (sv->done) {
		c->steer_done |= STEER_ALL; /* userspace has what it needs: stop looking, on this CPU */
		return 0;
	}
	n = __sync_fetch_and_add(&sv->seen[side & 1], 1);
	if (n < limit)
		return 1;
	/* the count only grows: this side's later packets need no lookup (a one-way flow's all do) */
	c->steer_done |= STEER_SIDE(side);
	if (sv->seen[(side ^ 1) & 1] >= limit)
		c->steer_done |= STEER_ALL;
	return 0;
}

/* The UDP payload starts with a QUIC Initial (any port). */
static __always_inline int quic_at(void *data, void *data_end, const struct pkt_info *pi)
{
	__u32 off = pi->l4_off;

	if (off > 1500) /* far behind extension headers: not worth a look, and it bounds the pointer */
		return 0;
	return ft_quic_initial(data + off + 8, data_end);
}

/* Addressed to this host (its MAC, broadcast or multicast): in pass mode such a frame is only copied. */
static __always_inline int for_host(void *data, void *data_end)
{
	__u8 *d = data;
	int i;

	if ((void *)(d + 6) > data_end || (d[0] & 1))
		return 1;
	for (i = 0; i < 6; i++)
		if (d[i] != cfg_own_mac[i])
			return 0;
	return 1;
}

static __always_inline void fill_meta(struct xdp_meta *m, struct xdp_md *ctx, __u32 len, __u32 caplen,
				      __u16 flags, __u64 now)
{
	m->ts_ns = now;
	m->len = len;
	m->caplen = caplen;
	m->flags = flags;
	m->rx_queue = (__u16)ctx->rx_queue_index;
	m->magic = XMETA_MAGIC;
}

/* A copy of the frame into the ring buffer; the original goes on to its verdict. */
static __always_inline void copy_frame(struct xdp_md *ctx, __u32 len, __u64 now)
{
	struct copy_rec *r = bpf_ringbuf_reserve(&copy_ring, sizeof(*r), 0);
	__u32 caplen = len;

	if (!r) {
		ctr_add(CTR_STEER_COPY_FAIL, 1);
		return;
	}
	if (caplen > FT_COPY_MAX)
		caplen = FT_COPY_MAX;
	if (caplen < 1)
		caplen = 1;
	if (bpf_xdp_load_bytes(ctx, 0, r->data, caplen)) {
		bpf_ringbuf_discard(r, 0);
		ctr_add(CTR_STEER_COPY_FAIL, 1);
		return;
	}
	fill_meta(&r->meta, ctx, len, caplen, XMETA_F_COPY | (caplen < len ? XMETA_F_TRUNC : 0), now);
	bpf_ringbuf_submit(r, 0);
	ctr_add(CTR_STEER_COPY, 1);
}

/* Hand the frame itself to the AF_XDP socket of its RX queue, metadata in front. Packet pointers die here. */
static __always_inline int to_xsk(struct xdp_md *ctx, __u32 len, __u64 now)
{
	struct xdp_meta *m;
	int ret;

	if (!bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) <= (void *)(long)ctx->data)
			fill_meta(m, ctx, len, len, 0, now);
	}
	/* no socket on this queue: the low bits of flags are the verdict instead */
	ret = bpf_redirect_map(&xsk_by_queue, ctx->rx_queue_index, cfg_verdict);
	ctr_add(ret == XDP_REDIRECT ? CTR_STEER_XSK : CTR_STEER_NO_XSK, 1);
	return ret;
}

/*
 * `flowtower dump`: XDP runs before the kernel's packet taps, so tcpdump on
 * this interface no longer sees what we drop or steer; while a dump runs,
 * sampled and rate-limited copies go to its ring. One map lookup per frame
 * when no dump runs.
 */
static __always_inline void dump(struct xdp_md *ctx, __u32 len)
{
	struct dump_ctl *dc;
	struct dump_rl *rl;
	struct copy_rec *r;
	__u32 zero = 0, caplen;
	__u64 now;

	dc = bpf_map_lookup_elem(&dump_ctl, &zero);
	if (!dc || !dc->on)
		return;
	rl = bpf_map_lookup_elem(&dump_rl, &zero);
	if (!rl)
		return;
	if (dc->sample > 1 && rl->seen++ % dc->sample)
		return;
	now = bpf_ktime_get_boot_ns() + wall_offset_ns;
	if (now - rl->window_ns >= 1000000000ULL) {
		rl->window_ns = now;
		rl->count = 0;
	}
	if (dc->rate_pps && rl->count >= dc->rate_pps) {
		dc->rate_limited++;
		return;
	}
	rl->count++;
	r = bpf_ringbuf_reserve(&dump_ring, sizeof(*r), 0);
	if (!r) {
		dc->ring_full++;
		return;
	}
	caplen = len < dc->snaplen ? len : dc->snaplen;
	if (caplen > FT_COPY_MAX)
		caplen = FT_COPY_MAX;
	if (caplen < 1)
		caplen = 1;
	if (bpf_xdp_load_bytes(ctx, 0, r->data, caplen)) {
		bpf_ringbuf_discard(r, 0);
		return;
	}
	fill_meta(&r->meta, ctx, len, caplen, caplen < len ? XMETA_F_TRUNC : 0, now);
	bpf_ringbuf_submit(r, 0);
	dc->copied++;
}

/* Steered or not, the packet was counted already; this only decides who else sees it. */
static __always_inline int steer(struct xdp_md *ctx, void *data, void *data_end, const struct pkt_info *pi,
				 struct flow_ctr *c, const struct flow_key *k, int side, __u64 now)
{
	__u32 limit;

	if (ft_is_ndp(pi)) {
		copy_frame(ctx, pi->frame_len, now); /* the host's own neighbour discovery must keep working */
		return cfg_verdict;
	}
	/* a later fragment is no use to a parser, but says nothing about the flow: no caching */
	if (!c || (c->steer_done & (STEER_ALL | STEER_SIDE(side))) || pi->frag == FRAG_LATER)
		return cfg_verdict;
	limit = ft_preamble_limit(pi, pi->proto == FT_IPPROTO_UDP && quic_at(data, data_end, pi),
				  cfg_tcp_preamble, cfg_udp_preamble);
	if (!limit) {
		/* on UDP, a later datagram may still start a QUIC Initial (any port): decided per packet */
		if (pi->proto != FT_IPPROTO_UDP)
			c->steer_done |= STEER_ALL;
		return cfg_verdict;
	}
	if (!in_preamble(c, k, side, limit))
		return cfg_verdict;
	if (cfg_verdict == XDP_PASS && for_host(data, data_end)) {
		copy_frame(ctx, pi->frame_len, now);
		return XDP_PASS;
	}
	return to_xsk(ctx, pi->frame_len, now);
}

/*
 * The IP part of the parse, as a global function: the verifier checks it once
 * with the IP header at an unknown offset, instead of once per link-layer
 * path (VLAN x MPLS x PPPoE times the IPv6 extension walk exceeded the
 * 1M-instruction limit on 6.18). Returns 0 or the frame's ft_ctr fate.
 */
__noinline int parse_ip(struct xdp_md *ctx, struct pkt_info *pi, int eth_proto)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh;

	if (!pi)
		return CTR_BAD_ETH;
	nh.pos = data + (pi->l3_off & 0xff); /* below 256: FT_MAX_L2_LAYERS bounds the walk */
	return ft_parse_ip(&nh, data_end, data, eth_proto, pi);
}

SEC("xdp.frags")
int sensor_xdp(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct hdr_cursor nh = { .pos = data };
	struct pkt_info pi = {};
	struct flow_ctr *c;
	struct flow_key k;
	int proto, fate, side;
	__u64 now;

	pi.frame_len = bpf_xdp_get_buff_len(ctx);
	ctr_add(CTR_RX_FRAMES, 1);
	ctr_add(CTR_RX_FRAME_BYTES, pi.frame_len);
	dump(ctx, pi.frame_len);
	proto = ft_parse_l2(&nh, data_end, &pi);
	if (proto < 0) {
		ctr_add(-proto, 1); /* non-IP or malformed: counted, never stolen */
		return cfg_verdict;
	}
	pi.l3_off = nh.pos - data;
	fate = parse_ip(ctx, &pi, proto);
	if (fate) {
		ctr_add(fate, 1);
		return cfg_verdict;
	}
	now = bpf_ktime_get_boot_ns() + wall_offset_ns;
	c = account(data, data_end, &pi, now, &k, &side);
	if (!cfg_steer)
		return cfg_verdict;
	return steer(ctx, data, data_end, &pi, c, &k, side, now);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
