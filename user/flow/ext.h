/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/ext.h - what userspace learns about a flow beyond its counters (flow_rec.ext). */
#ifndef FT_FLOW_EXT_H
#define FT_FLOW_EXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "flowtower/abi.h"

struct reasm;
struct quic_asm;
struct l7_tls_state;

/* l7_flags: what has been decided about the flow's start */
#define L7_CLIENT_DONE 0x01 /* nothing more to learn from the client's prefix */
#define L7_SERVER_DONE 0x02 /* ... nor from the server's */
#define L7_TLS 0x04	    /* the client spoke TLS */
#define L7_HRR 0x08	    /* the server answered with a HelloRetryRequest: a second ClientHello follows */
#define L7_STEER_DONE 0x10  /* the kernel was told to stop steering this flow */
#define L7_CLIENT_KNOWN 0x20 /* client_side is from a SYN, not a guess */

enum hostname_src { HOST_NONE, HOST_DNS, HOST_HTTP, HOST_QUIC, HOST_TLS }; /* stronger later */

/*
 * Owned by the flow record. Parser state (reasm, quic) lives only while the
 * flow's start is being read; what was learned is kept as pre-rendered JSON
 * objects, so output and the store write them as they are.
 */
struct flow_ext {
	struct reasm *reasm;	/* TCP: both directions' prefixes; freed when done */
	struct quic_asm *quic;	/* UDP/443: client Initials; freed when done */
	struct l7_tls_state *tls; /* TLS hellos read so far, while the flow's start is read */
	char *tls_json;		/* the "tls" object, rendered when the start is done */
	char *quic_json;
	char *http_json;
	char *hostname;
	uint8_t hostname_src;	/* enum hostname_src */
	uint8_t client_side;	/* enum ft_side of the client (SYN sender, QUIC/DNS client) */
	uint8_t l7_flags;
	uint8_t tls_ch_seen;	/* ClientHellos read (2 after a HelloRetryRequest) */
	uint8_t mac[2][6];	/* per side, when known (devices) */
	uint8_t has_mac;	/* bit per side */
	char device[32];	/* the local side's configured name (LEASE_NAME_MAX), "" when none */
	uint16_t pkts_seen;	/* steered packets that reached userspace */
};

struct flow_table;

void flow_ext_free(struct flow_ext *x); /* NULL-safe */
/* Free every record's ext (before flow_table_free). */
void flow_ext_free_all(struct flow_table *ft);
/*
 * One line for the control socket (status asks the daemon for what it
 * learned): the key in hex, then tab-separated hostname source, hostname (hex),
 * the http/tls/quic objects ("-" when none), the MAC bits and MACs.
 */
struct jw;
void flow_ext_write_line(FILE *out, const struct flow_key *k, const struct flow_ext *x);
/* Parse such a line: *k and a new flow_ext (caller frees). 0 or -EINVAL. */
int flow_ext_read_line(char *line, struct flow_key *k, struct flow_ext **x);
/* Set the hostname unless a stronger source already named the flow. */
void flow_ext_set_hostname(struct flow_ext *x, const char *name, enum hostname_src src);
const char *flow_ext_hostname_source(const struct flow_ext *x); /* "tls_sni", ... or NULL */

#endif /* FT_FLOW_EXT_H */
