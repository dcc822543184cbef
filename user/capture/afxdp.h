/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/afxdp.h - AF_XDP sockets, one per RX queue, that receive what XDP redirects into xsk_by_queue. */
#ifndef FT_AFXDP_H
#define FT_AFXDP_H

#include <stdint.h>
#include "flowtower/abi.h"

/*
 * Threads: queue q's capture thread alone calls afxdp_drain(x, q) and polls
 * afxdp_queue_fd(x, q); queues share nothing. One housekeeping thread may call
 * afxdp_stats/_mode/_warn_loss/_check meanwhile. _open, _reopen and _close run
 * with no capture thread running. UMEM frames belong to afxdp.c: a frame (and
 * its meta) is valid only during the callback. When afxdp_check() returns an
 * error (interface gone or recreated, queues changed): stop the capture
 * threads, call afxdp_reopen() (again later if it fails), start them again.
 */
#define AFXDP_DEFAULT_UMEM (1ULL << 30) /* per interface: 2^18 4-KiB frames = 3.2 s of 1 Gbit/s in full frames */
#define AFXDP_DEFAULT_FRAME 4096u
#define AFXDP_MAX_PKT 131072u /* reassembly buffer per queue: a longer multi-buffer frame is truncated */

enum afxdp_zc { AFXDP_ZC_TRY, AFXDP_ZC_REQUIRE, AFXDP_ZC_OFF }; /* zero-copy first, only, or never */

struct afxdp_cfg {
	const char *ifname;  /* or NULL and ifindex; the name is what afxdp_reopen() resolves again */
	int ifindex;
	int xskmap_fd;	     /* borrowed: key = queue id, entries removed at close */
	unsigned int queues; /* 0: every RX queue (ETHTOOL_GCHANNELS, else sysfs); at most FT_MAX_QUEUES */
	uint64_t umem_bytes; /* all queues together; 0: AFXDP_DEFAULT_UMEM */
	uint32_t frame_size; /* 2048 or 4096; 0: AFXDP_DEFAULT_FRAME */
	enum afxdp_zc zc;
};

struct afxdp_stats {
	uint64_t rx_dropped, rx_ring_full, rx_fill_ring_empty_descs, rx_invalid_descs, tx_invalid_descs; /* kernel */
	uint64_t frames, bytes;		   /* delivered; bytes as the descriptors carried them */
	uint64_t multibuf, truncated;	   /* frames in several descriptors; cut at AFXDP_MAX_PKT */
	uint64_t no_meta, fq_short, kicks; /* no xdp_meta in front; fill ring had no room; wakeup syscalls */
};

/* meta: what XDP put in front (flowtower/abi.h), NULL if none; frame reassembled if it came in pieces. */
typedef void (*afxdp_frame_fn)(void *arg, const uint8_t *frame, uint32_t len, const struct xdp_meta *meta,
			       unsigned int queue);
struct afxdp;

int afxdp_open(struct afxdp **out, const struct afxdp_cfg *cfg); /* sockets bound, XSKMAP filled */
unsigned int afxdp_queue_count(const struct afxdp *x);
int afxdp_queue_fd(const struct afxdp *x, unsigned int q); /* poll(POLLIN) */
/* Up to budget frames of queue q to fn, frames back to the fill ring per batch: count or -errno. */
int afxdp_drain(struct afxdp *x, unsigned int q, unsigned int budget, afxdp_frame_fn fn, void *arg);
int afxdp_stats(const struct afxdp *x, int q, struct afxdp_stats *out); /* q < 0: summed; kept over reopens */
const char *afxdp_mode(const struct afxdp *x); /* "zero-copy", "copy", "mixed" or "down" */
void afxdp_warn_loss(struct afxdp *x); /* pr_warn with the numbers when frames were lost, at most hourly */
int afxdp_check(const struct afxdp *x); /* 0, or -ENODEV (gone/new index), -ENETDOWN (unbound), -ECHRNG */
int afxdp_reopen(struct afxdp *x, int xskmap_fd); /* tear down, resolve ifname, bind again; fd < 0: same map */
int afxdp_if_rx_queues(const char *ifname); /* RX queues of an interface (>= 1) or -errno */
void afxdp_close(struct afxdp **xp); /* NULL-safe, idempotent: sets *xp = NULL */

#endif /* FT_AFXDP_H */
