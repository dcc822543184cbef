/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kern/maps.h - reading the sensor's maps from userspace: per-CPU sums, flow buffers, throughput. */
#ifndef FT_MAPS_H
#define FT_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include "flowtower/abi.h"

int maps_ncpu(void); /* possible CPUs: the stride of per-CPU values */

/* Sum the per-CPU 'stats' array. 0 or -errno. */
int maps_read_stats(int fd, uint64_t out[CTR_MAX]);
/* One entry of a per-CPU array of u64, summed over CPUs. 0 or -errno. */
int maps_read_percpu_u64(int fd, uint32_t key, uint64_t *sum);
/*
 * The per-CPU throughput ring summed by minute: out[] gets up to
 * FT_TPUT_SLOTS * ncpu minutes in ascending order, *n how many. 0 or -errno.
 */
int maps_read_tput(int fd, struct tput_slot *out, size_t cap, size_t *n);

/*
 * Walk a flow buffer (an LRU per-CPU hash of flow_ctr) in batches: fn gets
 * each key and its counters summed over CPUs. With del, the batch is
 * deleted after fn saw it (only safe on a buffer no program writes to).
 * Returns the number of flows or -errno.
 */
typedef int (*maps_flow_fn)(void *arg, const struct flow_key *k, const struct flow_total *sum);
int maps_walk_buffer(int fd, int del, maps_flow_fn fn, void *arg);
/* Walk the totals map ('flows'). Returns the number of flows or -errno. */
typedef int (*maps_total_fn)(void *arg, const struct flow_key *k, const struct flow_total *t);
int maps_walk_totals(int fd, maps_total_fn fn, void *arg);

int maps_read_ctl(int fd, struct ft_ctl *ctl);
int maps_write_ctl(int fd, const struct ft_ctl *ctl);

#endif /* FT_MAPS_H */
