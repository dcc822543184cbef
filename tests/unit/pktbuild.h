/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/pktbuild.h - build test frames layer by layer; lengths are filled in by pb_done(). */
#ifndef FT_PKTBUILD_H
#define FT_PKTBUILD_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

/*
 * pb_eth() then any of pb_vlan/pb_mpls/pb_pppoe, then pb_ipv4 or pb_ipv6
 * (with pb_ext6/pb_frag6 after it), then pb_tcp/pb_udp/pb_icmp and
 * pb_payload. Each layer writes its type into the previous layer's "next"
 * field. pb_done() fills IPv4 total length / IPv6 payload length from what
 * follows them (pass keep_len to leave a deliberately lying value alone).
 */
struct pb {
	uint8_t b[16384];
	size_t n;
	uint8_t *next16; /* where the next layer's ethertype goes */
	uint8_t *next8;	 /* where the next layer's IP protocol goes */
	int l3, ipv;
};

static inline void pb_put(struct pb *p, const void *d, size_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

static inline void pb_u8(struct pb *p, uint8_t v)
{
	p->b[p->n++] = v;
}

static inline void pb_u16(struct pb *p, uint16_t v)
{
	pb_u8(p, (uint8_t)(v >> 8));
	pb_u8(p, (uint8_t)v);
}

static inline void pb_u32(struct pb *p, uint32_t v)
{
	pb_u16(p, (uint16_t)(v >> 16));
	pb_u16(p, (uint16_t)v);
}

static inline void pb_set16(uint8_t *at, uint16_t v)
{
	if (at) {
		at[0] = (uint8_t)(v >> 8);
		at[1] = (uint8_t)v;
	}
}

/* Ethernet II; the source MAC ends in src_last so tests can tell copies apart. */
static inline void pb_eth(struct pb *p, uint8_t src_last)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	uint8_t src[6] = { 0x02, 0, 0, 0, 0, src_last };

	memset(p, 0, sizeof(*p));
	p->l3 = -1;
	pb_put(p, dst, 6);
	pb_put(p, src, 6);
	p->next16 = p->b + p->n;
	pb_u16(p, 0);
}

static inline void pb_type(struct pb *p, uint16_t t)
{
	pb_set16(p->next16, t);
	p->next16 = NULL;
}

static inline void pb_vlan(struct pb *p, uint16_t tpid, uint16_t vid)
{
	pb_type(p, tpid);
	pb_u16(p, vid);
	p->next16 = p->b + p->n;
	pb_u16(p, 0);
}

/* One MPLS label; bos marks the bottom of the stack. */
static inline void pb_mpls(struct pb *p, uint32_t label, int bos)
{
	if (p->next16)
		pb_type(p, 0x8847);
	pb_u32(p, label << 12 | (bos ? 0x100 : 0) | 64);
}

static inline void pb_pppoe(struct pb *p, uint16_t ppp_proto)
{
	pb_type(p, 0x8864);
	pb_u8(p, 0x11);
	pb_u8(p, 0);
	pb_u16(p, 1);
	pb_u16(p, 0); /* length: not checked by the parser */
	pb_u16(p, ppp_proto);
}

static inline void pb_ipv4(struct pb *p, const char *src, const char *dst, uint8_t proto)
{
	struct in_addr a;

	pb_type(p, 0x0800);
	p->l3 = (int)p->n;
	p->ipv = 4;
	pb_u8(p, 0x45);
	pb_u8(p, 0);
	pb_u16(p, 0); /* total length: pb_done */
	pb_u16(p, 0x1234);
	pb_u16(p, 0x4000);
	pb_u8(p, 64);
	p->next8 = p->b + p->n;
	pb_u8(p, proto);
	pb_u16(p, 0);
	inet_pton(AF_INET, src, &a);
	pb_put(p, &a, 4);
	inet_pton(AF_INET, dst, &a);
	pb_put(p, &a, 4);
	p->next8 = NULL; /* options, if any, come before the protocol is final */
}

