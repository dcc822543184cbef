/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kern/drain.h - move the kernel's per-CPU flow counters into the totals, exactly once. */
#ifndef FT_DRAIN_H
#define FT_DRAIN_H

#include <stdint.h>
#include "flow/flowset.h"
#include "kern/loader.h"

struct drain_stats {
	uint64_t drains;
	uint64_t flows_merged;	/* buffer entries added into totals */
	uint64_t flows_lost;	/* the userspace table was full: counts kept only in 'stats' */
	uint64_t evicted;	/* buffer entries the kernel's LRU evicted before a drain: their counts are lost */
	uint64_t evict_warned_ns; /* monotonic time of the last warning about it (at most one an hour) */
	uint64_t last_ns;	/* duration of the last drain */
};

/*
 * Load the pinned totals into the table (at start: a restart continues where
 * the last run stopped). Returns the number of flows or -errno.
 */
int drain_load_totals(const struct loader *ld, struct flowset *fs);

/*
 * One drain: point the kernel at the other buffer (the map-in-map update
 * waits for every program still using the old one), then add each quiet
 * entry into its flow's totals, write the totals to the pinned 'flows' map,
 * and delete the entry. ctl records the generation first, and each total
 * records the last generation added into it, so a drain cut short by a crash
 * is finished on the next start without counting anything twice. Changed
 * records get dirty_gen = the generation; new ones are passed to on_new (with
 * their shard locked) so later stages can look them up. Returns 0 or -errno.
 */
typedef void (*drain_new_fn)(void *arg, struct flow_rec *r);
int drain_once(struct loader *ld, struct flowset *fs, struct drain_stats *st, drain_new_fn on_new, void *arg);

#endif /* FT_DRAIN_H */
