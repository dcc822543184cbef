// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/workers.c - one thread per flow shard, fed through lock-free queues, one per producer. */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ctl/workers.h"
#include "decode/decode.h"
#include "flowtower/account.h"
#include "util/log.h"
#include "util/spsc.h"

struct msg {
	uint64_t ts;
	uint32_t caplen, len;
	uint8_t data[];
};

struct worker {
	struct workers *w;
	unsigned int id;
	pthread_t thread;
	int efd;		/* producers wake it */
	struct spsc *in;	/* [n_producers] */
	struct pipeline *pl;
	struct acct *acct;	/* AF_PACKET mode */
	pthread_mutex_t acct_mu;
};

struct workers {
	struct workers_cfg cfg;
	struct worker *wk;
	_Atomic bool stop;
	_Atomic uint64_t queued, dropped;
	uint64_t *pending; /* [n_producers]: bitmask of workers fed since the last kick */
};

/* The shard a frame belongs to: both directions of a flow meet in one. */
static unsigned int shard_of(struct workers *w, const uint8_t *frame, uint32_t caplen, uint32_t len)
{
	struct pkt_info pi;
	struct flow_key k;

	if (w->cfg.n_workers == 1 || decode_frame(w->cfg.dlt, frame, caplen, len, &pi))
		return 0;
	ft_flow_key(&pi, &k);
	return flowset_shard_of(w->cfg.fs, &k);
}

void workers_submit(struct workers *w, unsigned int p, const uint8_t *frame, uint32_t caplen, uint32_t len,
		    uint64_t ts)
{
	unsigned int s = shard_of(w, frame, caplen, len);
	struct msg *m = malloc(sizeof(*m) + caplen);

	if (!m) {
		atomic_fetch_add(&w->dropped, 1);
		return;
	}
	m->ts = ts;
	m->caplen = caplen;
	m->len = len;
	memcpy(m->data, frame, caplen);
	if (!spsc_push(&w->wk[s].in[p], m)) {
		free(m);
		atomic_fetch_add(&w->dropped, 1);
		return;
	}
	atomic_fetch_add_explicit(&w->queued, 1, memory_order_relaxed);
	w->pending[p] |= 1ULL << s;
}

void workers_kick(struct workers *w, unsigned int p)
{
	uint64_t one = 1, bits = w->pending[p];
	unsigned int s;

	w->pending[p] = 0;
	for (s = 0; bits; s++, bits >>= 1)
		if ((bits & 1) && write(w->wk[s].efd, &one, sizeof(one)) < 0)
			pr_debug("waking worker %u: %s\n", s, strerror(errno));
}

static void process(struct worker *k, struct flow_table *ft, struct msg *m)
{
	struct workers *w = k->w;

	if (w->cfg.account) {
		struct pkt_info pi;
		struct flow_key key;
		int side = 0, fate, counted;

		fate = decode_frame(w->cfg.dlt, m->data, m->caplen, m->len, &pi);
		pthread_mutex_lock(&k->acct_mu);
		counted = acct_frame(k->acct, fate, &pi, m->data, m->caplen, m->len, m->ts, &key, &side);
		if (!acct_steer(k->acct, !fate, counted, &pi, &key, side, m->data, m->caplen)) {
			pthread_mutex_unlock(&k->acct_mu);
			return;
		}
		pthread_mutex_unlock(&k->acct_mu);
	}
	pipeline_frame(k->pl, ft, w->cfg.dlt, m->data, m->caplen, m->len, m->ts);
}

/* Everything queued for this worker, in batches under its shard's lock. */
static int drain_queues(struct worker *k)
{
	struct workers *w = k->w;
	unsigned int p, n = 0, i;
	struct flow_table *ft;
	struct msg *m;

	ft = flowset_lock(w->cfg.fs, k->id);
	for (p = 0; p < w->cfg.n_producers; p++) {
		for (i = 0; i < 256 && (m = spsc_pop(&k->in[p])); i++, n++) {
			process(k, ft, m);
			free(m);
		}
	}
	flowset_unlock(w->cfg.fs, k->id);
	return (int)n;
}

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	struct pollfd pfd = { .fd = k->efd, .events = POLLIN };
	uint64_t v;

	for (;;) {
		bool stopping = atomic_load(&k->w->stop);

		if (drain_queues(k))
			continue;
		if (stopping)
			break;
		if (poll(&pfd, 1, 200) > 0 && read(k->efd, &v, sizeof(v)) < 0)
			pr_debug("worker %u: %s\n", k->id, strerror(errno));
	}
	return NULL;
}

static int worker_init(struct workers *w, struct worker *k, unsigned int id)
{
	struct pipeline_cfg pc = w->cfg.pl;
	unsigned int p;
	int err;

	k->w = w;
	k->id = id;
	k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (k->efd < 0)
		return -errno;
	k->in = calloc(w->cfg.n_producers, sizeof(*k->in));
	if (!k->in)
		return -ENOMEM;
	for (p = 0; p < w->cfg.n_producers; p++) {
		err = spsc_init(&k->in[p], w->cfg.queue_len);
		if (err)
			return err;
	}
	pthread_mutex_init(&k->acct_mu, NULL);
	if (w->cfg.account) {
		err = acct_new(&k->acct, &w->cfg.acct);
		if (err)
			return err;
	}
	return pipeline_new(&k->pl, &pc);
}

