// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* capture/afxdp.c - one AF_XDP socket and UMEM per RX queue (libxdp xsk_* rings), drained in batches. */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>

#include "capture/afxdp.h"
#include "capture/afxdp_frame.h"
#include "util/clock.h"
#include "util/log.h"

/* Multi-buffer AF_XDP arrived in 6.6; Debian 12's uapi headers predate it. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define AFXDP_COMP_RING 64 /* mandatory, never used: we do not transmit */
#define AFXDP_WARN_NS (3600ULL * NS_PER_SEC)

/*
 * Why a UMEM per queue rather than one shared: each queue's fill ring and
 * frames then belong to one capture thread, so drain needs no lock and no
 * frame allocator shared between threads; zero-copy drivers register a pool
 * per queue anyway (a shared UMEM still needs a fill ring per queue); and a
 * queue that falls behind cannot starve the others of frames.
 */
struct afxdp_queue {
	struct xsk_ring_cons rx;
	struct xsk_ring_prod fq;
	struct xsk_ring_cons cq;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *area;
	size_t area_len;
	uint32_t nframes;
	uint32_t frame_size;
	unsigned int id;
	int fd;
	bool zc;
	struct afxdp_pkt pkt;
	/* written by the queue's thread only, read by afxdp_stats() from another: see ctr_add() */
	struct afxdp_stats ctr;
} __attribute__((aligned(64)));

struct afxdp {
	char ifname[IF_NAMESIZE];
	int ifindex;
	int xskmap_fd;
	unsigned int want_queues; /* cfg->queues: 0 follows the interface */
	uint64_t umem_bytes;
	uint32_t frame_size;
	enum afxdp_zc zc;
	unsigned int nq;
	struct afxdp_queue *q[FT_MAX_QUEUES];
	struct afxdp_stats base[FT_MAX_QUEUES]; /* counters of sockets closed by reopen */
	uint64_t warn_ns, warned_lost;		/* afxdp_warn_loss() state */
};

/* A relaxed store: race-free against a concurrent reader, and the writer is the only writer. */
#define ctr_add(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define ctr_get(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static int rx_queues_ethtool(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = {};
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	err = ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	/* drivers report RX-only and combined channels separately; either may be 0 */
	return (int)(ch.rx_count + ch.combined_count);
}

/* /sys/class/net is the sysfs of the mount namespace: wrong after a netns-only switch, hence second. */
static int rx_queues_sysfs(const char *ifname)
{
	char path[128];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%d", ifname, n);
		if (access(path, F_OK))
			break;
		n++;
	}
	return n ? n : -ENOENT;
}

int afxdp_if_rx_queues(const char *ifname)
{
	int n;

	if (!ifname || !if_nametoindex(ifname))
		return -ENODEV;
	n = rx_queues_ethtool(ifname);
	if (n > 0)
		return n;
	n = rx_queues_sysfs(ifname);
	return n > 0 ? n : 1; /* no channels reported: one stream */
}

static void queue_unbind(struct afxdp_queue *q)
{
	xsk_socket__delete(q->xsk); /* NULL-safe */
	q->xsk = NULL;
	if (q->umem)
		xsk_umem__delete(q->umem); /* its socket is gone: cannot be -EBUSY */
	q->umem = NULL;
	q->fd = -1;
}

/* One socket and UMEM registration with the given bind flags; the memory area is reused. */
static int queue_bind(struct afxdp *x, struct afxdp_queue *q, uint16_t flags)
{
	struct xsk_umem_config uc = {
		.fill_size = q->nframes,
		.comp_size = AFXDP_COMP_RING,
		.frame_size = q->frame_size,
		.frame_headroom = 0,
	};
	struct xsk_socket_config sc = {
		.rx_size = q->nframes,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, /* the loader owns the XDP program */
		.bind_flags = flags,
	};
	struct xdp_options opt = {};
	socklen_t len = sizeof(opt);
	int err;

	err = xsk_umem__create(&q->umem, q->area, q->area_len, &q->fq, &q->cq, &uc);
	if (err) {
		q->umem = NULL;
		return err;
	}
	err = xsk_socket__create(&q->xsk, x->ifname, q->id, q->umem, &q->rx, NULL, &sc);
	if (err) {
		q->xsk = NULL;
		queue_unbind(q);
		return err;
	}
	q->fd = xsk_socket__fd(q->xsk);
	q->zc = !getsockopt(q->fd, SOL_XDP, XDP_OPTIONS, &opt, &len) && (opt.flags & XDP_OPTIONS_ZEROCOPY);
	return 0;
}

