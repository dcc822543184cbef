// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/daemon.c - the running sensor: loader, workers, copy ring, drains and idle expiry put together. */
#include <errno.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl/capture.h"
#include "ctl/ctlsock.h"
#include "ctl/daemon.h"
#include "ctl/dstore.h"
#include "ctl/live.h"
#include "ctl/priv.h"
#include "ctl/web.h"
#include "flow/ext.h"
#include "kern/maps.h"
#include "kern/netif.h"
#include "l7/dnscache.h"
#include "l7/l7.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "ndp/probe.h"
#include "store/jsonl.h"
#include "util/clock.h"
#include "util/htab.h"
#include "util/json.h"
#include "util/uuid.h"
#include "util/log.h"

#define PRODUCER_COPY(d) ((d)->n_queues) /* the copy ring's producer index, after the queues' */

static void build_prefixes(struct daemon *d)
{
	const struct config *c = d->cfg;
	unsigned int i;

	d->local = c->local;
	if (c->auto_local)
		netif_local_prefixes(c->iface, c->ipv6_widen, &d->local);
	for (i = 0; i < c->n_local_names; i++)
		netif_resolve(c->local_names[i], &d->local);
	d->own.n = 0;
	if (c->skip_own > 0)
		netif_own_ipv4(&d->own);
}

static void log_prefixes(const struct daemon *d)
{
	char buf[64];
	unsigned int i;

	for (i = 0; i < d->local.n; i++)
		pr_info("local prefix %s\n", prefix_format(&d->local.p[i], buf, sizeof(buf)));
	for (i = 0; i < d->own.n; i++)
		pr_info("own address %s (skipped)\n", prefix_format(&d->own.p[i], buf, sizeof(buf)));
}

/* Userspace has what it needs from the flow's start: the kernel stops steering it at once. */
static void mark_done(void *arg, const struct flow_key *k)
{
	struct daemon *d = arg;
	struct steer_val sv = { .done = 1 };

	if (d->cfg->steer_done && !d->cfg->afpacket)
		bpf_map_update_elem(d->ld.fd_preamble, k, &sv, BPF_ANY);
	/* AF_PACKET mode: the worker's acct twin marks its own preamble table (workers.c) */
}

/* A worker's NDP frame (a copy: the host got the original): into the neighbor catalog. */
static void on_ndp(void *arg, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi, uint64_t ts)
{
	struct daemon *d = arg;

	catalog_ndp_frame(d->cat, frame, caplen, pi, ts); /* problems are counted in its stats */
}

static int on_copy(void *arg, void *data, size_t size)
{
	struct daemon *d = arg;
	const struct copy_rec *r = data;

	if (size < sizeof(r->meta) || r->meta.magic != XMETA_MAGIC || r->meta.caplen > FT_COPY_MAX)
		return 0;
	workers_submit(d->wk, PRODUCER_COPY(d), r->data, r->meta.caplen, r->meta.len, r->meta.ts_ns);
	return 0;
}

static void *copy_main(void *arg)
{
	struct daemon *d = arg;

	while (!atomic_load(&d->stopping)) {
		int n = ring_buffer__poll(d->copies, 200);

		if (n > 0)
			workers_kick(d->wk, PRODUCER_COPY(d));
		else if (n < 0 && n != -EINTR)
			pr_warn("copy ring: %s\n", strerror(-n));
	}
	return NULL;
}

/* A record the drain created (never steered): a DNS name its client resolved is its name of last resort. */
static void on_new_flow(void *arg, struct flow_rec *r)
{
	struct daemon *d = arg;
	struct flow_ext probe = { .client_side = (uint8_t)flow_total_orig(&r->tot) };
	char name[256];

	if (r->ext || !d->dns)
		return;
	pthread_mutex_lock(&d->dns_mu);
	if (!dnscache_get(d->dns, (const uint8_t *)(probe.client_side ? r->key.addr_b : r->key.addr_a),
			  (const uint8_t *)(probe.client_side ? r->key.addr_a : r->key.addr_b), r->tot.last_ns, name,
			  sizeof(name))) {
		r->ext = calloc(1, sizeof(struct flow_ext));
		if (r->ext)
			flow_ext_set_hostname(r->ext, name, HOST_DNS);
	}
	pthread_mutex_unlock(&d->dns_mu);
}

