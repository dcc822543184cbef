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
#include "util/fault.h"
#include "util/log.h"

struct pg {
	char *conninfo; /* may name a password-less URL; never logged */
	char *sensor;
	PGconn *c;
	PGcancel *cancel; /* for pg_cancel() from another thread */
	pthread_mutex_t cancel_lock;
	char *copy;	  /* COPY text of the batch being applied */
	size_t copy_cap;
	char err[256];
};

/* ---- statements --------------------------------------------------------------------------- */
/* $1 sensor everywhere; lines are in ft_stage(n, line) with n the line's position in the batch. */

#define FLOW_KEY_OK                                                                                 \
	"r.uuid IS NOT NULL AND r.first_seen IS NOT NULL AND r.ip_version IS NOT NULL AND "        \
	"r.proto IS NOT NULL AND r.orig_addr IS NOT NULL AND r.resp_addr IS NOT NULL"
#define FLOW_KEY_MISSING                                                                             \
	"(s.line->>'uuid') IS NULL OR (s.line->>'first_seen') IS NULL OR (s.line->>'ip_version') IS NULL " \
	"OR (s.line->>'proto') IS NULL OR (s.line->>'orig_addr') IS NULL OR (s.line->>'resp_addr') IS NULL"

static const char sql_partitions[] =
	"SELECT count(flowtower.ensure_flow_partition(d)) FROM (SELECT DISTINCT"
	" ((s.line->>'first_seen')::timestamptz AT TIME ZONE 'UTC')::date AS d FROM ft_stage s"
	" WHERE s.line->>'type' = 'flow' AND (s.line->>'first_seen') IS NOT NULL) x";

/*
 * The last line of a uuid wins. k finds the row's stored first_seen (part of the key, fixed at its
 * first write) within an hour of the line's, so a moved first_seen updates that row, not a new one.
 * Counters are current totals and replace; attributes never go back to NULL (a restarted sensor
 * may have forgotten what it learned).
 */