/*
 * Zero-copy before copy, each with multi-buffer (XDP_USE_SG, 6.6+) before
 * without: a kernel or driver that lacks one refuses the bind (EINVAL,
 * EOPNOTSUPP) and the next is tried on a fresh socket and UMEM, since a
 * failed zero-copy bind can leave flags behind in the UMEM. Any other error
 * (EBUSY: the queue has a socket already; ENODEV) ends the search.
 */
static int queue_bind_any(struct afxdp *x, struct afxdp_queue *q)
{
	static const uint16_t order[] = { XDP_ZEROCOPY | XDP_USE_SG, XDP_ZEROCOPY, XDP_COPY | XDP_USE_SG, XDP_COPY };
	unsigned int i, first = x->zc == AFXDP_ZC_OFF ? 2 : 0, last = x->zc == AFXDP_ZC_REQUIRE ? 2 : 4;
	int err = -EINVAL;

	for (i = first; i < last; i++) {
		err = queue_bind(x, q, order[i] | XDP_USE_NEED_WAKEUP);
		if (!err) {
			if (!(order[i] & XDP_USE_SG))
				pr_warn("%s queue %u: no multi-buffer AF_XDP here: frames over %u bytes are dropped "
					"(rx_dropped)\n", x->ifname, q->id, afxdp_frame_capacity(q->frame_size));
			return 0;
		}
		pr_debug("%s queue %u: bind flags %#x: %s\n", x->ifname, q->id, order[i], strerror(-err));
		if (err != -EINVAL && err != -EOPNOTSUPP && err != -EPROTONOSUPPORT)
			break;
	}
	return err;
}

/* Every frame of the UMEM goes on the fill ring, which is sized to hold them all: it stays full. */
static int queue_fill(struct afxdp_queue *q)
{
	uint32_t idx, i;

	if (xsk_ring_prod__reserve(&q->fq, q->nframes, &idx) != q->nframes)
		return -ENOSPC;
	for (i = 0; i < q->nframes; i++)
		*xsk_ring_prod__fill_addr(&q->fq, idx + i) = (uint64_t)i * q->frame_size;
	xsk_ring_prod__submit(&q->fq, q->nframes);
	return 0;
}

static void queue_free(struct afxdp *x, struct afxdp_queue *q)
{
	if (!q)
		return;
	if (q->fd >= 0 && x->xskmap_fd >= 0)
		bpf_map_delete_elem(x->xskmap_fd, &q->id); /* the kernel also drops it when the socket goes */
	queue_unbind(q);
	if (q->area)
		munmap(q->area, q->area_len);
	free(q->pkt.buf);
	free(q);
}

static int queue_new(struct afxdp *x, unsigned int id, uint32_t nframes, struct afxdp_queue **out)
{
	struct afxdp_queue *q;
	int err;

	if (posix_memalign((void **)&q, 64, sizeof(*q)))
		return -ENOMEM;
	memset(q, 0, sizeof(*q));
	q->id = id;
	q->fd = -1;
	q->nframes = nframes;
	q->frame_size = x->frame_size;
	q->area_len = (size_t)nframes * x->frame_size;
	q->pkt.cap = AFXDP_MAX_PKT;
	q->pkt.buf = malloc(q->pkt.cap);
	if (!q->pkt.buf) {
		err = -ENOMEM;
		goto err_free;
	}
	q->area = mmap(NULL, q->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		err = -errno;
		goto err_free;
	}
	err = queue_bind_any(x, q);
	if (err) {
		pr_warn("%s queue %u: AF_XDP socket: %s\n", x->ifname, id, strerror(-err));
		goto err_free;
	}
	err = queue_fill(q);
	if (err)
		goto err_free;
	if (bpf_map_update_elem(x->xskmap_fd, &q->id, &q->fd, BPF_ANY)) {
		err = -errno;
		pr_warn("%s queue %u: XSKMAP insert: %s\n", x->ifname, id, strerror(-err));
		goto err_free;
	}
	*out = q;
	return 0;

err_free:
	queue_free(x, q);
	return err;
}