struct lines_ctx {
	FILE *out;
};

static int write_ext(void *arg, struct flow_rec *r)
{
	struct lines_ctx *l = arg;
	struct flow_ext x;

	if (!r->ext)
		return 0;
	x = *(struct flow_ext *)r->ext;
	x.tls_json = l7_tls_json(r->ext); /* a ClientHello may be in while the ServerHello is not */
	flow_ext_write_line(l->out, &r->key, &x);
	free(x.tls_json);
	return 0;
}

/* The daemon's own figures, into an open object. */
static void state_json(struct daemon *d, struct jw *w)
{
	struct workers_stats ws;

	jw_u64(w, "daemon_pid", (uint64_t)getpid());
	jw_str(w, "capture", d->cfg->afpacket ? "af_packet" : d->cfg->steer ? "xdp+af_xdp" : "xdp");
	jw_u64(w, "queues", d->n_queues);
	jw_u64(w, "workers", d->fs.n);
	jw_u64(w, "drains", d->ds.drains);
	jw_u64(w, "drain_last_us", d->ds.last_ns / 1000);
	jw_u64(w, "flows_expired", d->expired);
	jw_u64(w, "flows_evicted_early", d->evicted_early);
	jw_u64(w, "flows_open", flowset_count(&d->fs));
	jw_u64(w, "flows_lost", d->ds.flows_lost);
	if (!d->cfg->afpacket) {
		jw_u64(w, "flows_evicted_kernel", d->ds.evicted);
		jw_u64(w, "reattached", d->reattached);
	}
	if (d->wk) {
		workers_stats(d->wk, &ws);
		jw_u64(w, "worker_queue_drops", ws.dropped_full);
		pipeline_stats_json(w, &ws.pl);
	}
	capture_state_json(d->cap, w);
}

/* `state`: those figures as one JSON object (merged into status's stats line). */
static void write_state(struct daemon *d, FILE *out)
{
	struct jw w;

	jw_init(&w, out);
	jw_obj_begin(&w, NULL);
	state_json(d, &w);
	jw_obj_end(&w);
}

struct report_ctx {
	struct jw *w;
	struct tput_slot *tput;
	size_t n, cap;
};

static int report_flow(void *arg, struct flow_rec *r)
{
	struct report_ctx *c = arg;

	jsonl_flow(c->w, r);
	return 0;
}

static int report_minute(void *arg, const void *key, void *val)
{
	struct report_ctx *c = arg;

	if (c->n < c->cap)
		c->tput[c->n++] = *(struct tput_slot *)val;
	return 0;
}

static int cmp_minute(const void *a, const void *b)
{
	const struct tput_slot *x = a, *y = b;

	return x->minute < y->minute ? -1 : x->minute > y->minute;
}

/* interface, "daemon":"running" and the `state` fields, into an open object */
static void state_fields(struct daemon *d, struct jw *w)
{
	jw_str(w, "interface", d->cfg->iface);
	jw_str(w, "daemon", "running");
	state_json(d, w);
	dstore_state_json(d, w);
}

/*
 * `report`: everything `status --json` prints, for AF_PACKET mode, where no
 * pinned maps hold the counts: flows, throughput per minute, counters.
 */
static void write_report(struct daemon *d, FILE *out)
{
	struct report_ctx c = { NULL, NULL, 0, 0 };
	uint64_t stats[CTR_MAX] = {};
	struct jw w;
	size_t i;
	unsigned int s;

	jw_init(&w, out);
	c.w = &w;
	for (s = 0; s < d->fs.n; s++) {
		flow_table_foreach(flowset_lock(&d->fs, s), report_flow, &c);
		flowset_unlock(&d->fs, s);
	}
	if (d->afp_tput) {
		c.cap = htab_count(d->afp_tput);
		c.tput = calloc(c.cap + 1, sizeof(*c.tput));
		if (c.tput)
			htab_foreach(d->afp_tput, report_minute, &c);
		qsort(c.tput, c.n, sizeof(*c.tput), cmp_minute);
		for (i = 0; i < c.n; i++)
			jsonl_tput(&w, &c.tput[i]);
		free(c.tput);
	}
	if (d->wk)
		workers_acct_stats(d->wk, stats);
	jsonl_stats_begin(&w, stats);
	state_fields(d, &w);
	jw_obj_end(&w);
}

