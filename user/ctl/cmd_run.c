// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_run.c - `flowtower run`: attach, drain the kernel's counters, expire idle flows, until told to stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ctl/cmds.h"
#include "flow/expire.h"
#include "kern/drain.h"
#include "kern/loader.h"
#include "kern/netif.h"
#include "util/clock.h"
#include "util/log.h"

static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

/* One daemon per interface: a second one would drain the same buffers. */
static int take_lock(const char *iface)
{
	char path[128];
	int fd;

	mkdir("/run/flowtower", 0755);
	snprintf(path, sizeof(path), "/run/flowtower/%s.lock", iface);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pr_err("another `flowtower run` is active on %s (%s is locked)\n", iface, path);
		close(fd);
		return -EBUSY;
	}
	return fd;
}

struct daemon {
	const struct config *cfg;
	struct loader ld;
	struct flow_table *flows;
	struct drain_stats ds;
	struct flow_timeouts to;
	struct prefix_set local, own;
	uint64_t next_resolve_ns;
	uint64_t expired;
};

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

static int expire_one(void *arg, struct flow_rec *r)
{
	struct daemon *d = arg;

	(void)r;
	(void)d;
	return 0;
}

struct expire_ctx {
	struct daemon *d;
	uint64_t now;
	struct flow_rec **victims;
	size_t n, cap;
};

static int find_idle(void *arg, struct flow_rec *r)
{
	struct expire_ctx *e = arg;

	if (e->n < e->cap && flow_is_idle(r, e->now, &e->d->to))
		e->victims[e->n++] = r;
	return 0;
}

/* Idle flows leave the table and the pinned totals (their last state was already drained). */
static void expire(struct daemon *d)
{
	struct flow_rec *v[4096];
	struct expire_ctx e = { d, clock_wall_ns(), v, 0, 4096 };
	size_t i;

	flow_table_foreach(d->flows, find_idle, &e);
	for (i = 0; i < e.n; i++) {
		expire_one(d, v[i]);
		bpf_map_delete_elem(d->ld.fd_flows, &v[i]->key);
		flow_table_remove(d->flows, v[i]);
	}
	d->expired += e.n;
}

static void tick(struct daemon *d)
{
	int err;

	loader_set_wall_offset(&d->ld, clock_boot_to_wall_ns());
	err = drain_once(&d->ld, d->flows, &d->ds);
	if (err)
		pr_warn("drain: %s (retried next time; counts stay in the kernel)\n", strerror(-err));
	expire(d);
	if (d->cfg->n_local_names && clock_mono_ns() >= d->next_resolve_ns) {
		build_prefixes(d);
		loader_set_prefixes(&d->ld, &d->local, &d->own);
		d->next_resolve_ns = clock_mono_ns() + (uint64_t)d->cfg->resolve_s * NS_PER_SEC;
	}
}

static void wait_tick(const struct daemon *d)
{
	uint64_t until = clock_mono_ns() + (uint64_t)d->cfg->drain_ms * 1000000ULL;

	while (!stop_sig) {
		uint64_t now = clock_mono_ns();
		struct timespec ts;

		if (now >= until)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((until - now) > 100000000ULL ? 100000000ULL : until - now);
		nanosleep(&ts, NULL);
	}
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int start(struct daemon *d)
{
	int n, err;

	build_prefixes(d);
	log_prefixes(d);
	err = loader_open(&d->ld, d->cfg);
	if (err)
		return err;
	loader_set_wall_offset(&d->ld, clock_boot_to_wall_ns());
	err = loader_set_prefixes(&d->ld, &d->local, &d->own);
	if (err)
		pr_warn("setting local prefixes: %s\n", strerror(-err));
	err = flow_table_new(&d->flows, d->cfg->max_flows);
	if (err)
		return err;
	n = drain_load_totals(&d->ld, d->flows);
	if (n < 0)
		return n;
	if (!d->ld.fresh)
		pr_info("resuming from pinned state: %d flows, drain generation %llu\n", n,
			(unsigned long long)d->ld.ctl.gen);
	err = drain_once(&d->ld, d->flows, &d->ds); /* finishes a drain a crash cut short */
	if (err)
		return err;
	return loader_attach(&d->ld, d->cfg);
}

int cmd_run(const struct config *c)
{
	struct daemon d = { .cfg = c };
	int lock, err, rc = 0;

	flow_timeouts_default(&d.to);
	lock = take_lock(c->iface);
	if (lock < 0)
		return 1;
	install_signals();
	err = start(&d);
	if (err) {
		rc = 1;
		goto out;
	}
	pr_info("%s: counting (verdict %s, drain every %u ms)\n", c->iface, c->verdict_drop ? "drop" : "pass",
		c->drain_ms);
	d.next_resolve_ns = clock_mono_ns() + (uint64_t)c->resolve_s * NS_PER_SEC;
	while (!stop_sig) {
		wait_tick(&d);
		tick(&d);
	}
	pr_info("signal %d: final drain; the program stays attached and keeps counting "
		"(`flowtower detach -i %s` removes it)\n", (int)stop_sig, c->iface);
	if (drain_once(&d.ld, d.flows, &d.ds))
		rc = 1;
	pr_info("%llu drains, %llu flow updates, %llu flows expired, %zu flows open\n",
		(unsigned long long)d.ds.drains, (unsigned long long)d.ds.flows_merged,
		(unsigned long long)d.expired, flow_table_count(d.flows));
out:
	flow_table_free(d.flows);
	loader_close(&d.ld);
	close(lock);
	return rc;
}
