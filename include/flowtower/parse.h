/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtower/parse.h - the one packet parser, compiled for BPF and natively. */
#ifndef FT_PARSE_H
#define FT_PARSE_H

/*
 * Parser contract. Every parse_* function takes a cursor and the end of the
 * captured bytes, returns the next protocol (>= 0) or -1, and moves the cursor
 * past the whole header, options included. ft_parse_frame() and ft_parse_ip()
 * chain them: they return 0 with *pi filled for an IP packet that belongs to a
 * flow, or else the enum ft_ctr index of the frame's fate (non-IP by kind,
 * malformed by kind). Nothing is read that was not bounds-checked first, and
 * lengths come from the headers, so a frame cut by a snaplen is still counted
 * with its true size.
 *
 * BPF includes vmlinux.h and <bpf/bpf_endian.h> before this header; native
 * code gets them here. Constants carry an FT_ prefix so that neither side's
 * headers can collide with them.
 */
#ifndef __bpf__
#include <stddef.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#endif
#include "flowtower/abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/*
 * Wire layouts. Natively they are packed so that a header at any address is
 * read with unaligned-safe loads (frames in a pcap buffer have no alignment
 * promise). For BPF they keep natural alignment: clang would split packed
 * loads into bytes, and XDP packet loads need no alignment on the JITs we run.
 */
#ifdef __bpf__
#define FT_WIRE
#else
#define FT_WIRE __attribute__((packed))
#endif

struct ft_eth {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
} FT_WIRE;

struct ft_vlan {
	__be16 tci;
	__be16 proto;
} FT_WIRE;

struct ft_pppoe {
	__u8 ver_type;
	__u8 code;
	__be16 session;
	__be16 len;
	__be16 ppp_proto;
} FT_WIRE;

struct ft_ipv4 {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 proto;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
} FT_WIRE;

struct ft_ipv6 {
	__be32 vcf; /* version, traffic class, flow label */
	__be16 plen;
	__u8 nexthdr;
	__u8 hop_limit;
	__be32 saddr[4];
	__be32 daddr[4];
} FT_WIRE;

struct ft_ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
} FT_WIRE;

struct ft_ipv6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 off_flags;
	__be32 id;
} FT_WIRE;

struct ft_tcp {
	__be16 sport;
	__be16 dport;
	__be32 seq;
	__be32 ack;
	__u8 doff_res;
	__u8 flags;
	__be16 window;
	__be16 check;
	__be16 urg;
} FT_WIRE;

struct ft_ports {
	__be16 sport;
	__be16 dport;
} FT_WIRE;

#define FT_ETH_P_802_3_MIN 0x0600 /* below: an 802.3 length, LLC follows */
#define FT_ETH_P_IP 0x0800
#define FT_ETH_P_ARP 0x0806
#define FT_ETH_P_8021Q 0x8100
#define FT_ETH_P_IPV6 0x86DD
#define FT_ETH_P_MPLS_UC 0x8847
#define FT_ETH_P_MPLS_MC 0x8848
#define FT_ETH_P_PPP_SES 0x8864
#define FT_ETH_P_8021AD 0x88A8
#define FT_ETH_P_QINQ1 0x9100 /* pre-standard stacked tag */
#define FT_PPP_IP 0x0021
#define FT_PPP_IPV6 0x0057

#define FT_IPPROTO_HOPOPTS 0
#define FT_IPPROTO_ICMP 1
#define FT_IPPROTO_TCP 6
#define FT_IPPROTO_UDP 17
#define FT_IPPROTO_ROUTING 43
#define FT_IPPROTO_FRAGMENT 44
#define FT_IPPROTO_AH 51
#define FT_IPPROTO_ICMPV6 58
#define FT_IPPROTO_DSTOPTS 60
#define FT_IPPROTO_SCTP 132
#define FT_IPPROTO_MH 135
#define FT_IPPROTO_UDPLITE 136

#define FT_TCP_FIN 0x01
#define FT_TCP_SYN 0x02
#define FT_TCP_RST 0x04
#define FT_TCP_ACK 0x10

#define FT_MAX_L2_LAYERS 8 /* VLAN tags + MPLS labels + PPPoE + one pseudowire */
#define FT_MAX_IPV6_EXT 8  /* extension headers walked before giving up */

