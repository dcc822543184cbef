/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/batch.h - a batch as the store's modules share it: newline-ended JSON lines and their kinds. */
#ifndef FT_STORE_BATCH_H
#define FT_STORE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

enum batch_kind { BATCH_FLOW, BATCH_TPUT, BATCH_NEIGH, BATCH_OTHER, BATCH_KINDS };

struct store_batch {
	uint64_t seq;
	enum store_mode mode;
	char *buf;		    /* lines, each ending in '\n'; owned */
	size_t len, cap;
	uint32_t lines;
	uint32_t kind[BATCH_KINDS]; /* lines per "type", for reports of what was dropped */
	struct store_batch *next;   /* the writer's queue */
};

/* Adopt buf (len bytes of newline-ended lines, malloc'ed) as a batch; counts lines and kinds. */
int batch_adopt(struct store_batch **out, uint64_t seq, enum store_mode mode, char *buf, size_t len);
/* Which "type" a line declares; cheap scan, no full parse. */
enum batch_kind batch_kind_of(const char *line, size_t len);

#endif /* FT_STORE_BATCH_H */
