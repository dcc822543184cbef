/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtower/account.h - per-packet accounting, shared by the XDP program and `flowtower read`. */
#ifndef FT_ACCOUNT_H
#define FT_ACCOUNT_H

/*
 * Only the arithmetic lives here; each side brings its own storage (BPF maps
 * in bpf/sensor.bpf.c, hash tables in user/flow/acct.c) and calls these in the
 * same order: parse, fragment ports, duplicate check, key, account, throughput.
 */
#include "flowtower/parse.h"

#define FT_NS_PER_MIN 60000000000ULL

/* Compare two addresses in network order: <0, 0 or >0. */
static __always_inline int ft_addr_cmp(const __be32 *a, const __be32 *b)
{
	int i;

	for (i = 0; i < 4; i++) {
		__u32 x = bpf_ntohl(a[i]), y = bpf_ntohl(b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static __always_inline int ft_is_icmp(__u8 proto)
{
	return proto == FT_IPPROTO_ICMP || proto == FT_IPPROTO_ICMPV6;
}

/*
 * Canonical flow key: the lower (address, port) endpoint is side a. ICMP
 * 'ports' (type, code) describe the exchange, not an endpoint, so they are
 * never swapped. Returns the side that sent this packet.
 */
static __always_inline int ft_flow_key(const struct pkt_info *pi, struct flow_key *k)
{
	int c = ft_addr_cmp(pi->saddr, pi->daddr);
	int icmp = ft_is_icmp(pi->proto);
	int swap;

	if (c == 0 && !icmp)
		c = (int)bpf_ntohs(pi->sport) - (int)bpf_ntohs(pi->dport);
	swap = c > 0;
	if (swap) {
		__builtin_memcpy(k->addr_a, pi->daddr, 16);
		__builtin_memcpy(k->addr_b, pi->saddr, 16);
	} else {
		__builtin_memcpy(k->addr_a, pi->saddr, 16);
		__builtin_memcpy(k->addr_b, pi->daddr, 16);
	}
	if (swap && !icmp) {
		k->port_a = pi->dport;
		k->port_b = pi->sport;
	} else {
		k->port_a = pi->sport;
		k->port_b = pi->dport;
	}
	k->proto = pi->proto;
	k->ip_version = pi->ip_version;
	k->pad[0] = k->pad[1] = 0;
	return swap ? SIDE_B : SIDE_A;
}

/* Direction of a packet sent by 'side', from the flow's local flags. */
static __always_inline int ft_tdir(__u8 flags, int side)
{
	int src = flags & (side ? FLOW_F_LOCAL_B : FLOW_F_LOCAL_A);
	int dst = flags & (side ? FLOW_F_LOCAL_A : FLOW_F_LOCAL_B);

	if (src && !dst)
		return TDIR_TX;
	if (dst && !src)
		return TDIR_RX;
	return TDIR_OTHER;
}

/* Index of the per-direction totals in enum ft_ctr: packets, and +1 for bytes. */
static __always_inline int ft_dir_ctr(int tdir, int ip_version)
{
	return CTR_TX_PKTS4 + (ip_version == 6 ? 6 : 0) + tdir * 2;
}

/* Add one packet sent by 'side' at wall-clock 'now' (ns) to a flow's counters. */
static __always_inline void ft_account(struct flow_ctr *c, const struct pkt_info *pi, int side,
				       __u64 now)
{
	struct flow_dir *d = &c->dir[side & 1];
	__u8 hint = HINT_FIRST, orig = side & 1;

	d->pkts++;
	d->bytes += pi->l3_len;
	d->l4_bytes += pi->l4_len;
	d->payload_bytes += pi->payload_len;
	c->tcp_flags[side & 1] |= pi->tcp_flags;
	if (!c->first_ns || now < c->first_ns)
		c->first_ns = now;
	if (now > c->last_ns)
		c->last_ns = now;
	if (pi->proto == FT_IPPROTO_TCP && (pi->tcp_flags & FT_TCP_SYN)) {
		if (pi->tcp_flags & FT_TCP_ACK) {
			hint = HINT_SYNACK; /* its receiver opened the connection */
			orig = !orig;
		} else {
			hint = HINT_SYN;
		}
	}
	if (hint > c->hint || (hint == c->hint && now < c->hint_ns)) {
		c->hint = hint;
		c->hint_orig = orig;
		c->hint_ns = now;
	}
}

/*
 * Add a packet to one minute of throughput. A slot holding an older minute is
 * recycled; one holding a newer minute (the clock stepped back) keeps its
 * minute and takes the packet, so the sum over minutes stays exact.
 */
static __always_inline void ft_tput_add(struct tput_slot *s, __u64 minute, int tdir, int ip_version,
					__u32 bytes)
{
	struct tput_cell *cell;

	if (s->minute < minute) {
		__builtin_memset(s, 0, sizeof(*s));
		s->minute = minute;
	}
	cell = &s->cell[tdir > TDIR_OTHER ? TDIR_OTHER : tdir][ip_version == 6];
	cell->pkts++;
	cell->bytes += bytes;
}

/* Key of the fragment map for this packet's datagram. */
static __always_inline void ft_frag_key(const struct pkt_info *pi, struct frag_key *fk)
{
	__builtin_memcpy(fk->saddr, pi->saddr, 16);
	__builtin_memcpy(fk->daddr, pi->daddr, 16);
	fk->id = pi->frag_id;
	fk->proto = pi->proto;
	fk->ip_version = pi->ip_version;
	fk->pad[0] = fk->pad[1] = 0;
}

/*
 * Key of the IPv6 near-duplicate map: the fields a forwarding router leaves
 * alone (everything but hop limit and the link layer) plus the first 8 bytes
 * after the fixed header, which hold ports and checksums, so distinct packets
 * of one flow differ. 'l4' points at those bytes or is NULL when not captured.
 */
static __always_inline void ft_dedup_key(const struct pkt_info *pi, __be32 vcf, __be16 plen,
					 __u8 nexthdr, const void *l4, struct dedup_key *dk)
{
	__builtin_memcpy(dk->saddr, pi->saddr, 16);
	__builtin_memcpy(dk->daddr, pi->daddr, 16);
	dk->flow_lbl = vcf & bpf_htonl(0x0fffffff);
	dk->plen = plen;
	dk->nexthdr = nexthdr;
	dk->pad = 0;
	if (l4)
		__builtin_memcpy(dk->l4_word, l4, sizeof(dk->l4_word));
	else
		dk->l4_word[0] = dk->l4_word[1] = 0;
}

/*
 * A near-duplicate is the same IPv6 packet seen again within the window with
 * another source MAC or hop limit: a router forwarding it past the tap a
 * second time. The same MAC and hop limit is a true retransmission.
 */
static __always_inline int ft_dedup_is_dup(const struct dedup_val *v, const __u8 *mac, __u8 hop_limit,
					   __u64 now)
{
	int i;

	if (now < v->ts_ns || now - v->ts_ns >= FT_DEDUP_WINDOW_NS)
		return 0;
	if (v->hop_limit != hop_limit)
		return 1;
	for (i = 0; i < 6; i++)
		if (v->mac[i] != mac[i])
			return 1;
	return 0;
}

/*
 * A QUIC v1 or v2 long-header Initial starts at p (RFC 9000 17.2.2: header
 * form and fixed bits set, type 0; RFC 9369 3.2: type 1 in v2)? QUIC runs on
 * other ports than 443 too; its first datagram says what it is.
 */
static __always_inline int ft_quic_initial(const __u8 *p, const void *end)
{
	__u32 v;

	if ((const void *)(p + 5) > end || (p[0] & 0xc0) != 0xc0)
		return 0;
	v = (__u32)p[1] << 24 | (__u32)p[2] << 16 | (__u32)p[3] << 8 | p[4];
	if (v == 1)
		return ((p[0] >> 4) & 3) == 0;
	if (v == 0x6b3343cf)
		return ((p[0] >> 4) & 3) == 1;
	return 0;
}

/*
 * How many packets each way userspace reads of this flow's start: 0 for flows
 * it has no parser for. 'quic' says the UDP payload is a QUIC Initial.
 */
static __always_inline __u32 ft_preamble_limit(const struct pkt_info *pi, int quic, __u32 tcp, __u32 udp)
{
	if (pi->frag == FRAG_LATER)
		return 0; /* fragment data: no header for a parser */
	if (pi->proto == FT_IPPROTO_TCP)
		return tcp;
	if (pi->proto == FT_IPPROTO_UDP &&
	    (pi->sport == bpf_htons(443) || pi->dport == bpf_htons(443) || pi->sport == bpf_htons(53) ||
	     pi->dport == bpf_htons(53) || quic))
		return udp;
	return 0;
}

/* RS, RA, NS, NA, redirect (RFC 4861); advertisements were folded onto solicitations by the parser. */
static __always_inline int ft_is_ndp(const struct pkt_info *pi)
{
	__u16 t = bpf_ntohs(pi->sport);

	return pi->proto == FT_IPPROTO_ICMPV6 && pi->frag != FRAG_LATER && (t == 133 || t == 135 || t == 137);
}

#endif /* FT_ACCOUNT_H */
