/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_flow.h - ftgen's flows: one packet per event, TCP/QUIC/DNS/NDP conversations step by step. */
#ifndef FTGEN_FLOW_H
#define FTGEN_FLOW_H

#include <pcap/pcap.h>

#include "ftgen_app.h"
#include "ftgen_tls.h"
#include "ftgen_wire.h"

enum app { APP_TLS, APP_HTTP, APP_QUIC, APP_DNS, APP_NDP, APP_MAX };
static const char *const app_name[APP_MAX] = { "tls", "http", "quic", "dns", "ndp" };

enum bulk_kind { BULK_RAW, BULK_TEXT, BULK_TLS, BULK_QUIC };

#define US 1000ull
#define MS 1000000ull
#define STEP_DONE UINT64_MAX /* the flow has sent its last packet */
#define POOL_SIZE (1u << 20)

/* A data transfer from one side: an explicit message, then generated bulk, in rounds with ACKs. */
struct xfer {
	uint8_t side;
	uint8_t kind;		/* enum bulk_kind */
	bool acks;		/* the receiver ACKs every second segment (bulk), else the reply ACKs */
	bool ack_due;
	uint8_t *msg;		/* malloc'd, freed when sent */
	uint32_t msg_len, msg_off, msg_cut; /* msg_cut: the first segment ends there (0: no split) */
	uint64_t bulk_left;
	uint32_t cwnd, in_round, unacked, segs;
	uint64_t round_start;
};

struct flow {
	uint64_t id;
	uint8_t app, ipv, proto, stage;
	uint16_t vlan;
	struct endpoint ep[2];	   /* [0] originator (client), [1] responder */
	uint8_t dst_mac[2][6];	   /* where side d's frames go */
	uint8_t dst_addr[2][16];
	int32_t host;		   /* index into gen.hosts, -1 for none */
	uint8_t tls_prof;
	bool no_sni;		   /* TLS to an address: no server_name */
	bool name_sent;		   /* the whole ClientHello / request with the name went out */
	bool split;		   /* ClientHello or Host line split over two segments/datagrams */
	bool http_redirect;
	bool answered;		   /* the first response has been sized */
	uint8_t close;		   /* enum close_kind */
	uint8_t rounds;		   /* further request/response rounds */
	uint64_t pkts[2], bytes[2];
	uint64_t first_ns, last_ns;
	uint16_t ipid[2];
	uint32_t flowlabel;
	/* TCP */
	uint32_t isn[2], nxt[2];
	uint16_t mss;		   /* payload per full segment, options taken off */
	bool tsopt;
	uint32_t tsbase[2];
	/* timing */
	uint32_t rtt;		   /* ns, as seen from the client's side of the tap */
	uint32_t rate_mbps;	   /* bottleneck rate: spacing of back-to-back segments */
	struct xfer x;
	/* QUIC */
	uint8_t dcid[8], scid[8];
	uint32_t qpn[4];	   /* next packet number: Initial client, server; Handshake client, server */
	/* DNS */
	uint16_t dns_id[2];
	uint8_t queries;	   /* 1 (A) or 2 (A + AAAA) */
	bool edns;
	struct rng r;
};

enum close_kind { CLOSE_OPEN, CLOSE_FIN, CLOSE_RST, CLOSE_DONE };
static const char *const close_name[] = { "open", "fin", "rst", "done" };

struct gen {
	struct rng r;
	pcap_dumper_t *pd;
	bool nsec;
	uint64_t now;		   /* ns since the epoch */
	uint64_t limit;		   /* packets to write */
	uint64_t pkts, frame_bytes, ip_bytes, vlan_frames;
	uint64_t max_flow_pkts;
	uint8_t frame[FRAME_MAX + 64];
	uint8_t pay[FRAME_MAX];
	uint8_t *pool, *text;	   /* POOL_SIZE bytes each: random, and lowercase words */
	struct host *hosts;
	size_t nhosts;
	EVP_CIPHER_CTX *cx;
};

/* Write the frame in g->frame (len bytes, 'l3' IP-layer bytes) as sent by 'side' now. */
static inline void emit(struct gen *g, struct flow *f, int side, size_t len, size_t l3)
{
	struct pcap_pkthdr h;
	uint64_t sub = g->now % 1000000000ull;

	if (g->pkts >= g->limit)
		return;
	len = frame_pad(g->frame, len);
	h.ts.tv_sec = (time_t)(g->now / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(g->nsec ? sub : sub / 1000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)g->pd, &h, g->frame);
	if (!f->pkts[0] && !f->pkts[1])
		f->first_ns = g->now;
	f->last_ns = g->now;
	f->pkts[side]++;
	f->bytes[side] += l3;
	g->pkts++;
	g->frame_bytes += len;
	g->ip_bytes += l3;
	g->vlan_frames += f->vlan != 0;
}

