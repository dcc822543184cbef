/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/dnscache.h - (client, address) -> the name that client just resolved: bounded, LRU, expiring. */
#ifndef FT_DNSCACHE_H
#define FT_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#define DNSCACHE_NAME_MAX 256 /* longer names are refused (-ENAMETOOLONG), never cut */

struct dnscache;

/* All memory for 'cap' entries (about 320 bytes each) is allocated here, none later. */
int dnscache_new(struct dnscache **out, size_t cap);
void dnscache_free(struct dnscache *c); /* NULL is fine */

/* An entry lives clamp(TTL, min_s, max_s) seconds; defaults 10 s and 300 s. */
void dnscache_set_ttl(struct dnscache *c, uint32_t min_s, uint32_t max_s);

/*
 * Addresses are 16 bytes, IPv4 v4-mapped (::ffff:a.b.c.d) as in struct
 * flow_key; dnscache_addr() maps a struct dns_answer's. 'now_ns' is the
 * caller's clock (packet time when replaying a capture). Put replaces an
 * existing entry, else takes a free one, else evicts the least recently used.
 */
void dnscache_addr(int family, const uint8_t *addr, uint8_t out[16]);
int dnscache_put(struct dnscache *c, const uint8_t client[16], const uint8_t addr[16], const char *name,
		 uint32_t ttl, uint64_t now_ns);

/* Copy the name into out (cap bytes). 0, -ENOENT (absent or expired) or -ENOSPC. A hit counts as a use. */
int dnscache_get(struct dnscache *c, const uint8_t client[16], const uint8_t addr[16], uint64_t now_ns, char *out,
		 size_t cap);

size_t dnscache_count(const struct dnscache *c); /* entries held, expired ones not yet reclaimed included */

#endif /* FT_DNSCACHE_H */