enum ft_frag { FRAG_NONE = 0, FRAG_FIRST = 1, FRAG_LATER = 2 };

/* pkt_info.notes: things worth counting about a packet that is still counted. */
#define NOTE_SNAPPED 0x01  /* L4 header cut by the capture; ports known */
#define NOTE_TCP_DOFF 0x02 /* TCP data offset < 5 or past the IP payload */

/* What the parser learned about one IP packet. Offsets are from the frame start. */
struct pkt_info {
	__be32 saddr[4]; /* IPv4 v4-mapped */
	__be32 daddr[4];
	__u32 l3_len;	   /* IP layer bytes, from the header */
	__u32 l4_len;	   /* l3_len minus the IP header and extension headers */
	__u32 payload_len; /* l4_len minus the L4 header */
	__u32 frag_id;
	__u32 frame_len; /* set by the caller: the frame's length on the wire */
	__u16 l3_off;
	__u16 l4_off;
	__u16 mac_off; /* innermost Ethernet header, 0xffff when there is none */
	__be16 sport;  /* ICMP: folded type; otherwise the port (0 when none) */
	__be16 dport;  /* ICMP: code */
	__u16 vlan;    /* outermost VLAN ID */
	__u8 nvlan;
	__u8 ip_version;
	__u8 proto;
	__u8 tcp_flags;
	__u8 hop_limit;
	__u8 frag;  /* enum ft_frag */
	__u8 notes; /* NOTE_* */
	__u8 l4_hdr_len;
	__u8 pad[2];
};

struct hdr_cursor {
	void *pos; /* data_end passed separately: the verifier-proven shape */
};

/* One VLAN tag; returns the encapsulated ethertype or -1. */
static __always_inline int parse_vlan(struct hdr_cursor *nh, void *data_end, __u16 *vid)
{
	struct ft_vlan *v = nh->pos;

	if ((void *)(v + 1) > data_end)
		return -1;
	*vid = bpf_ntohs(v->tci) & 0x0fff;
	nh->pos = v + 1;
	return bpf_ntohs(v->proto);
}

/*
 * One MPLS label stack entry. Returns FT_ETH_P_MPLS_UC while more labels
 * follow; after the bottom of the stack, the payload's type guessed from its
 * first nibble as routers do (4: IPv4, 6: IPv6, 0: pseudowire control word,
 * RFC 4385, then Ethernet); -1 when cut short or unknown.
 */
static __always_inline int parse_mpls(struct hdr_cursor *nh, void *data_end)
{
	__u8 *l = nh->pos;
	__u8 nib;

	if ((void *)(l + 4) > data_end)
		return -1;
	nh->pos = l + 4;
	if (!(l[2] & 0x01))
		return FT_ETH_P_MPLS_UC;
	l += 4;
	if ((void *)(l + 1) > data_end)
		return -1;
	nib = l[0] >> 4;
	if (nib == 4)
		return FT_ETH_P_IP;
	if (nib == 6)
		return FT_ETH_P_IPV6;
	if (nib == 0) {
		if ((void *)(l + 4) > data_end)
			return -1;
		nh->pos = l + 4; /* control word; an Ethernet frame follows */
		return 0;
	}
	return -1;
}

/* PPPoE session header and PPP protocol (RFC 2516); returns an ethertype or -1. */
static __always_inline int parse_pppoe(struct hdr_cursor *nh, void *data_end)
{
	struct ft_pppoe *p = nh->pos;

	if ((void *)(p + 1) > data_end)
		return -1;
	nh->pos = p + 1;
	if (p->ppp_proto == bpf_htons(FT_PPP_IP))
		return FT_ETH_P_IP;
	if (p->ppp_proto == bpf_htons(FT_PPP_IPV6))
		return FT_ETH_P_IPV6;
	return FT_ETH_P_PPP_SES; /* LCP, IPCP ...: not IP */
}

