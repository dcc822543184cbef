/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_tls.h - ftgen's TLS 1.3 hellos (RFC 8446) and QUIC v1 Initial protection (RFC 9000, RFC 9001 5). */
#ifndef FTGEN_TLS_H
#define FTGEN_TLS_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ftgen_wire.h"

/* A byte writer over a buffer the caller sized for the worst case (the builders below say how big). */
struct wb {
	uint8_t *p;
	size_t n;
};

static inline void wb_u8(struct wb *w, uint8_t v)
{
	w->p[w->n++] = v;
}

static inline void wb_u16(struct wb *w, uint16_t v)
{
	put16(w->p + w->n, v);
	w->n += 2;
}

static inline void wb_mem(struct wb *w, const void *s, size_t n)
{
	if (n)
		memcpy(w->p + w->n, s, n);
	w->n += n;
}

static inline void wb_rand(struct wb *w, struct rng *r, size_t n)
{
	rng_fill(r, w->p + w->n, n);
	w->n += n;
}

/* A length prefix of 'size' bytes (1, 2 or 3), filled in by wb_close() once the contents are written. */
static inline size_t wb_open(struct wb *w, int size)
{
	size_t at = w->n;

	w->n += (size_t)size;
	return at | (size_t)size << 56;
}

static inline void wb_close(struct wb *w, size_t mark)
{
	size_t at = mark & ((1ull << 56) - 1), size = mark >> 56, len = w->n - at - size;

	if (size == 1)
		w->p[at] = (uint8_t)len;
	else if (size == 2)
		put16(w->p + at, (uint16_t)len);
	else
		put24(w->p + at, (uint32_t)len);
}

enum tls_profile { TLS_CHROME, TLS_CHROME_PQ, TLS_FIREFOX, TLS_CURL, TLS_PROFILES };

static const char *const tls_profile_name[TLS_PROFILES] = { "chrome", "chrome-mlkem", "firefox", "curl" };

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa */
static inline uint16_t tls_grease(struct rng *r)
{
	uint16_t k = (uint16_t)rng_below(r, 16);

	return (uint16_t)(k << 12 | 0x0a00 | k << 4 | 0x0a);
}

static inline void tls_alpn(struct wb *w, const char *const *alpn)
{
	size_t list;

	wb_u16(w, 0x0010);
	list = wb_open(w, 2);
	{
		size_t l = wb_open(w, 2);

		for (; *alpn; alpn++) {
			wb_u8(w, (uint8_t)strlen(*alpn));
			wb_mem(w, *alpn, strlen(*alpn));
		}
		wb_close(w, l);
	}
	wb_close(w, list);
}

static inline void tls_ext_sni(struct wb *w, const char *sni)
{
	size_t e, l, n = strlen(sni);

	wb_u16(w, 0x0000);
	e = wb_open(w, 2);
	l = wb_open(w, 2);
	wb_u8(w, 0); /* host_name */
	wb_u16(w, (uint16_t)n);
	wb_mem(w, sni, n);
	wb_close(w, l);
	wb_close(w, e);
}

/* An extension whose body is fixed bytes. */
static inline void tls_ext_raw(struct wb *w, uint16_t type, const uint8_t *body, size_t n)
{
	wb_u16(w, type);
	wb_u16(w, (uint16_t)n);
	wb_mem(w, body, n);
}

/* QUIC transport parameters (RFC 9000 18.2), Chrome-like values, as 1/2/4-byte varints. */
static inline void tls_ext_quic_tp(struct wb *w, struct rng *r)
{
	static const uint8_t tp[] = {
		0x01, 0x04, 0x80, 0x00, 0x75, 0x30,		/* max_idle_timeout 30000 */
		0x03, 0x02, 0x45, 0xc0,				/* max_udp_payload_size 1472 */
		0x04, 0x04, 0x80, 0xf0, 0x00, 0x00,		/* initial_max_data 15 MiB */
		0x05, 0x04, 0x80, 0x60, 0x00, 0x00,		/* initial_max_stream_data_bidi_local */
		0x06, 0x04, 0x80, 0x60, 0x00, 0x00,		/* ..._bidi_remote */
		0x07, 0x04, 0x80, 0x60, 0x00, 0x00,		/* ..._uni */
		0x08, 0x02, 0x40, 0x64,				/* initial_max_streams_bidi 100 */
		0x09, 0x02, 0x40, 0x67,				/* initial_max_streams_uni 103 */
	};
	size_t e;

	wb_u16(w, 0x0039);
	e = wb_open(w, 2);
	wb_mem(w, tp, sizeof(tp));
	wb_u8(w, 0x0f); /* initial_source_connection_id: empty, as the client's SCID */
	wb_u8(w, 0);
	wb_u16(w, 0x4000 | 0x2abb); /* a reserved (GREASE) parameter id, 31 * 352 + 27, two-byte varint */
	wb_u8(w, 4);
	wb_rand(w, r, 4);
	wb_close(w, e);
}

