// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl/dstore.c - the daemon's batches for the store (--db): every --db-interval, one batch
 * with the flows changed since the last one (and those that expired meanwhile), the minutes
 * of throughput whose counts moved, and the neighbors the catalog changed. The store spools
 * it before the database sees it; the packet path never waits on either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/daemon.h"
#include "ctl/dstore.h"
#include "ctl/priv.h"
#include "kern/maps.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "store/jsonl.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/htab.h"
#include "util/json.h"
#include "util/log.h"

/*
 * The kernel's throughput ring keeps a minute in each CPU's slot until that slot comes round
 * again 64 minutes later; a minute older than this may be partly overwritten on some CPU.
 */
#define TPUT_TRUST_MIN 60

struct dstore {
	struct store *st;
	uint64_t flow_gen;	/* records with dirty_gen above this go into the next batch */
	uint64_t nb_since;	/* catalog generation already written */
	uint64_t next_ns;	/* monotonic time of the next batch */
	/* XDP: the ring's minutes as last written (absolute: the kernel keeps the whole minute) */
	struct tput_slot sent[FT_TPUT_SLOTS];
	/* AF_PACKET: minute -> what was sent (delta: a restarted process counts from zero) */
	struct htab *afp_sent;
	/* the next batch's lines: expired flows go in as they leave, the rest at submit */
	struct jw pend;
	char *pend_buf;
	size_t pend_len;
	bool pend_open;
	uint64_t batches;
	char sensor[330];
};

static int pend_open(struct dstore *ds)
{
	if (ds->pend_open)
		return 0;
	if (jw_render_begin(&ds->pend, &ds->pend_buf, &ds->pend_len))
		return -ENOMEM;
	ds->pend_open = true;
	return 0;
}

static void dstore_free(struct dstore *ds)
{
	store_close(ds->st); /* spools what is still queued; NULL-safe */
	if (ds->pend_open)
		free(jw_render_end(&ds->pend, &ds->pend_buf, &ds->pend_len));
	htab_free(ds->afp_sent);
	free(ds);
}

int dstore_open(struct daemon *d)
{
	const struct config *c = d->cfg;
	struct dstore *ds = calloc(1, sizeof(*ds));
	char sdir[300], spool[400];
	struct store_cfg sc = {
		.conninfo = config_conninfo(c),
		.state_dir = config_state_dir(c, sdir, sizeof(sdir)),
		.spool_dir = spool, /* one per interface: daemons on one host share the state directory */
		.spool_max_bytes = (uint64_t)c->spool_max_mb << 20,
		.retry_max_ms = c->db_retry_max_s * 1000,
		.retention_days = c->retention_days,
		.run_as = priv_target(c->user),
	};
	int err;

	if (!ds)
		return -ENOMEM;
	sc.sensor = config_sensor(c, ds->sensor, sizeof(ds->sensor));
	snprintf(spool, sizeof(spool), "%s/spool.%s", sc.state_dir, c->iface);
	err = store_open(&ds->st, &sc);
	if (!err && c->afpacket)
		err = htab_new(&ds->afp_sent, sizeof(uint64_t), sizeof(struct tput_slot), 1 << 20);
	if (!err)
		err = pend_open(ds);
	if (err) {
		dstore_free(ds);
		if (!c->db_default) {
			pr_err("store: %s: %s\n", sc.conninfo ? "--db" : sc.state_dir, strerror(-err));
			return err;
		}
		pr_warn("store: the embedded PostgreSQL did not start (%s): flows are counted and shown by `status`, "
			"but not stored; install postgresql, or pass --db URL, or --db none to silence this\n",
			strerror(-err));
		return 0;
	}
	ds->next_ns = clock_mono_ns() + (uint64_t)c->db_interval_s * NS_PER_SEC;
	d->store = ds;
	pr_info("store: sensor '%s', a batch every %u s to %s (spool %s)\n", sc.sensor, c->db_interval_s,
		sc.conninfo ? "--db" : "the embedded cluster", spool);
	return 0;
}

