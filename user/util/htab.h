/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/htab.h - open-addressing hash table of fixed-size keys and values, for the packet path. */
#ifndef FT_HTAB_H
#define FT_HTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Linear probing with backward-shift deletion (no tombstones), grown by
 * doubling at 1/2 load. Keys are compared bytewise, so they must have no
 * uninitialised padding. Value pointers stay valid until the next insert or
 * delete; store a pointer as the value when records must not move.
 */
struct htab;

int htab_new(struct htab **out, size_t key_size, size_t val_size, size_t max_entries);
void htab_free(struct htab *h);
size_t htab_count(const struct htab *h);
uint64_t htab_hash(const void *key, size_t len);

void *htab_lookup(const struct htab *h, const void *key, uint64_t hash);
/* The value for key, zero-filled if new (*created = true). NULL: at max_entries or out of memory. */
void *htab_upsert(struct htab *h, const void *key, uint64_t hash, bool *created);
/* 0, or -ENOENT. */
int htab_delete(struct htab *h, const void *key, uint64_t hash);
/* Remove everything, keep the memory. */
void htab_clear(struct htab *h);

/* Visit every entry; the callback must not insert or delete. Stops when fn returns non-zero. */
typedef int (*htab_visit_fn)(void *arg, const void *key, void *val);
int htab_foreach(struct htab *h, htab_visit_fn fn, void *arg);
/* Delete every entry for which pred returns true (the callback may read and change the value first). */
typedef bool (*htab_pred_fn)(void *arg, const void *key, void *val);
size_t htab_delete_if(struct htab *h, htab_pred_fn pred, void *arg);

#endif /* FT_HTAB_H */
