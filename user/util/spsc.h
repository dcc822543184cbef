/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/spsc.h - a bounded single-producer single-consumer ring of pointers, lock-free. */
#ifndef FT_SPSC_H
#define FT_SPSC_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

/*
 * One thread pushes, one thread pops; head and tail live on their own cache
 * lines so the two never share one. Capacity is a power of two.
 */
struct spsc {
	_Alignas(64) _Atomic size_t head; /* next slot to write, producer's */
	_Alignas(64) _Atomic size_t tail; /* next slot to read, consumer's */
	_Alignas(64) size_t mask;
	void **slot;
};

static inline int spsc_init(struct spsc *q, size_t cap_pow2)
{
	q->slot = calloc(cap_pow2, sizeof(void *));
	if (!q->slot)
		return -ENOMEM;
	q->mask = cap_pow2 - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	return 0;
}

static inline void spsc_fini(struct spsc *q)
{
	free(q->slot);
	q->slot = NULL;
}

/* false when full: the caller decides (drop and count). */
static inline bool spsc_push(struct spsc *q, void *p)
{
	size_t h = atomic_load_explicit(&q->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&q->tail, memory_order_acquire) > q->mask)
		return false;
	q->slot[h & q->mask] = p;
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return true;
}

static inline void *spsc_pop(struct spsc *q)
{
	size_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	void *p;

	if (t == atomic_load_explicit(&q->head, memory_order_acquire))
		return NULL;
	p = q->slot[t & q->mask];
	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
	return p;
}

#endif /* FT_SPSC_H */
