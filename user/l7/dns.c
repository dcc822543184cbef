/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/dns.c - DNS responses to (question name, address, TTL), CNAME chains followed (RFC 1035 4, RFC 3596). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "l7/dns.h"
#include "util/cursor.h"

#define DNS_HDR_LEN 12
#define DNS_NAME_WIRE_MAX 255 /* RFC 1035 2.3.4, length octets included */
#define DNS_MAX_HOPS 127      /* pointers per name (labels in 255 bytes); backwards-only already ends loops */
#define DNS_MAX_QD 4	      /* questions matched against; more are checked, then ignored */
#define DNS_MAX_RR 64	      /* A/AAAA/CNAME answers kept for matching; more are checked, then ignored */
#define DNS_MAX_CHAIN 16      /* CNAMEs followed from an address back to its question */

enum { DNS_T_A = 1, DNS_T_CNAME = 5, DNS_T_AAAA = 28, DNS_C_IN = 1 };

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	size_t owner;		    /* offset of the owner name */
	size_t rdata;		    /* offset of the RDATA: the address, or the CNAME's target name */
	uint64_t owner_h, target_h; /* dns_walk() hashes of the owner and of a CNAME's target */
};

struct dns_parse {
	const uint8_t *msg;
	size_t len;
	size_t qname[DNS_MAX_QD];
	uint64_t qhash[DNS_MAX_QD];
	unsigned int nq;
	struct dns_rr rr[DNS_MAX_RR];
	unsigned int nrr;
};

static uint8_t dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Presentation form: lowercase; '.', '\\' and bytes outside 0x21..0x7e escaped (RFC 1035 5.1, RFC 4343). */
static int dns_put_label(char *out, size_t cap, size_t *o, const uint8_t *lab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t ch = lab[i];
		size_t need = ch == '.' || ch == '\\' ? 2 : ch < 0x21 || ch > 0x7e ? 4 : 1;

		if (*o + need >= cap)
			return -ENOSPC;
		if (need == 4) {
			out[(*o)++] = '\\';
			out[(*o)++] = (char)('0' + ch / 100);
			out[(*o)++] = (char)('0' + ch / 10 % 10);
			out[(*o)++] = (char)('0' + ch % 10);
			continue;
		}
		if (need == 2)
			out[(*o)++] = '\\';
		out[(*o)++] = (char)dns_lower(ch);
	}
	return 0;
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* FNV-1a of a label, case folded: answers are matched to questions by hash first, then by bytes. */
static uint64_t dns_hash_label(uint64_t h, const uint8_t *lab, size_t n)
{
	size_t i;

	h = (h ^ n) * FNV_PRIME;
	for (i = 0; i < n; i++)
		h = (h ^ dns_lower(lab[i])) * FNV_PRIME;
	return h;
}

/*
 * Validate the name at *off, move *off past it, and optionally write its
 * text and hash. Every pointer must land before the start of the label run
 * it ends (the name itself, or the previous pointer's target): targets
 * strictly decrease, so a name always ends (RFC 1035 4.1.4 compresses to an
 * earlier occurrence).
 */
static int dns_walk(const uint8_t *msg, size_t len, size_t *off, char *out, size_t cap, uint64_t *hash)
{
	size_t pos = *off, floor = *off, end = 0, wire = 0, o = 0;
	uint64_t h = FNV_OFFSET;
	unsigned int hops = 0;
	int err;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -ENODATA;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -ENODATA;
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (!hops)
				end = pos + 2;
			if (target >= floor || ++hops > DNS_MAX_HOPS)
				return -EBADMSG;
			pos = floor = target;
			continue;
		}
		if (l & 0xc0) /* 0x40/0x80: extended label types, none in use (RFC 6891 5) */
			return -EBADMSG;
		wire += (size_t)l + 1;
		if (wire > DNS_NAME_WIRE_MAX)
			return -EBADMSG;
		if (!l)
			break;
		if (pos + 1 + l > len)
			return -ENODATA;
		if (out && o) {
			if (o + 1 >= cap)
				return -ENOSPC;
			out[o++] = '.';
		}
		if (out && (err = dns_put_label(out, cap, &o, msg + pos + 1, l)))
			return err;
		h = dns_hash_label(h, msg + pos + 1, l);
		pos += 1 + (size_t)l;
	}
	*off = hops ? end : pos + 1;
	if (hash)
		*hash = dns_hash_label(h, NULL, 0);
	if (out && !o && cap > 1)
		out[o++] = '.';
	if (out && cap)
		out[o < cap ? o : cap - 1] = 0;
	return 0;
}

