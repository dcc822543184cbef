// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/expire.c - state-dependent idle timeouts (closed, unsolicited, UDP, established TCP). */
#include "flowtower/parse.h"
#include "flow/expire.h"
#include "util/clock.h"

void flow_timeouts_default(struct flow_timeouts *t)
{
	t->closed_s = 60;
	t->unsolicited_s = 60;
	t->udp_s = 120;
	t->tcp_s = 900;
}

uint32_t flow_idle_limit(const struct flow_rec *r, const struct flow_timeouts *t)
{
	const struct flow_total *f = &r->tot;
	uint8_t flags = f->tcp_flags[0] | f->tcp_flags[1];

	if (r->key.proto == FT_IPPROTO_TCP && (flags & (FT_TCP_FIN | FT_TCP_RST)))
		return t->closed_s;
	if (!f->dir[0].pkts || !f->dir[1].pkts)
		return t->unsolicited_s;
	if (r->key.proto == FT_IPPROTO_TCP)
		return t->tcp_s;
	return t->udp_s;
}

uint32_t flow_timeout_scale(size_t count, size_t max, unsigned int from_pct)
{
	size_t from = max / 100 * from_pct, left;

	if (!max || count <= from)
		return 1024;
	if (count >= max)
		return 16;
	left = max - count; /* of max - from */
	return (uint32_t)(16 + (1024 - 16) * left / (max - from));
}

bool flow_is_idle(const struct flow_rec *r, uint64_t now_ns, const struct flow_timeouts *t, uint32_t scale)
{
	uint64_t limit = (uint64_t)flow_idle_limit(r, t) * NS_PER_SEC / 1024 * scale;
	uint64_t last = r->tot.last_ns > r->touched_ns ? r->tot.last_ns : r->touched_ns;

	return last + limit <= now_ns;
}
