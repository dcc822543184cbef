// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/htab.c - linear-probing hash table with backward-shift deletion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/htab.h"

/*
 * Two arrays: the hashes alone (8 per cache line, what probing walks; 0 =
 * empty, so hashes are forced non-zero) and the entries (key, then value,
 * padded to 8 bytes), touched only on a hash match.
 */
struct htab {
	size_t key_size, val_size, slot_size;
	size_t cap; /* power of two */
	size_t count, max_entries;
	uint64_t *hashes;
	uint8_t *slots;
};

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ULL;
	x ^= x >> 32;
	return x;
}

uint64_t htab_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = mix(h ^ w);
	}
	h = mix(h);
	return h ? h : 1;
}

static inline uint8_t *slot(const struct htab *h, size_t i)
{
	return h->slots + i * h->slot_size;
}

/* Keys are compared as 8-byte words where their size allows: the flow key is 40 bytes. */
static inline bool key_eq(const struct htab *h, const uint8_t *a, const void *b)
{
	if (h->key_size == 40) {
		uint64_t x[5], y[5];

		memcpy(x, a, 40);
		memcpy(y, b, 40);
		return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]));
	}
	return !memcmp(a, b, h->key_size);
}

int htab_new(struct htab **out, size_t key_size, size_t val_size, size_t max_entries)
{
	struct htab *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->key_size = key_size;
	h->val_size = val_size;
	h->slot_size = (key_size + val_size + 7) & ~(size_t)7;
	h->max_entries = max_entries;
	h->cap = 64;
	h->hashes = calloc(h->cap, sizeof(*h->hashes));
	h->slots = calloc(h->cap, h->slot_size);
	if (!h->hashes || !h->slots) {
		free(h->hashes);
		free(h->slots);
		free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

void htab_free(struct htab *h)
{
	if (!h)
		return;
	free(h->hashes);
	free(h->slots);
	free(h);
}

size_t htab_count(const struct htab *h)
{
	return h->count;
}

void *htab_lookup(const struct htab *h, const void *key, uint64_t hash)
{
	size_t mask = h->cap - 1, i = hash & mask;

	for (;;) {
		uint64_t sh = h->hashes[i];

		if (!sh)
			return NULL;
		if (sh == hash && key_eq(h, slot(h, i), key))
			return slot(h, i) + h->key_size;
		i = (i + 1) & mask;
	}
}

static int grow(struct htab *h)
{
	size_t old_cap = h->cap, i, cap = old_cap * 2;
	uint64_t *old_hashes = h->hashes, *hashes = calloc(cap, sizeof(*hashes));
	uint8_t *old = h->slots, *slots = calloc(cap, h->slot_size);

	if (!hashes || !slots) {
		free(hashes);
		free(slots);
		return -ENOMEM;
	}
	for (i = 0; i < old_cap; i++) {
		uint64_t sh = old_hashes[i];
		size_t j;

		if (!sh)
			continue;
		for (j = sh & (cap - 1); hashes[j]; j = (j + 1) & (cap - 1))
			;
		hashes[j] = sh;
		memcpy(slots + j * h->slot_size, old + i * h->slot_size, h->slot_size);
	}
	free(old_hashes);
	free(old);
	h->hashes = hashes;
	h->slots = slots;
	h->cap = cap;
	return 0;
}

void *htab_upsert(struct htab *h, const void *key, uint64_t hash, bool *created)
{
	size_t mask, i;
	void *v = htab_lookup(h, key, hash);

	*created = false;
	if (v)
		return v;
	if (h->count >= h->max_entries)
		return NULL;
	if ((h->count + 1) * 2 > h->cap && grow(h))
		return NULL;
	mask = h->cap - 1;
	for (i = hash & mask; h->hashes[i]; i = (i + 1) & mask)
		;
	h->hashes[i] = hash;
	memcpy(slot(h, i), key, h->key_size);
	memset(slot(h, i) + h->key_size, 0, h->slot_size - h->key_size);
	h->count++;
	*created = true;
	return slot(h, i) + h->key_size;
}

/* Empty slot i and pull later members of its probe run back (Knuth 6.4 algorithm R). */
static void remove_at(struct htab *h, size_t i)
{
	size_t mask = h->cap - 1, j = i;

	for (;;) {
		uint64_t sh;
		size_t home;

		j = (j + 1) & mask;
		sh = h->hashes[j];
		if (!sh)
			break;
		home = sh & mask;
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		h->hashes[i] = sh;
		memcpy(slot(h, i), slot(h, j), h->slot_size);
		i = j;
	}
	h->hashes[i] = 0;
	h->count--;
}

int htab_delete(struct htab *h, const void *key, uint64_t hash)
{
	size_t mask = h->cap - 1, i = hash & mask;

	for (;;) {
		uint64_t sh = h->hashes[i];

		if (!sh)
			return -ENOENT;
		if (sh == hash && key_eq(h, slot(h, i), key)) {
			remove_at(h, i);
			return 0;
		}
		i = (i + 1) & mask;
	}
}

void htab_clear(struct htab *h)
{
	memset(h->hashes, 0, h->cap * sizeof(*h->hashes));
	h->count = 0;
}

int htab_foreach(struct htab *h, htab_visit_fn fn, void *arg)
{
	size_t i;
	int ret;

	for (i = 0; i < h->cap; i++) {
		uint8_t *s = slot(h, i);

		if (!h->hashes[i])
			continue;
		ret = fn(arg, s, s + h->key_size);
		if (ret)
			return ret;
	}
	return 0;
}

size_t htab_delete_if(struct htab *h, htab_pred_fn pred, void *arg)
{
	size_t i, n = 0, cap = h->cap, mask = cap - 1, start;

	if (!h->count)
		return 0;
	/*
	 * Start just after an empty slot: backward shifts then never carry an
	 * unvisited entry into a visited slot, nor a visited one forward.
	 */
	for (start = 0; h->hashes[start]; start++)
		;
	for (i = 0; i < cap;) {
		size_t k = (start + 1 + i) & mask;
		uint8_t *s = slot(h, k);

		if (h->hashes[k] && pred(arg, s, s + h->key_size)) {
			remove_at(h, k);
			n++;
			continue; /* slot k now holds the next member of the run: visit it */
		}
		i++;
	}
	return n;
}