const char *dstore_conninfo(const struct daemon *d)
{
	return d->store ? store_conninfo(d->store->st) : NULL;
}

const char *dstore_sensor(const struct daemon *d)
{
	return d->store ? d->store->sensor : NULL;
}

void dstore_expired(struct daemon *d, struct flow_rec *r)
{
	struct dstore *ds = d->store;

	if (!ds || r->dirty_gen <= ds->flow_gen || pend_open(ds))
		return; /* written already, or nothing to write it with */
	jsonl_flow(&ds->pend, r);
}

struct flows_ctx {
	struct jw *w;
	uint64_t since;
	size_t n;
};

static int changed_flow(void *arg, struct flow_rec *r)
{
	struct flows_ctx *f = arg;

	if (r->dirty_gen <= f->since)
		return 0;
	jsonl_flow(f->w, r);
	r->dirty_gen &= ~FLOW_DIRTY_EXT;
	f->n++;
	return 0;
}

static bool cells_equal(const struct tput_slot *a, const struct tput_slot *b)
{
	return a->minute == b->minute && !memcmp(a->cell, b->cell, sizeof(a->cell));
}

/* XDP: every minute of the last hour whose counts differ from what the database was given. */
static size_t tput_xdp(struct dstore *ds, struct daemon *d, struct jw *w, uint64_t now_min)
{
	size_t cap = (size_t)FT_TPUT_SLOTS * (size_t)maps_ncpu(), n = 0, i, out = 0;
	struct tput_slot *v = calloc(cap, sizeof(*v));

	if (!v || maps_read_tput(d->ld.fd_tput, v, cap, &n)) {
		pr_warn("store: the throughput ring could not be read; its minutes go in the next batch\n");
		free(v);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct tput_slot *sent = &ds->sent[v[i].minute % FT_TPUT_SLOTS];

		if (v[i].minute + TPUT_TRUST_MIN < now_min || v[i].minute > now_min + 1 || cells_equal(&v[i], sent))
			continue;
		jsonl_tput(w, &v[i]);
		*sent = v[i];
		out++;
	}
	free(v);
	return out;
}

struct afp_ctx {
	struct dstore *ds;
	struct jw *w;
	size_t n;
};

/* AF_PACKET: what each minute gained since the last batch. */
static int tput_afp_one(void *arg, const void *key, void *val)
{
	struct afp_ctx *a = arg;
	const struct tput_slot *cur = val;
	struct tput_slot *sent, delta = { .minute = cur->minute };
	bool created, any = false;
	int i, v;

	sent = htab_upsert(a->ds->afp_sent, key, htab_hash(key, 8), &created);
	if (!sent)
		return 0; /* next time */
	if (created)
		memset(sent, 0, sizeof(*sent));
	for (i = 0; i < TDIR_MAX; i++)
		for (v = 0; v < 2; v++) {
			delta.cell[i][v].pkts = cur->cell[i][v].pkts - sent->cell[i][v].pkts;
			delta.cell[i][v].bytes = cur->cell[i][v].bytes - sent->cell[i][v].bytes;
			any |= delta.cell[i][v].pkts != 0;
		}
	if (!any)
		return 0;
	jsonl_tput(a->w, &delta);
	*sent = *cur;
	a->n++;
	return 0;
}

struct nb_ctx {
	struct jw *w;
	const struct leases *l;
};

static int changed_neighbor(void *arg, const struct catalog_entry *e)
{
	struct nb_ctx *n = arg;

	catalog_json(n->w, e, leases_name(n->l, e->mac));
	return 0;
}

