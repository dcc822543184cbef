/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/pipeline.h - a steered frame's way through userspace: decode -> flow -> reassembly -> L7. */
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include <pthread.h>
#include <stdint.h>
#include "flow/table.h"
#include "flowtower/parse.h"
#include "l7/l7.h"
#include "reasm/reasm.h"

struct dnscache;

struct pipeline_cfg {
	struct dnscache *dns;	    /* shared name cache, may be NULL */
	pthread_mutex_t *dns_lock;  /* guards dns when several pipelines share it; NULL: single thread */
	struct reasm_limits reasm;  /* segments and bytes per direction */
	/* told when a flow's start holds nothing more to learn: stop steering it */
	void (*mark_done)(void *arg, const struct flow_key *k);
	/* neighbor discovery frames (copies), for the device catalog */
	void (*ndp)(void *arg, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi, uint64_t ts_ns);
	void *arg;
	/* debugging: each TCP flow's reassembled client and server prefixes written here when done */
	const char *dump_dir;
};

struct pipeline_stats {
	uint64_t frames, bytes;	     /* steered frames received */
	uint64_t undecodable;	     /* the parser refused it (the kernel counted its kind) */
	uint64_t flows_created;
	uint64_t table_full;	     /* no record could be made: its L7 is lost, its counts are not */
	uint64_t reasm_nomem;
	uint64_t late;		     /* frames of flows already done (in flight when 'done' was set) */
	uint64_t ndp;
	struct l7_stats l7;
};

struct pipeline;

int pipeline_new(struct pipeline **out, const struct pipeline_cfg *cfg);
void pipeline_free(struct pipeline *pl);
/* One steered frame (dlt: pcap link type). The caller holds the lock of 'ft' if it is shared. */
void pipeline_frame(struct pipeline *pl, struct flow_table *ft, int dlt, const uint8_t *frame, uint32_t caplen,
		    uint32_t len, uint64_t ts_ns);
/* A record created elsewhere (by a drain): give it a DNS name if its client resolved one. */
void pipeline_new_flow(struct pipeline *pl, struct flow_rec *r, uint64_t now_ns);
const struct pipeline_stats *pipeline_stats(const struct pipeline *pl);
/* Dump the prefixes of flows still being read (end of a capture file). */
void pipeline_dump_pending(struct pipeline *pl, struct flow_table *ft);
struct jw;
/* The stats as fields of an open JSON object (userspace_frames, tls_client_hellos, ...). */
void pipeline_stats_json(struct jw *w, const struct pipeline_stats *st);

#endif /* FT_PIPELINE_H */
