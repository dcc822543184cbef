// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_read.c - `flowtower read FILE`: the kernel's accounting over a capture file. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapfile.h"
#include "ctl/cmds.h"
#include "ctl/report.h"
#include "decode/decode.h"
#include "flow/acct.h"
#include "flow/expire.h"
#include "flow/ext.h"
#include "flow/pipeline.h"
#include "flow/table.h"
#include "l7/dnscache.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "store/jsonl.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/uuid.h"

struct read_ctx {
	struct acct *acct;
	struct flow_table *flows;
	struct pipeline *pl;
	struct dnscache *dns;
	struct catalog *cat;	   /* neighbors from the capture's NDP frames, aged in capture time */
	const struct leases *leases;
	uint64_t lost; /* flows that did not fit the table */
	uint64_t steered;
	bool steer_done;
	/* JSON output streams flows as they go idle (by packet time), so memory stays bounded */
	struct jw *out;
	struct flow_timeouts to;
	uint32_t max_flows;
	uint64_t now, next_drain, expired;
};

static void merge_flow(void *arg, const struct flow_key *k, const struct flow_ctr *c);

/* As the daemon's tag_flows(), at the flow's last packet: its local sides' MACs and device name. */
static int tag_flow(void *arg, struct flow_rec *rec)
{
	struct read_ctx *r = arg;
	struct flow_ext *x = rec->ext;
	const char *dev;
	uint8_t mac[6];
	int side;

	for (side = SIDE_A; side <= SIDE_B; side++) {
		if (!(rec->tot.flags & (side == SIDE_A ? FLOW_F_LOCAL_A : FLOW_F_LOCAL_B)) ||
		    (x && (x->has_mac & (1 << side))) ||
		    catalog_flow_side(r->cat, r->leases, &rec->key, side, rec->tot.last_ns, mac, &dev) <= 0)
			continue;
		if (!x && !(x = rec->ext = calloc(1, sizeof(*x))))
			return 0;
		memcpy(x->mac[side], mac, 6);
		x->has_mac |= (uint8_t)(1 << side);
		if (dev && !x->device[0])
			snprintf(x->device, sizeof(x->device), "%s", dev);
	}
	return 0;
}

struct idle_ctx {
	struct read_ctx *r;
	uint32_t scale;
};

static bool idle_out(void *arg, const void *key, void *val)
{
	struct idle_ctx *i = arg;
	struct flow_rec *rec = *(struct flow_rec **)val;

	if (!flow_is_idle(rec, i->r->now, &i->r->to, i->scale))
		return false;
	tag_flow(i->r, rec);
	jsonl_flow(i->r->out, rec);
	flow_ext_free(rec->ext);
	free(rec);
	i->r->expired++;
	return true;
}

/* Every second of packet time, as the daemon's drain: counters into records, idle flows out. */
static void drain(struct read_ctx *r)
{
	struct idle_ctx i = { r, flow_timeout_scale(flow_table_count(r->flows), r->max_flows, 80) };

	acct_drain(r->acct, merge_flow, r);
	if (r->out)
		flow_table_delete_if(r->flows, idle_out, &i);
	r->next_drain = r->now + NS_PER_SEC;
}

/* The kernel's part (count, then decide what userspace sees), then userspace's part, as live. */
static int on_frame(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts)
{
	struct read_ctx *r = arg;
	struct pkt_info pi;
	struct flow_key k;
	int side, fate, counted;

	if (!r->now)
		catalog_add_leases(r->cat, r->leases, ts); /* configured devices: known from the start */
	fate = decode_frame(dlt, data, caplen, wirelen, &pi);
	counted = acct_frame(r->acct, fate, &pi, data, caplen, wirelen, ts, &k, &side);
	if (acct_steer(r->acct, !fate, counted, &pi, &k, side, data, caplen)) {
		r->steered++;
		pipeline_frame(r->pl, r->flows, dlt, data, caplen, wirelen, ts);
	}
	if (ts > r->now)
		r->now = ts;
	if (r->now >= r->next_drain)
		drain(r);
	return 0;
}

static void on_ndp(void *arg, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi, uint64_t ts)
{
	struct read_ctx *r = arg;

	catalog_ndp_frame(r->cat, frame, caplen, pi, ts);
}

static void mark_done(void *arg, const struct flow_key *k)
{
	struct read_ctx *r = arg;

	if (r->steer_done)
		acct_mark_done(r->acct, k);
}

/* The userspace half of a drain: counters into flow records, as the daemon does. */
static void merge_flow(void *arg, const struct flow_key *k, const struct flow_ctr *c)
{
	struct read_ctx *r = arg;
	struct flow_rec *rec;
	bool created;

	if (!c->dir[0].pkts && !c->dir[1].pkts && !c->dups)
		return; /* an own-address flow: nothing counted in it */
	rec = flow_table_upsert(r->flows, k, &created);
	if (!rec) {
		r->lost++;
		return;
	}
	flow_total_merge(&rec->tot, c);
	if (created) {
		uuid_v7(rec->tot.uuid, rec->tot.first_ns);
		pipeline_new_flow(r->pl, rec, rec->tot.last_ns);
	}
}

struct tput_vec {
	struct tput_slot *v;
	size_t n, cap;
};

static void keep_minute(void *arg, const struct tput_slot *s)
{
	struct tput_vec *t = arg;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tput_slot *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *s;
}

