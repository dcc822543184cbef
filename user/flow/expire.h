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
/* Seconds of silence after which this flow is over. */
uint32_t flow_idle_limit(const struct flow_rec *r, const struct flow_timeouts *t);
bool flow_is_idle(const struct flow_rec *r, uint64_t now_ns, const struct flow_timeouts *t);

#endif /* FT_EXPIRE_H */