static const char sql_flows[] =
	"INSERT INTO flowtower.flows AS f (sensor, uuid, first_seen, last_seen, ip_version, proto,"
	" orig_addr, orig_port, resp_addr, resp_port, icmp_type, icmp_code, local_side,"
	" orig_pkts, orig_bytes, orig_l4_bytes, orig_payload_bytes,"
	" resp_pkts, resp_bytes, resp_l4_bytes, resp_payload_bytes, duplicates,"
	" tcp_flags, orig_tcp_flags, resp_tcp_flags, state, hostname, hostname_source,"
	" orig_mac, resp_mac, device, http_host, http_method,"
	" tls_sni, tls_alpn, tls_legacy_version, tls_supported_versions, tls_cipher_suites,"
	" tls_extensions, tls_ja3, tls_ja3_full, tls_ja4, tls_ech, quic_version, quic_sni, quic_alpn, quic_ja4, extra)"
	" SELECT $1::text, r.uuid, COALESCE(k.first_seen, r.first_seen), r.last_seen, r.ip_version, r.proto,"
	" r.orig_addr, r.orig_port, r.resp_addr, r.resp_port, r.icmp_type, r.icmp_code, r.local_side,"
	" COALESCE(r.orig_pkts, 0), COALESCE(r.orig_bytes, 0), COALESCE(r.orig_l4_bytes, 0),"
	" COALESCE(r.orig_payload_bytes, 0), COALESCE(r.resp_pkts, 0), COALESCE(r.resp_bytes, 0),"
	" COALESCE(r.resp_l4_bytes, 0), COALESCE(r.resp_payload_bytes, 0), COALESCE(r.duplicates, 0),"
	" r.tcp_flags, r.orig_tcp_flags, r.resp_tcp_flags, r.state, r.hostname, r.hostname_source,"
	" r.orig_mac, r.resp_mac, r.device, (r.http).host, (r.http).method,"
	" (r.tls).sni, (r.tls).alpn, (r.tls).legacy_version, (r.tls).supported_versions,"
	" (r.tls).cipher_suites, (r.tls).extensions, (r.tls).ja3, (r.tls).ja3_full, (r.tls).ja4, (r.tls).ech,"
	" (r.quic).version, (r.quic).sni, (r.quic).alpn, (r.quic).ja4, flowtower.flow_extra(r.line)"
	" FROM (SELECT DISTINCT ON (r.uuid) r.*, s.line FROM ft_stage s,"
	"  jsonb_populate_record(NULL::flowtower.flow_json, s.line) r"
	"  WHERE s.line->>'type' = 'flow' AND " FLOW_KEY_OK " ORDER BY r.uuid, s.n DESC) r"
	" LEFT JOIN LATERAL (SELECT x.first_seen FROM flowtower.flows x WHERE x.sensor = $1::text"
	"  AND x.uuid = r.uuid AND x.first_seen >= r.first_seen - interval '1 hour'"
	"  AND x.first_seen <= r.first_seen + interval '1 hour' LIMIT 1) k ON true"
	" ON CONFLICT (sensor, uuid, first_seen) DO UPDATE SET"
	" last_seen = COALESCE(EXCLUDED.last_seen, f.last_seen),"
	" orig_pkts = EXCLUDED.orig_pkts, orig_bytes = EXCLUDED.orig_bytes,"
	" orig_l4_bytes = EXCLUDED.orig_l4_bytes, orig_payload_bytes = EXCLUDED.orig_payload_bytes,"
	" resp_pkts = EXCLUDED.resp_pkts, resp_bytes = EXCLUDED.resp_bytes,"
	" resp_l4_bytes = EXCLUDED.resp_l4_bytes, resp_payload_bytes = EXCLUDED.resp_payload_bytes,"
	" duplicates = EXCLUDED.duplicates,"
	" tcp_flags = COALESCE(EXCLUDED.tcp_flags, f.tcp_flags),"
	" orig_tcp_flags = COALESCE(EXCLUDED.orig_tcp_flags, f.orig_tcp_flags),"
	" resp_tcp_flags = COALESCE(EXCLUDED.resp_tcp_flags, f.resp_tcp_flags),"
	" icmp_type = COALESCE(EXCLUDED.icmp_type, f.icmp_type),"
	" icmp_code = COALESCE(EXCLUDED.icmp_code, f.icmp_code),"
	" local_side = COALESCE(EXCLUDED.local_side, f.local_side),"
	" state = COALESCE(EXCLUDED.state, f.state),"
	" hostname = COALESCE(EXCLUDED.hostname, f.hostname),"
	" hostname_source = CASE WHEN EXCLUDED.hostname IS NOT NULL THEN EXCLUDED.hostname_source"
	"  ELSE f.hostname_source END,"
	" orig_mac = COALESCE(EXCLUDED.orig_mac, f.orig_mac), resp_mac = COALESCE(EXCLUDED.resp_mac, f.resp_mac),"
	" device = COALESCE(EXCLUDED.device, f.device),"
	" http_host = COALESCE(EXCLUDED.http_host, f.http_host),"
	" http_method = COALESCE(EXCLUDED.http_method, f.http_method),"
	" tls_sni = COALESCE(EXCLUDED.tls_sni, f.tls_sni), tls_alpn = COALESCE(EXCLUDED.tls_alpn, f.tls_alpn),"
	" tls_legacy_version = COALESCE(EXCLUDED.tls_legacy_version, f.tls_legacy_version),"
	" tls_supported_versions = COALESCE(EXCLUDED.tls_supported_versions, f.tls_supported_versions),"
	" tls_cipher_suites = COALESCE(EXCLUDED.tls_cipher_suites, f.tls_cipher_suites),"
	" tls_extensions = COALESCE(EXCLUDED.tls_extensions, f.tls_extensions),"
	" tls_ja3 = COALESCE(EXCLUDED.tls_ja3, f.tls_ja3), tls_ja3_full = COALESCE(EXCLUDED.tls_ja3_full, f.tls_ja3_full),"
	" tls_ja4 = COALESCE(EXCLUDED.tls_ja4, f.tls_ja4), tls_ech = COALESCE(EXCLUDED.tls_ech, f.tls_ech),"
	" quic_version = COALESCE(EXCLUDED.quic_version, f.quic_version),"
	" quic_sni = COALESCE(EXCLUDED.quic_sni, f.quic_sni), quic_alpn = COALESCE(EXCLUDED.quic_alpn, f.quic_alpn),"
	" quic_ja4 = COALESCE(EXCLUDED.quic_ja4, f.quic_ja4),"
	" extra = CASE WHEN f.extra IS NULL THEN EXCLUDED.extra WHEN EXCLUDED.extra IS NULL THEN f.extra"
	"  ELSE f.extra || EXCLUDED.extra END, written_at = now()";

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
	" skipped = (SELECT count(*) FROM ft_stage s WHERE (s.line->>'type' = 'flow' AND (" FLOW_KEY_MISSING "))"
	"  OR (s.line->>'type' = 'neighbor' AND ((s.line->>'addr') IS NULL OR (s.line->>'mac') IS NULL)))"
	" WHERE sensor = $1::text AND seq = $2::bigint RETURNING skipped";

/* ---- connection --------------------------------------------------------------------------- */

