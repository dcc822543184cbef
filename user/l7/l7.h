/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/l7.h - the L7 stage: reassembled prefixes and datagrams in, names and hello fields out. */
#ifndef FT_L7_H
#define FT_L7_H

#include <stddef.h>
#include <stdint.h>
#include "flow/ext.h"
#include "l7/tls.h"

struct dnscache;
struct reasm;
struct jw;

/* Per-parser error counters (what a lying length or a stream that is not ours costs us). */
struct l7_stats {
	uint64_t tls_client_hellos, tls_server_hellos, tls_errors;
	uint64_t http_requests, http_errors;
	uint64_t quic_client_hellos, quic_errors;
	uint64_t dns_responses, dns_answers, dns_errors;
};

/* TLS hellos while a flow's start is read; freed into flow_ext.tls_json when it is done. */
struct l7_tls_state {
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	uint8_t has_ch, has_sh, sh_seen;
};

/*
 * Look at a TCP flow's reassembled prefixes again (after new bytes). Tries
 * TLS, then HTTP, on the client's prefix; the ServerHello on the server's.
 * Sets L7_CLIENT_DONE / L7_SERVER_DONE in x->l7_flags when nothing more is
 * to be learned from a side, and renders the tls/http objects.
 */
void l7_tcp_update(struct flow_ext *x, const struct reasm *r, struct l7_stats *st);
/* One client datagram of a UDP/443 flow (QUIC Initials). */
void l7_quic_datagram(struct flow_ext *x, const uint8_t *payload, size_t len, struct l7_stats *st);
/* A DNS response (UDP payload) sent to 'client': its answers go into the cache. */
void l7_dns_response(struct dnscache *dc, const uint8_t *payload, size_t len, const uint8_t client[16],
		     uint64_t now_ns, struct l7_stats *st);
/* The name 'client' resolved for 'server' lately, as the flow's hostname of last resort. */
void l7_dns_name(struct flow_ext *x, struct dnscache *dc, const uint8_t client[16], const uint8_t server[16],
		 uint64_t now_ns);
/* Render whatever is still pending (a flow written out before its start was done). */
void l7_finish(struct flow_ext *x);
/* The tls object as it stands (rendered, or from hellos still being read); caller frees. NULL: none. */
char *l7_tls_json(const struct flow_ext *x);
/* Write the flow's L7 fields (hostname ... quic) into an open JSON object. */
void l7_json(struct jw *w, const struct flow_ext *x);

#endif /* FT_L7_H */
