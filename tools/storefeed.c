// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/storefeed.c - feed JSON lines (as `flowtower read --json` prints them) through the store, for tests. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/log.h"

static const char usage[] =
	"usage: storefeed --sensor NAME --state-dir DIR [options] [FILE...]   (no FILE: stdin)\n"
	"  --db CONNINFO        libpq URL or keywords (default: the embedded cluster in DIR/pg)\n"
	"  --mode absolute|delta  throughput lines set or add (default delta)\n"
	"  --batch-lines N      lines per batch (default 1000); --per-file: one batch per FILE\n"
	"  --seq-from N         sequence numbers N, N+1, ... (default: store_seq_next())\n"
	"  --delay-ms MS        sleep between batches\n"
	"  --spool-max BYTES    spool limit (default 1 GiB)   --queue N  batches in memory\n"
	"  --retry-max-ms MS    backoff cap (default 60000)   --retention-days N  drop older flow partitions\n"
	"  --run-as USER        after opening the store, drop root to USER, as the daemon does\n"
	"  --flush-ms MS        at the end, wait up to MS for the database to take everything (60000)\n"
	"Prints one 'stats ...' line at the end; exit 0: all in the DB, 1: some spooled, 2: error.\n";

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	stop = sig;
}

struct feed {
	struct store *s;
	enum store_mode mode;
	struct store_batch *b;
	unsigned int batch_lines, delay_ms, in_batch;
	uint64_t seq, submitted, lines;
};

static int submit(struct feed *f)
{
	int err;

	if (!f->b)
		return 0;
	err = store_submit(f->s, f->b);
	f->b = NULL;
	f->in_batch = 0;
	f->submitted++;
	if (err)
		fprintf(stderr, "storefeed: submit: %s\n", strerror(-err));
	if (f->delay_ms)
		usleep(f->delay_ms * 1000);
	return 0;
}

static int add_line(struct feed *f, const char *line, size_t len)
{
	int err;

	if (len <= 1)
		return 0;
	if (!f->b) {
		err = store_batch_new(&f->b, f->seq ? f->seq++ : store_seq_next(f->s), f->mode);
		if (err)
			return err;
	}
	err = store_batch_add_line(f->b, line, len);
	if (err)
		return err;
	f->lines++;
	if (++f->in_batch >= f->batch_lines)
		return submit(f);
	return 0;
}

static int feed_file(struct feed *f, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	while (!err && !stop && (n = getline(&line, &cap, in)) > 0)
		err = add_line(f, line, (size_t)n);
	free(line);
	return err;
}

/* The daemon's privilege drop, for all threads (glibc applies setuid to every thread). */
static int drop_to(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw || setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid)) {
		fprintf(stderr, "storefeed: cannot become %s\n", user);
		return -EPERM;
	}
	return 0;
}

static void print_stats(struct store *s, struct feed *f, int flush)
{
	struct store_stats st;

	store_stats(s, &st);
	printf("stats submitted=%" PRIu64 " lines=%" PRIu64 " flush=%d queued=%" PRIu64 " spooled_batches=%" PRIu64
	       " spooled_bytes=%" PRIu64 " batches_written=%" PRIu64 " rows_written=%" PRIu64
	       " batches_dropped=%" PRIu64 " lines_dropped=%" PRIu64 " batches_rejected=%" PRIu64
	       " corrupt=%" PRIu64 " errors=%" PRIu64 " db_up=%d\n",
	       f->submitted, f->lines, flush, st.queued, st.spooled_batches, st.spooled_bytes, st.batches_written,
	       st.rows_written, st.batches_dropped, st.lines_dropped, st.batches_rejected, st.corrupt_records,
	       st.errors, st.db_up);
	fflush(stdout);
}

static int parse_args(int argc, char **argv, struct store_cfg *c, struct feed *f, int *per_file, int *flush_ms)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },	       { "sensor", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' }, { "mode", required_argument, NULL, 'm' },
		{ "batch-lines", required_argument, NULL, 'n' }, { "per-file", no_argument, NULL, 'p' },
		{ "seq-from", required_argument, NULL, 'q' },  { "delay-ms", required_argument, NULL, 'w' },
		{ "spool-max", required_argument, NULL, 'M' }, { "queue", required_argument, NULL, 'Q' },
		{ "retry-max-ms", required_argument, NULL, 'r' }, { "flush-ms", required_argument, NULL, 'f' },
		{ "retention-days", required_argument, NULL, 'R' }, { "run-as", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },	       { NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'd': c->conninfo = optarg; break;
		case 's': c->sensor = optarg; break;
		case 'S': c->state_dir = optarg; break;
		case 'm': f->mode = !strcmp(optarg, "absolute") ? STORE_ABSOLUTE : STORE_DELTA; break;
		case 'n': f->batch_lines = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'p': *per_file = 1; break;
		case 'q': f->seq = strtoull(optarg, NULL, 10); break;
		case 'w': f->delay_ms = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'M': c->spool_max_bytes = strtoull(optarg, NULL, 10); break;
		case 'Q': c->queue_len = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': c->retry_max_ms = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'f': *flush_ms = (int)strtol(optarg, NULL, 10); break;
		case 'R': c->retention_days = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'u': c->run_as = optarg; break;
		default: fputs(usage, o == 'h' ? stdout : stderr); return o == 'h' ? 1 : -EINVAL;
		}
	}
	if (!c->sensor || !c->state_dir) {
		fputs(usage, stderr);
		return -EINVAL;
	}
	if (!f->batch_lines)
		f->batch_lines = 1000;
	if (*per_file)
		f->batch_lines = ~0u;
	return 0;
}

int main(int argc, char **argv)
{
	struct store_cfg c = { .retry_min_ms = 200 };
	struct feed f = { .mode = STORE_DELTA };
	int per_file = 0, flush_ms = 60000, err, rc, i;

	rc = parse_args(argc, argv, &c, &f, &per_file, &flush_ms);
	if (rc)
		return rc > 0 ? 0 : 2;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	err = store_open(&f.s, &c);
	if (err) {
		fprintf(stderr, "storefeed: store_open: %s\n", strerror(-err));
		return 2;
	}
	err = c.run_as ? drop_to(c.run_as) : 0;
	for (i = optind; !err && !stop && i < argc; i++) {
		FILE *in = fopen(argv[i], "r");

		if (!in) {
			fprintf(stderr, "storefeed: %s: %s\n", argv[i], strerror(errno));
			err = -errno;
			break;
		}
		err = feed_file(&f, in);
		fclose(in);
		if (per_file)
			submit(&f);
	}
	if (optind == argc && !err)
		err = feed_file(&f, stdin);
	submit(&f);
	/* store_flush() returns once the database was tried; a test's outage may outlast that */
	for (int waited = 0;; waited += 500) {
		rc = store_flush(f.s, flush_ms - waited > 500 ? flush_ms - waited : 500);
		if (rc <= 0 || waited >= flush_ms || stop)
			break;
		usleep(500 * 1000);
	}
	print_stats(f.s, &f, rc);
	store_close(f.s);
	if (err)
		fprintf(stderr, "storefeed: %s\n", strerror(-err));
	return err || rc < 0 ? 2 : rc;
}