/* `stats`: the counters (the kernel's; AF_PACKET: the workers') and the state fields in one object (/metrics). */
static void write_stats(struct daemon *d, FILE *out)
{
	uint64_t stats[CTR_MAX] = {};
	struct jw w;

	if (d->cfg->afpacket) {
		if (d->wk)
			workers_acct_stats(d->wk, stats);
	} else if (maps_read_stats(d->ld.fd_stats, stats)) {
		fputs("error: the kernel's counters could not be read\n", out);
		return;
	}
	jw_init(&w, out);
	jsonl_stats_begin(&w, stats);
	state_fields(d, &w);
	jw_obj_end(&w);
}

static void ctl_answer(void *arg, const char *cmd, FILE *out)
{
	struct daemon *d = arg;
	struct lines_ctx l = { out };
	unsigned int s;

	if (!strcmp(cmd, "flows")) {
		for (s = 0; s < d->fs.n; s++) {
			flow_table_foreach(flowset_lock(&d->fs, s), write_ext, &l);
			flowset_unlock(&d->fs, s);
		}
	} else if (!strcmp(cmd, "state")) {
		write_state(d, out);
	} else if (!strcmp(cmd, "neighbors")) {
		catalog_write(d->cat, out, d->cfg->leases);
	} else if (!strcmp(cmd, "report")) {
		write_report(d, out);
	} else if (!strcmp(cmd, "stats")) {
		write_stats(d, out);
	} else if (!strcmp(cmd, "seconds") && d->live) {
		live_seconds_json(d->live, out, LIVE_SECONDS);
	} else if (!strncmp(cmd, "top", 3)) {
		live_top_json(d, out, 20);
	} else {
		fprintf(out, "error: unknown command '%s' (flows, state, stats, report, seconds, top)\n", cmd);
	}
}

static int start_workers(struct daemon *d)
{
	struct workers_cfg wc = {
		.n_workers = d->fs.n,
		.n_producers = d->n_queues + 1,
		.fs = &d->fs,
		.dlt = DLT_EN10MB,
		.pl = { .dns = d->dns, .dns_lock = &d->dns_mu, .mark_done = mark_done, .ndp = on_ndp, .arg = d },
		.account = d->cfg->afpacket,
		.acct = {
			.dedup = d->cfg->dedup,
			.skip_own = d->cfg->skip_own > 0,
			.local = &d->local,
			.own = &d->own,
			.max_flows = d->cfg->kernel_flows,
		},
	};
	int err = workers_start(&d->wk, &wc);

	if (err)
		pr_err("starting workers: %s\n", strerror(-err));
	return err;
}

/* The copy ring is opened before privileges go; its thread starts after. */
static int open_copies(struct daemon *d)
{
	d->copies = ring_buffer__new(d->ld.fd_copy_ring, on_copy, d, NULL);
	return d->copies ? 0 : -errno;
}

static unsigned int n_workers(const struct config *c, unsigned int queues)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = c->workers ? c->workers : (unsigned int)(cpus > 0 ? cpus : 1);

	if (!c->workers && n > queues)
		n = queues; /* more workers than queues would idle */
	return n < 1 ? 1 : n > FLOWSET_MAX ? FLOWSET_MAX : n;
}