/* IPv4 header with options (RFC 791); returns the IP protocol or -1 (*err says why). */
static __always_inline int parse_ipv4(struct hdr_cursor *nh, void *data_end, struct pkt_info *pi,
				      int *err)
{
	struct ft_ipv4 *ip = nh->pos;
	__u32 hlen, tot;
	__u16 fo;

	if ((void *)(ip + 1) > data_end) {
		*err = CTR_BAD_IPV4_TRUNC;
		return -1;
	}
	if ((ip->ver_ihl >> 4) != 4) {
		*err = CTR_BAD_IP_VERSION;
		return -1;
	}
	hlen = (ip->ver_ihl & 0x0f) * 4;
	if (hlen < sizeof(*ip)) { /* ihl < 5 would not advance past the header */
		*err = CTR_BAD_IPV4_IHL;
		return -1;
	}
	if (nh->pos + hlen > data_end) {
		*err = CTR_BAD_IPV4_TRUNC;
		return -1;
	}
	tot = bpf_ntohs(ip->tot_len);
	/* 0 is what a sender's capture shows for a TSO super-frame: the frame says how long it is */
	if (tot == 0 && pi->frame_len > pi->l3_off)
		tot = pi->frame_len - pi->l3_off;
	if (tot < hlen) {
		*err = CTR_BAD_IPV4_LEN;
		return -1;
	}
	pi->ip_version = 4;
	pi->saddr[0] = pi->saddr[1] = pi->daddr[0] = pi->daddr[1] = 0;
	pi->saddr[2] = pi->daddr[2] = bpf_htonl(0xffff);
	pi->saddr[3] = ip->saddr;
	pi->daddr[3] = ip->daddr;
	pi->hop_limit = ip->ttl;
	pi->l3_len = tot;
	pi->l4_len = tot - hlen;
	pi->frag_id = bpf_ntohs(ip->id);
	fo = bpf_ntohs(ip->frag_off);
	if (fo & 0x1fff)
		pi->frag = FRAG_LATER;
	else if (fo & 0x2000)
		pi->frag = FRAG_FIRST;
	nh->pos += hlen;
	return ip->proto;
}

/*
 * IPv6 header and a bounded walk of its extension headers (RFC 8200 4.1,
 * AH per RFC 4302 2.2); returns the upper-layer protocol or -1 (*err says why).
 * A non-first fragment ends the walk: its data is not a header.
 */
static __always_inline int parse_ipv6(struct hdr_cursor *nh, void *data_end, struct pkt_info *pi,
				      int *err)
{
	struct ft_ipv6 *ip6 = nh->pos;
	__u32 plen, ext = 0, len;
	int i, next;

	if ((void *)(ip6 + 1) > data_end) {
		*err = CTR_BAD_IPV6_TRUNC;
		return -1;
	}
	if ((*(__u8 *)ip6 >> 4) != 6) {
		*err = CTR_BAD_IP_VERSION;
		return -1;
	}
	pi->ip_version = 6;
	__builtin_memcpy(pi->saddr, ip6->saddr, 16);
	__builtin_memcpy(pi->daddr, ip6->daddr, 16);
	pi->hop_limit = ip6->hop_limit;
	plen = bpf_ntohs(ip6->plen);
	pi->l3_len = 40 + plen;
	next = ip6->nexthdr;
	nh->pos = ip6 + 1;

	/* one pass more than the walk: only an upper-layer header may follow FT_MAX_IPV6_EXT of them */
	for (i = 0; i <= FT_MAX_IPV6_EXT; i++) {
		struct ft_ipv6_ext *e = nh->pos;
		struct ft_ipv6_frag *f = nh->pos;

		switch (next) {
		case FT_IPPROTO_HOPOPTS:
		case FT_IPPROTO_ROUTING:
		case FT_IPPROTO_DSTOPTS:
		case FT_IPPROTO_MH:
		case FT_IPPROTO_AH:
			if (i == FT_MAX_IPV6_EXT)
				goto bad_chain;
			if ((void *)(e + 1) > data_end)
				goto bad_ext;
			if (next == FT_IPPROTO_AH)
				len = ((__u32)e->hdrlen + 2) * 4;
			else
				len = ((__u32)e->hdrlen + 1) * 8;
			if (nh->pos + len > data_end)
				goto bad_ext;
			next = e->nexthdr;
			nh->pos += len;
			ext += len;
			break;
		case FT_IPPROTO_FRAGMENT:
			if (i == FT_MAX_IPV6_EXT)
				goto bad_chain;
			if ((void *)(f + 1) > data_end)
				goto bad_ext;
			next = f->nexthdr;
			pi->frag_id = bpf_ntohl(f->id);
			nh->pos = f + 1;
			ext += sizeof(*f);
			if (bpf_ntohs(f->off_flags) & 0xfff8) {
				pi->frag = FRAG_LATER;
				goto done;
			}
			if (f->off_flags & bpf_htons(1))
				pi->frag = FRAG_FIRST; /* else an atomic fragment (RFC 6946) */
			break;
		default:
			goto done;
		}
	}
bad_chain:
	*err = CTR_BAD_IPV6_CHAIN; /* more extension headers than we walk */
	return -1;
done:
	if (ext > plen) /* extension headers longer than the payload length says */
		goto bad_ext;
	pi->l4_len = plen - ext;
	return next;
bad_ext:
	*err = CTR_BAD_IPV6_EXT;
	return -1;
}

