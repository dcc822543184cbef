/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/pg.h - one libpq connection: a batch in one transaction (COPY + upserts), migrations, partitions. */
#ifndef FT_STORE_PG_H
#define FT_STORE_PG_H

#include <stdint.h>
#include "store/batch.h"

struct pg;
struct pg_conn; /* libpq's PGconn (typedef struct pg_conn PGconn) */

struct pg_result {
	uint64_t flows, throughput, neighbors, skipped; /* rows written; lines without a key */
};

/* Nothing is connected yet; conninfo is kept in memory only and never logged. */
int pg_new(struct pg **out, const char *conninfo, const char *sensor);
void pg_free(struct pg *p); /* NULL-safe */
/* Connect (if not connected) and apply pending migrations. 0 or -EIO. */
int pg_connect(struct pg *p);
int pg_connected(const struct pg *p);
void pg_disconnect(struct pg *p);
/*
 * Apply b in one transaction with its (sensor, seq). 0: applied; 1: was applied before, skipped.
 * -ENOTCONN: connection lost (retry later); -EBADMSG: the database refused the data (the same
 * batch will fail again); -EIO: another server error. The error is logged once and kept.
 */
int pg_apply(struct pg *p, const struct store_batch *b, struct pg_result *res);
/* Partitions for today-1 .. today+ahead_days; drop those past retention_days (0: keep). */
int pg_maintain(struct pg *p, unsigned int ahead_days, unsigned int retention_days);
const char *pg_last_error(const struct pg *p);
/* Cancel a running statement from another thread (store_close on a hung server). */
void pg_cancel(struct pg *p);

/* migrate.c: apply the embedded sql/ files not yet in flowtower.schema_version; how many. */
int pg_migrate_conn(struct pg_conn *c, int verbose);

#endif /* FT_STORE_PG_H */