/* AF_PACKET mode: a worker's counters into its shard's records (the twin of a kernel drain). */
static void merge_afp(void *arg, const struct flow_key *k, const struct flow_ctr *c)
{
	struct daemon *d = arg;
	unsigned int s = flowset_shard_of(&d->fs, k);
	struct flow_table *ft;
	struct flow_rec *r;
	bool created;

	if (!c->dir[0].pkts && !c->dir[1].pkts && !c->dups)
		return;
	ft = d->fs.shard[s].ft; /* locked by workers_acct_drain */
	r = flow_table_upsert(ft, k, &created);
	if (!r) {
		d->ds.flows_lost++;
		return;
	}
	flow_total_merge(&r->tot, c);
	r->dirty_gen = ++d->afp_gen;
	if (created) {
		uuid_v7(r->tot.uuid, r->tot.first_ns);
		on_new_flow(d, r);
	}
}

static void keep_minute(void *arg, const struct tput_slot *s)
{
	struct daemon *d = arg;
	bool created;
	struct tput_slot *t = htab_upsert(d->afp_tput, &s->minute, htab_hash(&s->minute, 8), &created);
	int i, v;

	if (!t)
		return;
	t->minute = s->minute;
	for (i = 0; i < TDIR_MAX; i++)
		for (v = 0; v < 2; v++) {
			t->cell[i][v].pkts += s->cell[i][v].pkts;
			t->cell[i][v].bytes += s->cell[i][v].bytes;
		}
}

static void afp_drain(struct daemon *d)
{
	workers_acct_drain(d->wk, merge_afp, d);
	workers_acct_tput(d->wk, keep_minute, d);
	d->ds.drains++;
}

static int open_afpacket(struct daemon *d)
{
	int err;

	pr_info("%s: AF_PACKET capture: every frame is counted in userspace, nothing is pinned\n", d->cfg->iface);
	/* packet sockets see frames after GRO: merged frames would be counted as one */
	err = netif_offloads_off(d->cfg->iface);
	d->afp_offloads = err > 0 ? err : 0;
	err = htab_new(&d->afp_tput, sizeof(uint64_t), sizeof(struct tput_slot), 1 << 20);
	if (!err)
		err = capture_open(&d->cap, d->cfg, 0, -1);
	return err;
}

/* The catalog resumes from the file the last run saved; configured devices are static entries. */
static int start_catalog(struct daemon *d)
{
	const struct config *c = d->cfg;
	int n, err;

	err = catalog_new(&d->cat, (uint64_t)c->neighbor_age_s * NS_PER_SEC, 65536);
	if (err)
		return err;
	snprintf(d->cat_path, sizeof(d->cat_path), CATALOG_PATH_FMT, c->iface);
	n = catalog_load(d->cat, d->cat_path);
	if (n > 0)
		pr_info("%s: %d neighbors from the last run\n", d->cat_path, n);
	else if (n < 0 && n != -ENOENT)
		pr_warn("%s: %s (starting with an empty catalog)\n", d->cat_path, strerror(-n));
	catalog_expire(d->cat, clock_wall_ns());
	n = catalog_add_leases(d->cat, c->leases, clock_wall_ns());
	return n < 0 ? n : 0;
}

/*
 * With root (SO_BINDTODEVICE), after the program is attached (the advertisements that answer must
 * be copied); its thread starts with the others. It reads the kernel's neighbor table and, unless
 * the port has no host traffic, probes.
 */
static void open_probe(struct daemon *d)
{
	const struct config *c = d->cfg;
	struct probe_cfg pc = {
		.ifname = c->iface,
		.cat = d->cat,
		.send = c->probe && !c->verdict_drop,
		.netlink = true,
		.interval_ns = (uint64_t)c->probe_interval_s * NS_PER_SEC,
		.rate = c->probe_rate,
		.burst = c->probe_rate * 2,
	};
	int err = probe_new(&d->probe, &pc);

	if (err)
		pr_warn("%s: no neighbor probing or kernel neighbor table: %s\n", c->iface, strerror(-err));
	else
		pr_info("%s: neighbor probing %s\n", c->iface,
			pc.send ? "on" : c->verdict_drop ? "off (--verdict drop)" : "off (--no-probe)");
}

