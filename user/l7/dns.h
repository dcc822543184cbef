/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/dns.h - the addresses a DNS response gives for the names a client asked (RFC 1035 4, RFC 3596). */
#ifndef FT_DNS_H
#define FT_DNS_H

#include <stddef.h>
#include <stdint.h>

/* A name in presentation form (RFC 1035 5.1): 253 characters, up to 4x when bytes are escaped as \DDD. */
#define DNS_NAME_MAX 1024

/* One A/AAAA answer, named by the question it answers (through CNAMEs). Valid during the callback only. */
struct dns_answer {
	const char *name;  /* the question's name: lowercase, no trailing dot ("." for the root) */
	int family;	   /* AF_INET or AF_INET6 */
	uint8_t addr[16];  /* 4 or 16 bytes used */
	uint32_t ttl;	   /* the smallest TTL on the way: the address record and each CNAME */
	unsigned int hops; /* CNAMEs between the question and the address */
};

typedef void (*dns_answer_fn)(void *arg, const struct dns_answer *ans);

/*
 * Parse a DNS response (a UDP payload). Every section is checked before the
 * first callback, so a message that fails calls fn for nothing. Returns the
 * number of answers given to fn, -EPROTONOSUPPORT (a query, or an opcode other
 * than QUERY), -ENODATA (the message ends early: truncated) or -EBADMSG (a
 * length or count that contradicts the message, a compression pointer that is
 * not strictly backwards, a name over 255 bytes). Addresses whose owner does
 * not lead back to a question are not reported. Allocation-free.
 */
int dns_parse_response(const uint8_t *msg, size_t len, dns_answer_fn fn, void *arg);

/*
 * One message from a DNS-over-TCP stream (RFC 1035 4.2.2: a 2-byte length
 * first). On a whole message *consumed is 2 + its length, even when it fails
 * to parse; records that overrun the length given are then -EBADMSG, not
 * -ENODATA. -ENODATA: the stream holds less than one message.
 */
int dns_parse_tcp(const uint8_t *stream, size_t len, size_t *consumed, dns_answer_fn fn, void *arg);

/*
 * Read the (possibly compressed) name at *off in msg into out, in
 * presentation form; *off moves past it. For tests and the parser above.
 */
int dns_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t cap);

#endif /* FT_DNS_H */
