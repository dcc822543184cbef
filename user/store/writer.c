// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/writer.c - the writer thread: bounded queue, write-ahead spool, ordered apply, backoff, flush. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "store/embedded.h"
#include "store/pg.h"
#include "store/spool.h"
#include "util/clock.h"
#include "util/fault.h"
#include "util/log.h"

#define MAX_SERVER_FAILS 5		/* a batch failing this often with a server error is set aside */
#define MAINT_EVERY_NS (3600 * NS_PER_SEC) /* partitions ahead, retention */
#define PARTITIONS_AHEAD 3
#define DOWN_LOG_EVERY_NS (300 * NS_PER_SEC)

/*
 * Every batch is written to the spool before the database sees it and deleted after COMMIT, so a
 * kill -9 at any point leaves it on disk; its (sensor, seq) row in flowtower.batches, committed
 * with its rows, makes the replay after a commit a no-op. Batches are applied in seq order: the
 * writer moves the queue into the spool and then takes the lowest seq.
 */
struct store {
	struct store_cfg cfg; /* strings point to the copies below */
	char *conninfo, *sensor, *state_dir, *run_as, *spool_dir;
	struct embedded *emb;
	struct spool *spool;
	struct pg *pg;
	pthread_t thr;
	int thr_started;

	pthread_mutex_t lock; /* everything below */
	pthread_cond_t wake;  /* the writer waits here */
	pthread_cond_t idle;  /* store_flush() waits here */
	struct store_batch *qhead, *qtail;
	uint32_t qlen;
	struct store_batch *mem; /* writer only: batches the spool refused (I/O error), ascending seq */
	uint32_t nmem;
	int stopping;
	uint64_t flush_req, flush_done; /* generations */
	uint64_t last_seq;
	struct store_stats st;	/* counters the writer keeps; spool's are added in store_stats() */

	/* writer thread only */
	uint64_t next_try_ns, backoff_ms, next_maint_ns, last_down_log_ns;
	int fails;
	unsigned int rnd;
};

/* ---- lifecycle ------------------------------------------------------------------------------- */

static void *writer_main(void *arg);

static int copy_cfg(struct store *s, const struct store_cfg *cfg)
{
	s->cfg = *cfg;
	s->sensor = strdup(cfg->sensor);
	s->state_dir = strdup(cfg->state_dir);
	s->conninfo = cfg->conninfo ? strdup(cfg->conninfo) : NULL;
	s->run_as = cfg->run_as ? strdup(cfg->run_as) : NULL;
	s->spool_dir = cfg->spool_dir ? strdup(cfg->spool_dir) : NULL;
	if (!s->sensor || !s->state_dir || (cfg->conninfo && !s->conninfo) || (cfg->run_as && !s->run_as) ||
	    (cfg->spool_dir && !s->spool_dir))
		return -ENOMEM;
	s->cfg.spool_dir = s->spool_dir;
	s->cfg.run_as = s->run_as;
	s->cfg.sensor = s->sensor;
	s->cfg.state_dir = s->state_dir;
	s->cfg.conninfo = s->conninfo;
	if (!s->cfg.spool_max_bytes)
		s->cfg.spool_max_bytes = 1ULL << 30;
	if (!s->cfg.queue_len)
		s->cfg.queue_len = 8;
	if (!s->cfg.retry_min_ms)
		s->cfg.retry_min_ms = 1000;
	if (!s->cfg.retry_max_ms)
		s->cfg.retry_max_ms = 60000;
	if (s->cfg.retry_max_ms < s->cfg.retry_min_ms)
		s->cfg.retry_max_ms = s->cfg.retry_min_ms;
	s->backoff_ms = s->cfg.retry_min_ms;
	s->rnd = (unsigned int)clock_wall_ns();
	return 0;
}

static int open_parts(struct store *s)
{
	struct spool_info si;
	char dir[4096];
	int err;

	if (mkdir(s->state_dir, 0755) && errno != EEXIST) {
		err = -errno;
		pr_err("store: state directory %s: %s\n", s->state_dir, strerror(-err));
		return err;
	}
	if (s->spool_dir)
		snprintf(dir, sizeof(dir), "%s", s->spool_dir);
	else
		snprintf(dir, sizeof(dir), "%s/spool", s->state_dir);
	err = spool_open(&s->spool, dir, s->cfg.spool_max_bytes);
	if (err)
		return err;
	spool_get_info(s->spool, &si);
	s->last_seq = si.max_seq;
	if (s->run_as && geteuid() == 0) {
		struct passwd *pw = getpwnam(s->run_as);

		err = pw ? spool_chown(s->spool, pw->pw_uid, pw->pw_gid) : -ESRCH;
		if (err) {
			pr_err("store: run_as %s: %s\n", s->run_as, pw ? strerror(-err) : "no such user");
			return err;
		}
	}
	if (!s->conninfo) {
		err = embedded_start(&s->emb, s->state_dir, s->run_as);
		if (err)
			return err;
		s->conninfo = strdup(embedded_conninfo(s->emb));
		if (!s->conninfo)
			return -ENOMEM;
	}
	return pg_new(&s->pg, s->conninfo, s->sensor);
}