/* Everything that needs root: the program, its maps and link, sockets, rings, the control socket. */
static int open_all(struct daemon *d)
{
	char path[128];
	int n, err;

	if (d->cfg->afpacket) {
		err = open_afpacket(d);
		if (err)
			return err;
		goto ctl;
	}
	err = loader_open(&d->ld, d->cfg);
	if (err)
		return err;
	loader_set_wall_offset(&d->ld, clock_boot_to_wall_ns());
	err = loader_set_prefixes(&d->ld, &d->local, &d->own);
	if (err)
		pr_warn("setting local prefixes: %s\n", strerror(-err));
	n = drain_load_totals(&d->ld, &d->fs);
	if (n < 0)
		return n;
	if (!d->ld.fresh)
		pr_info("resuming from pinned state: %d flows, drain generation %llu\n", n,
			(unsigned long long)d->ld.ctl.gen);
	if (d->cfg->steer)
		err = open_copies(d);
	if (!err && d->cfg->steer) /* sockets before the program: steered frames find them */
		err = capture_open(&d->cap, d->cfg, d->ld.ifindex, d->ld.fd_xsk);
	if (!err)
		err = loader_attach(&d->ld, d->cfg);
	/*
	 * Then finish a drain a crash cut short. Not before: a daemon killed between writing ctl
	 * and flipping its program's buffer left that program writing the buffer to be emptied,
	 * and it runs until the attach replaces it (the flip's sync then waits it out).
	 */
	if (!err)
		err = drain_once(&d->ld, &d->fs, &d->ds, on_new_flow, d);
	if (err)
		return err;
ctl:
	open_probe(d);
	ctlsock_path(d->cfg->iface, path, sizeof(path));
	if (ctlsock_open(&d->ctl, path, ctl_answer, d))
		pr_warn("%s: no control socket: status shows counts but not what the daemon learned\n", path);
	if (d->cfg->db) { /* the embedded cluster starts as its own user, which takes root */
		err = dstore_open(d);
		if (err)
			return err;
	}
	if (d->cfg->web) { /* bound now, while a port below 1024 is still ours; served after the drop */
		struct web_cfg wc = { .listen = d->cfg->web, .assets = web_assets, .answer = ctl_answer, .arg = d,
				      .db = dstore_conninfo(d), .sensor = dstore_sensor(d) };

		err = web_open(&d->web, &wc);
		if (err)
			return err;
	}
	return 0;
}

/* Threads start after privileges are dropped: capabilities belong to each thread. */
static int start_threads(struct daemon *d)
{
	int err = start_workers(d);

	if (!err && d->copies)
		err = -pthread_create(&d->copy_thread, NULL, copy_main, d);
	if (!err)
		d->copy_started = d->copies != NULL;
	if (!err && d->cap)
		err = capture_run(d->cap, d->wk);
	if (!err && d->ctl)
		err = ctlsock_run(d->ctl);
	if (!err && d->web)
		err = web_run(d->web);
	if (!err && d->probe && probe_start(d->probe))
		pr_warn("%s: the prober's thread did not start: no probes, no kernel neighbors\n", d->cfg->iface);
	if (!err && live_start(&d->live, d))
		pr_warn("no per-second figures for the web page\n");
	return err;
}

int daemon_start(struct daemon *d)
{
	int err;

	d->to.closed_s = d->cfg->to_closed;
	d->to.unsolicited_s = d->cfg->to_unsolicited;
	d->to.udp_s = d->cfg->to_udp;
	d->to.tcp_s = d->cfg->to_tcp;
	pthread_mutex_init(&d->dns_mu, NULL);
	build_prefixes(d);
	log_prefixes(d);
	d->n_queues = capture_queue_count(d->cfg);
	err = flowset_init(&d->fs, n_workers(d->cfg, d->n_queues), d->cfg->max_flows);
	if (!err)
		err = dnscache_new(&d->dns, 65536);
	if (!err)
		err = start_catalog(d);
	if (!err)
		err = open_all(d);
	if (!err)
		priv_hand_over(d->cfg->user, d->cat_path); /* the catalog file stays writable after the drop */
	if (!err)
		err = priv_drop(d->cfg->user);
	if (!err)
		err = start_threads(d);
	d->next_resolve_ns = clock_mono_ns() + (uint64_t)d->cfg->resolve_s * NS_PER_SEC;
	return err;
}