static inline void pb_ipv6(struct pb *p, const char *src, const char *dst, uint8_t nexthdr, uint8_t hlim)
{
	struct in6_addr a;

	pb_type(p, 0x86dd);
	p->l3 = (int)p->n;
	p->ipv = 6;
	pb_u32(p, 0x60000000 | 0x12345);
	pb_u16(p, 0); /* payload length: pb_done */
	p->next8 = p->b + p->n;
	pb_u8(p, nexthdr);
	pb_u8(p, hlim);
	inet_pton(AF_INET6, src, &a);
	pb_put(p, &a, 16);
	inet_pton(AF_INET6, dst, &a);
	pb_put(p, &a, 16);
}

/* An IPv6 extension header of (len8 + 1) * 8 bytes (AH: (len8 + 2) * 4) announcing 'next'. */
static inline void pb_ext6(struct pb *p, uint8_t type, uint8_t len8, uint8_t next)
{
	size_t i, sz = type == 51 ? ((size_t)len8 + 2) * 4 : ((size_t)len8 + 1) * 8;

	if (p->next8)
		*p->next8 = type;
	p->next8 = p->b + p->n;
	pb_u8(p, next);
	pb_u8(p, len8);
	for (i = 2; i < sz; i++)
		pb_u8(p, type == 0 || type == 60 ? (i == 2 ? 1 : 0) : 0); /* PadN option body */
}

static inline void pb_frag6(struct pb *p, uint8_t next, uint16_t off8, int more, uint32_t id)
{
	if (p->next8)
		*p->next8 = 44;
	p->next8 = p->b + p->n;
	pb_u8(p, next);
	pb_u8(p, 0);
	pb_u16(p, (uint16_t)(off8 << 3 | (more ? 1 : 0)));
	pb_u32(p, id);
}

/* IPv4 fragment fields: offset in 8-byte units, more-fragments flag, id. */
static inline void pb_frag4(struct pb *p, uint16_t off8, int more, uint16_t id)
{
	pb_set16(p->b + p->l3 + 4, id);
	pb_set16(p->b + p->l3 + 6, (uint16_t)(off8 | (more ? 0x2000 : 0)));
}

static inline void pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff)
{
	size_t i;

	if (p->next8)
		*p->next8 = 6;
	pb_u16(p, sport);
	pb_u16(p, dport);
	pb_u32(p, 1000);
	pb_u32(p, 0);
	pb_u8(p, (uint8_t)(doff << 4));
	pb_u8(p, flags);
	pb_u16(p, 65535);
	pb_u16(p, 0);
	pb_u16(p, 0);
	for (i = 20; i < (size_t)doff * 4; i++)
		pb_u8(p, 1); /* NOP options */
}

static inline void pb_udp(struct pb *p, uint16_t sport, uint16_t dport)
{
	if (p->next8)
		*p->next8 = 17;
	pb_u16(p, sport);
	pb_u16(p, dport);
	pb_u16(p, 0);
	pb_u16(p, 0);
}

static inline void pb_icmp(struct pb *p, uint8_t type, uint8_t code)
{
	pb_u8(p, type);
	pb_u8(p, code);
	pb_u16(p, 0);
	pb_u32(p, 0x00010001);
}

static inline void pb_payload(struct pb *p, size_t n, uint8_t fill)
{
	memset(p->b + p->n, fill, n);
	p->n += n;
}

/* Fill the IP length field from the bytes after it, unless keep_len. */
static inline void pb_done(struct pb *p, int keep_len)
{
	if (keep_len || p->l3 < 0)
		return;
	if (p->ipv == 4)
		pb_set16(p->b + p->l3 + 2, (uint16_t)(p->n - (size_t)p->l3));
	else
		pb_set16(p->b + p->l3 + 4, (uint16_t)(p->n - (size_t)p->l3 - 40));
}

#endif /* FT_PKTBUILD_H */