static void report(const struct config *c, struct read_ctx *r, FILE *jout)
{
	struct tput_vec t = {};
	struct report_in in = { .flows = r->flows, .stats = acct_stats(r->acct) };

	char *extra = NULL;
	size_t elen = 0;
	struct jw w;

	acct_tput_drain(r->acct, keep_minute, &t);
	in.tput = t.v;
	in.n_tput = t.n;
	if (!jw_render_begin(&w, &extra, &elen)) {
		jw_obj_begin(&w, NULL);
		pipeline_stats_json(&w, pipeline_stats(r->pl));
		jw_obj_end(&w);
		in.extra_json = jw_render_end(&w, &extra, &elen);
	}
	if (jout)
		report_json(jout, &in);
	if (!c->json)
		report_text(stdout, &in);
	free(t.v);
	free(extra);
}

/*
 * read --db: the JSON lines as one batch, throughput added to the minutes already there (a
 * capture may overlap another's minutes), flows upserted by uuid. 0, or 1 with the reason logged.
 */
static int to_db(const struct config *c, const char *lines, size_t len)
{
	char sdir[300], sensor[330];
	struct store_cfg sc = {
		.conninfo = config_conninfo(c),
		.sensor = config_sensor(c, sensor, sizeof(sensor)),
		.state_dir = config_state_dir(c, sdir, sizeof(sdir)),
		.spool_max_bytes = (uint64_t)c->spool_max_mb << 20,
	};
	struct store_batch *b = NULL;
	struct store_stats st;
	struct store *s = NULL;
	int err, rc;

	err = store_open(&s, &sc);
	if (!err)
		err = store_batch_new(&b, store_seq_next(s), STORE_DELTA);
	if (!err)
		err = store_batch_add_lines(b, lines, len);
	if (!err) {
		err = store_submit(s, b);
		b = NULL;
	}
	if (err) {
		pr_err("read --db: %s\n", strerror(-err));
		store_batch_free(b);
		store_close(s);
		return 1;
	}
	rc = store_flush(s, 600000);
	store_stats(s, &st);
	if (rc == 0)
		pr_info("read --db: %" PRIu64 " rows written for sensor '%s'\n", st.rows_written, sc.sensor);
	else
		pr_err("read --db: the database %s (%s): the batch waits in %s/spool for the next run\n",
		       rc == 1 ? "is not reachable" : "did not take it within 10 minutes",
		       st.last_error[0] ? st.last_error : "no message", sc.state_dir);
	store_close(s);
	return rc ? 1 : 0;
}

int cmd_read(const struct config *c)
{
	struct acct_cfg ac = {
		.dedup = c->dedup,
		.local = &c->local,
		.max_flows = c->max_flows,
	};
	struct read_ctx r = { .steer_done = c->steer_done, .max_flows = c->max_flows, .leases = c->leases };
	struct jw out;
	int err, rc = 0;
	char *dbuf = NULL;
	size_t dlen = 0;
	FILE *jout = c->json ? stdout : NULL;

	struct pipeline_cfg pc = { .mark_done = mark_done, .ndp = on_ndp, .arg = &r, .dump_dir = c->dump_dir };

	err = acct_new(&r.acct, &ac);
	if (!err)
		err = flow_table_new(&r.flows, c->max_flows);
	if (!err)
		err = dnscache_new(&r.dns, 65536);
	if (!err)
		err = catalog_new(&r.cat, (uint64_t)c->neighbor_age_s * NS_PER_SEC, 1 << 20);
	pc.dns = r.dns;
	if (!err)
		err = pipeline_new(&r.pl, &pc);
	if (err) {
		pr_err("read: %s\n", strerror(-err));
		rc = 1;
		goto out;
	}
	flow_timeouts_default(&r.to);
	if (c->db && !(jout = open_memstream(&dbuf, &dlen))) {
		rc = 1;
		goto out;
	}
	if (jout) {
		jw_init(&out, jout);
		r.out = &out;
	}
	err = pcapfile_read(c->file, on_frame, &r);
	if (err && !acct_stats(r.acct)[CTR_RX_FRAMES]) {
		rc = 1; /* nothing read: the error said why */
		goto out;
	}
	if (err) {
		pr_warn("%s: reporting the %" PRIu64 " frames read before the error\n", c->file,
			acct_stats(r.acct)[CTR_RX_FRAMES]);
		rc = 1;
	}
	acct_drain(r.acct, merge_flow, &r);
	pipeline_dump_pending(r.pl, r.flows);
	flow_table_foreach(r.flows, tag_flow, &r);
	catalog_expire(r.cat, r.now);
	if (jout) {
		jw_flush(&out);
		catalog_write(r.cat, jout, c->leases);
	}
	if (r.lost)
		pr_warn("%" PRIu64 " flows did not fit --max-flows %u\n", r.lost, c->max_flows);
	report(c, &r, jout);
	if (c->db) {
		fclose(jout);
		jout = NULL;
		if (c->json)
			fwrite(dbuf, 1, dlen, stdout);
		if (to_db(c, dbuf, dlen))
			rc = 1;
	}
out:
	if (c->db && jout)
		fclose(jout);
	free(dbuf);
	flow_ext_free_all(r.flows);
	flow_table_free(r.flows);
	pipeline_free(r.pl);
	dnscache_free(r.dns);
	catalog_free(r.cat);
	acct_free(r.acct);
	return rc;
}