/*
 * One ClientHello handshake message (RFC 8446 4.1.2) in the style of a
 * browser or library; with 'quic', the QUIC flavour (no session id, h3,
 * transport parameters). 'sni' may be NULL (a client that connects by
 * address). Writes at most 2200 bytes to 'out'; returns the length.
 */
static inline size_t tls_client_hello(uint8_t *out, struct rng *r, enum tls_profile prof, const char *sni,
				      bool quic, const char *const *alpn)
{
	static const uint16_t chrome_cs[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
					      0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035 };
	static const uint16_t firefox_cs[] = { 0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c,
					       0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
					       0x0035 };
	static const uint16_t curl_cs[] = { 0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8,
					    0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023,
					    0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033,
					    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff };
	static const uint8_t sigalgs_chrome[] = { 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05,
						  0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01 };
	static const uint8_t sigalgs_ff[] = { 0x00, 0x16, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x04, 0x08,
					      0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x02, 0x03,
					      0x02, 0x01 };
	static const uint8_t status_req[] = { 0x01, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t reneg[] = { 0x00 }, ecpf[] = { 0x01, 0x00 }, pskm[] = { 0x01, 0x01 };
	bool grease = prof == TLS_CHROME || prof == TLS_CHROME_PQ;
	const uint16_t *cs = prof == TLS_FIREFOX ? firefox_cs : prof == TLS_CURL ? curl_cs : chrome_cs;
	size_t ncs = prof == TLS_FIREFOX ? 17 : prof == TLS_CURL ? 31 : 15;
	struct wb w = { out, 0 };
	size_t hs, l, exts, e;
	unsigned int i;

	if (quic)
		ncs = 3; /* TLS 1.3 suites only (RFC 9001 5.3) */
	wb_u8(&w, 1); /* client_hello */
	hs = wb_open(&w, 3);
	wb_u16(&w, 0x0303);
	wb_rand(&w, r, 32);
	if (quic) {
		wb_u8(&w, 0);
	} else {
		wb_u8(&w, 32); /* middlebox compatibility session id (RFC 8446 D.4) */
		wb_rand(&w, r, 32);
	}
	l = wb_open(&w, 2);
	if (grease)
		wb_u16(&w, tls_grease(r));
	for (i = 0; i < ncs; i++)
		wb_u16(&w, cs[i]);
	wb_close(&w, l);
	wb_u8(&w, 1);
	wb_u8(&w, 0);
	exts = wb_open(&w, 2);
	if (grease) {
		wb_u16(&w, tls_grease(r));
		wb_u16(&w, 0);
	}
	if (sni)
		tls_ext_sni(&w, sni);
	if (!quic) {
		tls_ext_raw(&w, 0x0017, NULL, 0); /* extended_master_secret */
		tls_ext_raw(&w, 0xff01, reneg, 1);
	}
	/* supported_groups */
	wb_u16(&w, 0x000a);
	e = wb_open(&w, 2);
	l = wb_open(&w, 2);
	if (grease)
		wb_u16(&w, tls_grease(r));
	if (prof == TLS_CHROME_PQ)
		wb_u16(&w, 0x11ec); /* X25519MLKEM768 */
	wb_u16(&w, 0x001d);
	wb_u16(&w, 0x0017);
	wb_u16(&w, 0x0018);
	if (prof != TLS_CHROME && prof != TLS_CHROME_PQ) {
		wb_u16(&w, 0x0019);
		if (prof == TLS_FIREFOX) {
			wb_u16(&w, 0x0100);
			wb_u16(&w, 0x0101);
		}
	}
	wb_close(&w, l);
	wb_close(&w, e);
	if (!quic) {
		tls_ext_raw(&w, 0x000b, ecpf, 2);
		tls_ext_raw(&w, 0x0023, NULL, 0); /* session_ticket */
	}
	if (alpn && *alpn)
		tls_alpn(&w, alpn);
	if (prof != TLS_CURL)
		tls_ext_raw(&w, 0x0005, status_req, 5);
	tls_ext_raw(&w, 0x000d, prof == TLS_FIREFOX ? sigalgs_ff : sigalgs_chrome,
		    prof == TLS_FIREFOX ? sizeof(sigalgs_ff) : sizeof(sigalgs_chrome));
	if (grease)
		tls_ext_raw(&w, 0x0012, NULL, 0); /* signed_certificate_timestamp */
	/* key_share: one share per offered group that a client computes eagerly */
	wb_u16(&w, 0x0033);
	e = wb_open(&w, 2);
	l = wb_open(&w, 2);
	if (grease) {
		wb_u16(&w, tls_grease(r));
		wb_u16(&w, 1);
		wb_u8(&w, 0);
	}
	if (prof == TLS_CHROME_PQ) {
		wb_u16(&w, 0x11ec);
		wb_u16(&w, 1216); /* ML-KEM-768 encapsulation key + X25519 share */
		wb_rand(&w, r, 1216);
	}
	wb_u16(&w, 0x001d);
	wb_u16(&w, 32);
	wb_rand(&w, r, 32);
	if (prof == TLS_FIREFOX) {
		wb_u16(&w, 0x0017);
		wb_u16(&w, 65);
		wb_u8(&w, 4);
		wb_rand(&w, r, 64);
	}
	wb_close(&w, l);
	wb_close(&w, e);
	tls_ext_raw(&w, 0x002d, pskm, 2);
	/* supported_versions */
	wb_u16(&w, 0x002b);
	e = wb_open(&w, 2);
	l = wb_open(&w, 1);
	if (grease)
		wb_u16(&w, tls_grease(r));
	wb_u16(&w, 0x0304);
	if (!quic)
		wb_u16(&w, 0x0303);
	wb_close(&w, l);
	wb_close(&w, e);
	if (grease) {
		static const uint8_t cc[] = { 0x02, 0x00, 0x02 }; /* compress_certificate: brotli */

		tls_ext_raw(&w, 0x001b, cc, sizeof(cc));
	}
	if (prof == TLS_FIREFOX) {
		static const uint8_t rsl[] = { 0x40, 0x01 };

		tls_ext_raw(&w, 0x001c, rsl, 2); /* record_size_limit */
	}
	if (quic)
		tls_ext_quic_tp(&w, r);
	if (grease) {
		wb_u16(&w, tls_grease(r));
		wb_u16(&w, 1);
		wb_u8(&w, 0);
	}
	/* Firefox and Chrome without a large key share pad the hello to 512 bytes (RFC 7685) */
	if (!quic && (prof == TLS_FIREFOX || prof == TLS_CHROME) && w.n + 4 < 512) {
		size_t pad = 512 - w.n - 4;

		wb_u16(&w, 0x0015);
		wb_u16(&w, (uint16_t)pad);
		memset(w.p + w.n, 0, pad);
		w.n += pad;
	}
	wb_close(&w, exts);
	wb_close(&w, hs);
	return w.n;
}

/* Wrap a handshake message in one TLS record (legacy version 0x0301, as clients do for the hello). */
static inline size_t tls_record(uint8_t *out, uint8_t type, uint16_t version, const uint8_t *msg, size_t n)
{
	out[0] = type;
	put16(out + 1, version);
	put16(out + 3, (uint16_t)n);
	memmove(out + 5, msg, n);
	return n + 5;
}

/* ServerHello for TLS 1.3 (RFC 8446 4.1.3): the hello only, 'sid' echoed. Writes at most 128 bytes. */
static inline size_t tls_server_hello(uint8_t *out, struct rng *r, const uint8_t *sid, size_t sid_len, bool quic)
{
	struct wb w = { out, 0 };
	size_t hs, exts;

	wb_u8(&w, 2);
	hs = wb_open(&w, 3);
	wb_u16(&w, 0x0303);
	wb_rand(&w, r, 32);
	wb_u8(&w, (uint8_t)sid_len);
	wb_mem(&w, sid, sid_len);
	wb_u16(&w, rng_pct(r, 70) ? 0x1301 : 0x1302);
	wb_u8(&w, 0);
	exts = wb_open(&w, 2);
	wb_u16(&w, 0x002b);
	wb_u16(&w, 2);
	wb_u16(&w, 0x0304);
	wb_u16(&w, 0x0033);
	wb_u16(&w, 36);
	wb_u16(&w, 0x001d);
	wb_u16(&w, 32);
	wb_rand(&w, r, 32);
	wb_close(&w, exts);
	wb_close(&w, hs);
	(void)quic;
	return w.n;
}

/* An application_data record of n >= 22 bytes on the wire: header and opaque "ciphertext". */
static inline void tls_app_record(uint8_t *out, struct rng *r, size_t n)
{
	out[0] = 23;
	put16(out + 1, 0x0303);
	put16(out + 3, (uint16_t)(n - 5));
	rng_fill(r, out + 5, n - 5);
}

/* ---- QUIC v1 Initial packet protection (RFC 9001 5.2-5.4) ---- */

struct qkeys {
	uint8_t key[16], iv[12], hp[16];
};

/* HKDF-Expand-Label (RFC 8446 7.1) for outputs of at most one SHA-256 block, as QUIC needs. */
static inline void hkdf_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
	uint8_t info[64], block[32];
	unsigned int mdlen = 32;
	size_t ll = strlen(label), n = 0;

	put16(info, (uint16_t)len);
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	n = 9 + ll;
	info[n++] = 0; /* empty context */
	info[n++] = 1; /* T(1) */
	HMAC(EVP_sha256(), secret, 32, info, n, block, &mdlen);
	memcpy(out, block, len);
}

