/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/spool.h - batches on disk until the database has them: one fsynced, checksummed file each. */
#ifndef FT_STORE_SPOOL_H
#define FT_STORE_SPOOL_H

#include <stdint.h>
#include "store/batch.h"

struct spool;

struct spool_info {
	uint64_t batches, bytes, max_seq;		/* now on disk */
	uint64_t dropped_batches, dropped_lines;	/* lost to the size limit */
	uint64_t corrupt, rejected;			/* moved aside to corrupt/ and rejected/ */
};

/* Open (creating) the spool directory; records left by an earlier run are kept for replay. */
int spool_open(struct spool **out, const char *dir, uint64_t max_bytes);
void spool_close(struct spool *sp); /* NULL-safe; records stay on disk */
int spool_chown(struct spool *sp, unsigned int uid, unsigned int gid); /* the directory and all in it */
/*
 * Write b durably (file and directory fsynced). When the limit would be passed, the oldest
 * records not being applied are dropped, counted and reported. -EFBIG: b alone is over the limit
 * (nothing written or counted: the caller decides).
 */
int spool_put(struct spool *sp, const struct store_batch *b);
/* Load the lowest-seq record and mark it busy. -ENOENT: empty. Corrupt records are moved aside. */
int spool_take(struct spool *sp, struct store_batch **out);
uint64_t spool_head_seq(struct spool *sp); /* lowest seq on disk, UINT64_MAX when empty */
int spool_done(struct spool *sp, uint64_t seq);	  /* applied: delete it */
void spool_release(struct spool *sp, uint64_t seq); /* not applied: keep it for the next try */
int spool_reject(struct spool *sp, uint64_t seq, const char *why); /* to rejected/, with why */
void spool_get_info(struct spool *sp, struct spool_info *out);

#endif /* FT_STORE_SPOOL_H */
