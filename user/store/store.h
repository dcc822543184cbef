/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/store.h - JSON-line batches into PostgreSQL through a writer thread and a crash-safe disk spool. */
#ifndef FT_STORE_H
#define FT_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_mode { STORE_ABSOLUTE, STORE_DELTA }; /* throughput lines SET (live) or ADD (read --db) their minute */

struct store_cfg {
	const char *conninfo;	  /* libpq URL/keywords without password (PG* env, ~/.pgpass); NULL: embedded */
	const char *sensor;	  /* every row's sensor column */
	const char *state_dir;	  /* spool in state_dir/spool, embedded cluster in state_dir/pg */
	const char *spool_dir;	  /* NULL: state_dir/spool (two daemons on one host need one each) */
	uint64_t spool_max_bytes; /* 0: 1 GiB; warns at 80 %, drops the oldest batch when full */
	uint32_t queue_len;	  /* batches in memory (0: 8); more go straight to the spool */
	uint32_t retry_min_ms, retry_max_ms; /* reconnect backoff, doubling (0: 1000, 60000) */
	uint32_t retention_days;  /* drop flow partitions older than this; 0 keeps them */
	const char *run_as;	  /* root only: the user the daemon drops to owns the spool, runs the cluster */
};

struct store_stats {
	uint64_t queued, spooled_batches, spooled_bytes, batches_written, rows_written;
	uint64_t batches_dropped, lines_dropped, batches_rejected, corrupt_records, errors;
	int db_up;
	char last_error[160]; /* the server's message; never a conninfo or password */
};

struct store;
struct store_batch;

int store_batch_new(struct store_batch **out, uint64_t seq, enum store_mode mode);
int store_batch_add_line(struct store_batch *b, const char *json, size_t len); /* one object, -EINVAL on '\n' */
int store_batch_add_lines(struct store_batch *b, const char *buf, size_t len); /* '\n'-separated */
void store_batch_free(struct store_batch *b);				    /* NULL-safe */

int store_open(struct store **out, const struct store_cfg *cfg);
uint64_t store_seq_next(struct store *s); /* unique across restarts: max(last + 1, wall-clock ns) */
int store_submit(struct store *s, struct store_batch *b /* takes ownership */); /* never waits on the DB */
int store_flush(struct store *s, int timeout_ms); /* 0: all in the DB; 1: some spooled (DB down); -ETIMEDOUT */
void store_stats(struct store *s, struct store_stats *out);
const char *store_conninfo(const struct store *s); /* the --db given, or the embedded cluster's socket */
void store_close(struct store *s); /* spools what is queued, stops the embedded cluster; NULL-safe */

#endif /* FT_STORE_H */