/*
 * The upper-layer header: ports (or ICMP type/code) and the L4 header length.
 * A packet is a flow packet once its ports are known; a TCP header cut by the
 * capture keeps what was captured and is noted, never guessed.
 */
static __always_inline int parse_l4(struct hdr_cursor *nh, void *data_end, struct pkt_info *pi,
				    int proto, int *err)
{
	__u8 *l4 = nh->pos;
	__u32 hl = 0;

	pi->proto = proto;
	if (pi->frag == FRAG_LATER) { /* fragment data: ports come from the first fragment */
		pi->payload_len = pi->l4_len;
		return proto;
	}
	switch (proto) {
	case FT_IPPROTO_TCP:
	case FT_IPPROTO_UDP:
	case FT_IPPROTO_UDPLITE:
	case FT_IPPROTO_SCTP:
		if ((void *)(l4 + 4) > data_end || pi->l4_len < 4) {
			*err = CTR_BAD_L4_TRUNC;
			return -1;
		}
		pi->sport = ((struct ft_ports *)l4)->sport;
		pi->dport = ((struct ft_ports *)l4)->dport;
		if (proto == FT_IPPROTO_SCTP)
			hl = 12;
		else if (proto != FT_IPPROTO_TCP)
			hl = 8;
		else if ((void *)(l4 + 14) > data_end || pi->l4_len < 14) {
			pi->notes |= NOTE_SNAPPED; /* flags and offset not here: the minimum header */
			hl = 20;
		}
		else {
			hl = (__u32)(l4[12] >> 4) * 4;
			/* a first fragment may end inside the header: the rest is in the next one */
			if (hl < 20 || (hl > pi->l4_len && pi->frag != FRAG_FIRST)) {
				pi->notes |= NOTE_TCP_DOFF;
				hl = pi->l4_len; /* no payload can be trusted */
			} else {
				pi->tcp_flags = l4[13];
				if ((void *)(l4 + hl) > data_end)
					pi->notes |= NOTE_SNAPPED;
			}
		}
		break;
	case FT_IPPROTO_ICMP:
	case FT_IPPROTO_ICMPV6: {
		__u8 type, code;

		if ((void *)(l4 + 2) > data_end || pi->l4_len < 2) {
			*err = CTR_BAD_L4_TRUNC;
			return -1;
		}
		type = l4[0];
		code = l4[1];
		/* replies share their request's flow: fold the type (RFC 792, RFC 4443, RFC 4861) */
		if (proto == FT_IPPROTO_ICMP) {
			if (type == 0)
				type = 8;
			else if (type == 14 || type == 16 || type == 18)
				type -= 1;
		} else if (type == 129 || type == 134 || type == 136 || type == 140) {
			type -= 1;
		}
		pi->sport = bpf_htons(type);
		pi->dport = bpf_htons(code);
		hl = 8;
		break;
	}
	default:
		break;
	}
	if (hl > pi->l4_len)
		hl = pi->l4_len;
	pi->l4_hdr_len = hl;
	pi->payload_len = pi->l4_len - hl;
	return proto;
}

/* IPv4 or IPv6 (by ethertype) and what follows; returns 0 or an ft_ctr fate. */
static __always_inline int ft_parse_ip(struct hdr_cursor *nh, void *data_end, void *frame, int eth_proto,
				       struct pkt_info *pi)
{
	int err = CTR_BAD_L4_TRUNC, proto;

