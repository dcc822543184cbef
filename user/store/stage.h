/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/stage.h - a batch as the two COPY streams pg.c sends, and the flow upsert that reads them. */
#ifndef FT_STORE_STAGE_H
#define FT_STORE_STAGE_H

#include <stdint.h>
#include "store/batch.h"
#include "store/flowrow.h"

struct stage_ref;

struct stage {
	struct js_buf rows;	  /* COPY text for ft_flows: one typed row per flow uuid */
	struct js_buf lines;	  /* COPY text for ft_stage(n, line jsonb): throughput and neighbor lines */
	struct js_buf tmp;
	struct fr_scratch scratch;
	struct stage_ref *refs;	  /* flow rows: uuid, line number, place in rows */
	size_t nrefs, cap;
	uint64_t flows, tput, neigh; /* rows/lines staged */
	uint64_t skipped;	  /* flow lines without a key, lines that are no JSON object */
};

void stage_fini(struct stage *st); /* NULL-safe, idempotent */
/* Fill rows and lines from b; a uuid seen twice keeps its last line. 0 or -ENOMEM. */
int stage_build(struct stage *st, const struct store_batch *b);
/* The statements that read the stage, from fr_cols[]; $1 is the sensor. */
struct stage_sql {
	char *tables; /* the session's temporary tables */
	char *copy;   /* COPY ft_flows (...) FROM STDIN */
	char *upsert; /* flows; new rows noted in ft_new; returns the rows written */
	char *drift;  /* new rows whose uuid has a row with another first_seen (within an hour) */
	char *move;   /* ... taken out of flows ... */
	char *merge;  /* ... and folded into that older row */
};
int stage_sql_new(struct stage_sql *q);
void stage_sql_free(struct stage_sql *q); /* idempotent */

#endif /* FT_STORE_STAGE_H */
