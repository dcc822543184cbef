// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bench/bench_store.c - flow rows per second through COPY + upsert, and one minute's batch of changed flows. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "store/batch.h"
#include "store/pg.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/uuid.h"

/*
 * usage: bench_store CONNINFO [FLOWS] [STATE_DIR]
 * 1. ROUNDS batches of FLOWS new flows (the table grows): rows/s of COPY + upsert.
 * 2. One batch of FLOWS changed flows (same uuids, new counters), three times: the once-a-minute
 *    write of a busy sensor. 3. The same through the whole store (spool write-ahead, writer thread).
 * Flow lines look like the sensor's: addresses, ports, counters, a hostname and a TLS object.
 */
#define ROUNDS 5

struct flowgen {
	uint8_t (*uuid)[16];
	size_t n;
	uint64_t t0;
};

static int gen_batch(const struct flowgen *g, unsigned int round, struct store_batch **out)
{
	char line[1024], u[37], fs[40], ls[40];
	struct store_batch *b;
	size_t i;
	int err, len;

	err = store_batch_new(&b, clock_wall_ns(), STORE_ABSOLUTE);
	for (i = 0; !err && i < g->n; i++) {
		uint64_t first = g->t0 + i * 1000000ULL, pk = 10 + i % 90 + round * 7;

		uuid_format(g->uuid[i], u);
		clock_rfc3339(first, fs, sizeof(fs));
		clock_rfc3339(first + (round + 1) * 30 * NS_PER_SEC, ls, sizeof(ls));
		len = snprintf(line, sizeof(line),
			       "{\"type\":\"flow\",\"uuid\":\"%s\",\"ip_version\":4,\"proto\":6,\"proto_name\":\"tcp\","
			       "\"orig_addr\":\"10.0.%zu.%zu\",\"orig_port\":%zu,\"resp_addr\":\"198.51.%zu.%zu\",\"resp_port\":443,"
			       "\"local_side\":\"orig\",\"orig_pkts\":%" PRIu64 ",\"orig_bytes\":%" PRIu64
			       ",\"orig_l4_bytes\":%" PRIu64 ",\"orig_payload_bytes\":%" PRIu64 ",\"resp_pkts\":%" PRIu64
			       ",\"resp_bytes\":%" PRIu64 ",\"resp_l4_bytes\":%" PRIu64 ",\"resp_payload_bytes\":%" PRIu64
			       ",\"duplicates\":0,\"tcp_flags\":27,\"orig_tcp_flags\":27,\"resp_tcp_flags\":26,"
			       "\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"hostname\":\"host%zu.example.com\","
			       "\"hostname_source\":\"tls_sni\",\"http\":null,\"tls\":{\"sni\":\"host%zu.example.com\","
			       "\"alpn\":[\"h2\",\"http/1.1\"],\"legacy_version\":771,\"supported_versions\":[772,771],"
			       "\"cipher_suites\":[4865,4866,4867,49195],\"extensions\":[0,23,65281,10,11,35,16,5,13,43,45,51],"
			       "\"ja3\":\"cd08e31494f9531f560d64c695473da9\",\"ja4\":\"t13d1516h2_8daaf6152771_02713d6af862\","
			       "\"ech\":false},\"quic\":null,\"orig_mac\":null,\"resp_mac\":null}",
			       u, i / 250 % 250, i % 250 + 1, 30000 + i % 30000, i / 200 % 200, i % 200 + 1, pk, pk * 80,
			       pk * 60, pk * 40, pk * 2, pk * 1400, pk * 1380, pk * 1360, fs, ls, i % 5000, i % 5000);
		err = store_batch_add_line(b, line, (size_t)len);
	}
	if (err) {
		store_batch_free(b);
		return err;
	}
	*out = b;
	return 0;
}