static void queues_close(struct afxdp *x)
{
	unsigned int i;

	for (i = 0; i < x->nq; i++) {
		afxdp_stats(x, (int)i, &x->base[i]); /* the next socket on this queue counts on from here */
		queue_free(x, x->q[i]);
		x->q[i] = NULL;
	}
	x->nq = 0;
}

static int queues_open(struct afxdp *x)
{
	unsigned int i, n = x->want_queues;
	uint32_t nframes;
	int err;

	if (!n) {
		err = afxdp_if_rx_queues(x->ifname);
		if (err < 0)
			return err;
		n = (unsigned int)err;
	}
	if (n > FT_MAX_QUEUES) {
		pr_warn("%s: %u RX queues, only the first %u get a socket (FT_MAX_QUEUES)\n", x->ifname, n,
			FT_MAX_QUEUES);
		n = FT_MAX_QUEUES;
	}
	nframes = afxdp_frames_per_queue(x->umem_bytes, x->frame_size, n);
	for (i = 0; i < n; i++) {
		err = queue_new(x, i, nframes, &x->q[i]);
		if (err)
			goto err_close;
		x->nq = i + 1;
	}
	pr_info("%s: %u AF_XDP sockets, %s mode, %u frames of %u bytes each\n", x->ifname, n, afxdp_mode(x),
		nframes, x->frame_size);
	return 0;

err_close:
	queues_close(x);
	return err;
}

static int cfg_check(const struct afxdp_cfg *c)
{
	uint32_t fs = c->frame_size ? c->frame_size : AFXDP_DEFAULT_FRAME;

	if (!c->ifname && c->ifindex <= 0)
		return -EINVAL;
	if (c->xskmap_fd < 0 || c->queues > FT_MAX_QUEUES || c->zc > AFXDP_ZC_OFF)
		return -EINVAL;
	/* aligned UMEM chunks: a power of two from 2 KiB to a page */
	if (!afxdp_is_pow2(fs) || fs < 2048 || fs > (uint32_t)sysconf(_SC_PAGESIZE))
		return -EINVAL;
	return 0;
}