struct expire_ctx {
	struct daemon *d;
	uint64_t now;
	uint32_t scale;
	struct flow_rec **victims;
	size_t n, cap, early;
};

static int find_idle(void *arg, struct flow_rec *r)
{
	struct expire_ctx *e = arg;

	if (e->n < e->cap && flow_is_idle(r, e->now, &e->d->to, e->scale)) {
		e->victims[e->n++] = r;
		if (e->scale < 1024 && !flow_is_idle(r, e->now, &e->d->to, 1024))
			e->early++;
	}
	return e->n == e->cap; /* the rest next time */
}

/*
 * Idle flows leave the table and the pinned totals (their last counts were
 * drained already); near the table's limit, earlier (emergency timeouts).
 */
static void expire(struct daemon *d)
{
	uint32_t scale = flow_timeout_scale(flowset_count(&d->fs), d->cfg->max_flows, 80);
	struct flow_rec **v = malloc(65536 * sizeof(*v));
	unsigned int s;
	size_t i;

	if (!v)
		return;
	if (scale < 1024 && !d->emergency)
		pr_warn("flow table %zu%% full: idle timeouts cut to %u%%\n",
			flowset_count(&d->fs) * 100 / d->cfg->max_flows, scale * 100 / 1024);
	d->emergency = scale < 1024;
	for (s = 0; s < d->fs.n; s++) {
		struct expire_ctx e = { d, clock_wall_ns(), scale, v, 0, 65536, 0 };
		struct flow_table *ft = flowset_lock(&d->fs, s);

		flow_table_foreach(ft, find_idle, &e);
		d->evicted_early += e.early;
		for (i = 0; i < e.n; i++) {
			if (!d->cfg->afpacket) {
				bpf_map_delete_elem(d->ld.fd_flows, &v[i]->key);
				bpf_map_delete_elem(d->ld.fd_preamble, &v[i]->key);
			}
			dstore_expired(d, v[i]);
			flow_ext_free(v[i]->ext);
			flow_table_remove(ft, v[i]);
		}
		d->expired += e.n;
		flowset_unlock(&d->fs, s);
	}
	free(v);
}

struct tag_ctx {
	struct daemon *d;
	uint64_t since, now;
};

/* A flow's local sides take their MACs (and device name); an IPv6 one without is probed. */
static int tag_flow(void *arg, struct flow_rec *r)
{
	struct tag_ctx *t = arg;
	struct flow_ext *x = r->ext;
	const char *dev;
	uint8_t mac[6];
	int side;

	if (r->dirty_gen <= t->since)
		return 0;
	for (side = SIDE_A; side <= SIDE_B; side++) {
		if (!(r->tot.flags & (side == SIDE_A ? FLOW_F_LOCAL_A : FLOW_F_LOCAL_B)) ||
		    (x && (x->has_mac & (1 << side))))
			continue;
		if (catalog_flow_side(t->d->cat, t->d->cfg->leases, &r->key, side, t->now, mac, &dev) > 0) {
			if (!x && !(x = r->ext = calloc(1, sizeof(*x))))
				return 0;
			memcpy(x->mac[side], mac, 6);
			x->has_mac |= (uint8_t)(1 << side);
			if (dev && !x->device[0])
				snprintf(x->device, sizeof(x->device), "%s", dev);
		} else if (r->key.ip_version == 6) {
			probe_request(t->d->probe, (const uint8_t *)(side == SIDE_A ? r->key.addr_a : r->key.addr_b),
				      t->now);
		}
	}
	return 0;
}

static void tag_flows(struct daemon *d)
{
	struct tag_ctx t = { d, d->tagged_gen, clock_wall_ns() };
	unsigned int s;

	if (clock_mono_ns() >= d->next_full_tag_ns) {
		t.since = 0; /* probe answers and late advertisements reach quiet flows too */
		d->next_full_tag_ns = clock_mono_ns() + 30 * NS_PER_SEC;
	}
	for (s = 0; s < d->fs.n; s++) {
		flow_table_foreach(flowset_lock(&d->fs, s), tag_flow, &t);
		flowset_unlock(&d->fs, s);
	}
	d->tagged_gen = daemon_gen(d);
}