static inline size_t flow_l3(struct gen *g, struct flow *f, int side, uint8_t proto, size_t l4len, size_t *l4off)
{
	struct l3opts o = { .ipv = f->ipv, .vlan = f->vlan, .ipid = f->ipid[side]++, .flowlabel = f->flowlabel };

	return frame_l3(g->frame, &f->ep[side], f->dst_mac[side], f->dst_addr[side], &o, proto, l4len, l4off);
}

/* One TCP segment from 'side' with the options a Linux/Windows stack would put there (RFC 9293, 7323). */
static inline void tcp_emit(struct gen *g, struct flow *f, int side, uint8_t flags, const uint8_t *pay, size_t plen)
{
	uint8_t *t;
	size_t hl = 20, l4off, len;
	uint32_t ms = (uint32_t)((g->now - f->first_ns) / MS);
	uint16_t c;

	if (flags & TH_SYN)
		hl = f->tsopt ? 40 : 32;
	else if (f->tsopt)
		hl = 32;
	len = flow_l3(g, f, side, IPPROTO_TCP_, hl + plen, &l4off);
	t = g->frame + l4off;
	put16(t, f->ep[side].port);
	put16(t + 2, f->ep[!side].port);
	put32(t + 4, f->nxt[side]);
	put32(t + 8, flags & TH_ACK ? f->nxt[!side] : 0);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = flags;
	put16(t + 14, flags & TH_SYN ? (side ? 65160 : 64240) : 2048); /* scaled by 2^7 after the handshake */
	put32(t + 16, 0);
	if (flags & TH_SYN) {
		uint8_t *o = t + 20;

		o[0] = 2, o[1] = 4;
		put16(o + 2, (uint16_t)(f->mss + (f->tsopt ? 12 : 0)));
		if (f->tsopt) { /* Linux: MSS, SACK_PERM, TS, NOP, WS */
			o[4] = 4, o[5] = 2, o[6] = 8, o[7] = 10;
			put32(o + 8, f->tsbase[side] + ms);
			put32(o + 12, side ? f->tsbase[0] : 0);
			o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
		} else { /* Windows: MSS, NOP, WS, NOP, NOP, SACK_PERM */
			o[4] = 1, o[5] = 3, o[6] = 3, o[7] = 8;
			o[8] = 1, o[9] = 1, o[10] = 4, o[11] = 2;
		}
	} else if (f->tsopt) {
		uint8_t *o = t + 20;

		o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10;
		put32(o + 4, f->tsbase[side] + ms);
		put32(o + 8, f->tsbase[!side] + ms);
	}
	memcpy(t + hl, pay, plen);
	c = csum_fold(csum_add(csum_add(ip_pseudo(g->frame, l4off, f->ipv, IPPROTO_TCP_, hl + plen), t, hl), pay,
			       plen));
	memcpy(t + 16, &c, 2);
	f->nxt[side] += (uint32_t)plen + !!(flags & TH_SYN) + !!(flags & TH_FIN);
	emit(g, f, side, len, ip_bytes(f->ipv, hl + plen));
}

static inline void udp_emit(struct gen *g, struct flow *f, int side, const uint8_t *pay, size_t plen)
{
	size_t l4off, len = flow_l3(g, f, side, IPPROTO_UDP_, 8 + plen, &l4off);
	uint8_t *u = g->frame + l4off;
	uint16_t c;

	put16(u, f->ep[side].port);
	put16(u + 2, f->ep[!side].port);
	put16(u + 4, (uint16_t)(8 + plen));
	put16(u + 6, 0);
	memcpy(u + 8, pay, plen);
	c = csum_fold(csum_add(ip_pseudo(g->frame, l4off, f->ipv, IPPROTO_UDP_, 8 + plen), u, 8 + plen));
	if (!c)
		c = 0xffff; /* RFC 768: zero means "no checksum" */
	memcpy(u + 6, &c, 2);
	emit(g, f, side, len, ip_bytes(f->ipv, 8 + plen));
}

static inline void icmp6_emit(struct gen *g, struct flow *f, int side, const uint8_t *body, size_t n)
{
	size_t l4off, len = flow_l3(g, f, side, IPPROTO_ICMPV6_, n, &l4off);
	uint8_t *m = g->frame + l4off;
	uint16_t c;

	memcpy(m, body, n);
	c = csum_fold(csum_add(ip_pseudo(g->frame, l4off, 6, IPPROTO_ICMPV6_, n), m, n));
	memcpy(m + 2, &c, 2);
	emit(g, f, side, len, ip_bytes(6, n));
}

