/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_steps.h - ftgen's conversation scripts: TLS and HTTP over TCP, QUIC, DNS, neighbor discovery. */
#ifndef FTGEN_STEPS_H
#define FTGEN_STEPS_H

#include "ftgen_flow.h"

/* Stages; each step sends one packet and returns the delay to the flow's next one, or STEP_DONE. */
enum stage {
	ST_SYN, ST_SYNACK, ST_ACK, ST_REQ, ST_SFLIGHT, ST_CFIN, ST_RESP, ST_REQ2, ST_CLOSE1, ST_CLOSE2, ST_CLOSE3,
	Q_INIT1 = 32, Q_INIT2, Q_SINIT, Q_SHS, Q_CFIN, Q_CREQ, Q_RESP, Q_CLOSE,
	D_Q1 = 64, D_Q2, D_R1, D_R2,
	N_NS = 96, N_NA,
};

enum close_order { ORDER_CLIENT, ORDER_SERVER };

static const char *const alpn_browser[] = { "h2", "http/1.1", NULL };
static const char *const alpn_http11[] = { "http/1.1", NULL };
static const char *const alpn_h3[] = { "h3", NULL };

static inline const char *const *flow_alpn(const struct flow *f)
{
	if (f->app == APP_QUIC)
		return alpn_h3;
	return f->tls_prof == TLS_CURL && (f->id & 3) == 0 ? alpn_http11 : alpn_browser;
}

static inline const char *flow_sni(const struct gen *g, const struct flow *f)
{
	return f->host >= 0 && !f->no_sni ? g->hosts[f->host].name : NULL;
}

/*
 * Response sizes: mostly small objects, a tail of large downloads, capped per
 * flow. The first response of a connection is smaller (a page, an API call);
 * the big downloads come in later rounds, after the user has read a while.
 */
static inline uint64_t body_size(struct gen *g, struct flow *f)
{
	uint32_t u = rng_below(&f->r, 100);
	uint64_t n, cap = g->max_flow_pkts * f->mss * 2 / 3;
	bool first = !f->answered;

	f->answered = true;
	if (first)
		n = u < 70 ? rng_range(&f->r, 200, 4000) : u < 95 ? rng_range(&f->r, 4000, 32000) :
		    rng_range(&f->r, 32000, 256000);
	else if (u < 60)
		n = rng_range(&f->r, 200, 8000);
	else if (u < 88)
		n = rng_range(&f->r, 8000, 64000);
	else if (u < 98)
		n = rng_range(&f->r, 64000, 512000);
	else
		n = rng_range(&f->r, 512000, 8000000);
	return n < cap ? n : cap;
}

static inline uint8_t *dup_msg(const void *p, size_t n)
{
	uint8_t *m = malloc(n ? n : 1);

	if (m)
		memcpy(m, p, n);
	return m;
}

/* The client's first data: a ClientHello record (split in two segments for 'split') or a GET. */
static inline void tcp_first_request(struct gen *g, struct flow *f)
{
	uint8_t buf[2400];
	size_t n, cut = 0, at;

	if (f->app == APP_TLS) {
		n = tls_client_hello(buf + 5, &f->r, (enum tls_profile)f->tls_prof, flow_sni(g, f), false,
				     flow_alpn(f));
		n = tls_record(buf, 22, 0x0301, buf + 5, n);
		if (n > f->mss)
			f->split = true; /* a post-quantum key share does not fit one segment */
		else if (f->split)
			cut = rng_range(&f->r, 6, (uint32_t)n - 6); /* anywhere, even inside the record header */
	} else {
		const char *host = g->hosts[f->host].name;

		n = http_request((char *)buf, &f->r, host, &at);
		if (f->split) /* inside the Host value: "Host: www.exa" | "mple.com\r\n..." */
			cut = at + rng_range(&f->r, 1, (uint32_t)strlen(host) - 1);
	}
	xfer_start(g, f, 0, dup_msg(buf, n), n, cut, 0, BULK_RAW);
}

/* Server's TLS 1.3 first flight: ServerHello, ChangeCipherSpec, then encrypted handshake records. */
static inline void tls_server_flight(struct gen *g, struct flow *f)
{
	uint8_t buf[200], sid[32];
	size_t n;

	rng_fill(&f->r, sid, 32);
	n = tls_server_hello(buf + 5, &f->r, sid, 32, false);
	n = tls_record(buf, 22, 0x0303, buf + 5, n);
	memcpy(buf + n, "\x14\x03\x03\x00\x01\x01", 6);
	n += 6;
	xfer_start(g, f, 1, dup_msg(buf, n), n, 0, rng_range(&f->r, 2500, 6000), BULK_TLS);
}

