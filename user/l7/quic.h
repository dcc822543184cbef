/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/quic.h - the ClientHello from QUIC v1/v2 client Initial packets (RFC 9000, 9001, 9369). */
#ifndef FT_QUIC_H
#define FT_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l7/tls.h"

#define QUIC_VERSION_1 0x00000001u /* RFC 9000 */
#define QUIC_VERSION_2 0x6b3343cfu /* RFC 9369 */
#define QUIC_CID_MAX 20		   /* RFC 9000 17.2: v1 and v2 connection IDs */
#define QUIC_CRYPTO_MAX 16384	   /* CRYPTO bytes kept per flow; a ClientHello beyond it: -EMSGSIZE */

/* Initial packet protection for one direction (RFC 9001 5.2): AES-128-GCM key, IV, HP key. */
struct quic_keys {
	uint8_t key[16];
	uint8_t iv[12];
	uint8_t hp[16];
};

/*
 * Per-flow assembler for the client's Initial CRYPTO stream, owned by the
 * caller (about 18.5 KiB: embed it, or allocate it for UDP flows that look
 * like QUIC and free it once done). Zero it (or quic_asm_init) before use;
 * nothing inside needs freeing. Callers read 'version' and 'done' only.
 */
struct quic_asm {
	uint32_t version;	/* of the first Initial decrypted; 0 until then */
	bool done;		/* a whole ClientHello is in 'crypto' */
	/* private below */
	uint8_t key_dcid[QUIC_CID_MAX], key_dcid_len; /* keys derive from it (RFC 9001 5.2) */
	uint8_t scid[QUIC_CID_MAX], scid_len;	      /* the client's SCID, to tell server packets apart */
	uint8_t retry_scid[QUIC_CID_MAX], retry_scid_len;
	bool have_retry;
	struct quic_keys keys; /* cache: derived for keys_version and keys_dcid */
	uint8_t keys_dcid[QUIC_CID_MAX], keys_dcid_len;
	uint32_t keys_version;
	bool have_keys;
	int64_t largest_pn;	/* RFC 9000 A.3 packet number recovery; -1 before any */
	uint32_t contig;	/* CRYPTO bytes present from offset 0 */
	bool overflow;		/* CRYPTO data beyond QUIC_CRYPTO_MAX was dropped */
	uint8_t crypto[QUIC_CRYPTO_MAX];
	uint8_t have[QUIC_CRYPTO_MAX / 8]; /* bitmap: which crypto[] bytes arrived */
};

void quic_asm_init(struct quic_asm *a);

/*
 * Feed one UDP payload of the flow, client to server. Coalesced packets
 * (RFC 9000 12.2) are walked; Initials decrypted; 0-RTT/Handshake skipped;
 * server Initials and Retry recognised and not counted as errors. Returns
 * 1 when a complete ClientHello is available (on this and every later call),
 * 0 when more is needed (or nothing here was ours), -EPROTONOSUPPORT when the
 * datagram is not a QUIC long header of a known version (version
 * negotiation, short header before any Initial, other UDP), -EBADMSG for an
 * Initial that is malformed or does not decrypt, -EMSGSIZE when the
 * ClientHello cannot fit QUIC_CRYPTO_MAX (-ENOMEM/-EIO only if libcrypto
 * fails). Never logs; allocates only inside libcrypto.
 */
int quic_asm_feed(struct quic_asm *a, const uint8_t *udp_payload, size_t len);

/*
 * Parse the assembled ClientHello with tls_parse_client_hello(). Returns 0
 * and *version (the QUIC version), -ENODATA when not complete yet, or the
 * TLS parser's error.
 */
int quic_asm_client_hello(const struct quic_asm *a, struct tls_client_hello *ch, uint32_t *version);

/* The assembled ClientHello handshake message (4-byte header included); -ENODATA until done. */
int quic_asm_client_hello_raw(const struct quic_asm *a, const uint8_t **msg, size_t *len);

/* Client (server=false) or server Initial keys for 'version' and DCID (RFC 9001 5.2, RFC 9369 3.3). */
int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server, struct quic_keys *out);

/*
 * For tests and fuzzing only: run the frame parser over a decrypted Initial
 * payload and add its CRYPTO data to 'a', as quic_asm_feed() does after
 * decryption. Returns what quic_asm_feed() would.
 */
int quic_asm_frames(struct quic_asm *a, const uint8_t *plain, size_t len);

#endif /* FT_QUIC_H */
