// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/pipeline.c - steered frames into flow records, TCP reassembly, QUIC, DNS and the L7 parsers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/ext.h"
#include "flow/pipeline.h"
#include "flow/prefix.h"
#include "flowtower/account.h"
#include "l7/dnscache.h"
#include "util/cursor.h"
#include "util/json.h"
#include "util/log.h"
#include "util/uuid.h"

struct pipeline {
	struct pipeline_cfg cfg;
	struct pipeline_stats st;
};

int pipeline_new(struct pipeline **out, const struct pipeline_cfg *cfg)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (!pl)
		return -ENOMEM;
	pl->cfg = *cfg;
	if (!pl->cfg.reasm.max_segs)
		pl->cfg.reasm.max_segs = REASM_DEFAULT_SEGS;
	if (!pl->cfg.reasm.max_bytes)
		pl->cfg.reasm.max_bytes = REASM_DEFAULT_BYTES;
	*out = pl;
	return 0;
}

void pipeline_free(struct pipeline *pl)
{
	free(pl);
}

const struct pipeline_stats *pipeline_stats(const struct pipeline *pl)
{
	return &pl->st;
}

static void dns_lock(struct pipeline *pl, int on)
{
	if (!pl->cfg.dns_lock)
		return;
	if (on)
		pthread_mutex_lock(pl->cfg.dns_lock);
	else
		pthread_mutex_unlock(pl->cfg.dns_lock);
}

static const uint8_t *addr_of(const struct flow_key *k, int side)
{
	return (const uint8_t *)(side ? k->addr_b : k->addr_a);
}

/* A name the client resolved for the server, tried both ways round when we cannot tell which is which. */
static void dns_name(struct pipeline *pl, struct flow_ext *x, const struct flow_key *k, int known, uint64_t now)
{
	if (!pl->cfg.dns)
		return;
	dns_lock(pl, 1);
	l7_dns_name(x, pl->cfg.dns, addr_of(k, x->client_side), addr_of(k, !x->client_side), now);
	if (!known)
		l7_dns_name(x, pl->cfg.dns, addr_of(k, !x->client_side), addr_of(k, x->client_side), now);
	dns_lock(pl, 0);
}

void pipeline_new_flow(struct pipeline *pl, struct flow_rec *r, uint64_t now_ns)
{
	struct flow_ext probe = {};

	if (r->ext || !pl->cfg.dns)
		return;
	probe.client_side = (uint8_t)flow_total_orig(&r->tot);
	dns_name(pl, &probe, &r->key, 0, now_ns);
	if (!probe.hostname)
		return;
	r->ext = calloc(1, sizeof(struct flow_ext));
	if (r->ext)
		*(struct flow_ext *)r->ext = probe;
	else
		free(probe.hostname);
}

/* --dump-streams: <client>_<port>-<server>_<port>.client / .server, the prefixes as reassembled. */
static void dump_streams(struct pipeline *pl, const struct flow_rec *r, const struct flow_ext *x)
{
	const struct flow_key *k = &r->key;
	int c = x->client_side, dir;
	char ca[64], sa[64], path[512];

	if (!pl->cfg.dump_dir || !x->reasm || k->proto != FT_IPPROTO_TCP)
		return;
	addr_format(c ? k->addr_b : k->addr_a, ca, sizeof(ca));
	addr_format(c ? k->addr_a : k->addr_b, sa, sizeof(sa));
	for (dir = 0; dir < 2; dir++) {
		const uint8_t *data;
		size_t len;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s_%u-%s_%u.%s", pl->cfg.dump_dir, ca,
			 bpf_ntohs(c ? k->port_b : k->port_a), sa, bpf_ntohs(c ? k->port_a : k->port_b),
			 dir ? "server" : "client");
		if (reasm_prefix(x->reasm, dir, &data, &len))
			continue;
		f = fopen(path, "w");
		if (!f)
			continue;
		if ((len && fwrite(data, 1, len, f) != len) | fclose(f))
			pr_warn("%s: %s\n", path, strerror(errno));
	}
}

static int dump_one(void *arg, struct flow_rec *r)
{
	struct pipeline *pl = arg;

	if (r->ext)
		dump_streams(pl, r, r->ext);
	return 0;
}