static inline void tls_client_finish(struct gen *g, struct flow *f, bool ccs)
{
	uint8_t buf[1200];
	size_t n = 0, req = rng_range(&f->r, 80, 700);

	if (ccs) {
		memcpy(buf, "\x14\x03\x03\x00\x01\x01", 6);
		tls_app_record(buf + 6, &f->r, 58); /* Finished */
		n = 64;
	}
	tls_app_record(buf + n, &f->r, req);
	xfer_start(g, f, 0, dup_msg(buf, n + req), n + req, 0, 0, BULK_RAW);
}

static inline void http_response_start(struct gen *g, struct flow *f)
{
	char hdr[320];
	bool text = rng_pct(&f->r, 40);
	uint64_t body = f->http_redirect ? 0 : body_size(g, f);
	size_t n = http_response(hdr, &f->r, body, text, f->http_redirect, flow_sni(g, f));

	xfer_start(g, f, 1, dup_msg(hdr, n), n, 0, body, text ? BULK_TEXT : BULK_RAW);
}

static inline uint64_t tcp_close_step(struct gen *g, struct flow *f)
{
	int first = f->close == CLOSE_RST || (f->id % 5) != 0 ? 0 : 1; /* 4 in 5 closes start at the client */

	switch (f->stage) {
	case ST_CLOSE1:
		if (f->close == CLOSE_RST) {
			tcp_emit(g, f, 0, TH_RST | TH_ACK, NULL, 0);
			return STEP_DONE;
		}
		tcp_emit(g, f, first, TH_FIN | TH_ACK, NULL, 0);
		f->stage = ST_CLOSE2;
		return turn(f, !first);
	case ST_CLOSE2:
		tcp_emit(g, f, !first, TH_FIN | TH_ACK, NULL, 0);
		f->stage = ST_CLOSE3;
		return turn(f, first);
	default:
		tcp_emit(g, f, first, TH_ACK, NULL, 0);
		return STEP_DONE;
	}
}

/* What follows a finished transfer in a TLS or HTTP connection. */
static inline uint64_t tcp_next_stage(struct gen *g, struct flow *f)
{
	switch (f->stage) {
	case ST_REQ:
		f->name_sent = true;
		if (f->app == APP_TLS) {
			tls_server_flight(g, f);
			f->stage = ST_SFLIGHT;
		} else {
			http_response_start(g, f);
			f->stage = ST_RESP;
		}
		return turn(f, 1);
	case ST_SFLIGHT:
		tls_client_finish(g, f, true);
		f->stage = ST_CFIN;
		return rng_range(&f->r, 200, 2000) * US;
	case ST_CFIN:
	case ST_REQ2:
		if (f->app == APP_TLS)
			xfer_start(g, f, 1, NULL, 0, 0, body_size(g, f), BULK_TLS);
		else
			http_response_start(g, f);
		f->stage = ST_RESP;
		return turn(f, 1);
	default: /* ST_RESP */
		if (f->rounds && !f->http_redirect) {
			f->rounds--;
			if (f->app == APP_TLS) {
				tls_client_finish(g, f, false);
			} else {
				char req[512];
				size_t at, n = http_request(req, &f->r, flow_sni(g, f), &at);

				xfer_start(g, f, 0, dup_msg(req, n), n, 0, 0, BULK_RAW);
			}
			f->stage = ST_REQ2;
			return rng_exp(&f->r, 3000 * MS) + 1;
		}
		f->stage = ST_CLOSE1; /* browsers keep connections open a while, idle */
		return rng_exp(&f->r, f->close == CLOSE_RST ? 500 * MS : 5000 * MS) + 1;
	}
}

static inline uint64_t tcp_step(struct gen *g, struct flow *f)
{
	uint64_t d;

	switch (f->stage) {
	case ST_SYN:
		tcp_emit(g, f, 0, TH_SYN, NULL, 0);
		f->stage = ST_SYNACK;
		return turn(f, 1);
	case ST_SYNACK:
		tcp_emit(g, f, 1, TH_SYN | TH_ACK, NULL, 0);
		f->stage = ST_ACK;
		return turn(f, 0);
	case ST_ACK:
		tcp_emit(g, f, 0, TH_ACK, NULL, 0);
		tcp_first_request(g, f);
		f->stage = ST_REQ;
		return rng_range(&f->r, 5, 300) * US;
	case ST_CLOSE1:
	case ST_CLOSE2:
	case ST_CLOSE3:
		return tcp_close_step(g, f);
	default:
		d = tcp_xfer_step(g, f);
		return d != STEP_DONE ? d : tcp_next_stage(g, f);
	}
}

