/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/flowrow.h - JSON lines to COPY text rows: flow lines typed column by column, others as jsonb. */
#ifndef FT_STORE_FLOWROW_H
#define FT_STORE_FLOWROW_H

#include <stddef.h>
#include "store/jscan.h"

enum fr_type { FR_TYPE_FLOW, FR_TYPE_TPUT, FR_TYPE_NEIGH, FR_TYPE_OTHER, FR_TYPE_BAD };
/* What an update does with a column: counters replace, attributes never go back to NULL. */
enum fr_keep { FR_REPLACE, FR_COALESCE, FR_IDENTITY };

struct fr_col {
	const char *obj, *key; /* JSON path: key, or obj.key for the http/tls/quic objects */
	const char *column;    /* flows column */
	unsigned char kind;    /* enum fr_kind in flowrow.c */
	unsigned char keep;    /* enum fr_keep */
};

extern const struct fr_col fr_cols[];
extern const unsigned int fr_ncols; /* COPY rows have fr_ncols columns, then "extra" */

struct fr_scratch { /* reused between lines: keys without a column, top level and per object */
	struct js_buf extra[4];
};
void fr_scratch_free(struct fr_scratch *s);

/*
 * Parse one line. A flow line gets one COPY row appended to out: values of the wrong JSON type or
 * out of their column's range become NULL and are kept in "extra", with every key that has no
 * column. Returns the line's type; for a flow, 1 in *added and its uuid (36 characters), or 0
 * when uuid, first_seen, ip_version, proto or an address is missing; for throughput and neighbor
 * lines, 1 in *added when every value would be accepted by its column. FR_TYPE_BAD: not a JSON
 * object. -ENOMEM.
 */
int flowrow_line(struct js_buf *out, struct fr_scratch *s, const char *line, size_t len, int *added,
		 char uuid[37]);

#endif /* FT_STORE_FLOWROW_H */
