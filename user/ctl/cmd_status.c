// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_status.c - `flowtower status`: totals from the pinned maps plus what is not yet drained. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "ctl/cmds.h"
#include "ctl/ctlsock.h"
#include "flow/ext.h"
#include "ctl/report.h"
#include "kern/loader.h"
#include "kern/maps.h"
#include "util/log.h"

struct pinned {
	int flows, buf[2], stats, tput, ctl;
};

static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		pr_err("%s: %s%s\n", path, strerror(errno),
		       errno == ENOENT ? " (flowtower never ran on this interface, or it was detached)" : "");
	return fd;
}

/* -ENOENT when nothing is pinned for this interface (never attached, or AF_PACKET mode). */
static int access_pins(const struct config *c)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s/flows", c->pin_root, c->iface);
	return access(path, F_OK) ? -ENOENT : 0;
}

static int open_pins(const struct config *c, struct pinned *p)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", c->pin_root, c->iface);
	p->flows = open_pin(dir, "flows");
	if (p->flows < 0)
		return -ENOENT;
	p->buf[0] = open_pin(dir, "flows_a");
	p->buf[1] = open_pin(dir, "flows_b");
	p->stats = open_pin(dir, "stats");
	p->tput = open_pin(dir, "tput");
	p->ctl = open_pin(dir, "ctl");
	if (p->buf[0] < 0 || p->buf[1] < 0 || p->stats < 0 || p->tput < 0 || p->ctl < 0)
		return -ENOENT;
	return 0;
}

/* Undrained counters of one buffer, kept aside until the totals are read. */
struct pending {
	struct flow_key *keys;
	struct flow_total *sums;
	size_t n, cap;
};

static int keep_pending(void *arg, const struct flow_key *k, const struct flow_total *sum)
{
	struct pending *p = arg;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		void *nk = realloc(p->keys, cap * sizeof(*p->keys));
		void *ns;

		if (!nk)
			return -ENOMEM;
		p->keys = nk;
		ns = realloc(p->sums, cap * sizeof(*p->sums));
		if (!ns)
			return -ENOMEM;
		p->sums = ns;
		p->cap = cap;
	}
	p->keys[p->n] = *k;
	p->sums[p->n++] = *sum;
	return 0;
}

static int load_total(void *arg, const struct flow_key *k, const struct flow_total *t)
{
	bool created;
	struct flow_rec *r = flow_table_upsert(arg, k, &created);

	if (!r)
		return -ENOMEM;
	r->tot = *t;
	return 0;
}

/*
 * Read buffers first, totals second: an entry the daemon merges in between
 * is then found in the totals with applied_gen equal to the drain in
 * progress, and its pending copy is skipped, so nothing is missed or
 * counted twice. A drain that starts or ends meanwhile changes ctl.gen or
 * the drain state, and the snapshot is taken again.
 */
static int snapshot(const struct pinned *p, struct flow_table **out, struct ft_ctl *ctl)
{
	struct pending pend[2] = {};
	struct flow_table *ft = NULL;
	struct ft_ctl c2;
	int err, b, attempt;
	size_t i;

	for (attempt = 0; attempt < 10; attempt++) {
		flow_table_free(ft);
		ft = NULL;
		free(pend[0].keys), free(pend[0].sums), free(pend[1].keys), free(pend[1].sums);
		memset(pend, 0, sizeof(pend));
		err = maps_read_ctl(p->ctl, ctl);
		for (b = 0; !err && b < 2; b++)
			err = maps_walk_buffer(p->buf[b], 0, keep_pending, &pend[b]) < 0 ? -EIO : 0;
		if (!err)
			err = flow_table_new(&ft, 1u << 30);
		if (!err)
			err = maps_walk_totals(p->flows, load_total, ft) < 0 ? -EIO : 0;
		if (!err)
			err = maps_read_ctl(p->ctl, &c2);
		if (err)
			break;
		if (c2.gen == ctl->gen && c2.drain_state == ctl->drain_state)
			break;
	}
	for (b = 0; !err && b < 2; b++) {
		for (i = 0; i < pend[b].n; i++) {
			const struct flow_total *s = &pend[b].sums[i];
			struct flow_rec *r;
			bool created;

			if (!flow_total_pkts(s) && !s->dups)
				continue;
			r = flow_table_upsert(ft, &pend[b].keys[i], &created);
			if (!r)
				break;
			if (ctl->drain_state == DRAIN_BUSY && (int)ctl->draining == b && r->tot.applied_gen == ctl->gen)
				continue;
			flow_total_add(&r->tot, s);
		}
	}
	for (b = 0; b < 2; b++) {
		free(pend[b].keys);
		free(pend[b].sums);
	}
	if (err) {
		flow_table_free(ft);
		return err;
	}
	*out = ft;
	return 0;
}