void pipeline_dump_pending(struct pipeline *pl, struct flow_table *ft)
{
	if (pl->cfg.dump_dir)
		flow_table_foreach(ft, dump_one, pl);
}

/* Nothing more to learn from this flow's start: free the parsers' state, tell the kernel. */
static void finish(struct pipeline *pl, struct flow_rec *r, struct flow_ext *x)
{
	l7_finish(x);
	dump_streams(pl, r, x);
	reasm_free(x->reasm);
	x->reasm = NULL;
	free(x->quic);
	x->quic = NULL;
	x->l7_flags |= L7_STEER_DONE;
	if (pl->cfg.mark_done)
		pl->cfg.mark_done(pl->cfg.arg, &r->key);
}

/*
 * Which side is the client: the SYN's sender or the SYN-ACK's receiver when
 * seen; before that, the side talking to the lower port (443, 80 ... are
 * servers), else the first sender. A handshake seen late corrects a guess and
 * the reassembly starts over with the right directions.
 */
static void tcp_client_side(struct flow_ext *x, const struct pkt_info *pi, int side, bool first)
{
	int syn = (pi->tcp_flags & (FT_TCP_SYN | FT_TCP_ACK)) == FT_TCP_SYN;
	int synack = (pi->tcp_flags & (FT_TCP_SYN | FT_TCP_ACK)) == (FT_TCP_SYN | FT_TCP_ACK);
	int client;

	if (syn || synack) {
		client = syn ? side : !side;
		if (!(x->l7_flags & L7_CLIENT_KNOWN) && client != x->client_side && !first) {
			reasm_free(x->reasm); /* its directions were the wrong way round */
			x->reasm = NULL;
		}
		x->client_side = (uint8_t)client;
		x->l7_flags |= L7_CLIENT_KNOWN;
	} else if (first) {
		uint16_t s = bpf_ntohs(pi->sport), d = bpf_ntohs(pi->dport);

		x->client_side = (uint8_t)(s < d ? !side : side);
	}
}

static void tcp_segment(struct pipeline *pl, struct flow_rec *r, struct flow_ext *x, const uint8_t *frame,
			uint32_t caplen, const struct pkt_info *pi, int side)
{
	uint32_t off = (uint32_t)pi->l4_off + pi->l4_hdr_len, plen = pi->payload_len, seq;
	int dir = side != x->client_side, rc;

	if ((uint32_t)pi->l4_off + 8 > caplen || (pi->notes & (NOTE_TCP_DOFF | NOTE_SNAPPED)) ||
	    pi->l4_hdr_len < 20)
		return; /* no trustworthy sequence number or payload offset */
	seq = rd_be32(frame + pi->l4_off + 4);
	if (off > caplen)
		plen = 0;
	else if (plen > caplen - off)
		plen = caplen - off; /* the capture cut it: what we have, a gap follows */
	if (!x->reasm && reasm_new(&x->reasm, &pl->cfg.reasm)) {
		pl->st.reasm_nomem++;
		return;
	}
	rc = reasm_add(x->reasm, dir, seq, pi->tcp_flags, frame + off, plen);
	if (rc == -ENOMEM)
		pl->st.reasm_nomem++;
	l7_tcp_update(x, x->reasm, &pl->st.l7);
	if (pl->cfg.dump_dir) { /* dumping: the whole preamble is reassembled, not just what L7 needs */
		struct reasm_stats a, b;

		if (!reasm_stats(x->reasm, 0, &a) && !reasm_stats(x->reasm, 1, &b) && a.done && b.done)
			finish(pl, r, x);
		return;
	}
	if ((x->l7_flags & (L7_CLIENT_DONE | L7_SERVER_DONE)) == (L7_CLIENT_DONE | L7_SERVER_DONE))
		finish(pl, r, x);
}