static int submit(struct daemon *d, bool final)
{
	struct dstore *ds = d->store;
	struct flows_ctx f = { &ds->pend, ds->flow_gen, 0 };
	struct nb_ctx nb = { &ds->pend, d->cfg->leases };
	uint64_t gen = daemon_gen(d), now_min = clock_wall_ns() / (60 * NS_PER_SEC);
	struct store_batch *b = NULL;
	size_t n_tput = 0, len;
	unsigned int s;
	char *text;
	int err, n_nb = 0;

	err = pend_open(ds);
	if (err)
		return err;
	for (s = 0; s < d->fs.n; s++) {
		flow_table_foreach(flowset_lock(&d->fs, s), changed_flow, &f);
		flowset_unlock(&d->fs, s);
	}
	if (d->cfg->afpacket) {
		struct afp_ctx a = { ds, &ds->pend, 0 };

		if (d->afp_tput)
			htab_foreach(d->afp_tput, tput_afp_one, &a);
		n_tput = a.n;
	} else {
		n_tput = tput_xdp(ds, d, &ds->pend, now_min);
	}
	if (d->cat)
		n_nb = catalog_changed(d->cat, &ds->nb_since, changed_neighbor, &nb);
	ds->pend_open = false;
	text = jw_render_end(&ds->pend, &ds->pend_buf, &ds->pend_len);
	len = text ? ds->pend_len : 0;
	ds->pend_buf = NULL;
	if (!text)
		err = -ENOMEM;
	else if (len) /* else nothing moved */
		err = store_batch_new(&b, store_seq_next(ds->st), d->cfg->afpacket ? STORE_DELTA : STORE_ABSOLUTE);
	if (!err && b)
		err = store_batch_add_lines(b, text, len);
	if (!err && b) {
		err = store_submit(ds->st, b); /* takes b */
		b = NULL;
	}
	store_batch_free(b);
	free(text);
	pend_open(ds);
	if (err) {
		pr_warn("store: a batch was not queued: %s\n", strerror(-err));
		return err;
	}
	ds->flow_gen = gen;
	if (!len)
		return 0;
	ds->batches++;
	pr_debug("store: batch %llu: %zu changed flows, %zu throughput minutes, %d neighbors%s\n",
		 (unsigned long long)ds->batches, f.n, n_tput, n_nb < 0 ? 0 : n_nb, final ? " (final)" : "");
	return 0;
}

void dstore_tick(struct daemon *d)
{
	struct dstore *ds = d->store;

	if (!ds || clock_mono_ns() < ds->next_ns)
		return;
	ds->next_ns = clock_mono_ns() + (uint64_t)d->cfg->db_interval_s * NS_PER_SEC;
	submit(d, false);
}

int dstore_final(struct daemon *d)
{
	struct dstore *ds = d->store;
	int rc;

	if (!ds)
		return 0;
	rc = submit(d, true);
	pr_info("store: flushing (30 s at most)\n");
	rc = store_flush(ds->st, 30000);
	if (rc == 1)
		pr_warn("store: the database is not reachable: the last batches wait in the spool for the next start\n");
	else if (rc < 0)
		pr_warn("store: not everything reached the database in 30 s: the rest is in the spool\n");
	else
		pr_info("store: everything is in the database\n");
	return rc < 0 ? rc : 0;
}

void dstore_close(struct daemon *d)
{
	struct dstore *ds = d->store;

	if (!ds)
		return;
	d->store = NULL;
	dstore_free(ds);
}

void dstore_state_json(struct daemon *d, struct jw *w)
{
	struct store_stats st;

	if (!d->store)
		return;
	store_stats(d->store->st, &st);
	jw_u64(w, "store_queued", st.queued);
	jw_u64(w, "store_spooled_batches", st.spooled_batches);
	jw_u64(w, "store_spooled_bytes", st.spooled_bytes);
	jw_u64(w, "store_db_up", st.db_up ? 1 : 0);
	jw_u64(w, "store_batches_submitted", d->store->batches);
	jw_u64(w, "store_batches_written", st.batches_written);
	jw_u64(w, "store_rows_written", st.rows_written);
	jw_u64(w, "store_batches_dropped", st.batches_dropped);
	jw_u64(w, "store_lines_dropped", st.lines_dropped);
	jw_u64(w, "store_batches_rejected", st.batches_rejected);
	jw_u64(w, "store_corrupt_records", st.corrupt_records);
	jw_u64(w, "store_errors", st.errors);
	if (st.last_error[0])
		jw_str(w, "store_last_error", st.last_error);
}
