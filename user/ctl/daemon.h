/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/daemon.h - the running sensor's parts and their lifecycle (start, tick, final drain, stop). */
#ifndef FT_DAEMON_H
#define FT_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>
#include "ctl/config.h"
#include "ctl/workers.h"
#include "flow/expire.h"
#include "flow/flowset.h"
#include "kern/drain.h"
#include "kern/loader.h"

struct dnscache;
struct ring_buffer;
struct capture;
struct ctlsock;
struct htab;
struct catalog;
struct probe;
struct live;
struct web;
struct dstore;

struct daemon {
	const struct config *cfg;
	struct loader ld;
	struct flowset fs;
	struct workers *wk;
	struct capture *cap;	    /* AF_XDP sockets and their threads */
	struct ctlsock *ctl;	    /* answers `status` */
	struct live *live;	    /* per-second figures */
	struct web *web;	    /* --web: the page, its JSON and /metrics */
	struct dstore *store;	    /* --db: batches for PostgreSQL */
	struct dnscache *dns;
	pthread_mutex_t dns_mu;
	struct ring_buffer *copies; /* the kernel's copy ring (NDP, the host's own frames) */
	pthread_t copy_thread;
	bool copy_started;
	_Atomic int stopping;
	struct drain_stats ds;
	struct flow_timeouts to;
	struct prefix_set local, own;
	uint64_t next_resolve_ns;
	uint64_t expired;
	uint64_t evicted_early;	    /* expired by emergency timeouts */
	bool emergency;
	bool iface_gone;	    /* warned once until it is back */
	uint64_t reattached;	    /* times the program went back on a recreated interface */
	struct htab *afp_tput;	    /* AF_PACKET mode: minute -> throughput, from the workers' counters */
	uint64_t afp_gen;
	int afp_offloads;	    /* offloads we turned off (AF_PACKET mode restores them at exit) */
	unsigned int n_queues;
	struct catalog *cat;	    /* neighbors: NDP copies, probes, the kernel's table, leases */
	struct probe *probe;	    /* its thread: UDP/9 probes and rtnetlink; NULL when it could not start */
	char cat_path[128];	    /* /run/flowtower/IFACE.neighbors.jsonl */
	uint64_t tagged_gen;	    /* records changed after this drain generation still need their MACs */
	uint64_t next_full_tag_ns;  /* and every 30 s every record, for answers that came later */
#define DAEMON_OLD_CFGS 8
	struct config *old_cfgs[DAEMON_OLD_CFGS]; /* replaced by reloads, kept for readers */
	unsigned int n_old_cfgs;
};

/* The generation records changed since carry in dirty_gen (the drain's; AF_PACKET: the merges'). */
static inline uint64_t daemon_gen(const struct daemon *d)
{
	return d->cfg->afpacket ? d->afp_gen : d->ld.ctl.gen;
}

int daemon_start(struct daemon *d);  /* 0, or -errno with the reason logged */
void daemon_tick(struct daemon *d);  /* drain, expire, refresh: every drain interval */
/* SIGHUP: read the settings again; local prefixes, timeouts and log level change live. */
int daemon_reload(struct daemon *d);
int daemon_final(struct daemon *d);  /* the last drain before exit */
void daemon_stop(struct daemon *d);  /* idempotent; the pinned program stays attached */

#endif /* FT_DAEMON_H */