int afxdp_open(struct afxdp **out, const struct afxdp_cfg *cfg)
{
	struct afxdp *x;
	int err;

	*out = NULL;
	err = cfg_check(cfg);
	if (err) {
		pr_warn("AF_XDP: invalid configuration (interface, map fd, queues <= %u, frame size 2048|4096)\n",
			FT_MAX_QUEUES);
		return err;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	if (cfg->ifname)
		snprintf(x->ifname, sizeof(x->ifname), "%s", cfg->ifname);
	else if (!if_indextoname((unsigned int)cfg->ifindex, x->ifname))
		x->ifname[0] = '\0';
	x->ifindex = (int)if_nametoindex(x->ifname);
	if (!x->ifindex || (cfg->ifindex > 0 && cfg->ifindex != x->ifindex)) {
		err = -ENODEV;
		pr_warn("AF_XDP: interface %s (index %d) not found\n", x->ifname, cfg->ifindex);
		goto err_free;
	}
	x->xskmap_fd = cfg->xskmap_fd;
	x->want_queues = cfg->queues;
	x->umem_bytes = cfg->umem_bytes ? cfg->umem_bytes : AFXDP_DEFAULT_UMEM;
	x->frame_size = cfg->frame_size ? cfg->frame_size : AFXDP_DEFAULT_FRAME;
	x->zc = cfg->zc;
	err = queues_open(x);
	if (err)
		goto err_free;
	*out = x;
	return 0;

err_free:
	free(x);
	return err;
}

unsigned int afxdp_queue_count(const struct afxdp *x)
{
	return x ? x->nq : 0;
}

int afxdp_queue_fd(const struct afxdp *x, unsigned int q)
{
	return x && q < x->nq ? x->q[q]->fd : -EINVAL;
}

/*
 * A wakeup syscall only when the kernel asks for one (XDP_USE_NEED_WAKEUP):
 * a zero-copy driver that ran out of fill entries sleeps until then. ENXIO
 * means the socket lost its device (unregistered): afxdp_reopen() is due.
 */
static int kick(struct afxdp_queue *q)
{
	if (!xsk_ring_prod__needs_wakeup(&q->fq))
		return 0;
	ctr_add(q->ctr.kicks, 1);
	if (recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno == ENXIO)
		return -ENETDOWN;
	return 0;
}

/* One descriptor; returns 1 when it completed a frame, which fn has seen then. */
static int rx_desc(struct afxdp_queue *q, const struct xdp_desc *d, afxdp_frame_fn fn, void *arg)
{
	uint8_t *data = xsk_umem__get_data(q->area, d->addr);
	bool contd = d->options & XDP_PKT_CONTD;
	struct afxdp_pkt *p = &q->pkt;
	struct xdp_meta *m = NULL;

	if (!p->open) {
		m = afxdp_meta_at(q->area, d->addr, q->frame_size);
		if (!m)
			ctr_add(q->ctr.no_meta, 1);
	}
	if (!p->open && !contd) { /* the common case: one descriptor, read in place */
		fn(arg, data, d->len, m, q->id);
		ctr_add(q->ctr.bytes, d->len);
		if (m)
			m->magic = 0; /* the frame is reused: a packet without metadata must not see this one's */
		return 1;
	}
	if (!p->open) {
		p->has_meta = m != NULL;
		if (m) {
			p->meta = *m;
			m->magic = 0;
		}
	}
	if (!afxdp_pkt_add(p, data, d->len, contd))
		return 0;
	fn(arg, p->buf, p->len, p->has_meta ? &p->meta : NULL, q->id);
	ctr_add(q->ctr.bytes, p->wire);
	ctr_add(q->ctr.multibuf, 1);
	if (p->len < p->wire)
		ctr_add(q->ctr.truncated, 1);
	return 1;
}

/*
 * Frames go back to the fill ring per batch: reserve first (it cannot fail
 * while the ring holds every frame, but a drain must not lose one if it did),
 * hand the batch to fn, submit, release. A batch may end inside a
 * multi-buffer packet; its head waits, copied, in q->pkt for the next one.
 */
int afxdp_drain(struct afxdp *x, unsigned int qid, unsigned int budget, afxdp_frame_fn fn, void *arg)
{
	uint32_t rx_idx, fq_idx, n, i;
	struct afxdp_queue *q;
	int frames = 0;

	if (!x || qid >= x->nq || !fn)
		return -EINVAL;
	q = x->q[qid];
	n = xsk_ring_cons__peek(&q->rx, budget ? budget : 64, &rx_idx);
	if (!n)
		return kick(q);
	if (xsk_ring_prod__reserve(&q->fq, n, &fq_idx) != n) {
		xsk_ring_cons__cancel(&q->rx, n); /* nothing lost: read again next round */
		ctr_add(q->ctr.fq_short, 1);
		return -EAGAIN;
	}
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, rx_idx + i);

		frames += rx_desc(q, d, fn, arg);
		*xsk_ring_prod__fill_addr(&q->fq, fq_idx + i) = afxdp_frame_base(d->addr, q->frame_size);
	}
	xsk_ring_prod__submit(&q->fq, n);
	xsk_ring_cons__release(&q->rx, n);
	ctr_add(q->ctr.frames, (uint64_t)frames);
	kick(q); /* an unbound socket shows on the next empty drain, or in afxdp_check() */
	return frames;
}

static void stats_add(struct afxdp_stats *a, const struct afxdp_stats *b)
{
	a->rx_dropped += b->rx_dropped;
	a->rx_ring_full += b->rx_ring_full;
	a->rx_fill_ring_empty_descs += b->rx_fill_ring_empty_descs;
	a->rx_invalid_descs += b->rx_invalid_descs;
	a->tx_invalid_descs += b->tx_invalid_descs;
	a->frames += b->frames;
	a->bytes += b->bytes;
	a->multibuf += b->multibuf;
	a->truncated += b->truncated;
	a->no_meta += b->no_meta;
	a->fq_short += b->fq_short;
	a->kicks += b->kicks;
}

