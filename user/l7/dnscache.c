/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/dnscache.c - a fixed-size hash + LRU list of (client, address) -> name, entries expiring by TTL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "l7/dnscache.h"

#define DC_NIL UINT32_MAX
#define DC_CAP_MAX (1u << 28)
#define NSEC_PER_SEC 1000000000ull

struct dc_entry {
	uint8_t client[16];
	uint8_t addr[16];
	uint64_t expires_ns;
	uint32_t hnext;	     /* next in the bucket chain */
	uint32_t prev, next; /* LRU list, head = most recent; 'next' also links the free list */
	char name[DNSCACHE_NAME_MAX];
};

struct dnscache {
	struct dc_entry *e;
	uint32_t *bucket;
	uint32_t mask;	       /* buckets - 1, a power of two >= cap */
	uint32_t cap, count;
	uint32_t fresh;	       /* e[fresh..cap) never used yet */
	uint32_t head, tail, free;
	uint32_t min_s, max_s;
	uint64_t seed;	       /* per cache, so answers an attacker chooses cannot aim at one bucket */
};

int dnscache_new(struct dnscache **out, size_t cap)
{
	struct dnscache *c;
	uint32_t nb = 1;
	int err = -ENOMEM;

	if (!cap || cap > DC_CAP_MAX)
		return -EINVAL;
	while (nb < cap)
		nb <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->e = calloc(cap, sizeof(*c->e));
	if (!c->e)
		goto err_free_cache;
	c->bucket = malloc(nb * sizeof(*c->bucket));
	if (!c->bucket)
		goto err_free_entries;
	memset(c->bucket, 0xff, nb * sizeof(*c->bucket)); /* every bucket DC_NIL */
	c->mask = nb - 1;
	c->cap = (uint32_t)cap;
	c->head = c->tail = c->free = DC_NIL;
	c->min_s = 10;
	c->max_s = 300;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ull;
	*out = c;
	return 0;

err_free_entries:
	free(c->e);
err_free_cache:
	free(c);
	return err;
}

void dnscache_free(struct dnscache *c)
{
	if (!c)
		return;
	free(c->bucket);
	free(c->e);
	free(c);
}

void dnscache_set_ttl(struct dnscache *c, uint32_t min_s, uint32_t max_s)
{
	c->min_s = min_s;
	c->max_s = max_s > min_s ? max_s : min_s;
}

size_t dnscache_count(const struct dnscache *c)
{
	return c->count;
}

void dnscache_addr(int family, const uint8_t *addr, uint8_t out[16])
{
	if (family == AF_INET6) {
		memcpy(out, addr, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, addr, 4);
}

static uint32_t dc_hash(const struct dnscache *c, const uint8_t client[16], const uint8_t addr[16])
{
	uint64_t h = c->seed, w;
	int i;

	for (i = 0; i < 4; i++) {
		memcpy(&w, i < 2 ? client + 8 * i : addr + 8 * (i - 2), 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	return (uint32_t)(h >> 32) & c->mask;
}

static uint32_t dc_find(const struct dnscache *c, uint32_t b, const uint8_t client[16], const uint8_t addr[16])
{
	uint32_t i;

	for (i = c->bucket[b]; i != DC_NIL; i = c->e[i].hnext)
		if (!memcmp(c->e[i].client, client, 16) && !memcmp(c->e[i].addr, addr, 16))
			return i;
	return DC_NIL;
}

static void dc_lru_unlink(struct dnscache *c, uint32_t i)
{
	struct dc_entry *e = &c->e[i];

	if (e->prev != DC_NIL)
		c->e[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != DC_NIL)
		c->e[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void dc_lru_push(struct dnscache *c, uint32_t i)
{
	c->e[i].prev = DC_NIL;
	c->e[i].next = c->head;
	if (c->head != DC_NIL)
		c->e[c->head].prev = i;
	c->head = i;
	if (c->tail == DC_NIL)
		c->tail = i;
}

/* Take entry i out of its bucket and the LRU list and put it on the free list. */
static void dc_remove(struct dnscache *c, uint32_t i)
{
	uint32_t *p = &c->bucket[dc_hash(c, c->e[i].client, c->e[i].addr)];

	while (*p != i)
		p = &c->e[*p].hnext;
	*p = c->e[i].hnext;
	dc_lru_unlink(c, i);
	c->e[i].next = c->free;
	c->free = i;
	c->count--;
}

static uint32_t dc_alloc(struct dnscache *c)
{
	uint32_t i;

	if (c->free == DC_NIL && c->fresh < c->cap)
		return c->fresh++;
	if (c->free == DC_NIL)
		dc_remove(c, c->tail); /* full: the least recently used goes */
	i = c->free;
	c->free = c->e[i].next;
	return i;
}

int dnscache_put(struct dnscache *c, const uint8_t client[16], const uint8_t addr[16], const char *name,
		 uint32_t ttl, uint64_t now_ns)
{
	uint32_t b = dc_hash(c, client, addr), i;
	size_t n = strlen(name);

	if (n >= DNSCACHE_NAME_MAX)
		return -ENAMETOOLONG;
	if (ttl < c->min_s)
		ttl = c->min_s;
	if (ttl > c->max_s)
		ttl = c->max_s;
	i = dc_find(c, b, client, addr);
	if (i != DC_NIL) {
		dc_lru_unlink(c, i);
	} else {
		i = dc_alloc(c);
		memcpy(c->e[i].client, client, 16);
		memcpy(c->e[i].addr, addr, 16);
		c->e[i].hnext = c->bucket[b];
		c->bucket[b] = i;
		c->count++;
	}
	memcpy(c->e[i].name, name, n + 1);
	c->e[i].expires_ns = now_ns + ttl * NSEC_PER_SEC;
	dc_lru_push(c, i);
	return 0;
}

int dnscache_get(struct dnscache *c, const uint8_t client[16], const uint8_t addr[16], uint64_t now_ns, char *out,
		 size_t cap)
{
	uint32_t i = dc_find(c, dc_hash(c, client, addr), client, addr);
	size_t n;

	if (i == DC_NIL)
		return -ENOENT;
	if (now_ns >= c->e[i].expires_ns) {
		dc_remove(c, i);
		return -ENOENT;
	}
	n = strlen(c->e[i].name);
	if (n >= cap)
		return -ENOSPC;
	memcpy(out, c->e[i].name, n + 1);
	dc_lru_unlink(c, i);
	dc_lru_push(c, i);
	return 0;
}
