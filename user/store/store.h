/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/store.h - JSON-line batches into PostgreSQL through a writer thread and a crash-safe disk spool. */
#ifndef FT_STORE_H
#define FT_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_mode { STORE_ABSOLUTE, STORE_DELTA }; /* throughput lines SET (live) or ADD (replay) their minute */

struct store_cfg {
	const char *conninfo;	  /* libpq URL or keywords, no password (PG* env, ~/.pgpass); NULL: embedded */
	const char *sensor;	  /* every row's sensor column */
	const char *state_dir;	  /* spool in state_dir/spool, embedded cluster in state_dir/pg */
	uint64_t spool_max_bytes; /* 0: 1 GiB; warns at 80 %, drops the oldest batch when full */
	uint32_t queue_len;	  /* batches held in memory (0: 8); more go straight to the spool */
	uint32_t retry_min_ms;	  /* reconnect backoff, doubling (0: 1000) ... */
	uint32_t retry_max_ms;	  /* ... up to this (0: 60000) */
	uint32_t retention_days;  /* drop flow partitions older than this; 0 keeps them */
};

struct store_stats {
	uint64_t queued, spooled_batches, spooled_bytes;
	uint64_t batches_written, rows_written, batches_dropped, lines_dropped;
	uint64_t batches_rejected, corrupt_records, errors;
	int db_up;
	char last_error[160]; /* never holds a password: conninfo is not logged */
};

struct store;
struct store_batch;

int store_batch_new(struct store_batch **out, uint64_t seq, enum store_mode mode);
/* Append one JSON object (a trailing newline is fine, one inside is -EINVAL). */
int store_batch_add_line(struct store_batch *b, const char *json, size_t len);
void store_batch_free(struct store_batch *b); /* NULL-safe */

int store_open(struct store **out, const struct store_cfg *cfg);
uint64_t store_seq_next(struct store *s); /* unique across restarts: max(last + 1, wall-clock ns) */
int store_submit(struct store *s, struct store_batch *b /* takes ownership */); /* never waits on the DB */
/* 0: all submitted batches are in the DB; 1: some wait in the spool (DB down); -ETIMEDOUT. */
int store_flush(struct store *s, int timeout_ms);
void store_stats(struct store *s, struct store_stats *out);
void store_close(struct store *s); /* spools what is queued, stops the embedded cluster; NULL-safe */

#endif /* FT_STORE_H */
