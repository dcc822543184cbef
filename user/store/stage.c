// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/stage.c - split a batch into typed flow rows and jsonb lines; generate the flow upsert. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/stage.h"

struct stage_ref {
	char uuid[37];
	uint32_t line; /* position in the batch: the last line of a uuid wins */
	size_t off, len;
	int drop;
};

void stage_fini(struct stage *st)
{
	if (!st)
		return;
	free(st->rows.p);
	free(st->lines.p);
	free(st->tmp.p);
	fr_scratch_free(&st->scratch);
	free(st->refs);
	memset(st, 0, sizeof(*st));
}

static int add_ref(struct stage *st, const char *uuid, uint32_t line, size_t off, size_t len)
{
	if (st->nrefs == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 1024;
		struct stage_ref *r = realloc(st->refs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		st->refs = r;
		st->cap = cap;
	}
	st->refs[st->nrefs] = (struct stage_ref){ .line = line, .off = off, .len = len };
	for (int i = 0; i < 37; i++) /* PostgreSQL compares uuids case-blind; so does the dedup */
		st->refs[st->nrefs].uuid[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ? uuid[i] | 0x20 : uuid[i]);
	st->nrefs++;
	return 0;
}

static int by_uuid_line(const void *a, const void *b)
{
	const struct stage_ref *x = *(struct stage_ref *const *)a, *y = *(struct stage_ref *const *)b;
	int c = memcmp(x->uuid, y->uuid, 36);

	return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* ON CONFLICT cannot touch a row twice in one statement: keep each uuid's last row only. */
static int dedup(struct stage *st)
{
	struct stage_ref **v = malloc(st->nrefs * sizeof(*v));
	size_t i, dups = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < st->nrefs; i++)
		v[i] = &st->refs[i];
	qsort(v, st->nrefs, sizeof(*v), by_uuid_line);
	for (i = 0; i + 1 < st->nrefs; i++) {
		if (!memcmp(v[i]->uuid, v[i + 1]->uuid, 36)) {
			v[i]->drop = 1;
			dups++;
		}
	}
	free(v);
	if (!dups)
		return 0;
	st->tmp.len = 0;
	for (i = 0; i < st->nrefs; i++) {
		if (st->refs[i].drop)
			continue;
		if (js_reserve(&st->tmp, st->refs[i].len))
			return -ENOMEM;
		memcpy(st->tmp.p + st->tmp.len, st->rows.p + st->refs[i].off, st->refs[i].len);
		st->tmp.len += st->refs[i].len;
	}
	struct js_buf t = st->rows;

	st->rows = st->tmp;
	st->tmp = t;
	st->flows -= dups;
	return 0;
}

static int stage_line(struct stage *st, const char *line, size_t len, uint32_t n)
{
	char uuid[37], num[16];
	size_t at = st->rows.len;
	int added, type, k;

	type = flowrow_line(&st->rows, &st->scratch, line, len, &added, uuid);
	if (type < 0)
		return type;
	if (type == FR_TYPE_FLOW) {
		st->flows += added;
		st->skipped += !added;
		return added ? add_ref(st, uuid, n, at, st->rows.len - at) : 0;
	}
	if (type == FR_TYPE_BAD)
		st->skipped++;
	if (type != FR_TYPE_TPUT && type != FR_TYPE_NEIGH)
		return 0; /* stats and types this store does not keep */
	if (!added) {
		st->skipped++; /* a value its column would refuse: the line, not the batch, is lost */
		return 0;
	}
	st->tput += type == FR_TYPE_TPUT;
	st->neigh += type == FR_TYPE_NEIGH;
	k = snprintf(num, sizeof(num), "%u\t", n);
	if (js_reserve(&st->lines, (size_t)k))
		return -ENOMEM;
	memcpy(st->lines.p + st->lines.len, num, (size_t)k);
	st->lines.len += (size_t)k;
	if (js_copy_json(&st->lines, line, len) || js_reserve(&st->lines, 1))
		return -ENOMEM;
	st->lines.p[st->lines.len++] = '\n';
	return 0;
}

int stage_build(struct stage *st, const struct store_batch *b)
{
	size_t off = 0;
	uint32_t n = 0;
	int err = 0;

	st->rows.len = st->lines.len = 0;
	st->nrefs = 0;
	st->flows = st->tput = st->neigh = st->skipped = 0;
	while (!err && off < b->len) {
		const char *nl = memchr(b->buf + off, '\n', b->len - off);
		size_t len = nl ? (size_t)(nl - (b->buf + off)) : b->len - off;

		err = stage_line(st, b->buf + off, len, ++n);
		off += len + 1;
	}
	if (!err && st->nrefs > 1)
		err = dedup(st);
	return err;
}

/* ---- SQL from fr_cols[] --------------------------------------------------------------------- */

struct sql {
	char *p;
	size_t len, cap;
	int err;
};

static void add(struct sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct sql *q, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (q->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (q->len + (size_t)n + 1 > q->cap) {
		size_t cap = (q->len + (size_t)n + 1) * 2;
		char *p = realloc(q->p, cap);

		if (!p) {
			q->err = -ENOMEM;
			return;
		}
		q->p = p;
		q->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(q->p + q->len, q->cap - q->len, fmt, ap);
	va_end(ap);
	q->len += (size_t)n;
}

static void columns(struct sql *q, const char *prefix)
{
	for (unsigned int i = 0; i < fr_ncols; i++)
		add(q, "%s%s%s", i ? ", " : "", prefix, fr_cols[i].column);
	add(q, ", %sextra", prefix);
}

/* The update rules, with the newer values in src (EXCLUDED, or the moved row n). */
static void set_list(struct sql *q, const char *src)
{
	for (unsigned int i = 0; i < fr_ncols; i++) {
		const char *c = fr_cols[i].column;

		if (fr_cols[i].keep == FR_IDENTITY)
			continue; /* uuid, first_seen, the flow key */
		if (!strcmp(c, "hostname_source")) /* goes with the hostname it names */
			add(q, ", %s = CASE WHEN %s.hostname IS NOT NULL THEN %s.%s ELSE f.%s END", c, src, src, c, c);
		else if (fr_cols[i].keep == FR_REPLACE)
			add(q, ", %s = %s.%s", c, src, c);
		else
			add(q, ", %s = COALESCE(%s.%s, f.%s)", c, src, c, c);
	}
	add(q, ", extra = CASE WHEN f.extra IS NULL THEN %s.extra WHEN %s.extra IS NULL THEN f.extra"
	       " ELSE f.extra || %s.extra END", src, src, src);
}

/*
 * The last line of a uuid wins (dedup above). Counters are current totals and replace; attributes
 * never go back to NULL (a restarted sensor may have forgotten what it learned). Rows inserted
 * (writes = 1; xmax cannot be returned from a partitioned table) go to ft_new for the drift check.
 */
static void upsert(struct sql *q)
{
	unsigned int i;

	add(q, "WITH w AS (INSERT INTO flowtower.flows AS f (sensor, ");
	columns(q, "");
	add(q, ") SELECT $1::text");
	for (i = 0; i < fr_ncols; i++)
		add(q, fr_cols[i].keep == FR_REPLACE ? ", COALESCE(t.%s, 0)" : ", t.%s", fr_cols[i].column);
	add(q, ", NULLIF(jsonb_strip_nulls(t.extra), '{}') FROM ft_flows t"
	       " ON CONFLICT (sensor, uuid, first_seen) DO UPDATE SET written_at = now(), writes = f.writes + 1");
	set_list(q, "EXCLUDED");
	add(q, " RETURNING f.uuid, f.first_seen, f.writes = 1 AS fresh),"
	       " n AS (INSERT INTO ft_new SELECT uuid, first_seen FROM w WHERE fresh)"
	       " SELECT count(*) FROM w");
}

/*
 * first_seen is part of the key (a partitioned table's key holds its partition key) and a sensor
 * may report a flow's first_seen a little earlier than before (a late packet from another CPU).
 * Such a line was just inserted as a second row: find the older row of its uuid (within an hour),
 * then fold the new row into it, first_seen the earlier of the two (UPDATE may move it to another
 * partition; ON CONFLICT could not). Only inserted rows are probed, not every update.
 */
static const char sql_drift[] =
	"INSERT INTO ft_drift SELECT n.uuid, n.first_seen, k.first_seen FROM ft_new n"
	" JOIN LATERAL (SELECT x.first_seen FROM flowtower.flows x WHERE x.sensor = $1::text AND x.uuid = n.uuid"
	" AND x.first_seen <> n.first_seen AND x.first_seen >= n.first_seen - interval '1 hour'"
	" AND x.first_seen <= n.first_seen + interval '1 hour' LIMIT 1) k ON true";
static const char sql_move[] =
	"WITH m AS (DELETE FROM flowtower.flows x USING ft_drift d WHERE x.sensor = $1::text AND x.uuid = d.uuid"
	" AND x.first_seen = d.new_fs RETURNING x.*) INSERT INTO ft_moved SELECT * FROM m";

static void merge(struct sql *q)
{
	add(q, "UPDATE flowtower.flows f SET written_at = now(), writes = f.writes + n.writes,"
	       " first_seen = LEAST(f.first_seen, n.first_seen)");
	set_list(q, "n");
	add(q, " FROM ft_drift d JOIN ft_moved n ON n.uuid = d.uuid"
	       " WHERE f.sensor = $1::text AND f.uuid = d.uuid AND f.first_seen = d.old_fs");
}

int stage_sql_new(struct stage_sql *out)
{
	struct sql t = {}, c = {}, u = {}, m = {};

	add(&t, "CREATE TEMP TABLE IF NOT EXISTS ft_flows ON COMMIT DELETE ROWS AS SELECT ");
	columns(&t, "");
	add(&t, " FROM flowtower.flows WITH NO DATA;"
		"CREATE TEMP TABLE IF NOT EXISTS ft_moved ON COMMIT DELETE ROWS AS SELECT * FROM flowtower.flows"
		" WITH NO DATA;"
		"CREATE TEMP TABLE IF NOT EXISTS ft_new (uuid uuid, first_seen timestamptz) ON COMMIT DELETE ROWS;"
		"CREATE TEMP TABLE IF NOT EXISTS ft_drift (uuid uuid, new_fs timestamptz, old_fs timestamptz)"
		" ON COMMIT DELETE ROWS");
	add(&c, "COPY ft_flows (");
	columns(&c, "");
	add(&c, ") FROM STDIN");
	upsert(&u);
	merge(&m);
	*out = (struct stage_sql){ t.p, c.p, u.p, strdup(sql_drift), strdup(sql_move), m.p };
	if (t.err || c.err || u.err || m.err || !out->drift || !out->move) {
		stage_sql_free(out);
		return -ENOMEM;
	}
	return 0;
}

void stage_sql_free(struct stage_sql *q)
{
	free(q->tables);
	free(q->copy);
	free(q->upsert);
	free(q->drift);
	free(q->move);
	free(q->merge);
	memset(q, 0, sizeof(*q));
}
