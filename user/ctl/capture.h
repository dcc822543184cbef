/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/capture.h - the daemon's capture threads: one per RX queue, AF_XDP sockets into the workers. */
#ifndef FT_CAPTURE_H
#define FT_CAPTURE_H

#include "ctl/config.h"
#include "ctl/workers.h"

struct capture;

/* RX queues the daemon will read (--queues, or every queue of the interface). At least 1. */
unsigned int capture_queue_count(const struct config *c);
/* Sockets bound and in the XSKMAP (AF_PACKET: in the fanout group); no threads yet. */
int capture_open(struct capture **out, const struct config *c, int ifindex, int xsk_map_fd);
/* One thread per queue into the workers: producer i is queue i. */
int capture_run(struct capture *cap, struct workers *wk);
/* Periodic: socket statistics, loss warnings (at most once an hour), interface flaps. NULL-safe. */
void capture_check(struct capture *cap);
struct jw;
/* Socket modes and statistics as fields of an open JSON object. NULL-safe. */
void capture_state_json(struct capture *cap, struct jw *w);
/* Stop the threads, unbind the sockets. NULL-safe. */
void capture_stop(struct capture *cap);

#endif /* FT_CAPTURE_H */
