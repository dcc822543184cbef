// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/live.c - per-second throughput from the counters, and the biggest flows and names right now. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/daemon.h"
#include "ctl/live.h"
#include "flow/ext.h"
#include "kern/maps.h"
#include "store/jsonl.h"
#include "util/clock.h"
#include "util/htab.h"
#include "util/json.h"

struct sample {
	uint64_t t;		   /* unix seconds */
	uint64_t pkts[TDIR_MAX];   /* in that second, IPv4 + IPv6 */
	uint64_t bytes[TDIR_MAX];
};

struct live {
	struct daemon *d;
	pthread_t thread;
	_Atomic int stop;
	pthread_mutex_t mu;
	struct sample ring[LIVE_SECONDS];
	unsigned int head, n;
	uint64_t last[CTR_MAX];
	bool have_last;
};

static int read_counters(struct daemon *d, uint64_t out[CTR_MAX])
{
	if (d->cfg->afpacket) {
		if (!d->wk)
			return -ENOENT;
		workers_acct_stats(d->wk, out);
		return 0;
	}
	return maps_read_stats(d->ld.fd_stats, out);
}

static void sample(struct live *l)
{
	uint64_t now[CTR_MAX];
	struct sample s = { .t = clock_wall_ns() / NS_PER_SEC };
	int dir, v;

	if (read_counters(l->d, now))
		return;
	if (l->have_last) {
		for (dir = 0; dir < TDIR_MAX; dir++) {
			for (v = 4; v <= 6; v += 2) {
				int c = CTR_TX_PKTS4 + (v == 6 ? 6 : 0) + dir * 2;

				s.pkts[dir] += now[c] - l->last[c];
				s.bytes[dir] += now[c + 1] - l->last[c + 1];
			}
		}
		pthread_mutex_lock(&l->mu);
		l->ring[l->head] = s;
		l->head = (l->head + 1) % LIVE_SECONDS;
		if (l->n < LIVE_SECONDS)
			l->n++;
		pthread_mutex_unlock(&l->mu);
	}
	memcpy(l->last, now, sizeof(now));
	l->have_last = true;
}