static inline void quic_keys(const uint8_t *dcid, size_t dcid_len, bool server, struct qkeys *k)
{
	static const uint8_t salt_v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
					     0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
	uint8_t initial[32], secret[32];
	unsigned int mdlen = 32;

	HMAC(EVP_sha256(), salt_v1, sizeof(salt_v1), dcid, dcid_len, initial, &mdlen); /* HKDF-Extract */
	hkdf_label(initial, server ? "server in" : "client in", secret, 32);
	hkdf_label(secret, "quic key", k->key, 16);
	hkdf_label(secret, "quic iv", k->iv, 12);
	hkdf_label(secret, "quic hp", k->hp, 16);
}

/*
 * A long-header packet (RFC 9000 17.2): type 0 Initial (protected with 'k',
 * RFC 9001 5.3-5.4) or type 2 Handshake (k NULL: opaque bytes, since the
 * handshake keys are not derivable from the wire). 'plain' is the frames;
 * returns the packet length (plain_len + header + 16-byte tag).
 */
static inline size_t quic_long(uint8_t *out, struct rng *r, int type, const uint8_t *dcid, uint8_t dlen,
			       const uint8_t *scid, uint8_t slen, uint32_t pn, const uint8_t *plain,
			       size_t plain_len, const struct qkeys *k, EVP_CIPHER_CTX *cx)
{
	size_t n = 0, pn_off, len = 2 + plain_len + 16;
	uint8_t nonce[12], mask[16];
	int outl, i;

	out[n++] = (uint8_t)(0xc0 | type << 4 | 1); /* 2-byte packet number */
	put32(out + n, 1);
	n += 4;
	out[n++] = dlen;
	if (dlen)
		memcpy(out + n, dcid, dlen);
	n += dlen;
	out[n++] = slen;
	if (slen)
		memcpy(out + n, scid, slen);
	n += slen;
	if (type == 0)
		out[n++] = 0; /* no token */
	put16(out + n, (uint16_t)(0x4000 | len));
	n += 2;
	pn_off = n;
	put16(out + n, (uint16_t)pn);
	n += 2;
	if (!k) {
		rng_fill(r, out + n, plain_len + 16);
		out[0] ^= (uint8_t)(rng_next(r) & 0x0f); /* looks header-protected */
		return n + plain_len + 16;
	}
	memcpy(nonce, k->iv, 12);
	nonce[10] ^= (uint8_t)(pn >> 8);
	nonce[11] ^= (uint8_t)pn;
	EVP_EncryptInit_ex(cx, EVP_aes_128_gcm(), NULL, k->key, nonce);
	EVP_EncryptUpdate(cx, NULL, &outl, out, (int)n); /* AAD: the header as sent before protection */
	EVP_EncryptUpdate(cx, out + n, &outl, plain, (int)plain_len);
	EVP_EncryptFinal_ex(cx, out + n + outl, &outl);
	EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, 16, out + n + plain_len);
	/* header protection: sample 16 bytes from 4 past the packet number's start */
	EVP_EncryptInit_ex(cx, EVP_aes_128_ecb(), NULL, k->hp, NULL);
	EVP_CIPHER_CTX_set_padding(cx, 0);
	EVP_EncryptUpdate(cx, mask, &outl, out + pn_off + 4, 16);
	out[0] ^= mask[0] & 0x0f;
	for (i = 0; i < 2; i++)
		out[pn_off + (size_t)i] ^= mask[1 + i];
	return n + plain_len + 16;
}

/* A CRYPTO frame (RFC 9000 19.6) with 4-byte offset and 2-byte length varints; returns its length. */
static inline size_t quic_crypto_frame(uint8_t *out, uint32_t off, const uint8_t *data, size_t n)
{
	out[0] = 0x06;
	put32(out + 1, 0x80000000u | off);
	put16(out + 5, (uint16_t)(0x4000 | n));
	memcpy(out + 7, data, n);
	return 7 + n;
}

#endif /* FTGEN_TLS_H */