static void worker_fini(struct workers *w, struct worker *k)
{
	unsigned int p;
	struct msg *m;

	for (p = 0; k->in && p < w->cfg.n_producers; p++) {
		while ((m = spsc_pop(&k->in[p])))
			free(m);
		spsc_fini(&k->in[p]);
	}
	free(k->in);
	if (k->efd >= 0)
		close(k->efd);
	pipeline_free(k->pl);
	acct_free(k->acct);
	pthread_mutex_destroy(&k->acct_mu);
}

int workers_start(struct workers **out, const struct workers_cfg *cfg)
{
	struct workers *w = calloc(1, sizeof(*w));
	unsigned int i, started = 0;
	int err = 0;

	if (!w)
		return -ENOMEM;
	w->cfg = *cfg;
	if (!w->cfg.queue_len)
		w->cfg.queue_len = 4096;
	w->wk = calloc(cfg->n_workers, sizeof(*w->wk));
	w->pending = calloc(cfg->n_producers, sizeof(*w->pending));
	if (!w->wk || !w->pending)
		err = -ENOMEM;
	for (i = 0; !err && i < cfg->n_workers; i++) {
		w->wk[i].efd = -1;
		err = worker_init(w, &w->wk[i], i);
	}
	for (i = 0; !err && i < cfg->n_workers; i++, started++)
		err = -pthread_create(&w->wk[i].thread, NULL, worker_main, &w->wk[i]);
	if (err) {
		atomic_store(&w->stop, true);
		for (i = 0; i < started; i++)
			pthread_join(w->wk[i].thread, NULL);
		for (i = 0; w->wk && i < cfg->n_workers; i++)
			worker_fini(w, &w->wk[i]);
		free(w->wk);
		free(w->pending);
		free(w);
		return err;
	}
	*out = w;
	return 0;
}

void workers_stop(struct workers *w)
{
	uint64_t one = 1;
	unsigned int i;

	if (!w)
		return;
	atomic_store(&w->stop, true);
	for (i = 0; i < w->cfg.n_workers; i++)
		if (write(w->wk[i].efd, &one, sizeof(one)) < 0)
			pr_debug("waking worker %u: %s\n", i, strerror(errno));
	for (i = 0; i < w->cfg.n_workers; i++)
		pthread_join(w->wk[i].thread, NULL);
	for (i = 0; i < w->cfg.n_workers; i++)
		worker_fini(w, &w->wk[i]);
	free(w->wk);
	free(w->pending);
	free(w);
}

static void add_l7(struct l7_stats *a, const struct l7_stats *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;
	size_t i;

	for (i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
}

void workers_stats(struct workers *w, struct workers_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->queued = atomic_load(&w->queued);
	st->dropped_full = atomic_load(&w->dropped);
	for (i = 0; i < w->cfg.n_workers; i++) {
		const struct pipeline_stats *p;

		flowset_lock(w->cfg.fs, i); /* the worker updates them under this lock */
		p = pipeline_stats(w->wk[i].pl);
		st->pl.frames += p->frames;
		st->pl.bytes += p->bytes;
		st->pl.undecodable += p->undecodable;
		st->pl.flows_created += p->flows_created;
		st->pl.table_full += p->table_full;
		st->pl.reasm_nomem += p->reasm_nomem;
		st->pl.late += p->late;
		st->pl.ndp += p->ndp;
		add_l7(&st->pl.l7, &p->l7);
		flowset_unlock(w->cfg.fs, i);
	}
}

void workers_acct_drain(struct workers *w, acct_flow_fn merge, void *arg)
{
	unsigned int i;

	for (i = 0; i < w->cfg.n_workers; i++) {
		if (!w->wk[i].acct)
			continue;
		/* shard, then counters: the order the worker takes them in */
		flowset_lock(w->cfg.fs, i);
		pthread_mutex_lock(&w->wk[i].acct_mu);
		acct_drain(w->wk[i].acct, merge, arg);
		pthread_mutex_unlock(&w->wk[i].acct_mu);
		flowset_unlock(w->cfg.fs, i);
	}
}

void workers_acct_stats(struct workers *w, uint64_t out[CTR_MAX])
{
	unsigned int i, c;

	memset(out, 0, sizeof(uint64_t) * CTR_MAX);
	for (i = 0; i < w->cfg.n_workers; i++) {
		if (!w->wk[i].acct)
			continue;
		pthread_mutex_lock(&w->wk[i].acct_mu);
		for (c = 0; c < CTR_MAX; c++)
			out[c] += acct_stats(w->wk[i].acct)[c];
		pthread_mutex_unlock(&w->wk[i].acct_mu);
	}
}

void workers_acct_tput(struct workers *w, workers_tput_fn fn, void *arg)
{
	unsigned int i;

	for (i = 0; i < w->cfg.n_workers; i++) {
		if (!w->wk[i].acct)
			continue;
		pthread_mutex_lock(&w->wk[i].acct_mu);
		acct_tput_drain(w->wk[i].acct, fn, arg);
		pthread_mutex_unlock(&w->wk[i].acct_mu);
	}
}
