// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/capture.c - one capture thread per RX queue: AF_XDP frames into the workers, with their metadata. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/afpacket.h"
#include "capture/afxdp.h"
#include "ctl/capture.h"
#include "ctl/priv.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"

#define BATCH 64

struct capture;

struct qthread {
	struct capture *cap;
	unsigned int q;
	pthread_t thread;
};

struct capture {
	struct afxdp *x;	  /* XDP mode: the steered frames */
	struct afpacket *p;	  /* AF_PACKET mode: every frame */
	struct workers *wk;
	unsigned int n;
	struct qthread *t;
	_Atomic int stop;
	_Atomic uint64_t no_meta; /* frames without metadata: timestamped on arrival here */
	int xsk_map_fd;
	bool running;
};

unsigned int capture_queue_count(const struct config *c)
{
	long cpus;
	int n;

	if (c->queues)
		return c->queues;
	if (c->afpacket) { /* fanout members: one per CPU */
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		return cpus > 0 ? (unsigned int)(cpus > 64 ? 64 : cpus) : 1;
	}
	n = afxdp_if_rx_queues(c->iface);
	return n > 0 ? (unsigned int)n : 1;
}

static void on_afp(void *arg, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, uint64_t ts,
		   unsigned int sock)
{
	struct capture *cap = arg;

	workers_submit(cap->wk, sock, frame, caplen, wirelen, ts);
}

static void on_frame(void *arg, const uint8_t *frame, uint32_t len, const struct xdp_meta *meta, unsigned int q)
{
	struct capture *cap = arg;

	if (meta && meta->magic == XMETA_MAGIC) {
		workers_submit(cap->wk, q, frame, len, meta->len > len ? meta->len : len, meta->ts_ns);
		return;
	}
	atomic_fetch_add_explicit(&cap->no_meta, 1, memory_order_relaxed);
	workers_submit(cap->wk, q, frame, len, len, clock_wall_ns());
}

static void *queue_main(void *arg)
{
	struct qthread *t = arg;
	struct capture *cap = t->cap;
	struct pollfd p = { .fd = cap->p ? afpacket_fd(cap->p, t->q) : afxdp_queue_fd(cap->x, t->q),
			    .events = POLLIN };

	while (!atomic_load(&cap->stop)) {
		int n = cap->p ? afpacket_drain(cap->p, t->q, BATCH, on_afp, cap) :
				 afxdp_drain(cap->x, t->q, BATCH, on_frame, cap);

		if (n > 0) {
			workers_kick(cap->wk, t->q);
			continue;
		}
		if (n < 0 && n != -EAGAIN) {
			pr_debug("queue %u: %s\n", t->q, strerror(-n));
			/* the interface went away or down: capture_check() reopens; until then, wait */
		}
		poll(&p, 1, 200);
	}
	return NULL;
}

static int start_threads(struct capture *cap)
{
	unsigned int i;
	int err;

	atomic_store(&cap->stop, 0);
	for (i = 0; i < cap->n; i++) {
		cap->t[i].cap = cap;
		cap->t[i].q = i;
		err = pthread_create(&cap->t[i].thread, NULL, queue_main, &cap->t[i]);
		if (err) {
			atomic_store(&cap->stop, 1);
			while (i--)
				pthread_join(cap->t[i].thread, NULL);
			return -err;
		}
	}
	return 0;
}

static void stop_threads(struct capture *cap)
{
	unsigned int i;

	atomic_store(&cap->stop, 1);
	for (i = 0; i < cap->n; i++)
		pthread_join(cap->t[i].thread, NULL);
}