int store_open(struct store **out, const struct store_cfg *cfg)
{
	struct store *s;
	int err;

	if (!cfg->sensor || !*cfg->sensor || !cfg->state_dir || !*cfg->state_dir)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->idle, NULL);
	err = copy_cfg(s, cfg);
	if (!err)
		err = open_parts(s);
	if (!err) {
		err = -pthread_create(&s->thr, NULL, writer_main, s);
		s->thr_started = !err;
	}
	if (err) {
		pr_err("store: %s\n", strerror(-err));
		store_close(s);
		return err;
	}
	*out = s;
	return 0;
}

static void join_writer(struct store *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	if (pthread_timedjoin_np(s->thr, NULL, &ts)) {
		pr_warn("store: the database has not answered for 30 s, cancelling the statement\n");
		pg_cancel(s->pg); /* the batch stays in the spool */
		pthread_join(s->thr, NULL);
	}
}

void store_close(struct store *s)
{
	struct store_batch *b;

	if (!s)
		return;
	if (s->thr_started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = 1;
		pthread_cond_broadcast(&s->wake);
		pthread_mutex_unlock(&s->lock);
		join_writer(s); /* it spools what is queued, then returns */
	}
	if (s->nmem)
		pr_err("store: %u batches neither spooled nor written are lost\n", s->nmem);
	while ((b = s->mem)) {
		s->mem = b->next;
		store_batch_free(b);
	}
	while ((b = s->qhead)) {
		s->qhead = b->next;
		store_batch_free(b);
	}
	pg_free(s->pg);
	spool_close(s->spool);
	embedded_stop(s->emb);
	pthread_cond_destroy(&s->idle);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->conninfo);
	free(s->spool_dir);
	free(s->run_as);
	free(s->sensor);
	free(s->state_dir);
	free(s);
}

/* ---- the caller's side ----------------------------------------------------------------------- */

uint64_t store_seq_next(struct store *s)
{
	uint64_t seq, now = clock_wall_ns();

	pthread_mutex_lock(&s->lock);
	seq = s->last_seq + 1 > now ? s->last_seq + 1 : now;
	s->last_seq = seq;
	pthread_mutex_unlock(&s->lock);
	return seq;
}

int store_submit(struct store *s, struct store_batch *b)
{
	int err = 0;

	if (!b)
		return -EINVAL;
	b->next = NULL;
	pthread_mutex_lock(&s->lock);
	if (b->seq > s->last_seq)
		s->last_seq = b->seq;
	if (s->qlen < s->cfg.queue_len && !s->stopping) {
		if (s->qtail)
			s->qtail->next = b;
		else
			s->qhead = b;
		s->qtail = b;
		s->qlen++;
		b = NULL;
	} else {
		/* under the lock, so the writer's "queue into spool, take the lowest seq" sees it */
		err = spool_put(s->spool, b);
		if (err) {
			pr_err("store: queue full and spool failed: batch seq %" PRIu64 " (%u lines) dropped\n", b->seq,
			       b->lines);
			s->st.batches_dropped++;
			s->st.lines_dropped += b->lines;
		}
	}
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	store_batch_free(b);
	return err;
}

int store_flush(struct store *s, int timeout_ms)
{
	struct spool_info si;
	struct timespec ts;
	uint64_t gen;
	int err = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	gen = ++s->flush_req;
	pthread_cond_signal(&s->wake);
	while (!err && s->flush_done < gen && !s->stopping)
		err = -pthread_cond_timedwait(&s->idle, &s->lock, &ts);
	spool_get_info(s->spool, &si);
	if (!err)
		err = s->qlen || s->nmem || si.batches ? 1 : 0;
	pthread_mutex_unlock(&s->lock);
	return err;
}