static void udp_datagram(struct pipeline *pl, struct flow_rec *r, struct flow_ext *x, const uint8_t *frame,
			 uint32_t caplen, const struct pkt_info *pi, int side, uint64_t ts)
{
	uint32_t off = (uint32_t)pi->l4_off + 8, plen = pi->payload_len;

	if (off > caplen)
		return;
	if (plen > caplen - off)
		plen = caplen - off;
	if (pi->sport == bpf_htons(53) && pl->cfg.dns) {
		dns_lock(pl, 1);
		l7_dns_response(pl->cfg.dns, frame + off, plen, (const uint8_t *)pi->daddr, ts, &pl->st.l7);
		dns_lock(pl, 0);
	} else if (pi->dport == bpf_htons(443) || x->quic ||
		   (pi->sport != bpf_htons(443) && ft_quic_initial(frame + off, frame + off + plen))) {
		/* the client's datagrams: to 443, or any port once a QUIC Initial opened the flow */
		if (pi->sport == bpf_htons(443) || (x->quic && side != x->client_side))
			return;
		x->client_side = (uint8_t)side;
		l7_quic_datagram(x, frame + off, plen, &pl->st.l7);
		if ((x->l7_flags & (L7_CLIENT_DONE | L7_SERVER_DONE)) == (L7_CLIENT_DONE | L7_SERVER_DONE))
			finish(pl, r, x);
	}
}

void pipeline_frame(struct pipeline *pl, struct flow_table *ft, int dlt, const uint8_t *frame, uint32_t caplen,
		    uint32_t len, uint64_t ts)
{
	struct flow_ext *x;
	struct flow_rec *r;
	struct pkt_info pi;
	struct flow_key k;
	bool created;
	int side;

	pl->st.frames++;
	pl->st.bytes += caplen; /* what arrived; a capture cut by its snaplen has less */
	if (decode_frame(dlt, frame, caplen, len, &pi)) {
		pl->st.undecodable++;
		return;
	}
	if (ft_is_ndp(&pi)) {
		pl->st.ndp++;
		if (pl->cfg.ndp)
			pl->cfg.ndp(pl->cfg.arg, frame, caplen, &pi, ts);
		return;
	}
	side = ft_flow_key(&pi, &k);
	r = flow_table_upsert(ft, &k, &created);
	if (!r) {
		pl->st.table_full++;
		return;
	}
	if (created) {
		pl->st.flows_created++;
		uuid_v7(r->tot.uuid, ts);
	}
	if (ts > r->touched_ns)
		r->touched_ns = ts;
	x = r->ext;
	if (!x) {
		x = r->ext = calloc(1, sizeof(*x));
		if (!x)
			return;
		created = true; /* first steered frame of this flow */
	}
	if (x->l7_flags & L7_STEER_DONE) {
		pl->st.late++;
		return;
	}
	x->pkts_seen++;
	r->dirty_gen |= FLOW_DIRTY_EXT; /* what this frame teaches reaches the store's next batch */
	if (pi.proto == FT_IPPROTO_TCP) {
		tcp_client_side(x, &pi, side, created);
		if (created)
			dns_name(pl, x, &k, 0, ts);
		tcp_segment(pl, r, x, frame, caplen, &pi, side);
	} else if (pi.proto == FT_IPPROTO_UDP) {
		if (created) {
			x->client_side = (uint8_t)(bpf_ntohs(pi.sport) < bpf_ntohs(pi.dport) ? !side : side);
			dns_name(pl, x, &k, 0, ts);
		}
		udp_datagram(pl, r, x, frame, caplen, &pi, side, ts);
	}
}

void pipeline_stats_json(struct jw *w, const struct pipeline_stats *st)
{
	jw_u64(w, "userspace_frames", st->frames);
	jw_u64(w, "userspace_bytes", st->bytes);
	jw_u64(w, "userspace_undecodable", st->undecodable);
	jw_u64(w, "userspace_late", st->late);
	jw_u64(w, "userspace_table_full", st->table_full);
	jw_u64(w, "reasm_nomem", st->reasm_nomem);
	jw_u64(w, "ndp_frames", st->ndp);
	jw_u64(w, "tls_client_hellos", st->l7.tls_client_hellos);
	jw_u64(w, "tls_server_hellos", st->l7.tls_server_hellos);
	jw_u64(w, "tls_errors", st->l7.tls_errors);
	jw_u64(w, "http_requests", st->l7.http_requests);
	jw_u64(w, "http_errors", st->l7.http_errors);
	jw_u64(w, "quic_client_hellos", st->l7.quic_client_hellos);
	jw_u64(w, "quic_errors", st->l7.quic_errors);
	jw_u64(w, "dns_responses", st->l7.dns_responses);
	jw_u64(w, "dns_answers", st->l7.dns_answers);
	jw_u64(w, "dns_errors", st->l7.dns_errors);
}
