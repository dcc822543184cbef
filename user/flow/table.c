// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/table.c - flow records in a hash table of pointers, and how counters merge into them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flow/table.h"
#include "util/htab.h"

struct flow_table {
	struct htab *h; /* flow_key -> struct flow_rec * */
};

int flow_table_new(struct flow_table **out, size_t max_flows)
{
	struct flow_table *t = calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = htab_new(&t->h, sizeof(struct flow_key), sizeof(struct flow_rec *), max_flows);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

static bool free_rec(void *arg, const void *key, void *val)
{
	free(*(struct flow_rec **)val);
	return true;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	htab_delete_if(t->h, free_rec, NULL);
	htab_free(t->h);
	free(t);
}

size_t flow_table_count(const struct flow_table *t)
{
	return htab_count(t->h);
}

struct flow_rec *flow_table_lookup(const struct flow_table *t, const struct flow_key *k)
{
	struct flow_rec **v = htab_lookup(t->h, k, htab_hash(k, sizeof(*k)));

	return v ? *v : NULL;
}

struct flow_rec *flow_table_upsert(struct flow_table *t, const struct flow_key *k, bool *created)
{
	struct flow_rec **v = htab_upsert(t->h, k, htab_hash(k, sizeof(*k)), created);

	if (!v)
		return NULL;
	if (*created) {
		*v = calloc(1, sizeof(**v));
		if (!*v) {
			htab_delete(t->h, k, htab_hash(k, sizeof(*k)));
			*created = false;
			return NULL;
		}
		(*v)->key = *k;
	}
	return *v;
}

void flow_table_remove(struct flow_table *t, struct flow_rec *r)
{
	htab_delete(t->h, &r->key, htab_hash(&r->key, sizeof(r->key)));
	free(r);
}

size_t flow_table_delete_if(struct flow_table *t, flow_rec_pred pred, void *arg)
{
	return htab_delete_if(t->h, pred, arg);
}

struct collect {
	struct flow_rec **v;
	size_t n;
};

static int collect_one(void *arg, const void *key, void *val)
{
	struct collect *c = arg;

	c->v[c->n++] = *(struct flow_rec **)val;
	return 0;
}

static int cmp_rec(const void *x, const void *y)
{
	const struct flow_rec *a = *(struct flow_rec *const *)x, *b = *(struct flow_rec *const *)y;

	if (a->tot.first_ns != b->tot.first_ns)
		return a->tot.first_ns < b->tot.first_ns ? -1 : 1;
	return memcmp(&a->key, &b->key, sizeof(a->key));
}

struct flow_rec **flow_table_sorted(const struct flow_table *t, size_t *n)
{
	struct collect c = { malloc((htab_count(t->h) + 1) * sizeof(*c.v)), 0 };

	if (!c.v)
		return NULL;
	htab_foreach(t->h, collect_one, &c);
	qsort(c.v, c.n, sizeof(*c.v), cmp_rec);
	*n = c.n;
	return c.v;
}

struct foreach_ctx {
	flow_rec_fn fn;
	void *arg;
};

static int foreach_one(void *arg, const void *key, void *val)
{
	struct foreach_ctx *f = arg;

	return f->fn(f->arg, *(struct flow_rec **)val);
}

int flow_table_foreach(struct flow_table *t, flow_rec_fn fn, void *arg)
{
	struct foreach_ctx f = { fn, arg };

	return htab_foreach(t->h, foreach_one, &f);
}

static void take_hint(struct flow_total *t, uint8_t hint, uint8_t orig, uint64_t ns)
{
	if (hint > t->hint || (hint == t->hint && hint && ns < t->hint_ns)) {
		t->hint = hint;
		t->hint_orig = orig;
		t->hint_ns = ns;
	}
}

static void merge_times(struct flow_total *t, uint64_t first, uint64_t last)
{
	if (first && (!t->first_ns || first < t->first_ns))
		t->first_ns = first;
	if (last > t->last_ns)
		t->last_ns = last;
}

void flow_total_merge(struct flow_total *t, const struct flow_ctr *c)
{
	int d;

	for (d = 0; d < 2; d++) {
		t->dir[d].pkts += c->dir[d].pkts;
		t->dir[d].bytes += c->dir[d].bytes;
		t->dir[d].l4_bytes += c->dir[d].l4_bytes;
		t->dir[d].payload_bytes += c->dir[d].payload_bytes;
		t->tcp_flags[d] |= c->tcp_flags[d];
	}
	merge_times(t, c->first_ns, c->last_ns);
	take_hint(t, c->hint, c->hint_orig, c->hint_ns);
	t->dups += c->dups;
	if (c->flags & FLOW_F_INIT) /* the newest local-prefix view wins: prefixes change live */
		t->flags = c->flags;
}

void flow_total_add(struct flow_total *t, const struct flow_total *d)
{
	int i;

	for (i = 0; i < 2; i++) {
		t->dir[i].pkts += d->dir[i].pkts;
		t->dir[i].bytes += d->dir[i].bytes;
		t->dir[i].l4_bytes += d->dir[i].l4_bytes;
		t->dir[i].payload_bytes += d->dir[i].payload_bytes;
		t->tcp_flags[i] |= d->tcp_flags[i];
	}
	merge_times(t, d->first_ns, d->last_ns);
	take_hint(t, d->hint, d->hint_orig, d->hint_ns);
	t->dups += d->dups;
	if (d->flags & FLOW_F_INIT)
		t->flags = d->flags;
}

uint64_t flow_total_pkts(const struct flow_total *t)
{
	return t->dir[0].pkts + t->dir[1].pkts;
}

int flow_total_orig(const struct flow_total *t)
{
	return t->hint ? t->hint_orig : SIDE_A;
}