int dns_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t cap)
{
	return dns_walk(msg, len, off, out, cap, NULL);
}

/* Past pointers to the next label of a validated name. */
static size_t dns_follow(const struct dns_parse *p, size_t pos)
{
	unsigned int hops = 0;

	while (pos + 1 < p->len && (p->msg[pos] & 0xc0) == 0xc0 && hops++ < DNS_MAX_HOPS)
		pos = (size_t)(p->msg[pos] & 0x3f) << 8 | p->msg[pos + 1];
	return pos;
}

/* Two validated names are equal, ASCII case folded (RFC 4343). */
static bool dns_name_eq(const struct dns_parse *p, size_t a, size_t b)
{
	unsigned int labels = 0;

	while (labels++ <= DNS_NAME_WIRE_MAX / 2) {
		size_t la, i;

		a = dns_follow(p, a);
		b = dns_follow(p, b);
		if (a >= p->len || b >= p->len || p->msg[a] != p->msg[b])
			return false;
		la = p->msg[a];
		if (!la)
			return true;
		if (a + 1 + la > p->len || b + 1 + la > p->len)
			return false;
		for (i = 1; i <= la; i++)
			if (dns_lower(p->msg[a + i]) != dns_lower(p->msg[b + i]))
				return false;
		a += 1 + la;
		b += 1 + la;
	}
	return false;
}

static int dns_question(struct dns_parse *p, struct pkt_cursor *c)
{
	size_t off = (size_t)(c->pos - p->msg), start = off;
	uint64_t h;
	int err = dns_walk(p->msg, p->len, &off, NULL, 0, &h);

	if (err)
		return err;
	c->pos = p->msg + off;
	if ((err = cur_skip(c, 4))) /* QTYPE, QCLASS */
		return err;
	if (p->nq < DNS_MAX_QD) {
		p->qname[p->nq] = start;
		p->qhash[p->nq++] = h;
	}
	return 0;
}

/* RDATA of the types we read must be exactly what its length says. */
static int dns_rdata_check(const struct dns_parse *p, uint16_t type, size_t rdata, uint16_t rdlen,
			   uint64_t *target_h)
{
	size_t off = rdata;
	int err;

	switch (type) {
	case DNS_T_A:
		return rdlen == 4 ? 0 : -EBADMSG;
	case DNS_T_AAAA:
		return rdlen == 16 ? 0 : -EBADMSG;
	case DNS_T_CNAME: /* the target name must end where RDATA ends */
		err = dns_walk(p->msg, rdata + rdlen, &off, NULL, 0, target_h);
		return err || off != rdata + rdlen ? -EBADMSG : 0;
	}
	return 0;
}

static int dns_record(struct dns_parse *p, struct pkt_cursor *c, bool answer)
{
	size_t off = (size_t)(c->pos - p->msg), owner = off, rdata;
	uint64_t owner_h, target_h = 0;
	uint16_t type, class, rdlen;
	uint32_t ttl;
	int err;

	if ((err = dns_walk(p->msg, p->len, &off, NULL, 0, &owner_h)))
		return err;
	c->pos = p->msg + off;
	if ((err = cur_be16(c, &type)) || (err = cur_be16(c, &class)) || (err = cur_be32(c, &ttl)) ||
	    (err = cur_be16(c, &rdlen)))
		return err;
	rdata = (size_t)(c->pos - p->msg);
	if ((err = cur_skip(c, rdlen)))
		return err;
	if ((class & 0x7fff) != DNS_C_IN) /* top bit: mDNS cache-flush (RFC 6762 10.2) */
		return 0;
	if ((err = dns_rdata_check(p, type, rdata, rdlen, &target_h)))
		return err;
	if (!answer || p->nrr == DNS_MAX_RR || (type != DNS_T_A && type != DNS_T_AAAA && type != DNS_T_CNAME))
		return 0;
	p->rr[p->nrr].type = type;
	p->rr[p->nrr].ttl = ttl & 0x80000000u ? 0 : ttl; /* RFC 2181 8 */
	p->rr[p->nrr].owner = owner;
	p->rr[p->nrr].rdata = rdata;
	p->rr[p->nrr].owner_h = owner_h;
	p->rr[p->nrr].target_h = target_h;
	p->nrr++;
	return 0;
}

