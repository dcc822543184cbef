// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/report.c - human tables and JSON lines for `read` and `status`. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>

#include "ctl/report.h"
#include "flow/names.h"
#include "flow/prefix.h"
#include "flowtower/parse.h"
#include "store/jsonl.h"
#include "util/clock.h"

void report_json(FILE *f, const struct report_in *in)
{
	struct flow_rec **recs;
	struct jw w;
	size_t n, i;

	jw_init(&w, f);
	recs = flow_table_sorted(in->flows, &n);
	for (i = 0; recs && i < n; i++)
		jsonl_flow(&w, recs[i]);
	free(recs);
	for (i = 0; i < in->n_tput; i++)
		jsonl_tput(&w, &in->tput[i]);
	jsonl_stats_begin(&w, in->stats);
	for (i = 0; in->info && in->info[i]; i += 2)
		jw_str(&w, in->info[i], in->info[i + 1]);
	if (in->extra_json && *in->extra_json)
		jw_fields(&w, in->extra_json);
	jw_obj_end(&w);
}

static void endpoint(char *buf, size_t len, const struct flow_key *k, int side)
{
	char a[64];
	const __be32 *addr = side ? k->addr_b : k->addr_a;
	unsigned int port = ntohs(side ? k->port_b : k->port_a);

	addr_format(addr, a, sizeof(a));
	if (k->proto == FT_IPPROTO_ICMP || k->proto == FT_IPPROTO_ICMPV6 ||
	    !(k->proto == FT_IPPROTO_TCP || k->proto == FT_IPPROTO_UDP || k->proto == FT_IPPROTO_SCTP ||
	      k->proto == FT_IPPROTO_UDPLITE))
		snprintf(buf, len, "%s", a);
	else if (k->ip_version == 6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

static void text_flows(FILE *f, struct flow_table *flows)
{
	struct flow_rec **recs;
	size_t n, i;

	recs = flow_table_sorted(flows, &n);
	if (!recs)
		return;
	fprintf(f, "%-9s %-47s %-47s %10s %12s %10s %12s\n", "proto", "originator", "responder", "o.pkts",
		"o.bytes", "r.pkts", "r.bytes");
	for (i = 0; i < n; i++) {
		const struct flow_rec *r = recs[i];
		int o = flow_total_orig(&r->tot);
		const char *pn = ft_proto_name(r->key.proto);
		char ob[80], rb[80], pb[16];

		endpoint(ob, sizeof(ob), &r->key, o);
		endpoint(rb, sizeof(rb), &r->key, !o);
		if (!pn) {
			snprintf(pb, sizeof(pb), "%u", r->key.proto);
			pn = pb;
		}
		fprintf(f, "%-9s %-47s %-47s %10llu %12llu %10llu %12llu\n", pn, ob, rb, r->tot.dir[o].pkts,
			r->tot.dir[o].bytes, r->tot.dir[!o].pkts, r->tot.dir[!o].bytes);
	}
	fprintf(f, "%zu flows\n", n);
	free(recs);
}

void report_text(FILE *f, const struct report_in *in)
{
	size_t i;
	int d, v;

	text_flows(f, in->flows);
	if (in->n_tput)
		fprintf(f, "\n%-20s %-6s %-4s %12s %14s\n", "minute", "dir", "ip", "packets", "bytes");
	for (i = 0; i < in->n_tput; i++) {
		char m[40];

		clock_rfc3339_min(in->tput[i].minute, m, sizeof(m));
		for (d = 0; d < TDIR_MAX; d++)
			for (v = 0; v < 2; v++)
				if (in->tput[i].cell[d][v].pkts)
					fprintf(f, "%-20s %-6s v%-3d %12llu %14llu\n", m, ft_tdir_names[d],
						v ? 6 : 4, in->tput[i].cell[d][v].pkts, in->tput[i].cell[d][v].bytes);
	}
	fprintf(f, "\ncounters:\n");
	for (i = 0; in->info && in->info[i]; i += 2)
		fprintf(f, "  %-22s %s\n", in->info[i], in->info[i + 1]);
	for (i = 0; i < CTR_MAX; i++)
		if (in->stats[i] || i == CTR_RX_FRAMES)
			fprintf(f, "  %-22s %" PRIu64 "\n", ft_ctr_names[i], in->stats[i]);
}