static double apply_timed(struct pg *p, struct flowgen *g, unsigned int round, uint64_t *rows)
{
	struct store_batch *b;
	struct pg_result res;
	uint64_t t;
	int err;

	if (gen_batch(g, round, &b))
		return -1;
	t = clock_mono_ns();
	err = pg_apply(p, b, &res);
	t = clock_mono_ns() - t;
	store_batch_free(b);
	if (err) {
		fprintf(stderr, "bench_store: %s\n", pg_last_error(p));
		return -1;
	}
	*rows = res.flows;
	return (double)t / 1e9;
}

static const char *conninfo;

static void vacuum(struct pg *p)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r = PQexec(c, "VACUUM ANALYZE flowtower.flows");

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "bench_store: vacuum: %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

static void new_uuids(struct flowgen *g)
{
	for (size_t i = 0; i < g->n; i++)
		uuid_v7(g->uuid[i], g->t0 + i * 1000000ULL);
}

/* The whole store: submit, write-ahead spool, writer thread, COPY + upsert; flush waits. */
static double store_timed(const char *conninfo, const char *state_dir, struct flowgen *g)
{
	struct store_cfg cfg = { .conninfo = conninfo, .sensor = "bench", .state_dir = state_dir };
	struct store_batch *b;
	struct store *s;
	uint64_t t;
	int rc;

	if (store_open(&s, &cfg))
		return -1;
	store_flush(s, 30000); /* connected, migrations done */
	if (gen_batch(g, 9, &b)) {
		store_close(s);
		return -1;
	}
	t = clock_mono_ns();
	store_submit(s, b);
	rc = store_flush(s, 600000);
	t = clock_mono_ns() - t;
	store_close(s);
	return rc ? -1 : (double)t / 1e9;
}

int main(int argc, char **argv)
{
	struct flowgen g = { .n = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000 };
	const char *state_dir = argc > 3 ? argv[3] : "/tmp/ft-bench-state";
	double t, total = 0;
	uint64_t rows, all = 0;
	struct pg *p = NULL;
	unsigned int r;

	if (getenv("FT_BENCH_DEBUG"))
		log_set_level(LOG_LVL_DEBUG); /* time of each statement */
	if (argc < 2 || !g.n) {
		fprintf(stderr, "usage: bench_store CONNINFO [FLOWS] [STATE_DIR]\n");
		return 2;
	}
	conninfo = argv[1];
	g.uuid = calloc(g.n, 16);
	if (!g.uuid || pg_new(&p, argv[1], "bench") || pg_connect(p)) {
		fprintf(stderr, "bench_store: cannot connect: %s\n", p ? pg_last_error(p) : "no memory");
		return 1;
	}
	g.t0 = clock_wall_ns() - 3600 * NS_PER_SEC;
	for (r = 0; r < ROUNDS; r++) {
		new_uuids(&g);
		t = apply_timed(p, &g, 0, &rows);
		if (t < 0)
			return 1;
		total += t;
		all += rows;
		printf("bench_store: batch of %zu new flows: %.2f s (%.0f rows/s)\n", g.n, t, rows / t);
	}
	printf("bench_store: insert: %" PRIu64 " flow rows in %.2f s: %.0f rows/s (COPY + upsert)\n", all, total,
	       all / total);
	/* autovacuum keeps up with one batch a minute; three back-to-back full updates it does not */
	vacuum(p);
	for (r = 1; r <= 3; r++) {
		t = apply_timed(p, &g, r, &rows);
		if (t < 0)
			return 1;
		vacuum(p);
		printf("bench_store: one batch of %" PRIu64 " changed flows (table of %" PRIu64 "): %.2f s (%.0f rows/s)\n",
		       rows, all, t, rows / t);
	}
	pg_free(p);
	t = store_timed(argv[1], state_dir, &g);
	if (t >= 0)
		printf("bench_store: the same through the store (spool write-ahead + writer thread): %.2f s\n", t);
	free(g.uuid);
	return t < 0;
}
