/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_dns.c - libFuzzer target: DNS responses over UDP and TCP, and the name cache they feed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "l7/dns.h"
#include "l7/dnscache.h"

/*
 * Input: one mode byte, then the rest. Mode 0: a UDP payload. Mode 1: a TCP
 * stream of length-prefixed messages. Mode 2: byte 1 gives the length of a
 * UDP payload (in 4-byte units) whose answers go into a small cache; the
 * bytes after it drive puts and gets on that cache.
 */
struct fuzz_ctx {
	int n;
	struct dnscache *cache;
	uint64_t now;
};

static void on_answer(void *arg, const struct dns_answer *a)
{
	struct fuzz_ctx *f = arg;
	size_t len = strnlen(a->name, DNS_NAME_MAX);
	uint8_t client[16] = { 0 }, addr[16];

	if (len == 0 || len >= DNS_NAME_MAX || (a->family != AF_INET && a->family != AF_INET6))
		abort();
	if (a->family == AF_INET && (a->addr[4] | a->addr[15]))
		abort(); /* bytes past an IPv4 address are zero */
	f->n++;
	if (!f->cache)
		return;
	dnscache_addr(a->family, a->addr, addr);
	dnscache_put(f->cache, client, addr, a->name, a->ttl, f->now);
}

static void check(int r, const struct fuzz_ctx *f)
{
	if (r >= 0 ? r != f->n : (f->n || (r != -ENODATA && r != -EBADMSG && r != -EPROTONOSUPPORT)))
		abort();
}

/* Ops of 4 bytes: kind, client, address, TTL; the clock moves one second each. */
static void cache_ops(struct fuzz_ctx *f, const uint8_t *p, size_t n)
{
	uint8_t client[16] = { 0 }, addr[16] = { 0 };
	char name[DNSCACHE_NAME_MAX];
	size_t i;

	for (i = 0; i + 4 <= n; i += 4, f->now += 1000000000ull) {
		client[15] = p[i + 1] & 7;
		addr[15] = p[i + 2] & 15;
		if (p[i] & 1) {
			int r = dnscache_get(f->cache, client, addr, f->now, name, p[i] & 2 ? 4 : sizeof(name));

			if (r && r != -ENOENT && r != -ENOSPC)
				abort();
		} else {
			name[0] = (char)('a' + (p[i] >> 4));
			name[1] = 0;
			if (dnscache_put(f->cache, client, addr, name, p[i + 3], f->now))
				abort();
		}
		if (dnscache_count(f->cache) > 8)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_ctx f = { 0 };
	size_t off, used;
	int r;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		check(dns_parse_response(data + 1, size - 1, on_answer, &f), &f);
		break;
	case 1:
		for (off = 1; off < size; off += used) {
			f.n = 0;
			r = dns_parse_tcp(data + off, size - off, &used, on_answer, &f);
			check(r, &f);
			if (r == -ENODATA)
				break;
			if (used < 2)
				abort();
		}
		break;
	default:
		if (size < 2)
			break;
		if (dnscache_new(&f.cache, 8))
			abort();
		used = 2 + data[1] * 4u; /* the message: data[2 .. used) */
		if (used > size)
			used = size;
		check(dns_parse_response(data + 2, used - 2, on_answer, &f), &f);
		cache_ops(&f, data + used, size - used);
		dnscache_free(f.cache);
	}
	return 0;
}
