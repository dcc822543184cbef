/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_wire.h - ftgen's frame builder: RNG, Ethernet/802.1Q, IPv4/IPv6, TCP/UDP/ICMPv6, checksums. */
#ifndef FTGEN_WIRE_H
#define FTGEN_WIRE_H

#include <stdbool.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Only ftgen.c includes this (header-only: each C file under tools/ is a program of its own). */

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough for traffic shapes. */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is far below what matters here). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi) /* inclusive */
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True with probability pct/100. */
static inline bool rng_pct(struct rng *r, uint32_t pct)
{
	return rng_below(r, 100) < pct;
}

/* Exponential with the given mean, for gaps between independent events; capped at 20 means. */
static inline uint64_t rng_exp(struct rng *r, uint64_t mean)
{
	double u = ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0, x = -log(u);

	return (uint64_t)((x > 20 ? 20 : x) * (double)mean);
}

static inline void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint64_t v = rng_next(r);

		memcpy(p, &v, 8);
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t v = rng_next(r);

		memcpy(p, &v, n);
	}
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1071 sum, 32 bits at a time into a 64-bit accumulator (folded by csum_fold). */
static inline uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint32_t w;

	while (n >= 4) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t h;

		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

/* Fold and complement; the result is in network byte order, ready to memcpy into the header. */
static inline uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define FRAME_MAX 1600 /* MSS 1460 over IPv4, 1440 over IPv6, plus Ethernet and a tag */
#define ETH_MIN 60     /* without FCS: shorter frames leave the wire padded */

/* One side of a conversation as it appears on the wire. */
struct endpoint {
	uint8_t mac[6];
	uint8_t addr[16]; /* IPv4 in the first 4 bytes */
	uint16_t port;
	uint8_t ttl;
};

/* What the frame builder needs about the packet beyond the two endpoints. */
struct l3opts {
	int ipv;	/* 4 or 6 */
	uint16_t vlan;	/* 0: untagged */
	uint16_t ipid;	/* IPv4 identification */
	uint32_t flowlabel;
};

/*
 * Lay out Ethernet (+ 802.1Q) and the IP header for 'l4len' bytes of
 * upper layer at *l4off; returns the frame length before padding. The IP
 * header checksum is final; the L4 checksum is the caller's (pseudo-header
 * sum from ip_pseudo()).
 */
static inline size_t frame_l3(uint8_t *f, const struct endpoint *src, const uint8_t *dst_mac,
			      const uint8_t *dst_addr, const struct l3opts *o, uint8_t proto, size_t l4len,
			      size_t *l4off)
{
	size_t off = 12;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src->mac, 6);
	if (o->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, o->vlan & 0x0fff);
		off = 16;
	}
	if (o->ipv == 4) {
		uint8_t *ip = f + off + 2;

		put16(f + off, 0x0800);
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, o->ipid);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = src->ttl;
		ip[9] = proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, src->addr, 4);
		memcpy(ip + 16, dst_addr, 4);
		{
			uint16_t c = csum_fold(csum_add(0, ip, 20));

			memcpy(ip + 10, &c, 2);
		}
		*l4off = off + 2 + 20;
	} else {
		uint8_t *ip = f + off + 2;

		put16(f + off, 0x86dd);
		put32(ip, 0x60000000u | (o->flowlabel & 0xfffff));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = src->ttl;
		memcpy(ip + 8, src->addr, 16);
		memcpy(ip + 24, dst_addr, 16);
		*l4off = off + 2 + 40;
	}
	return *l4off + l4len;
}

/* Pseudo-header sum (RFC 793 / RFC 768 for IPv4, RFC 8200 8.1 for IPv6) of the frame laid out by frame_l3. */
static inline uint64_t ip_pseudo(const uint8_t *f, size_t l4off, int ipv, uint8_t proto, size_t l4len)
{
	uint8_t tail[4] = { 0, 0, 0, proto };
	uint64_t s;

	if (ipv == 4) {
		s = csum_add(0, f + l4off - 8, 8); /* source and destination address */
		put16(tail + 2, (uint16_t)l4len);
		tail[1] = proto;
		return csum_add(s, tail, 4);
	}
	s = csum_add(0, f + l4off - 32, 32);
	put32(tail, (uint32_t)l4len);
	s = csum_add(s, tail, 4);
	put32(tail, proto);
	return csum_add(s, tail, 4);
}

/* Pad to the Ethernet minimum as a switch's mirror port shows it; returns the frame length. */
static inline size_t frame_pad(uint8_t *f, size_t len)
{
	if (len < ETH_MIN) {
		memset(f + len, 0, ETH_MIN - len);
		return ETH_MIN;
	}
	return len;
}

/* IP-layer bytes of a frame built by frame_l3: IPv4 total length, or 40 + IPv6 payload length. */
static inline size_t ip_bytes(int ipv, size_t l4len)
{
	return (ipv == 4 ? 20 : 40) + l4len;
}

#endif /* FTGEN_WIRE_H */