/* What the running daemon learned beyond the counters: attached to the records read from the pins. */
static void attach_ext(void *arg, char *line)
{
	struct flow_table *ft = arg;
	struct flow_ext *x;
	struct flow_rec *r;
	struct flow_key k;

	if (flow_ext_read_line(line, &k, &x))
		return;
	r = flow_table_lookup(ft, &k);
	if (!r) {
		flow_ext_free(x); /* steered but not yet drained: status shows counted flows only */
		return;
	}
	flow_ext_free(r->ext);
	r->ext = x;
}

struct state_buf {
	char *json;
};

static void keep_state(void *arg, char *line)
{
	struct state_buf *b = arg;

	if (!b->json && line[0] == '{')
		b->json = strdup(line);
}

static const char *daemon_state(const char *iface)
{
	char path[128];
	int fd;
	const char *s = "not running";

	snprintf(path, sizeof(path), "/run/flowtower/%s.lock", iface);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return s;
	if (flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK)
		s = "running";
	close(fd);
	return s;
}

static void print_line(void *arg, char *line)
{
	puts(line);
}

/* AF_PACKET mode keeps nothing pinned: the daemon itself reports (as JSON lines). */
static int status_from_daemon(const struct config *c)
{
	char sock[128];

	ctlsock_path(c->iface, sock, sizeof(sock));
	if (strcmp(daemon_state(c->iface), "running") || ctlsock_query(sock, "report", 5000, print_line, NULL))
		return -ENOENT;
	return 0;
}

int cmd_status(const struct config *c)
{
	struct pinned p = { -1, { -1, -1 }, -1, -1, -1 };
	struct tput_slot tput[FT_TPUT_SLOTS * 4];
	uint64_t stats[CTR_MAX];
	struct flow_table *ft = NULL;
	struct state_buf state = {};
	struct ft_ctl ctl;
	char gen[32], sock[128];
	size_t ntput = 0;
	int err, rc = 1, ifindex;

	if (access_pins(c) && !status_from_daemon(c))
		return 0;
	if (open_pins(c, &p))
		goto out;
	err = snapshot(&p, &ft, &ctl);
	if (!err)
		err = maps_read_stats(p.stats, stats);
	if (!err)
		err = maps_read_tput(p.tput, tput, sizeof(tput) / sizeof(tput[0]), &ntput);
	if (err) {
		pr_err("reading the pinned maps: %s\n", strerror(-err));
		goto out;
	}
	ctlsock_path(c->iface, sock, sizeof(sock));
	if (!strcmp(daemon_state(c->iface), "running")) {
		ctlsock_query(sock, "flows", 2000, attach_ext, ft);
		ctlsock_query(sock, "state", 2000, keep_state, &state);
	}
	ifindex = (int)if_nametoindex(c->iface);
	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)ctl.gen);
	{
		const char *info[] = { "interface", c->iface,
				       "attach_mode", ifindex ? loader_attach_mode(ifindex) : "none",
				       "daemon", daemon_state(c->iface),
				       "drain_generation", gen,
				       NULL };
		struct report_in in = { ft, stats, tput, ntput, info, state.json };

		if (c->json)
			report_json(stdout, &in);
		else
			report_text(stdout, &in);
	}
	rc = 0;
out:
	free(state.json);
	flow_ext_free_all(ft);
	flow_table_free(ft);
	if (p.flows >= 0)
		close(p.flows);
	for (int b = 0; b < 2; b++)
		if (p.buf[b] >= 0)
			close(p.buf[b]);
	if (p.stats >= 0)
		close(p.stats);
	if (p.tput >= 0)
		close(p.tput);
	if (p.ctl >= 0)
		close(p.ctl);
	return rc;
}

int cmd_detach(const struct config *c)
{
	int err;

	if (!strcmp(daemon_state(c->iface), "running"))
		pr_warn("%s: `flowtower run` is still running; it will keep no counts once detached\n", c->iface);
	err = loader_detach(c->pin_root, c->iface);
	if (err)
		return 1;
	pr_info("%s: detached, pins removed\n", c->iface);
	return 0;
}