/* ---- QUIC v1 (RFC 9000): real Initial protection, opaque Handshake and 1-RTT packets ---- */

#define QUIC_DGRAM 1250 /* Chrome pads client Initials to this */

/*
 * One UDP datagram: an Initial carrying 'plain' (PADDING added so the
 * datagram is pad_to long), then, when hs_len > 0, a coalesced Handshake
 * packet of hs_len bytes (RFC 9000 12.2). The client addresses the server by
 * the first random DCID until it has the server's SCID ('to_server_cid');
 * the server addresses the client by the client's empty SCID. Initial keys
 * come from the first DCID in both directions (RFC 9001 5.2).
 */
static inline void quic_initial_dgram(struct gen *g, struct flow *f, int side, bool to_server_cid,
				      const uint8_t *plain, size_t n, size_t pad_to, size_t hs_len)
{
	uint8_t pt[QUIC_DGRAM], out[QUIC_DGRAM + 64];
	const uint8_t *dcid = side ? NULL : to_server_cid ? f->scid : f->dcid, *scid = side ? f->scid : NULL;
	uint8_t dlen = side ? 0 : 8, slen = side ? 8 : 0;
	size_t len, overhead = 12u + dlen + slen + 16;
	struct qkeys k;

	memcpy(pt, plain, n);
	if (pad_to > overhead + n + hs_len) { /* PADDING frames inside the Initial (RFC 9000 14.1) */
		memset(pt + n, 0, pad_to - overhead - n - hs_len);
		n = pad_to - overhead - hs_len;
	}
	quic_keys(f->dcid, 8, side == 1, &k);
	len = quic_long(out, &f->r, 0, dcid, dlen, scid, slen, f->qpn[side]++, pt, n, &k, g->cx);
	if (hs_len)
		len += quic_long(out + len, &f->r, 2, dcid, dlen, scid, slen, f->qpn[2 + side]++, NULL,
				 hs_len - (11u + dlen + slen) - 16, NULL, NULL);
	udp_emit(g, f, side, out, len);
}

static inline void quic_short(struct gen *g, struct flow *f, int side, size_t n)
{
	uint8_t *p = g->pay;
	size_t h = side ? 1 : 9;

	p[0] = (uint8_t)(0x40 | (rng_next(&f->r) & 0x3f)); /* fixed bit set; the rest header-protected */
	if (!side)
		memcpy(p + 1, f->scid, 8);
	rng_fill(&f->r, p + h, n - h);
	udp_emit(g, f, side, p, n);
}

