// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/jsonl.c - typed JSON lines for `read --json` and `status --json`. */
#include <arpa/inet.h>

#include "flow/ext.h"
#include "flow/names.h"
#include "l7/l7.h"
#include "flow/prefix.h"
#include "flowtower/account.h"
#include "store/jsonl.h"
#include "util/clock.h"
#include "util/uuid.h"

static void put_addr(struct jw *w, const char *key, const __be32 addr[4])
{
	char buf[64];

	jw_str(w, key, addr_format(addr, buf, sizeof(buf)));
}

static bool has_ports(unsigned int proto)
{
	return proto == FT_IPPROTO_TCP || proto == FT_IPPROTO_UDP || proto == FT_IPPROTO_UDPLITE ||
	       proto == FT_IPPROTO_SCTP;
}

static void put_side(struct jw *w, const struct flow_rec *r, int side, const char *addr_key,
		     const char *port_key)
{
	const struct flow_key *k = &r->key;

	put_addr(w, addr_key, side ? k->addr_b : k->addr_a);
	if (has_ports(k->proto))
		jw_u64(w, port_key, ntohs(side ? k->port_b : k->port_a));
	else
		jw_null(w, port_key);
}

static const char *local_side(const struct flow_total *t, int orig)
{
	int la = !!(t->flags & FLOW_F_LOCAL_A), lb = !!(t->flags & FLOW_F_LOCAL_B);
	int lorig = orig ? lb : la, lresp = orig ? la : lb;

	if (lorig && !lresp)
		return "orig";
	if (lresp && !lorig)
		return "resp";
	return NULL;
}

static void put_dir(struct jw *w, const struct flow_total *t, int side, int resp)
{
	static const char *const keys[2][4] = {
		{ "orig_pkts", "orig_bytes", "orig_l4_bytes", "orig_payload_bytes" },
		{ "resp_pkts", "resp_bytes", "resp_l4_bytes", "resp_payload_bytes" },
	};

	jw_u64(w, keys[resp][0], t->dir[side].pkts);
	jw_u64(w, keys[resp][1], t->dir[side].bytes);
	jw_u64(w, keys[resp][2], t->dir[side].l4_bytes);
	jw_u64(w, keys[resp][3], t->dir[side].payload_bytes);
}

static void put_mac(struct jw *w, const char *key, const struct flow_ext *x, int side)
{
	char buf[24];
	const uint8_t *m;

	if (!x || !(x->has_mac & (1 << side))) {
		jw_null(w, key);
		return;
	}
	m = x->mac[side];
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	jw_str(w, key, buf);
}

void jsonl_flow(struct jw *w, const struct flow_rec *r)
{
	const struct flow_total *t = &r->tot;
	const struct flow_key *k = &r->key;
	int orig = flow_total_orig(t), resp = !orig;
	char buf[64];

	jw_obj_begin(w, NULL);
	jw_str(w, "type", "flow");
	if (uuid_is_nil(t->uuid)) {
		jw_null(w, "uuid");
	} else {
		uuid_format(t->uuid, buf);
		jw_str(w, "uuid", buf);
	}
	jw_u64(w, "ip_version", k->ip_version);
	jw_u64(w, "proto", k->proto);
	jw_str(w, "proto_name", ft_proto_name(k->proto));
	put_side(w, r, orig, "orig_addr", "orig_port");
	put_side(w, r, resp, "resp_addr", "resp_port");
	if (ft_is_icmp(k->proto)) {
		jw_u64(w, "icmp_type", ntohs(k->port_a));
		jw_u64(w, "icmp_code", ntohs(k->port_b));
	}
	jw_str(w, "local_side", local_side(t, orig));
	put_dir(w, t, orig, 0);
	put_dir(w, t, resp, 1);
	jw_u64(w, "duplicates", t->dups);
	if (k->proto == FT_IPPROTO_TCP) {
		jw_u64(w, "tcp_flags", t->tcp_flags[0] | t->tcp_flags[1]);
		jw_u64(w, "orig_tcp_flags", t->tcp_flags[orig]);
		jw_u64(w, "resp_tcp_flags", t->tcp_flags[resp]);
	} else {
		jw_null(w, "tcp_flags");
	}
	jw_str(w, "first_seen", t->first_ns ? clock_rfc3339(t->first_ns, buf, sizeof(buf)) : NULL);
	jw_str(w, "last_seen", t->last_ns ? clock_rfc3339(t->last_ns, buf, sizeof(buf)) : NULL);
	l7_json(w, r->ext);
	put_mac(w, "orig_mac", r->ext, orig);
	put_mac(w, "resp_mac", r->ext, resp);
	jw_str(w, "device", r->ext && ((const struct flow_ext *)r->ext)->device[0] ? ((const struct flow_ext *)r->ext)->device : NULL);
	jw_obj_end(w);
}

void jsonl_tput(struct jw *w, const struct tput_slot *s)
{
	char buf[40];
	int d, v;

	clock_rfc3339_min(s->minute, buf, sizeof(buf));
	for (d = 0; d < TDIR_MAX; d++) {
		for (v = 0; v < 2; v++) {
			const struct tput_cell *c = &s->cell[d][v];

			if (!c->pkts)
				continue;
			jw_obj_begin(w, NULL);
			jw_str(w, "type", "throughput");
			jw_str(w, "minute", buf);
			jw_str(w, "direction", ft_tdir_names[d]);
			jw_u64(w, "ip_version", v ? 6 : 4);
			jw_u64(w, "packets", c->pkts);
			jw_u64(w, "bytes", c->bytes);
			jw_obj_end(w);
		}
	}
}

void jsonl_stats_begin(struct jw *w, const uint64_t stats[CTR_MAX])
{
	int i;

	jw_obj_begin(w, NULL);
	jw_str(w, "type", "stats");
	for (i = 0; i < CTR_MAX; i++)
		jw_u64(w, ft_ctr_names[i], stats[i]);
}
