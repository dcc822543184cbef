/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/table.h - the userspace flow table: one record per flow, its totals and attributes. */
#ifndef FT_FLOW_TABLE_H
#define FT_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flowtower/abi.h"

/*
 * A flow record. The table owns it; pointers stay valid until
 * flow_table_remove(). 'tot' holds the counters merged from the kernel (or
 * from acct), including the UUID; everything else is learned in userspace.
 */
struct flow_rec {
	struct flow_key key;
	struct flow_total tot;
	uint64_t dirty_gen; /* drain generation that last changed it (store: rows to write) */
#define FLOW_DIRTY_EXT (1ULL << 63) /* or'ed in: attributes (L7) changed since the store's last batch */
	uint64_t touched_ns; /* wall clock of the last frame or drain that touched it (idle timeouts) */
	void *ext;	    /* attributes owned by later stages (L7, devices); NULL when none */
};

struct flow_table;

int flow_table_new(struct flow_table **out, size_t max_flows);
void flow_table_free(struct flow_table *t); /* frees records; ext must be released first */
size_t flow_table_count(const struct flow_table *t);
struct flow_rec *flow_table_lookup(const struct flow_table *t, const struct flow_key *k);
/* The record for k, created (zeroed, key set) if absent. NULL when full or out of memory. */
struct flow_rec *flow_table_upsert(struct flow_table *t, const struct flow_key *k, bool *created);
void flow_table_remove(struct flow_table *t, struct flow_rec *r);
/* Records in a stable order (first_ns, then key): for output that diffs cleanly. Caller frees. */
struct flow_rec **flow_table_sorted(const struct flow_table *t, size_t *n);
/* Remove (and free) every record for which pred returns true; pred frees r->ext and r itself. */
typedef bool (*flow_rec_pred)(void *arg, const void *key, void *val);
size_t flow_table_delete_if(struct flow_table *t, flow_rec_pred pred, void *arg);
typedef int (*flow_rec_fn)(void *arg, struct flow_rec *r);
int flow_table_foreach(struct flow_table *t, flow_rec_fn fn, void *arg);

/* Add one CPU's (or one drain's) counters into a flow's totals. Zeroed per-CPU copies add nothing. */
void flow_total_merge(struct flow_total *t, const struct flow_ctr *c);
/* Add totals d into t (status: pinned totals plus undrained buffers). */
void flow_total_add(struct flow_total *t, const struct flow_total *d);
uint64_t flow_total_pkts(const struct flow_total *t);
/* Side that opened the flow (enum ft_side) by the strongest hint seen. */
int flow_total_orig(const struct flow_total *t);

#endif /* FT_FLOW_TABLE_H */