int capture_open(struct capture **out, const struct config *c, int ifindex, int xsk_map_fd)
{
	struct afxdp_cfg ac = {
		.ifname = c->iface,
		.ifindex = ifindex,
		.xskmap_fd = xsk_map_fd,
		.queues = capture_queue_count(c),
		.umem_bytes = (uint64_t)c->umem_mb << 20,
		.zc = AFXDP_ZC_TRY,
	};
	struct afpacket_cfg pc = { .ifname = c->iface, .sockets = capture_queue_count(c), .no_promisc = !c->promisc };
	struct capture *cap = calloc(1, sizeof(*cap));
	int err;

	if (!cap)
		return -ENOMEM;
	cap->xsk_map_fd = xsk_map_fd;
	err = c->afpacket ? afpacket_open(&cap->p, &pc) : afxdp_open(&cap->x, &ac);
	if (err) {
		pr_err("%s: %s sockets: %s\n", c->iface, c->afpacket ? "AF_PACKET" : "AF_XDP", strerror(-err));
		free(cap);
		return err;
	}
	cap->n = cap->p ? afpacket_count(cap->p) : afxdp_queue_count(cap->x);
	cap->t = calloc(cap->n, sizeof(*cap->t));
	err = cap->t ? 0 : -ENOMEM;
	if (err) {
		afxdp_close(&cap->x);
		afpacket_close(&cap->p);
		free(cap->t);
		free(cap);
		return err;
	}
	if (cap->p)
		pr_info("%s: %u AF_PACKET socket(s) in a fanout group\n", c->iface, cap->n);
	else
		pr_info("%s: %u AF_XDP socket(s), %s mode\n", c->iface, cap->n, afxdp_mode(cap->x));
	*out = cap;
	return 0;
}

int capture_run(struct capture *cap, struct workers *wk)
{
	int err;

	cap->wk = wk;
	err = start_threads(cap);
	if (!err)
		cap->running = true;
	return err;
}

void capture_check(struct capture *cap)
{
	int why;

	if (!cap)
		return;
	if (cap->p) {
		afpacket_warn_loss(cap->p);
		return;
	}
	afxdp_warn_loss(cap->x);
	why = afxdp_check(cap->x);
	if (!why)
		return;
	/* the interface flapped or was recreated: new sockets without a restart */
	pr_warn("AF_XDP sockets need reopening (%s)\n", strerror(-why));
	stop_threads(cap);
	priv_raise(true); /* new sockets need CAP_NET_RAW, binding them CAP_NET_ADMIN */
	if (afxdp_reopen(cap->x, cap->xsk_map_fd) == 0)
		pr_info("AF_XDP sockets reopened, %s mode\n", afxdp_mode(cap->x));
	priv_raise(false);
	start_threads(cap);
}

void capture_state_json(struct capture *cap, struct jw *w)
{
	struct afpacket_stats ps;
	struct afxdp_stats st;

	if (cap && cap->p && !afpacket_stats(cap->p, -1, &ps)) {
		jw_u64(w, "afpacket_packets", ps.packets);
		jw_u64(w, "afpacket_drops", ps.drops);
		jw_u64(w, "afpacket_freezes", ps.freeze_q_cnt);
		jw_u64(w, "afpacket_frames", ps.frames);
		jw_u64(w, "afpacket_bytes", ps.bytes);
		return;
	}
	if (!cap || afxdp_stats(cap->x, -1, &st))
		return;
	jw_str(w, "xsk_mode", afxdp_mode(cap->x));
	jw_u64(w, "xsk_frames", st.frames);
	jw_u64(w, "xsk_bytes", st.bytes);
	jw_u64(w, "xsk_rx_dropped", st.rx_dropped);
	jw_u64(w, "xsk_rx_ring_full", st.rx_ring_full);
	jw_u64(w, "xsk_fill_ring_empty", st.rx_fill_ring_empty_descs);
	jw_u64(w, "xsk_invalid_descs", st.rx_invalid_descs);
	jw_u64(w, "xsk_multibuf", st.multibuf);
	jw_u64(w, "xsk_truncated", st.truncated);
	jw_u64(w, "xsk_no_meta", st.no_meta);
}

void capture_stop(struct capture *cap)
{
	if (!cap)
		return;
	if (cap->running)
		stop_threads(cap);
	afxdp_close(&cap->x);
	afpacket_close(&cap->p);
	free(cap->t);
	free(cap);
}
