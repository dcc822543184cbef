// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/pg.c - libpq: one batch per transaction, COPY into a staging table, one upsert per table. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "store/pg.h"
#include "store/stage.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/log.h"

struct pg {
	char *conninfo; /* may name a password-less URL; never logged */
	char *sensor;
	PGconn *c;
	PGcancel *cancel; /* for pg_cancel() from another thread */
	pthread_mutex_t cancel_lock;
	struct stage_sql sql; /* the flow statements, generated from fr_cols[] */
	struct stage st;      /* the batch being applied as COPY text */
	char err[256];
};

/* ---- statements --------------------------------------------------------------------------- */
/* $1 sensor everywhere; lines are in ft_stage(n, line) with n the line's position in the batch. */

static const char sql_partitions[] =
	"SELECT count(flowtower.ensure_flow_partition(d)) FROM"
	" (SELECT DISTINCT (first_seen AT TIME ZONE 'UTC')::date AS d FROM ft_flows) x";

#define TPUT_FROM                                                                                  \
	" FROM ft_stage s, jsonb_populate_record(NULL::flowtower.throughput_json, s.line) r"         \
	" WHERE s.line->>'type' = 'throughput' AND r.minute IS NOT NULL AND r.direction IS NOT NULL" \
	" AND r.ip_version IS NOT NULL"
#define TPUT_INSERT "INSERT INTO flowtower.throughput AS t (sensor, minute, direction, ip_version, packets, bytes)"
#define TPUT_CONFLICT " ON CONFLICT (sensor, minute, direction, ip_version) DO UPDATE SET "

/* absolute: the sensor's count of the minute so far; the last line of a minute wins */
static const char sql_tput_set[] =
	TPUT_INSERT " SELECT DISTINCT ON (r.minute, r.direction, r.ip_version) $1::text, r.minute, r.direction,"
	" r.ip_version, COALESCE(r.packets, 0), COALESCE(r.bytes, 0)" TPUT_FROM
	" ORDER BY r.minute, r.direction, r.ip_version, s.n DESC"
	TPUT_CONFLICT "packets = EXCLUDED.packets, bytes = EXCLUDED.bytes";

/* delta: replays add up, also lines of one minute within the batch */
static const char sql_tput_add[] =
	TPUT_INSERT " SELECT $1::text, r.minute, r.direction, r.ip_version, sum(COALESCE(r.packets, 0))::bigint,"
	" sum(COALESCE(r.bytes, 0))::bigint" TPUT_FROM " GROUP BY r.minute, r.direction, r.ip_version"
	TPUT_CONFLICT "packets = t.packets + EXCLUDED.packets, bytes = t.bytes + EXCLUDED.bytes";

static const char sql_neighbors[] =
	"INSERT INTO flowtower.neighbors AS n (sensor, addr, mac, first_seen, last_seen, source)"
	" SELECT $1::text, r.addr, r.mac, min(r.first_seen), max(r.last_seen),"
	" (array_agg(r.source ORDER BY s.n DESC) FILTER (WHERE r.source IS NOT NULL))[1]"
	" FROM ft_stage s, jsonb_populate_record(NULL::flowtower.neighbor_json, s.line) r"
	" WHERE s.line->>'type' = 'neighbor' AND r.addr IS NOT NULL AND r.mac IS NOT NULL"
	" GROUP BY r.addr, r.mac"
	" ON CONFLICT (sensor, addr, mac) DO UPDATE SET first_seen = LEAST(n.first_seen, EXCLUDED.first_seen),"
	" last_seen = GREATEST(n.last_seen, EXCLUDED.last_seen), source = COALESCE(EXCLUDED.source, n.source)";

static const char sql_batch_begin[] =
	"INSERT INTO flowtower.batches (sensor, seq, mode) VALUES ($1::text, $2::bigint, $3) ON CONFLICT DO NOTHING";

static const char sql_batch_end[] =
	"UPDATE flowtower.batches SET flows = $3::int, throughput = $4::int, neighbors = $5::int,"
	" skipped = $6::int + (SELECT count(*) FROM ft_stage s WHERE s.line->>'type' = 'neighbor'"
	"  AND ((s.line->>'addr') IS NULL OR (s.line->>'mac') IS NULL))"
	" WHERE sensor = $1::text AND seq = $2::bigint RETURNING skipped";