static int dns_sections(struct dns_parse *p)
{
	struct pkt_cursor c = cur_make(p->msg, p->len);
	uint16_t id, flags, qd, an, ns, ar;
	unsigned int i;
	int err;

	if ((err = cur_be16(&c, &id)) || (err = cur_be16(&c, &flags)) || (err = cur_be16(&c, &qd)) ||
	    (err = cur_be16(&c, &an)) || (err = cur_be16(&c, &ns)) || (err = cur_be16(&c, &ar)))
		return err;
	if (!(flags & 0x8000) || (flags >> 11 & 0xf) != 0) /* QR=0: a query; opcode other than QUERY */
		return -EPROTONOSUPPORT;
	/* Counts no message of 64 KiB can hold: a question takes >= 5 bytes, a record >= 11. */
	if ((size_t)qd * 5 + ((size_t)an + ns + ar) * 11 > 65535 - DNS_HDR_LEN)
		return -EBADMSG;
	for (i = 0; i < qd; i++)
		if ((err = dns_question(p, &c)))
			return err;
	for (i = 0; i < (unsigned int)an + ns + ar; i++)
		if ((err = dns_record(p, &c, i < an)))
			return err;
	return 0;
}

/* The question an address record's owner leads back to, through at most DNS_MAX_CHAIN CNAMEs. */
static int dns_resolve(const struct dns_parse *p, const struct dns_rr *rr, uint32_t *ttl, unsigned int *hops)
{
	size_t cur = rr->owner;
	uint64_t h = rr->owner_h;
	unsigned int q, i;

	*ttl = rr->ttl;
	for (*hops = 0;; (*hops)++) {
		for (q = 0; q < p->nq; q++)
			if (p->qhash[q] == h && dns_name_eq(p, cur, p->qname[q]))
				return (int)q;
		if (*hops == DNS_MAX_CHAIN)
			return -ENOENT;
		for (i = 0; i < p->nrr; i++)
			if (p->rr[i].type == DNS_T_CNAME && p->rr[i].target_h == h && dns_name_eq(p, p->rr[i].rdata, cur))
				break;
		if (i == p->nrr)
			return -ENOENT;
		cur = p->rr[i].owner;
		h = p->rr[i].owner_h;
		if (p->rr[i].ttl < *ttl)
			*ttl = p->rr[i].ttl;
	}
}

int dns_parse_response(const uint8_t *msg, size_t len, dns_answer_fn fn, void *arg)
{
	struct dns_parse p = { .msg = msg, .len = len };
	char qtext[DNS_MAX_QD][DNS_NAME_MAX];
	struct dns_answer ans;
	unsigned int i;
	int err, q, n = 0;

	err = dns_sections(&p);
	if (err)
		return err;
	for (i = 0; i < p.nq; i++) {
		size_t off = p.qname[i];

		if ((err = dns_name(msg, len, &off, qtext[i], sizeof(qtext[i]))))
			return err;
	}
	for (i = 0; i < p.nrr; i++) {
		const struct dns_rr *rr = &p.rr[i];

		if (rr->type == DNS_T_CNAME || (q = dns_resolve(&p, rr, &ans.ttl, &ans.hops)) < 0)
			continue;
		ans.name = qtext[q];
		ans.family = rr->type == DNS_T_A ? AF_INET : AF_INET6;
		memset(ans.addr, 0, sizeof(ans.addr));
		memcpy(ans.addr, msg + rr->rdata, rr->type == DNS_T_A ? 4 : 16);
		if (fn)
			fn(arg, &ans);
		n++;
	}
	return n;
}

int dns_parse_tcp(const uint8_t *stream, size_t len, size_t *consumed, dns_answer_fn fn, void *arg)
{
	size_t mlen;
	int err;

	if (len < 2)
		return -ENODATA;
	mlen = rd_be16(stream);
	if (len - 2 < mlen)
		return -ENODATA;
	*consumed = 2 + mlen;
	if (mlen < DNS_HDR_LEN)
		return -EBADMSG;
	err = dns_parse_response(stream + 2, mlen, fn, arg);
	return err == -ENODATA ? -EBADMSG : err; /* the length said the message was whole */
}