static int queue_stats(const struct afxdp *x, unsigned int i, struct afxdp_stats *out)
{
	const struct afxdp_queue *q = i < x->nq ? x->q[i] : NULL;
	struct xdp_statistics xs = {};
	socklen_t len = sizeof(xs);
	struct afxdp_stats s = {};

	if (q) {
		if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &xs, &len))
			return -errno;
		s.rx_dropped = xs.rx_dropped;
		s.rx_ring_full = xs.rx_ring_full;
		s.rx_fill_ring_empty_descs = xs.rx_fill_ring_empty_descs;
		s.rx_invalid_descs = xs.rx_invalid_descs;
		s.tx_invalid_descs = xs.tx_invalid_descs;
		s.frames = ctr_get(q->ctr.frames);
		s.bytes = ctr_get(q->ctr.bytes);
		s.multibuf = ctr_get(q->ctr.multibuf);
		s.truncated = ctr_get(q->ctr.truncated);
		s.no_meta = ctr_get(q->ctr.no_meta);
		s.fq_short = ctr_get(q->ctr.fq_short);
		s.kicks = ctr_get(q->ctr.kicks);
	}
	stats_add(&s, &x->base[i]);
	*out = s;
	return 0;
}

int afxdp_stats(const struct afxdp *x, int q, struct afxdp_stats *out)
{
	struct afxdp_stats s;
	unsigned int i;
	int err;

	memset(out, 0, sizeof(*out));
	if (!x || q >= FT_MAX_QUEUES)
		return -EINVAL;
	if (q >= 0)
		return queue_stats(x, (unsigned int)q, out);
	for (i = 0; i < FT_MAX_QUEUES; i++) {
		err = queue_stats(x, i, &s);
		if (err)
			return err;
		stats_add(out, &s);
	}
	return 0;
}

const char *afxdp_mode(const struct afxdp *x)
{
	unsigned int i, zc = 0;

	if (!x || !x->nq)
		return "down";
	for (i = 0; i < x->nq; i++)
		zc += x->q[i]->zc;
	return zc == x->nq ? "zero-copy" : zc ? "mixed" : "copy";
}

void afxdp_warn_loss(struct afxdp *x)
{
	uint64_t now = clock_mono_ns(), lost;
	struct afxdp_stats s;

	if (!x || afxdp_stats(x, -1, &s))
		return;
	lost = s.rx_dropped + s.rx_ring_full + s.rx_invalid_descs;
	if (lost <= x->warned_lost || (x->warn_ns && now - x->warn_ns < AFXDP_WARN_NS))
		return;
	pr_warn("%s: AF_XDP lost %llu frames%s (%llu in all: rx_dropped %llu, rx_ring_full %llu, invalid %llu; "
		"fill ring empty %llu times): capture threads fall behind, a larger UMEM or fewer steered "
		"packets would help\n", x->ifname, (unsigned long long)(lost - x->warned_lost),
		x->warn_ns ? " in the last hour or more" : "", (unsigned long long)lost,
		(unsigned long long)s.rx_dropped, (unsigned long long)s.rx_ring_full,
		(unsigned long long)s.rx_invalid_descs, (unsigned long long)s.rx_fill_ring_empty_descs);
	x->warn_ns = now;
	x->warned_lost = lost;
}

int afxdp_check(const struct afxdp *x)
{
	unsigned int i;
	int n;

	if (!x || !x->nq)
		return -ENETDOWN;
	if ((int)if_nametoindex(x->ifname) != x->ifindex)
		return -ENODEV; /* gone, or deleted and created again */
	for (i = 0; i < x->nq; i++)
		if (recvfrom(x->q[i]->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL) < 0 && errno == ENXIO)
			return -ENETDOWN; /* unbound by the kernel when its device went */
	if (!x->want_queues) {
		n = afxdp_if_rx_queues(x->ifname);
		if (n > 0 && (unsigned int)n != x->nq && x->nq < FT_MAX_QUEUES)
			return -ECHRNG; /* ethtool -L: queues without a socket, or sockets without a queue */
	}
	return 0;
}

int afxdp_reopen(struct afxdp *x, int xskmap_fd)
{
	int idx;

	if (!x)
		return -EINVAL;
	queues_close(x);
	if (xskmap_fd >= 0)
		x->xskmap_fd = xskmap_fd;
	idx = (int)if_nametoindex(x->ifname);
	if (!idx)
		return -ENODEV;
	if (idx != x->ifindex)
		pr_info("%s: index %d now (was %d)\n", x->ifname, idx, x->ifindex);
	x->ifindex = idx;
	return queues_open(x);
}

void afxdp_close(struct afxdp **xp)
{
	struct afxdp *x = xp ? *xp : NULL;

	if (!x)
		return;
	queues_close(x);
	free(x);
	*xp = NULL;
}