	pi->l3_off = nh->pos - frame; /* before parse_ipv4() reads it */
	if (eth_proto == FT_ETH_P_IP)
		proto = parse_ipv4(nh, data_end, pi, &err);
	else
		proto = parse_ipv6(nh, data_end, pi, &err);
	if (proto < 0)
		return err;
	pi->l4_off = nh->pos - frame;
	if (parse_l4(nh, data_end, pi, proto, &err) < 0)
		return err;
	return 0;
}

/*
 * The link layer from an Ethernet header: Ethernet II or 802.3/LLC, VLAN tags
 * (802.1Q, 802.1ad, 0x9100), MPLS with an Ethernet pseudowire, PPPoE. Leaves
 * the cursor at the IP header and returns its ethertype (FT_ETH_P_IP or
 * FT_ETH_P_IPV6), or minus the ft_ctr fate of a frame that carries no IP.
 */
static __always_inline int ft_parse_l2(struct hdr_cursor *nh, void *data_end, struct pkt_info *pi)
{
	void *frame = nh->pos;
	struct ft_eth *eth = nh->pos;
	int proto, i;
	__u16 vid;

	if ((void *)(eth + 1) > data_end)
		return -CTR_BAD_ETH;
	pi->mac_off = 0;
	proto = bpf_ntohs(eth->proto);
	nh->pos = eth + 1;

	/* one pass more than the walk: what follows FT_MAX_L2_LAYERS headers is judged, not walked */
	for (i = 0; i <= FT_MAX_L2_LAYERS; i++) {
		if (proto < FT_ETH_P_802_3_MIN)
			return -CTR_NONIP_LLC; /* an 802.3 length: 802.2 LLC follows */
		switch (proto) {
		case FT_ETH_P_IP:
		case FT_ETH_P_IPV6:
			return proto;
		case FT_ETH_P_8021Q:
		case FT_ETH_P_8021AD:
		case FT_ETH_P_QINQ1:
			if (i == FT_MAX_L2_LAYERS)
				return -CTR_BAD_VLAN; /* deeper than we walk */
			proto = parse_vlan(nh, data_end, &vid);
			if (proto < 0)
				return -CTR_BAD_VLAN;
			if (!pi->nvlan)
				pi->vlan = vid;
			pi->nvlan++;
			break;
		case FT_ETH_P_MPLS_UC:
		case FT_ETH_P_MPLS_MC:
			if (i == FT_MAX_L2_LAYERS)
				return -CTR_BAD_VLAN;
			proto = parse_mpls(nh, data_end);
			if (proto < 0)
				return -CTR_BAD_MPLS;
			if (proto == 0) { /* pseudowire: an inner Ethernet frame */
				eth = nh->pos;
				if ((void *)(eth + 1) > data_end)
					return -CTR_BAD_MPLS;
				pi->mac_off = (void *)eth - frame;
				proto = bpf_ntohs(eth->proto);
				nh->pos = eth + 1;
			}
			break;
		case FT_ETH_P_PPP_SES:
			if (i == FT_MAX_L2_LAYERS)
				return -CTR_BAD_VLAN;
			proto = parse_pppoe(nh, data_end);
			if (proto < 0)
				return -CTR_BAD_PPPOE;
			if (proto == FT_ETH_P_PPP_SES)
				return -CTR_NONIP_OTHER;
			break;
		case FT_ETH_P_ARP:
			return -CTR_NONIP_ARP;
		default:
			return -CTR_NONIP_OTHER;
		}
	}
	return -CTR_BAD_VLAN; /* not reached: the last pass returns */
}

/* A whole frame from its Ethernet header: 0 with *pi filled for an IP packet, or its ft_ctr fate. */
static __always_inline int ft_parse_frame(struct hdr_cursor *nh, void *data_end, struct pkt_info *pi)
{
	void *frame = nh->pos;
	int proto = ft_parse_l2(nh, data_end, pi);

	if (proto < 0)
		return -proto;
	return ft_parse_ip(nh, data_end, frame, proto, pi);
}

#endif /* FT_PARSE_H */