/* The interface taken away and created again: the program goes back on it (sockets: capture_check). */
static void check_link(struct daemon *d)
{
	int rc = loader_link_check(&d->ld, d->cfg);

	if (rc == -ENODEV) {
		if (!d->iface_gone)
			pr_warn("%s: the interface is gone; counting resumes when it is back\n", d->cfg->iface);
		d->iface_gone = true;
		return;
	}
	d->iface_gone = false;
	if (rc != 1)
		return;
	priv_raise(true); /* a link takes CAP_NET_ADMIN and CAP_BPF */
	if (!loader_reattach(&d->ld, d->cfg))
		d->reattached++;
	priv_raise(false);
}

void daemon_tick(struct daemon *d)
{
	int err;

	if (d->cfg->afpacket) {
		afp_drain(d);
	} else {
		check_link(d);
		loader_set_wall_offset(&d->ld, clock_boot_to_wall_ns());
		err = drain_once(&d->ld, &d->fs, &d->ds, on_new_flow, d);
		if (err)
			pr_warn("drain: %s (retried next time; counts stay in the kernel)\n", strerror(-err));
	}
	tag_flows(d);
	expire(d);
	catalog_expire(d->cat, clock_wall_ns());
	err = catalog_save(d->cat, d->cat_path, d->cfg->leases, false);
	if (err < 0)
		pr_debug("%s: %s\n", d->cat_path, strerror(-err));
	capture_check(d->cap);
	if (d->cfg->n_local_names && clock_mono_ns() >= d->next_resolve_ns) {
		build_prefixes(d);
		if (!d->cfg->afpacket)
			loader_set_prefixes(&d->ld, &d->local, &d->own);
		d->next_resolve_ns = clock_mono_ns() + (uint64_t)d->cfg->resolve_s * NS_PER_SEC;
	}
	dstore_tick(d);
}

/* What a reload cannot change without detaching: warn and keep the running value. */
static void keep_fixed(const struct config *old, struct config *nc)
{
#define FIXED(field, name)                                                                     \
	do {                                                                                   \
		if (memcmp(&old->field, &nc->field, sizeof(old->field)))                       \
			pr_warn("reload: %s changed; it takes a restart (kept as it was)\n", name); \
		nc->field = old->field;                                                        \
	} while (0)
	FIXED(verdict_drop, "verdict");
	FIXED(mode, "mode");
	FIXED(afpacket, "capture");
	FIXED(kernel_flows, "kernel-flows");
	FIXED(max_flows, "max-flows");
	FIXED(queues, "queues");
	FIXED(workers, "workers");
	FIXED(umem_mb, "umem-mb");
	FIXED(steer, "steer");
	FIXED(dedup, "dedup");
	FIXED(skip_own, "skip-own");
#define FIXED_STR(field, name)                                                                 \
	do {                                                                                   \
		if (strcmp(old->field ? old->field : "", nc->field ? nc->field : ""))         \
			pr_warn("reload: %s changed; it takes a restart (kept as it was)\n", name); \
		nc->field = old->field;                                                        \
	} while (0)
	FIXED_STR(user, "user");
	FIXED_STR(web, "web");
	FIXED_STR(db, "db");
	FIXED_STR(state_dir, "state-dir");
	FIXED_STR(sensor, "sensor");
#undef FIXED_STR
	FIXED(spool_max_mb, "spool-max-mb");
	FIXED(retention_days, "retention-days");
	FIXED(db_retry_max_s, "db-retry-max");
#undef FIXED
	nc->iface = old->iface; /* -i is on the command line: the same by construction */
	nc->pin_root = old->pin_root;
}

