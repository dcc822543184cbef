/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/expire.h - idle timeouts that depend on a flow's state. */
#ifndef FT_EXPIRE_H
#define FT_EXPIRE_H

#include <stdbool.h>
#include <stdint.h>
#include "flow/table.h"

struct flow_timeouts {
	uint32_t closed_s;	/* TCP with FIN or RST seen (default 60) */
	uint32_t unsolicited_s; /* only one direction ever seen (default 60) */
	uint32_t udp_s;		/* UDP and other datagram protocols (default 120) */
	uint32_t tcp_s;		/* established TCP (default 900) */
};

void flow_timeouts_default(struct flow_timeouts *t);
/*
 * Emergency timeouts: past 'from' of the table's limit (e.g. 80%), every
 * timeout shrinks in proportion to the room left, down to 1/64th at the limit,
 * so a flood of new flows pushes out idle ones before the table is full.
 * Returns the scale in 1/1024ths (1024: normal).
 */
uint32_t flow_timeout_scale(size_t count, size_t max, unsigned int from_pct);
/* Seconds of silence after which this flow is over, at a scale from flow_timeout_scale(). */
uint32_t flow_idle_limit(const struct flow_rec *r, const struct flow_timeouts *t);
bool flow_is_idle(const struct flow_rec *r, uint64_t now_ns, const struct flow_timeouts *t, uint32_t scale);

#endif /* FT_EXPIRE_H */