int pg_new(struct pg **out, const char *conninfo, const char *sensor)
{
	struct pg *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->conninfo = strdup(conninfo ? conninfo : "");
	p->sensor = strdup(sensor ? sensor : "");
	if (!p->conninfo || !p->sensor) {
		pg_free(p);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->cancel_lock, NULL);
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
	free(p->copy);
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

static int copy_reserve(struct pg *p, size_t need)
{
	char *c;

	if (need <= p->copy_cap)
		return 0;
	c = realloc(p->copy, need);
	if (!c)
		return -ENOMEM;
	p->copy = c;
	p->copy_cap = need;
	return 0;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid (RFC 3629 table). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * One line in COPY text format, made acceptable to jsonb: the sensor passes names from the wire
 * through as bytes, so invalid UTF-8 becomes U+FFFD and \u0000 (which jsonb refuses) becomes
 * \ufffd. Backslashes, tabs and CRs are escaped for COPY. Returns bytes written (out holds 3*len).
 */
static size_t copy_escape(char *out, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i = 0, o = 0, u;

	while (i < len) {
		unsigned char c = s[i];

		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
			if (i + 5 < len && !memcmp(s + i + 1, "u0000", 5)) {
				memcpy(out + o, "ufffd", 5);
				o += 5;
				i += 6;
			} else if (i + 1 < len) {
				if (s[i + 1] == '\\')
					out[o++] = '\\';
				out[o++] = (char)s[i + 1];
				i += 2;
			} else {
				i++;
			}
		} else if (c == '\t' || c == '\r') {
			out[o++] = '\\';
			out[o++] = c == '\t' ? 't' : 'r';
			i++;
		} else if (c < 0x80) {
			out[o++] = (char)c;
			i++;
		} else if ((u = utf8_len(s + i, len - i))) {
			memcpy(out + o, s + i, u);
			o += u;
			i += u;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	return o;
}

static int copy_build(struct pg *p, const struct store_batch *b, size_t *outlen)
{
	size_t off = 0, o = 0, n = 0;
	int err = copy_reserve(p, b->len * 3 + (size_t)b->lines * 12 + 1);

	if (err)
		return err;
	while (off < b->len) {
		const char *nl = memchr(b->buf + off, '\n', b->len - off);
		size_t len = (size_t)(nl - (b->buf + off));

		o += (size_t)sprintf(p->copy + o, "%zu\t", ++n);
		o += copy_escape(p->copy + o, b->buf + off, len);
		p->copy[o++] = '\n';
		off += len + 1;
	}
	*outlen = o;
	return 0;
}

static int classify(struct pg *p, PGresult *r);

/* Stream the batch into ft_stage. A refused line (not JSON) fails the COPY with class 22. */
static int copy_in(struct pg *p, const struct store_batch *b)
{
	size_t len, off;
	PGresult *r;
	int err = copy_build(p, b, &len);

	if (err) {
		set_err(p, "copy", strerror(-err));
		return -EIO;
	}
	r = PQexec(p->c, "COPY ft_stage (n, line) FROM STDIN");
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		err = classify(p, r);
		set_err(p, "copy", PQerrorMessage(p->c));
		PQclear(r);
		return err;
	}
	PQclear(r);
	for (off = 0; off < len && !err; off += 1 << 20) {
		size_t n = len - off < (1u << 20) ? len - off : (1u << 20);

		if (PQputCopyData(p->c, p->copy + off, (int)n) != 1)
			err = -EIO;
	}
	if (PQputCopyEnd(p->c, err ? "client error" : NULL) != 1)
		err = -EIO;
	r = PQgetResult(p->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		err = classify(p, r);
		set_err(p, "copy", PQerrorMessage(p->c));
	}
	PQclear(r);
	while ((r = PQgetResult(p->c)))
		PQclear(r);
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
	PGresult *r = PQexecParams(p->c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	int err = 0;

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

/* Statements for the kinds present; a line whose kind the cheap scan missed runs them all. */
static int upserts(struct pg *p, const struct store_batch *b, const char *const *params, struct pg_result *res)
{
	int all = b->kind[BATCH_OTHER] > 0, err = 0;
	uint64_t ignored;

	if (all || b->kind[BATCH_FLOW]) {
		err = step(p, "flow partitions", sql_partitions, 0, NULL, &ignored);
		if (!err)
			err = step(p, "flows", sql_flows, 1, params, &res->flows);
	}
	if (!err && (all || b->kind[BATCH_TPUT]))
		err = step(p, "throughput", b->mode == STORE_DELTA ? sql_tput_add : sql_tput_set, 1, params,
			   &res->throughput);
	if (!err && (all || b->kind[BATCH_NEIGH]))
		err = step(p, "neighbors", sql_neighbors, 1, params, &res->neighbors);
	return err;
}

static int apply_tx(struct pg *p, const struct store_batch *b, struct pg_result *res)
{
	char seq[24], nf[24], nt[24], nn[24];
	const char *params[5] = { p->sensor, seq, b->mode == STORE_DELTA ? "delta" : "absolute", nf, nt };
	const char *end[5] = { p->sensor, seq, nf, nt, nn };
	uint64_t fresh = 0;
	int err;

	snprintf(seq, sizeof(seq), "%" PRIu64, b->seq);
	err = step(p, "begin", "BEGIN", 0, NULL, NULL);
	if (!err)
		err = step(p, "batches", sql_batch_begin, 3, params, &fresh);
	if (err || !fresh) /* (sensor, seq) is there: applied before, by us or a twin that crashed */
		return err ? err : 1;
	err = copy_in(p, b);
	if (!err)
		err = upserts(p, b, params, res);
	if (err)
		return err;
	snprintf(nf, sizeof(nf), "%" PRIu64, res->flows);
	snprintf(nt, sizeof(nt), "%" PRIu64, res->throughput);
	snprintf(nn, sizeof(nn), "%" PRIu64, res->neighbors);
	err = step(p, "batches", sql_batch_end, 5, end, &res->skipped);
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
