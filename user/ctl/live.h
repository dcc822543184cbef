/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/live.h - figures of the running sensor for people watching: per-second throughput, top flows. */
#ifndef FT_LIVE_H
#define FT_LIVE_H

#include <stdio.h>

struct daemon;
struct live;

#define LIVE_SECONDS 600 /* the last ten minutes, one sample a second */

/* A thread sampling the counters every second. 0 or -errno. */
int live_start(struct live **out, struct daemon *d);
void live_stop(struct live *l); /* NULL-safe */
/* [{"t":unix seconds,"tx_bytes":..,"rx_bytes":..,"other_bytes":..,"tx_pkts":..,...}], oldest first. */
void live_seconds_json(struct live *l, FILE *out, unsigned int n);
/* {"flows":[the n biggest flows now],"hostnames":[{"hostname","bytes","flows"}]} */
void live_top_json(struct daemon *d, FILE *out, unsigned int n);

#endif /* FT_LIVE_H */
