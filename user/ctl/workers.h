/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/workers.h - worker threads: frames from capture threads, sharded by flow, through the pipeline. */
#ifndef FT_WORKERS_H
#define FT_WORKERS_H

#include <stdbool.h>
#include <stdint.h>
#include "flow/acct.h"
#include "flow/flowset.h"
#include "flow/pipeline.h"

struct workers_cfg {
	unsigned int n_workers;	  /* one per flowset shard */
	unsigned int n_producers; /* capture threads (+ the copy ring), each with its own queues */
	unsigned int queue_len;	  /* frames per producer and worker (power of two) */
	struct flowset *fs;
	struct pipeline_cfg pl;	  /* template for each worker's pipeline */
	int dlt;		  /* link type of the frames (Ethernet) */
	bool account;		  /* AF_PACKET: every frame, counted here (acct) before steering */
	struct acct_cfg acct;
};

struct workers_stats {
	uint64_t queued, dropped_full; /* frames handed over; lost because a worker's queue was full */
	struct pipeline_stats pl;      /* summed over workers */
};

struct workers;

int workers_start(struct workers **out, const struct workers_cfg *cfg);
/* Hand over one frame (copied; valid only during the call). Producer p is one thread. */
void workers_submit(struct workers *w, unsigned int p, const uint8_t *frame, uint32_t caplen, uint32_t len,
		    uint64_t ts_ns);
/* End of a producer's batch: wake the workers it fed. */
void workers_kick(struct workers *w, unsigned int p);
/* Stop after the queues are empty; NULL-safe. */
void workers_stop(struct workers *w);
void workers_stats(struct workers *w, struct workers_stats *st);
/*
 * AF_PACKET mode: each worker's counters into the flow records (the twin of a
 * kernel drain). merge runs with the worker's shard locked; a worker's flows
 * all belong to its shard.
 */
void workers_acct_drain(struct workers *w, acct_flow_fn merge, void *arg);
void workers_acct_stats(struct workers *w, uint64_t out[CTR_MAX]);
typedef void (*workers_tput_fn)(void *arg, const struct tput_slot *s);
void workers_acct_tput(struct workers *w, workers_tput_fn fn, void *arg);

#endif /* FT_WORKERS_H */