/* Time a segment of n bytes takes at the flow's bottleneck: the gap between back-to-back segments. */
static inline uint64_t wire_gap(const struct flow *f, size_t n)
{
	return (uint64_t)(n + 78) * 8 * 1000 / f->rate_mbps + 1;
}

/* How long the side near the tap takes to answer: microseconds for the client, an RTT for the server. */
static inline uint64_t turn(struct flow *f, int answering_side)
{
	return answering_side ? f->rtt + rng_below(&f->r, 400) * US : 20 * US + rng_below(&f->r, 180) * US;
}

/* Start a transfer of msg (taken over, may be NULL) then 'bulk' generated bytes from 'side'. */
static inline void xfer_start(struct gen *g, struct flow *f, int side, uint8_t *msg, size_t len, size_t cut,
			      uint64_t bulk, enum bulk_kind kind)
{
	struct xfer *x = &f->x;

	free(x->msg);
	*x = (struct xfer){ .side = (uint8_t)side, .kind = (uint8_t)kind, .msg = msg, .msg_len = (uint32_t)len,
			    .msg_cut = (uint32_t)cut, .bulk_left = bulk, .acks = bulk > 0, .cwnd = 10,
			    .round_start = g->now };
}

/* Next payload of the transfer into g->pay; returns its length. Bulk comes in whole records for TLS. */
static inline size_t xfer_fill(struct gen *g, struct flow *f, size_t room)
{
	struct xfer *x = &f->x;
	size_t n = 0, take;

	if (x->msg_off < x->msg_len) {
		take = x->msg_len - x->msg_off;
		if (x->msg_cut > x->msg_off && take > x->msg_cut - x->msg_off)
			take = x->msg_cut - x->msg_off;
		if (take > room)
			take = room;
		memcpy(g->pay, x->msg + x->msg_off, take);
		x->msg_off += (uint32_t)take;
		n = take;
		if (x->msg_off == x->msg_cut)
			return n; /* the split: the rest goes in the next segment */
	}
	if (x->bulk_left && room - n >= 24) {
		take = room - n;
		if (take > x->bulk_left)
			take = (size_t)x->bulk_left;
		if (x->kind == BULK_TLS && x->bulk_left - take < 24 && x->bulk_left > take)
			take -= 24; /* leave a whole record for the next segment */
		if (x->kind == BULK_TLS) {
			tls_app_record(g->pay + n, &f->r, take);
		} else {
			const uint8_t *src = x->kind == BULK_TEXT ? g->text : g->pool;

			memcpy(g->pay + n, src + (rng_next(&f->r) & (POOL_SIZE / 2 - 1)), take);
		}
		x->bulk_left -= take;
		n += take;
	}
	return n;
}

/*
 * One packet of a TCP transfer: a data segment, or the receiver's ACK of the
 * last two. Returns the delay to the next packet, or STEP_DONE when the
 * transfer is complete (its last segment or last ACK just went out).
 */
static inline uint64_t tcp_xfer_step(struct gen *g, struct flow *f)
{
	struct xfer *x = &f->x;
	int s = x->side;
	size_t n;
	bool done;

	if (x->ack_due) {
		tcp_emit(g, f, !s, TH_ACK, NULL, 0);
		x->ack_due = false;
		x->unacked = 0;
		if (x->msg_off == x->msg_len && !x->bulk_left)
			return STEP_DONE;
		if (x->in_round >= x->cwnd) { /* the next flight leaves when this ACK reaches the sender */
			uint64_t due = x->round_start + (s ? f->rtt : f->rtt / 50);

			x->in_round = 0;
			x->cwnd = x->cwnd < 64 ? x->cwnd * 2 : 64;
			x->round_start = due > g->now ? due : g->now + 1;
			return x->round_start - g->now;
		}
		return s ? wire_gap(f, f->mss) : turn(f, s);
	}
	n = xfer_fill(g, f, f->mss);
	done = x->msg_off == x->msg_len && !x->bulk_left;
	tcp_emit(g, f, s, TH_ACK | (done || x->msg_off == x->msg_cut ? TH_PSH : 0), g->pay, n);
	x->in_round++;
	x->unacked++;
	x->segs++;
	if (x->acks && (x->unacked >= 2 || done || x->in_round >= x->cwnd)) {
		x->ack_due = true;
		return turn(f, !s);
	}
	if (done)
		return STEP_DONE;
	return wire_gap(f, n);
}

#endif /* FTGEN_FLOW_H */
