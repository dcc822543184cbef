/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/flowset.h - the flow table split in shards by a symmetric flow hash, one lock per shard. */
#ifndef FT_FLOWSET_H
#define FT_FLOWSET_H

#include <pthread.h>
#include <stddef.h>
#include "flow/table.h"

#define FLOWSET_MAX 64

/*
 * The canonical flow key is the same for both directions, so its address
 * pair sends both (and every fragment) to one shard and one worker. A worker holds its shard's lock while it
 * works on a batch of frames; the drain and the flusher take it per flow or
 * per pass. There is no lock over all shards.
 */
struct flowset {
	unsigned int n;
	struct {
		pthread_mutex_t mu;
		struct flow_table *ft;
	} shard[FLOWSET_MAX];
};

int flowset_init(struct flowset *fs, unsigned int n, size_t max_flows);
void flowset_fini(struct flowset *fs); /* frees records and their ext */
unsigned int flowset_shard_of(const struct flowset *fs, const struct flow_key *k);
/* Lock the shard that holds k; returns its table. */
struct flow_table *flowset_lock(struct flowset *fs, unsigned int shard);
void flowset_unlock(struct flowset *fs, unsigned int shard);
size_t flowset_count(struct flowset *fs);

#endif /* FT_FLOWSET_H */