void store_stats(struct store *s, struct store_stats *out)
{
	struct spool_info si;

	spool_get_info(s->spool, &si);
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	out->queued = s->qlen + s->nmem;
	pthread_mutex_unlock(&s->lock);
	out->spooled_batches = si.batches;
	out->spooled_bytes = si.bytes;
	out->batches_dropped += si.dropped_batches;
	out->lines_dropped += si.dropped_lines;
	out->corrupt_records = si.corrupt;
	out->batches_rejected += si.rejected;
}

/* ---- the writer thread ----------------------------------------------------------------------- */

static void note_error(struct store *s, const char *msg)
{
	pthread_mutex_lock(&s->lock);
	s->st.errors++;
	snprintf(s->st.last_error, sizeof(s->st.last_error), "%s", msg);
	pthread_mutex_unlock(&s->lock);
}

/* Keep b in memory (ascending seq); the oldest goes when more than queue_len wait there. Lock held. */
static void mem_add(struct store *s, struct store_batch *b)
{
	struct store_batch **pp = &s->mem;

	while (*pp && (*pp)->seq < b->seq)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
	if (++s->nmem > s->cfg.queue_len) {
		struct store_batch *old = s->mem;

		pr_err("store: neither spool nor database takes batches: dropped seq %" PRIu64 " (%u lines)\n",
		       old->seq, old->lines);
		s->mem = old->next;
		s->nmem--;
		s->st.batches_dropped++;
		s->st.lines_dropped += old->lines;
		store_batch_free(old);
	}
}

/* Move the queue into the spool (write-ahead). Called and returns with the lock held. */
static void absorb_queue(struct store *s)
{
	while (s->qhead) {
		struct store_batch *list = s->qhead, *b;

		s->qhead = s->qtail = NULL;
		s->qlen = 0;
		pthread_mutex_unlock(&s->lock);
		while ((b = list)) {
			list = b->next;
			b->next = NULL;
			if (!spool_put(s->spool, b)) {
				fault_kill_if("store-after-spool"); /* crash test: on disk, not in the DB */
				store_batch_free(b);
				b = NULL;
			}
			pthread_mutex_lock(&s->lock);
			if (b)
				mem_add(s, b); /* applied from memory when the database is up */
			pthread_mutex_unlock(&s->lock);
		}
		pthread_mutex_lock(&s->lock);
	}
}

/* The lowest-seq batch waiting anywhere; NULL when none. */
static struct store_batch *pick_next(struct store *s, int *from_spool)
{
	struct store_batch *b = NULL;
	uint64_t spool_seq;
	int err;

	pthread_mutex_lock(&s->lock);
	absorb_queue(s);
	spool_seq = spool_head_seq(s->spool);
	if (s->mem && s->mem->seq < spool_seq) {
		b = s->mem;
		s->mem = b->next;
		s->nmem--;
		b->next = NULL;
		*from_spool = 0;
	}
	pthread_mutex_unlock(&s->lock);
	if (b || spool_seq == UINT64_MAX)
		return b;
	err = spool_take(s->spool, &b);
	if (err && err != -ENOENT)
		note_error(s, "spool: reading a record failed");
	*from_spool = 1;
	return err ? NULL : b;
}

