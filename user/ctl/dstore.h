/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/dstore.h - the daemon's batches for the store (--db): changed flows, throughput minutes, neighbors. */
#ifndef FT_DSTORE_H
#define FT_DSTORE_H

struct daemon;
struct flow_rec;
struct jw;

int dstore_open(struct daemon *d);			   /* before the privilege drop; d->store set */
const char *dstore_conninfo(const struct daemon *d);	   /* for the web page's history; NULL without --db */
const char *dstore_sensor(const struct daemon *d);
void dstore_expired(struct daemon *d, struct flow_rec *r); /* a record leaving the table: its last line */
void dstore_tick(struct daemon *d);			   /* a batch when --db-interval has passed */
int dstore_final(struct daemon *d);			   /* the last batch, then flush (30 s at most) */
void dstore_close(struct daemon *d);			   /* NULL-safe: spools what is queued */
void dstore_state_json(struct daemon *d, struct jw *w);	   /* store_* fields for state/stats/metrics */

#endif /* FT_DSTORE_H */