static void *live_main(void *arg)
{
	struct live *l = arg;

	while (!atomic_load(&l->stop)) {
		struct timespec ts = { 0, 0 };
		uint64_t now = clock_wall_ns();

		sample(l);
		ts.tv_nsec = (long)(NS_PER_SEC - now % NS_PER_SEC); /* on the second */
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int live_start(struct live **out, struct daemon *d)
{
	struct live *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return -ENOMEM;
	l->d = d;
	pthread_mutex_init(&l->mu, NULL);
	err = pthread_create(&l->thread, NULL, live_main, l);
	if (err) {
		free(l);
		return -err;
	}
	*out = l;
	return 0;
}

void live_stop(struct live *l)
{
	if (!l)
		return;
	atomic_store(&l->stop, 1);
	pthread_join(l->thread, NULL);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

void live_seconds_json(struct live *l, FILE *out, unsigned int n)
{
	static const char *const name[TDIR_MAX] = { "tx", "rx", "other" };
	struct jw w;
	unsigned int i, first;
	char key[32];
	int dir;

	jw_init(&w, out);
	jw_arr_begin(&w, NULL);
	pthread_mutex_lock(&l->mu);
	if (n > l->n)
		n = l->n;
	first = (l->head + LIVE_SECONDS - n) % LIVE_SECONDS;
	for (i = 0; i < n; i++) {
		const struct sample *s = &l->ring[(first + i) % LIVE_SECONDS];

		jw_obj_begin(&w, NULL);
		jw_u64(&w, "t", s->t);
		for (dir = 0; dir < TDIR_MAX; dir++) {
			snprintf(key, sizeof(key), "%s_bytes", name[dir]);
			jw_u64(&w, key, s->bytes[dir]);
			snprintf(key, sizeof(key), "%s_pkts", name[dir]);
			jw_u64(&w, key, s->pkts[dir]);
		}
		jw_obj_end(&w);
	}
	pthread_mutex_unlock(&l->mu);
	jw_arr_end(&w);
	fputc('\n', out);
}

struct top_ctx {
	struct flow_rec **best; /* copies of the n biggest, heap-ordered by bytes */
	unsigned int n, cap;
	struct htab *names;	/* hostname -> {bytes, flows} */
};

struct name_sum {
	uint64_t bytes, flows;
};

static uint64_t rec_bytes(const struct flow_rec *r)
{
	return r->tot.dir[0].bytes + r->tot.dir[1].bytes;
}

static int top_one(void *arg, struct flow_rec *r)
{
	struct top_ctx *c = arg;
	unsigned int i, min = 0;

	if (r->ext && ((struct flow_ext *)r->ext)->hostname) {
		char key[256] = {};
		struct name_sum *s;
		bool created;

		snprintf(key, sizeof(key), "%s", ((struct flow_ext *)r->ext)->hostname);
		s = htab_upsert(c->names, key, htab_hash(key, sizeof(key)), &created);
		if (s) {
			s->bytes += rec_bytes(r);
			s->flows++;
		}
	}
	if (c->n < c->cap) {
		c->best[c->n] = malloc(sizeof(*r));
		if (c->best[c->n]) {
			*c->best[c->n] = *r;
			c->best[c->n]->ext = NULL;
			c->n++;
		}
		return 0;
	}
	for (i = 1; i < c->n; i++)
		if (rec_bytes(c->best[i]) < rec_bytes(c->best[min]))
			min = i;
	if (c->n && rec_bytes(r) > rec_bytes(c->best[min])) {
		*c->best[min] = *r;
		c->best[min]->ext = NULL;
	}
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	uint64_t x = rec_bytes(*(struct flow_rec *const *)a), y = rec_bytes(*(struct flow_rec *const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

struct name_out {
	char *name[64];
	struct name_sum sum[64];
	unsigned int n;
};

static int keep_name(void *arg, const void *key, void *val)
{
	struct name_out *o = arg;
	const struct name_sum *s = val;
	unsigned int i, min = 0;

	if (o->n < 64) {
		o->name[o->n] = strdup(key);
		o->sum[o->n++] = *s;
		return 0;
	}
	for (i = 1; i < o->n; i++)
		if (o->sum[i].bytes < o->sum[min].bytes)
			min = i;
	if (s->bytes > o->sum[min].bytes) {
		free(o->name[min]);
		o->name[min] = strdup(key);
		o->sum[min] = *s;
	}
	return 0;
}

void live_top_json(struct daemon *d, FILE *out, unsigned int n)
{
	struct top_ctx c = { calloc(n + 1, sizeof(*c.best)), 0, n, NULL };
	struct name_out names = { .n = 0 };
	unsigned int s, i, j;
	struct jw w;

	if (!c.best || htab_new(&c.names, 256, sizeof(struct name_sum), 1 << 20)) {
		free(c.best);
		fputs("{}\n", out);
		return;
	}
	for (s = 0; s < d->fs.n; s++) {
		flow_table_foreach(flowset_lock(&d->fs, s), top_one, &c);
		flowset_unlock(&d->fs, s);
	}
	qsort(c.best, c.n, sizeof(*c.best), by_bytes);
	htab_foreach(c.names, keep_name, &names);
	jw_init(&w, out);
	jw_obj_begin(&w, NULL);
	jw_arr_begin(&w, "flows");
	for (i = 0; i < c.n; i++) { /* again under its shard's lock: the copy has no L7 fields */
		unsigned int sh = flowset_shard_of(&d->fs, &c.best[i]->key);
		struct flow_rec *r = flow_table_lookup(flowset_lock(&d->fs, sh), &c.best[i]->key);

		jsonl_flow(&w, r ? r : c.best[i]); /* writes an object and a newline at depth 0 only */
		flowset_unlock(&d->fs, sh);
		free(c.best[i]);
	}
	jw_arr_end(&w);
	jw_arr_begin(&w, "hostnames");
	for (i = 0; i < names.n && i < n; i++) { /* biggest first: a selection, n is small */
		unsigned int best = i;

		for (j = i + 1; j < names.n; j++)
			if (names.sum[j].bytes > names.sum[best].bytes)
				best = j;
		if (best != i) {
			struct name_sum ts = names.sum[i];
			char *tn = names.name[i];

			names.sum[i] = names.sum[best];
			names.name[i] = names.name[best];
			names.sum[best] = ts;
			names.name[best] = tn;
		}
		jw_obj_begin(&w, NULL);
		jw_str(&w, "hostname", names.name[i]);
		jw_u64(&w, "bytes", names.sum[i].bytes);
		jw_u64(&w, "flows", names.sum[i].flows);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	for (i = 0; i < names.n; i++)
		free(names.name[i]);
	htab_free(c.names);
	free(c.best);
}
