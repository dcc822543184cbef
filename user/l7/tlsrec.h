/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/tlsrec.h - hellos from TLS records over a reassembled TCP stream prefix (RFC 8446 5.1, RFC 5246 6.2.1). */
#ifndef FT_TLSREC_H
#define FT_TLSREC_H

#include <stddef.h>
#include <stdint.h>

#include "l7/tls.h"

/*
 * Largest hello rebuilt from records (handshake body bytes). A longer one is
 * refused with -EMSGSIZE as soon as its header is read. While a hello spans
 * records it is copied into a buffer of this size on the caller's stack.
 */
#define TLSREC_MAX_MSG 65536

/*
 * 'data' is a true prefix of one direction of a TCP stream. Records are walked
 * from its start, handshake messages rebuilt across records (and several per
 * record), and the nth (0-based) ClientHello parsed with tls_parse_client_hello.
 * Returns 0 when it was parsed, -ENODATA when the prefix ends first (retry with
 * more), -EPROTONOSUPPORT when the stream does not start with a handshake record
 * holding a ClientHello, -EBADMSG for a lying length or interleaved records,
 * -EMSGSIZE beyond TLSREC_MAX_MSG, -ENOENT when the handshake stops before
 * an nth one (only nth > 0). The walk goes past a ChangeCipherSpec only while
 * every message so far was a ClientHello: that is TLS 1.3 compatibility mode
 * before a second ClientHello (RFC 8446 D.4, 4.1.4); otherwise encrypted
 * records follow and the walk stops. Ask for nth 1 after the server stream
 * showed a HelloRetryRequest. ch->record_version is that of the record holding
 * the hello's first byte.
 */
int tlsrec_client_nth(const uint8_t *data, size_t len, unsigned int nth, struct tls_client_hello *ch);

/* The same for ServerHellos; nth 0 may be a HelloRetryRequest (sh->hello_retry), nth 1 the real one. */
int tlsrec_server_nth(const uint8_t *data, size_t len, unsigned int nth, struct tls_server_hello *sh);

static inline int tlsrec_client(const uint8_t *data, size_t len, struct tls_client_hello *ch)
{
	return tlsrec_client_nth(data, len, 0, ch);
}

static inline int tlsrec_server(const uint8_t *data, size_t len, struct tls_server_hello *sh)
{
	return tlsrec_server_nth(data, len, 0, sh);
}

#endif /* FT_TLSREC_H */