static int stop_requested(struct store *s)
{
	int stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stopping;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void schedule_retry(struct store *s)
{
	uint64_t ms = s->backoff_ms + rand_r(&s->rnd) % (s->backoff_ms / 5 + 1); /* jitter: sensors spread out */

	s->next_try_ns = clock_mono_ns() + ms * 1000000ULL;
	s->backoff_ms = s->backoff_ms * 2 > s->cfg.retry_max_ms ? s->cfg.retry_max_ms : s->backoff_ms * 2;
}

static int try_connect(struct store *s)
{
	uint64_t now;
	int err, was_up;

	err = pg_connect(s->pg);
	if (err && s->emb && !embedded_ensure(s->emb))
		err = pg_connect(s->pg);
	now = clock_mono_ns();
	pthread_mutex_lock(&s->lock);
	was_up = s->st.db_up;
	s->st.db_up = !err;
	pthread_mutex_unlock(&s->lock);
	if (!err) {
		if (s->last_down_log_ns)
			pr_info("store: the database is back; replaying the spool\n");
		s->last_down_log_ns = 0;
		s->backoff_ms = s->cfg.retry_min_ms;
		s->next_maint_ns = 0;
		return 0;
	}
	note_error(s, pg_last_error(s->pg));
	schedule_retry(s);
	if (was_up || !s->last_down_log_ns || now - s->last_down_log_ns >= DOWN_LOG_EVERY_NS) {
		pr_warn("store: database unavailable (%s); batches wait in the spool, retrying with backoff\n",
			pg_last_error(s->pg));
		s->last_down_log_ns = now;
	}
	return err;
}

static void maintain(struct store *s)
{
	uint64_t now = clock_mono_ns();

	if (now < s->next_maint_ns)
		return;
	s->next_maint_ns = now + MAINT_EVERY_NS;
	if (pg_maintain(s->pg, PARTITIONS_AHEAD, s->cfg.retention_days)) {
		pr_warn("store: partition maintenance: %s\n", pg_last_error(s->pg));
		note_error(s, pg_last_error(s->pg));
	}
}

/* A batch the database keeps refusing: set it aside (spool's rejected/) and go on. */
static void reject(struct store *s, struct store_batch *b, int from_spool)
{
	if (from_spool) {
		spool_reject(s->spool, b->seq, pg_last_error(s->pg));
		return;
	}
	pr_err("store: batch seq %" PRIu64 " (%u lines) refused and not spooled, lost: %s\n", b->seq, b->lines,
	       pg_last_error(s->pg));
	pthread_mutex_lock(&s->lock);
	s->st.batches_rejected++;
	pthread_mutex_unlock(&s->lock);
}

/* Not applied now: back where it came from, disconnected, retry later. */
static void postpone(struct store *s, struct store_batch *b, int from_spool)
{
	if (from_spool) {
		spool_release(s->spool, b->seq);
		store_batch_free(b);
	} else {
		pthread_mutex_lock(&s->lock);
		mem_add(s, b);
		pthread_mutex_unlock(&s->lock);
	}
	pg_disconnect(s->pg);
	pthread_mutex_lock(&s->lock);
	s->st.db_up = 0;
	pthread_mutex_unlock(&s->lock);
	schedule_retry(s);
}

static void applied(struct store *s, struct store_batch *b, int from_spool, int err, const struct pg_result *r)
{
	if (from_spool) {
		fault_kill_if("store-after-commit"); /* crash test: committed, still spooled */
		spool_done(s->spool, b->seq);
	}
	pthread_mutex_lock(&s->lock);
	if (!err) {
		s->st.batches_written++;
		s->st.rows_written += r->flows + r->throughput + r->neighbors;
	}
	pthread_mutex_unlock(&s->lock);
	s->fails = 0;
}

/* Apply waiting batches in seq order until none is left, the database fails, or close. */
static void drain(struct store *s)
{
	struct store_batch *b;
	struct pg_result res;
	int from_spool = 0, err;

	while (!stop_requested(s)) {
		if (!pg_connected(s->pg) && (clock_mono_ns() < s->next_try_ns || try_connect(s)))
			return;
		maintain(s);
		b = pick_next(s, &from_spool);
		if (!b)
			return;
		err = pg_apply(s->pg, b, &res);
		if (err >= 0) {
			applied(s, b, from_spool, err, &res);
		} else if (err == -EBADMSG || (err == -EIO && ++s->fails >= MAX_SERVER_FAILS)) {
			note_error(s, pg_last_error(s->pg));
			reject(s, b, from_spool);
			s->fails = 0;
		} else {
			note_error(s, pg_last_error(s->pg));
			postpone(s, b, from_spool);
			return;
		}
		store_batch_free(b);
	}
}

/* Sleep until submit/flush/close, the next retry, or a 1 s tick. Lock held. */
static void wait_for_work(struct store *s)
{
	uint64_t now = clock_mono_ns(), ms = 1000;
	struct timespec ts;

	if (s->next_try_ns > now && (s->next_try_ns - now) / 1000000 < ms)
		ms = (s->next_try_ns - now) / 1000000 + 1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&s->wake, &s->lock, &ts);
}

static void *writer_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		uint64_t gen = s->flush_req;

		absorb_queue(s);
		if (s->stopping)
			break;
		if (gen != s->flush_done)
			s->next_try_ns = 0; /* a flush tries the database now, backoff or not */
		pthread_mutex_unlock(&s->lock);
		drain(s);
		pthread_mutex_lock(&s->lock);
		if (gen > s->flush_done)
			s->flush_done = gen;
		pthread_cond_broadcast(&s->idle);
		if (!s->qhead && !s->stopping && s->flush_req == gen)
			wait_for_work(s);
	}
	s->flush_done = s->flush_req;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

const char *store_conninfo(const struct store *s)
{
	return s ? s->conninfo : NULL;
}