int daemon_reload(struct daemon *d)
{
	struct config *nc = calloc(1, sizeof(*nc));
	char buf[64];
	unsigned int i;

	if (!nc)
		return -ENOMEM;
	config_defaults(nc);
	if (config_parse(nc, d->cfg->argc, d->cfg->argv)) {
		pr_warn("reload: the configuration has errors (above); keeping the running one\n");
		config_free(nc);
		free(nc);
		return -EINVAL;
	}
	keep_fixed(d->cfg, nc);
	log_set_level(nc->log_level);
	d->to.closed_s = nc->to_closed;
	d->to.unsolicited_s = nc->to_unsolicited;
	d->to.udp_s = nc->to_udp;
	d->to.tcp_s = nc->to_tcp;
	/* the old settings stay allocated: a thread may still be reading them */
	d->old_cfgs[d->n_old_cfgs++ % DAEMON_OLD_CFGS] = (struct config *)d->cfg;
	d->cfg = nc;
	build_prefixes(d);
	if (!d->cfg->afpacket)
		loader_set_prefixes(&d->ld, &d->local, &d->own);
	for (i = 0; i < d->local.n; i++)
		pr_info("reload: local prefix %s\n", prefix_format(&d->local.p[i], buf, sizeof(buf)));
	pr_info("reload: timeouts closed %us, unsolicited %us, udp %us, tcp %us; log level %d\n",
		d->to.closed_s, d->to.unsolicited_s, d->to.udp_s, d->to.tcp_s, nc->log_level);
	return 0;
}

int daemon_final(struct daemon *d)
{
	struct workers_stats ws;

	capture_stop(d->cap);
	d->cap = NULL;
	if (!atomic_exchange(&d->stopping, 1) && d->copy_started)
		pthread_join(d->copy_thread, NULL);
	if (d->cfg->afpacket)
		afp_drain(d);
	else if (drain_once(&d->ld, &d->fs, &d->ds, on_new_flow, d))
		return -EIO;
	if (d->cat) {
		tag_flows(d);
		if (catalog_save(d->cat, d->cat_path, d->cfg->leases, true) < 0)
			pr_warn("%s: the neighbor catalog was not saved\n", d->cat_path);
	}
	dstore_final(d); /* the database, or the spool when it is down: nothing is left behind */
	if (d->wk) {
		workers_stats(d->wk, &ws);
		pr_info("%llu frames read, %llu flows named by TLS, %llu by HTTP, %llu by QUIC\n",
			(unsigned long long)ws.pl.frames, (unsigned long long)ws.pl.l7.tls_client_hellos,
			(unsigned long long)ws.pl.l7.http_requests, (unsigned long long)ws.pl.l7.quic_client_hellos);
	}
	pr_info("%llu drains, %llu flow updates, %llu flows expired, %zu flows open\n",
		(unsigned long long)d->ds.drains, (unsigned long long)d->ds.flows_merged,
		(unsigned long long)d->expired, flowset_count(&d->fs));
	return 0;
}

void daemon_stop(struct daemon *d)
{
	web_stop(d->web); /* first: its answers read the live figures, the flow table and the catalog */
	d->web = NULL;
	ctlsock_stop(d->ctl);
	d->ctl = NULL;
	probe_free(d->probe);
	d->probe = NULL;
	live_stop(d->live);
	d->live = NULL;
	capture_stop(d->cap);
	d->cap = NULL;
	if (!atomic_exchange(&d->stopping, 1) && d->copy_started)
		pthread_join(d->copy_thread, NULL);
	ring_buffer__free(d->copies);
	d->copies = NULL;
	workers_stop(d->wk);
	d->wk = NULL;
	dstore_close(d);
	catalog_free(d->cat); /* after the workers and the prober, which learn into it */
	d->cat = NULL;
	if (d->fs.n)
		flowset_fini(&d->fs);
	dnscache_free(d->dns);
	d->dns = NULL;
	htab_free(d->afp_tput);
	d->afp_tput = NULL;
	if (d->afp_offloads)
		netif_offloads_restore(d->cfg->iface, d->afp_offloads);
	d->afp_offloads = 0;
	if (!d->cfg->afpacket)
		loader_close(&d->ld);
}
