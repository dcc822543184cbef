/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp/ndp_decode.c - RFC 4861 neighbor discovery decoding and validation, allocation-free. */
#include <errno.h>
#include <string.h>

#include "ndp/ndp_decode.h"

#define NDP_OPT_SLLA 1
#define NDP_OPT_TLLA 2
#define NDP_OPT_PREFIX 3
#define NDP_OPT_REDIRECTED 4
#define NDP_OPT_MTU 5
#define NDP_IPPROTO_ICMPV6 58

/* Bytes of the fixed part of each message, type included (RFC 4861 4.1-4.5). */
static size_t ndp_min_len(uint8_t type)
{
	switch (type) {
	case NDP_RS:
		return 8;
	case NDP_RA:
		return 16;
	case NDP_NS:
	case NDP_NA:
		return 24;
	case NDP_REDIRECT:
		return 40;
	}
	return 0;
}

static int ip6_is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, 16);
}

static int ip6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static int ip6_is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; /* fe80::/10, RFC 4291 2.5.6 */
}

/* ff02::1:ff00:0/104, RFC 4291 2.7.1 */
static int ip6_is_solicited_node(const uint8_t a[16])
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	return !memcmp(a, pfx, sizeof(pfx));
}

/* ICMPv6 checksum over the pseudo-header and message (RFC 4443 2.3, RFC 8200 8.1): 1 if valid. */
static int ndp_csum_ok(const struct ndp_ip *ip, const uint8_t *p, size_t n)
{
	uint64_t sum = NDP_IPPROTO_ICMPV6 + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += rd_be16(ip->src + i) + rd_be16(ip->dst + i);
	for (i = 0; i + 1 < n; i += 2)
		sum += rd_be16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* The fixed part after type, code and checksum; c is past those four bytes. */
static int ndp_fixed(struct pkt_cursor *c, struct ndp_msg *m)
{
	const uint8_t *p;
	int err = 0;

	switch (m->type) {
	case NDP_RS:
		err = cur_skip(c, 4); /* reserved */
		break;
	case NDP_RA:
		err = cur_u8(c, &m->cur_hop_limit);
		err = err ?: cur_u8(c, &m->flags);
		err = err ?: cur_be16(c, &m->router_lifetime);
		err = err ?: cur_be32(c, &m->reachable_time);
		err = err ?: cur_be32(c, &m->retrans_timer);
		break;
	case NDP_NS:
	case NDP_NA:
		err = cur_take(c, 4, &p); /* NA: R|S|O then 29 reserved bits; NS: reserved */
		if (!err && m->type == NDP_NA)
			m->flags = p[0] & 0xe0;
		err = err ?: cur_take(c, 16, &p);
		if (!err)
			memcpy(m->target, p, 16);
		break;
	case NDP_REDIRECT:
		err = cur_skip(c, 4);
		err = err ?: cur_take(c, 16, &p);
		if (!err)
			memcpy(m->target, p, 16);
		err = err ?: cur_take(c, 16, &p);
		if (!err)
			memcpy(m->dest, p, 16);
		break;
	}
	return err;
}

/* Which message types an option belongs to; others MUST silently ignore it (RFC 4861 4.6). */
static int ndp_opt_applies(uint8_t type, uint8_t opt)
{
	switch (opt) {
	case NDP_OPT_SLLA:
		return type == NDP_RS || type == NDP_RA || type == NDP_NS;
	case NDP_OPT_TLLA:
		return type == NDP_NA || type == NDP_REDIRECT;
	case NDP_OPT_PREFIX:
	case NDP_OPT_MTU:
		return type == NDP_RA;
	case NDP_OPT_REDIRECTED:
		return type == NDP_REDIRECT;
	}
	return 0;
}

/* Prefix Information (4.6.2): body of 30 bytes after type and length. 0 if kept, 1 if ignored. */
static int ndp_opt_prefix(const uint8_t *b, struct ndp_msg *m)
{
	struct ndp_prefix *px;

	if (b[0] > 128)
		return 1;
	if (m->n_prefixes == NDP_MAX_PREFIXES) {
		if (m->prefixes_dropped < UINT8_MAX)
			m->prefixes_dropped++;
		return 0;
	}
	px = &m->prefixes[m->n_prefixes++];
	px->len = b[0];
	px->flags = b[1];
	px->valid = rd_be32(b + 2);
	px->preferred = rd_be32(b + 6);
	memcpy(px->prefix, b + 14, 16); /* after 4 reserved bytes */
	return 0;
}

/*
 * One option whose body (after type and length) is b[0 .. len8 * 8 - 2). *slla notes any Source LLA option,
 * of any length, for the unspecified-source rules. Returns 1 when the option is ignored.
 */
static int ndp_opt(uint8_t type, uint8_t len8, const uint8_t *b, struct ndp_msg *m, int *slla)
{
	if (type == NDP_OPT_SLLA)
		*slla = 1;
	if (!ndp_opt_applies(m->type, type))
		return 1;
	switch (type) {
	case NDP_OPT_SLLA:
	case NDP_OPT_TLLA:
		if (len8 != 1)
			return 1; /* another link layer's address: not a MAC */
		if (type == NDP_OPT_SLLA && !m->has_src_lla) {
			memcpy(m->src_lla, b, 6);
			m->has_src_lla = 1;
		} else if (type == NDP_OPT_TLLA && !m->has_tgt_lla) {
			memcpy(m->tgt_lla, b, 6);
			m->has_tgt_lla = 1;
		}
		return 0;
	case NDP_OPT_PREFIX:
		return len8 != 4 ? 1 : ndp_opt_prefix(b, m);
	case NDP_OPT_MTU:
		if (len8 != 1)
			return 1;
		m->mtu = rd_be32(b + 2);
		m->has_mtu = 1;
		return 0;
	case NDP_OPT_REDIRECTED:
		m->has_redirected = 1;
		return 0;
	}
	return 1;
}

/* Options to the end of the message (4.6): length in units of 8 bytes, 0 is invalid. */
static int ndp_options(struct pkt_cursor *c, struct ndp_msg *m, int *slla)
{
	while (cur_left(c)) {
		uint8_t type, len8;
		const uint8_t *b;
		int err;

		err = cur_u8(c, &type);
		err = err ?: cur_u8(c, &len8);
		if (err)
			return err;
		if (!len8)
			return -EBADMSG; /* 6.1.1, 6.1.2, 7.1.1, 7.1.2, 8.1: also an endless loop */
		err = cur_take(c, (size_t)len8 * 8 - 2, &b);
		if (err)
			return err;
		if (ndp_opt(type, len8, b, m, slla) && m->opts_ignored < UINT8_MAX)
			m->opts_ignored++;
	}
	return 0;
}

/* The per-type address rules of 6.1.1, 6.1.2, 7.1.1, 7.1.2 and 8.1. */
static int ndp_validate(const struct ndp_ip *ip, const struct ndp_msg *m, int slla)
{
	switch (m->type) {
	case NDP_RS:
		return ip6_is_unspecified(ip->src) && slla ? -EBADMSG : 0;
	case NDP_RA:
		return ip6_is_link_local(ip->src) ? 0 : -EBADMSG;
	case NDP_NS:
		if (ip6_is_multicast(m->target))
			return -EBADMSG;
		if (ip6_is_unspecified(ip->src) && (!ip6_is_solicited_node(ip->dst) || slla))
			return -EBADMSG; /* duplicate address detection */
		return 0;
	case NDP_NA:
		if (ip6_is_multicast(m->target))
			return -EBADMSG;
		if (ip6_is_multicast(ip->dst) && (m->flags & NDP_NA_SOLICITED))
			return -EBADMSG;
		return 0;
	case NDP_REDIRECT:
		if (!ip6_is_link_local(ip->src) || ip6_is_multicast(m->dest))
			return -EBADMSG;
		if (!ip6_is_link_local(m->target) && memcmp(m->target, m->dest, 16))
			return -EBADMSG;
		return 0;
	}
	return -EPROTONOSUPPORT;
}

int ndp_decode(struct pkt_cursor *c, const struct ndp_ip *ip, struct ndp_msg *out)
{
	struct pkt_cursor msg = *c; /* c moves only on success */
	const uint8_t *all = c->pos;
	size_t n = cur_left(c);
	uint8_t code;
	int err, slla = 0;

	memset(out, 0, sizeof(*out));
	err = cur_u8(&msg, &out->type);
	if (err)
		return err;
	if (!ndp_min_len(out->type))
		return -EPROTONOSUPPORT;
	if (n < ndp_min_len(out->type))
		return -ENODATA;
	err = cur_u8(&msg, &code);
	err = err ?: cur_skip(&msg, 2); /* checksum, verified last over the whole message */
	if (err)
		return err;
	if (ip->hop_limit != 255 || code != 0)
		return -EBADMSG; /* 255: not forwarded by a router, so it came from this link */
	memcpy(out->src, ip->src, 16);
	err = ndp_fixed(&msg, out);
	err = err ?: ndp_options(&msg, out, &slla);
	err = err ?: ndp_validate(ip, out, slla);
	if (err)
		return err;
	if (!ndp_csum_ok(ip, all, n))
		return -EBADMSG;
	*c = msg;
	return 0;
}

int ndp_learned(const struct ndp_msg *m, uint8_t addr[16], uint8_t mac[6])
{
	static const uint8_t zero_mac[6];
	const uint8_t *a, *l;

	switch (m->type) {
	case NDP_NA:
	case NDP_REDIRECT:
		if (!m->has_tgt_lla)
			return 0;
		a = m->target;
		l = m->tgt_lla;
		break;
	case NDP_NS:
	case NDP_RS:
	case NDP_RA:
		if (!m->has_src_lla)
			return 0;
		a = m->src;
		l = m->src_lla;
		break;
	default:
		return 0;
	}
	if (ip6_is_unspecified(a) || ip6_is_multicast(a) || (l[0] & 0x01) || !memcmp(l, zero_mac, 6))
		return 0;
	memcpy(addr, a, 16);
	memcpy(mac, l, 6);
	return 1;
}