static inline uint64_t quic_step(struct gen *g, struct flow *f)
{
	uint8_t ch[2400], fr[2400];
	size_t n, m;

	switch (f->stage) {
	case Q_INIT1: /* the ClientHello is kept in x.msg until both halves are out */
		n = tls_client_hello(ch, &f->r, (enum tls_profile)f->tls_prof, flow_sni(g, f), true, alpn_h3);
		xfer_start(g, f, 0, dup_msg(ch, n), n, n > 1150 ? n / 2 : 0, 0, BULK_RAW);
		f->split = f->x.msg_cut != 0;
		m = f->split ? f->x.msg_cut : n;
		quic_initial_dgram(g, f, 0, false, fr, quic_crypto_frame(fr, 0, f->x.msg, m), QUIC_DGRAM, 0);
		if (f->split) {
			f->stage = Q_INIT2;
			return rng_range(&f->r, 5, 50) * US;
		}
		f->name_sent = true;
		f->stage = Q_SINIT;
		return turn(f, 1);
	case Q_INIT2:
		m = f->x.msg_cut;
		n = f->x.msg_len;
		quic_initial_dgram(g, f, 0, false, fr, quic_crypto_frame(fr, (uint32_t)m, f->x.msg + m, n - m),
				   QUIC_DGRAM, 0);
		f->name_sent = true;
		f->stage = Q_SINIT;
		return turn(f, 1);
	case Q_SINIT: {
		static const uint8_t ack1[] = { 0x02, 0x00, 0x00, 0x00, 0x00 }, ack2[] = { 0x02, 0x01, 0x00, 0x00, 0x01 };

		memcpy(fr, f->split ? ack2 : ack1, 5);
		n = tls_server_hello(ch, &f->r, NULL, 0, true);
		n = 5 + quic_crypto_frame(fr + 5, 0, ch, n);
		quic_initial_dgram(g, f, 1, false, fr, n, 0, rng_range(&f->r, 900, 1080));
		f->stage = Q_SHS;
		return wire_gap(f, 1200);
	}
	case Q_SHS:
		m = quic_long(fr, &f->r, 2, NULL, 0, f->scid, 8, f->qpn[3]++, NULL, rng_range(&f->r, 600, 1180),
			      NULL, NULL);
		udp_emit(g, f, 1, fr, m);
		f->stage = Q_CFIN;
		return turn(f, 0);
	case Q_CFIN: {
		static const uint8_t ack[] = { 0x02, 0x00, 0x00, 0x00, 0x00 };

		quic_initial_dgram(g, f, 0, true, ack, sizeof(ack), QUIC_DGRAM, 90);
		f->stage = Q_CREQ;
		return rng_range(&f->r, 5, 100) * US;
	}
	case Q_CREQ:
		quic_short(g, f, 0, rng_range(&f->r, 60, 400));
		xfer_start(g, f, 1, NULL, 0, 0, body_size(g, f), BULK_QUIC);
		f->stage = Q_RESP;
		return turn(f, 1);
	case Q_RESP: {
		struct xfer *x = &f->x;

		if (x->ack_due) {
			quic_short(g, f, !x->side, rng_range(&f->r, 30, 48));
			x->ack_due = false;
			if (x->bulk_left)
				return turn(f, 1) / (x->in_round >= x->cwnd ? 1 : 50);
			if (f->rounds) {
				f->rounds--;
				f->stage = Q_CREQ;
				return rng_exp(&f->r, 3000 * MS) + 1;
			}
			f->stage = Q_CLOSE;
			return rng_exp(&f->r, 5000 * MS) + 1;
		}
		n = x->bulk_left < 1252 ? (size_t)x->bulk_left : 1252;
		if (n < 40)
			n = 40;
		quic_short(g, f, x->side, n);
		x->bulk_left -= x->bulk_left < n ? x->bulk_left : n;
		if (++x->in_round > x->cwnd) {
			x->in_round = 0;
			x->cwnd = x->cwnd < 64 ? x->cwnd * 2 : 64;
		}
		if (++x->unacked >= 2 || !x->bulk_left) {
			x->unacked = 0;
			x->ack_due = true;
			return turn(f, 0);
		}
		return wire_gap(f, n);
	}
	default: /* Q_CLOSE: CONNECTION_CLOSE in a 1-RTT packet */
		quic_short(g, f, 0, rng_range(&f->r, 30, 60));
		f->close = CLOSE_DONE;
		return STEP_DONE;
	}
}

/* ---- DNS over UDP/53: A, or A and AAAA from one socket, answered in order ---- */

static inline uint64_t dns_step(struct gen *g, struct flow *f)
{
	const struct host *h = &g->hosts[f->host];
	uint8_t q[160], a[400];
	int i = f->stage == D_Q2 || f->stage == D_R2;
	uint16_t qtype = i ? 28 : 1;
	size_t n;

	n = dns_query(q, f->dns_id[i], h->name, qtype, f->edns);
	switch (f->stage) {
	case D_Q1:
	case D_Q2:
		udp_emit(g, f, 0, q, n);
		f->name_sent = true;
		if (f->stage == D_Q1 && f->queries == 2) {
			f->stage = D_Q2;
			return rng_range(&f->r, 10, 120) * US;
		}
		f->stage = D_R1;
		return turn(f, 1);
	default:
		udp_emit(g, f, 1, a, dns_response(a, q, n, h, qtype, f->edns, &f->r));
		if (f->stage == D_R1 && f->queries == 2) {
			f->stage = D_R2;
			return rng_range(&f->r, 20, 600) * US;
		}
		f->close = CLOSE_DONE;
		return STEP_DONE;
	}
}

/* ---- NDP: the router asks for a client's address, the client answers with its MAC (RFC 4861 7.2) ---- */

static inline uint64_t ndp_step(struct gen *g, struct flow *f)
{
	uint8_t body[32];

	if (f->stage == N_NS) {
		icmp6_emit(g, f, 0, body, ndp_body(body, 135, f->ep[1].addr, f->ep[0].mac, false));
		f->stage = N_NA;
		return rng_range(&f->r, 50, 2000) * US;
	}
	icmp6_emit(g, f, 1, body, ndp_body(body, 136, f->ep[1].addr, f->ep[1].mac, true));
	f->close = CLOSE_DONE;
	return STEP_DONE;
}

static inline uint64_t flow_step(struct gen *g, struct flow *f)
{
	switch (f->app) {
	case APP_TLS:
	case APP_HTTP:
		return tcp_step(g, f);
	case APP_QUIC:
		return quic_step(g, f);
	case APP_DNS:
		return dns_step(g, f);
	default:
		return ndp_step(g, f);
	}
}

#endif /* FTGEN_STEPS_H */