/* ---- connection --------------------------------------------------------------------------- */

int pg_new(struct pg **out, const char *conninfo, const char *sensor)
{
	struct pg *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->cancel_lock, NULL);
	p->conninfo = strdup(conninfo ? conninfo : "");
	p->sensor = strdup(sensor ? sensor : "");
	if (!p->conninfo || !p->sensor || stage_sql_new(&p->sql)) {
		pg_free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

void pg_free(struct pg *p)
{
	if (!p)
		return;
	pg_disconnect(p);
	pthread_mutex_destroy(&p->cancel_lock);
	if (p->conninfo)
		explicit_bzero(p->conninfo, strlen(p->conninfo));
	free(p->conninfo);
	free(p->sensor);
	stage_sql_free(&p->sql);
	stage_fini(&p->st);
	free(p);
}

const char *pg_last_error(const struct pg *p)
{
	return p->err;
}

int pg_connected(const struct pg *p)
{
	return p->c && PQstatus(p->c) == CONNECTION_OK;
}

/* Keep the server's message, one line, for stats and the log. */
static void set_err(struct pg *p, const char *what, const char *msg)
{
	size_t n;

	snprintf(p->err, sizeof(p->err), "%s: %s", what, msg && *msg ? msg : "unknown error");
	n = strlen(p->err);
	while (n && (p->err[n - 1] == '\n' || p->err[n - 1] == ' '))
		p->err[--n] = '\0';
	for (char *c = p->err; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

void pg_disconnect(struct pg *p)
{
	pthread_mutex_lock(&p->cancel_lock);
	if (p->cancel)
		PQfreeCancel(p->cancel);
	p->cancel = NULL;
	pthread_mutex_unlock(&p->cancel_lock);
	if (p->c)
		PQfinish(p->c);
	p->c = NULL;
}

void pg_cancel(struct pg *p)
{
	char buf[128];

	pthread_mutex_lock(&p->cancel_lock);
	if (p->cancel)
		PQcancel(p->cancel, buf, sizeof(buf));
	pthread_mutex_unlock(&p->cancel_lock);
}

static int run(struct pg *p, const char *what, const char *sql)
{
	PGresult *r = PQexec(p->c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		set_err(p, what, PQerrorMessage(p->c));
	PQclear(r);
	return ok ? 0 : -EIO;
}

/* The server's warnings (e.g. "terminating connection due to administrator command") go to our log. */
static void on_notice(void *arg, const char *msg)
{
	pr_warn("store: server says: %s", msg);
}

/* Session set-up after a (re)connect: limits, migrations, the staging table. */
static int session_init(struct pg *p)
{
	int err;

	err = run(p, "session", "SET statement_timeout = '15min'; SET client_min_messages = warning");
	if (!err && pg_migrate_conn(p->c, 0) < 0) {
		set_err(p, "migrations", PQerrorMessage(p->c));
		err = -EIO;
	}
	if (!err)
		err = run(p, "staging table",
			  "CREATE TEMP TABLE IF NOT EXISTS ft_stage (n integer, line jsonb) ON COMMIT DELETE ROWS");
	if (!err)
		err = run(p, "staging tables", p->sql.tables);
	return err;
}

int pg_connect(struct pg *p)
{
	/* defaults first: keys inside conninfo (expanded from "dbname") override them */
	static const char *const keys[] = { "connect_timeout", "keepalives_idle", "keepalives_interval",
					    "keepalives_count", "fallback_application_name", "dbname",
					    "client_encoding", NULL };
	const char *vals[] = { "10", "30", "10", "3", "flowtower", p->conninfo, "UTF8", NULL };
	int err;

	if (pg_connected(p))
		return 0;
	pg_disconnect(p);
	p->c = PQconnectdbParams(keys, vals, 1);
	if (!p->c || PQstatus(p->c) != CONNECTION_OK) {
		set_err(p, "connect", p->c ? PQerrorMessage(p->c) : "out of memory");
		pg_disconnect(p);
		return -EIO;
	}
	PQsetNoticeProcessor(p->c, on_notice, NULL);
	err = session_init(p);
	if (err) {
		pg_disconnect(p);
		return err;
	}
	pthread_mutex_lock(&p->cancel_lock);
	p->cancel = PQgetCancel(p->c);
	pthread_mutex_unlock(&p->cancel_lock);
	pr_info("store: connected to database %s as %s on %s port %s%s (sensor %s)\n", PQdb(p->c),
		PQuser(p->c), PQhost(p->c), PQport(p->c), PQsslInUse(p->c) ? ", TLS" : "", p->sensor);
	p->err[0] = '\0';
	return 0;
}

/* ---- COPY ------------------------------------------------------------------------------------ */

static int classify(struct pg *p, PGresult *r);

/* Stream len bytes of COPY text with the COPY command sql. */
static int copy_in(struct pg *p, const char *what, const char *sql, const char *buf, size_t len)
{
	uint64_t t0 = clock_mono_ns();
	size_t off;
	PGresult *r;
	int err = 0;

	r = PQexec(p->c, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		err = classify(p, r);
		set_err(p, what, PQerrorMessage(p->c));
		PQclear(r);
		return err;
	}
	PQclear(r);
	for (off = 0; off < len && !err; off += 1 << 20) {
		size_t n = len - off < (1u << 20) ? len - off : (1u << 20);

		if (PQputCopyData(p->c, buf + off, (int)n) != 1)
			err = -EIO;
	}
	if (PQputCopyEnd(p->c, err ? "client error" : NULL) != 1)
		err = -EIO;
	r = PQgetResult(p->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = classify(p, r);
		set_err(p, what, PQerrorMessage(p->c));
	}
	PQclear(r);
	while ((r = PQgetResult(p->c)))
		PQclear(r);
	pr_debug("store: %s: %zu bytes, %.1f ms\n", what, len, (double)(clock_mono_ns() - t0) / 1e6);
	return err;
}

/* ---- one batch ------------------------------------------------------------------------------- */

/* -ENOTCONN: the connection is gone; -EBADMSG: the data was refused (class 22, 23); else -EIO. */
static int classify(struct pg *p, PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(p->c) != CONNECTION_OK || (st && (!strncmp(st, "08", 2) || !strncmp(st, "57P", 3))))
		return -ENOTCONN;
	if (st && (!strncmp(st, "22", 2) || !strncmp(st, "23", 2)))
		return -EBADMSG;
	return -EIO;
}

/* Execute with parameters; *rows gets the rows affected (or returned). 0 or classify()'s code. */
static int step(struct pg *p, const char *what, const char *sql, int n, const char *const *params, uint64_t *rows)
{
	uint64_t t0 = clock_mono_ns();
	PGresult *r = PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int err = 0;

	pr_debug("store: %s: %.1f ms\n", what, (double)(clock_mono_ns() - t0) / 1e6);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		err = classify(p, r);
		set_err(p, what, PQerrorMessage(p->c));
	} else if (rows) {
		*rows = st == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQnfields(r) == 1
				? strtoull(PQgetvalue(r, 0, 0), NULL, 10)
				: strtoull(PQcmdTuples(r), NULL, 10);
	}
	PQclear(r);
	return err;
}

/* COPY and upsert what the batch holds: flows, then throughput and neighbors. */
static int upserts(struct pg *p, const struct store_batch *b, const char *const *params, struct pg_result *res)
{
	struct stage *st = &p->st;
	uint64_t ignored, drift = 0;
	int err = 0;

	if (st->flows) {
		err = copy_in(p, "copy flows", p->sql.copy, st->rows.p, st->rows.len);
		if (!err)
			err = step(p, "flow partitions", sql_partitions, 0, NULL, &ignored);
		if (!err)
			err = step(p, "flows", p->sql.upsert, 1, params, &res->flows);
		if (!err)
			err = step(p, "first_seen moved", p->sql.drift, 1, params, &drift);
		if (!err && drift)
			err = step(p, "first_seen moved", p->sql.move, 1, params, &ignored);
		if (!err && drift)
			err = step(p, "first_seen moved", p->sql.merge, 1, params, &ignored);
		if (!err && drift)
			pr_debug("store: %" PRIu64 " flows reported an earlier first_seen: rows merged\n", drift);
		res->flows -= err ? 0 : drift; /* the moved rows were counted as written twice */
	}
	if (!err && (st->tput || st->neigh))
		err = copy_in(p, "copy lines", "COPY ft_stage (n, line) FROM STDIN", st->lines.p, st->lines.len);
	if (!err && st->tput)
		err = step(p, "throughput", b->mode == STORE_DELTA ? sql_tput_add : sql_tput_set, 1, params,
			   &res->throughput);
	if (!err && st->neigh)
		err = step(p, "neighbors", sql_neighbors, 1, params, &res->neighbors);
	return err;
}

static int apply_tx(struct pg *p, const struct store_batch *b, struct pg_result *res)
{
	char seq[24], nf[24], nt[24], nn[24], ns[24];
	const char *params[3] = { p->sensor, seq, b->mode == STORE_DELTA ? "delta" : "absolute" };
	const char *end[6] = { p->sensor, seq, nf, nt, nn, ns };
	uint64_t fresh = 0;
	int err;

	uint64_t t0 = clock_mono_ns();

	err = stage_build(&p->st, b);
	pr_debug("store: staging %u lines: %.1f ms\n", b->lines, (double)(clock_mono_ns() - t0) / 1e6);
	if (err) {
		set_err(p, "staging", strerror(-err));
		return -EIO;
	}
	snprintf(seq, sizeof(seq), "%" PRIu64, b->seq);
	err = step(p, "begin", "BEGIN", 0, NULL, NULL);
	if (!err)
		err = step(p, "batches", sql_batch_begin, 3, params, &fresh);
	if (err || !fresh) /* (sensor, seq) is there: applied before, by us or a twin that crashed */
		return err ? err : 1;
	err = upserts(p, b, params, res);
	if (err)
		return err;
	snprintf(nf, sizeof(nf), "%" PRIu64, res->flows);
	snprintf(nt, sizeof(nt), "%" PRIu64, res->throughput);
	snprintf(nn, sizeof(nn), "%" PRIu64, res->neighbors);
	snprintf(ns, sizeof(ns), "%" PRIu64, p->st.skipped);
	err = step(p, "batches", sql_batch_end, 6, end, &res->skipped);
	fault_kill_if("store-before-commit"); /* crash test: all written, nothing committed */
	if (!err)
		err = step(p, "commit", "COMMIT", 0, NULL, NULL);
	return err;
}

int pg_apply(struct pg *p, const struct store_batch *b, struct pg_result *res)
{
	int err;

	memset(res, 0, sizeof(*res));
	if (!pg_connected(p)) {
		set_err(p, "apply", "not connected");
		return -ENOTCONN;
	}
	err = apply_tx(p, b, res);
	if (err == 1 || err < 0)
		PQclear(PQexec(p->c, "ROLLBACK"));
	if (err < 0) {
		pr_warn("store: batch seq %" PRIu64 " (%u lines) not applied: %s\n", b->seq, b->lines, p->err);
		memset(res, 0, sizeof(*res));
	} else if (res->skipped) {
		pr_warn("store: batch seq %" PRIu64 ": %" PRIu64 " flow/neighbor lines without a key skipped\n",
			b->seq, res->skipped);
	}
	return err;
}

int pg_maintain(struct pg *p, unsigned int ahead_days, unsigned int retention_days)
{
	char ahead[16], keep[16];
	const char *pa[1] = { ahead }, *pk[1] = { keep };
	PGresult *r;
	int err, i;

	if (!pg_connected(p))
		return -ENOTCONN;
	snprintf(ahead, sizeof(ahead), "%u", ahead_days);
	snprintf(keep, sizeof(keep), "%u", retention_days);
	err = step(p, "partitions", "SELECT flowtower.ensure_flow_partitions(now() - interval '1 day',"
		   " now() + make_interval(days => $1::int))", 1, pa, NULL);
	if (err || !retention_days)
		return err;
	r = PQexecParams(p->c, "SELECT flowtower.drop_flow_partitions(now() - make_interval(days => $1::int))", 1,
			 NULL, pk, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_err(p, "retention", PQerrorMessage(p->c));
		err = -EIO;
	}
	for (i = 0; !err && i < PQntuples(r); i++)
		pr_info("store: retention %u days: dropped partition %s\n", retention_days, PQgetvalue(r, i, 0));
	PQclear(r);
	return err;
}
