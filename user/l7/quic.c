/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/quic.c - decrypt QUIC v1/v2 client Initials and reassemble the ClientHello (RFC 9000, 9001, 9369). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "l7/quic.h"
#include "util/cursor.h"

/*
 * Largest single QUIC packet decrypted. Initial datagrams are at least 1200
 * bytes (RFC 9000 14.1) and are sent before path MTU discovery, so 16 KiB
 * covers them with room for jumbo frames; a larger packet is -EBADMSG.
 */
#define QUIC_PKT_MAX 16384
#define QUIC_TAG_LEN 16	   /* AEAD_AES_128_GCM (RFC 9001 5.3) */
#define QUIC_SAMPLE_LEN 16 /* header protection sample (RFC 9001 5.4.2) */

/* Long header packet types, numbered as in v1 (RFC 9000 17.2). */
enum quic_ptype { QUIC_PT_INITIAL, QUIC_PT_0RTT, QUIC_PT_HANDSHAKE, QUIC_PT_RETRY };

/* What differs between the versions we decrypt (RFC 9001 5.2, RFC 9369 3.3). */
struct quic_vparams {
	uint32_t version;
	uint8_t salt[20];
	const char *key_label, *iv_label, *hp_label;
	uint8_t type_offset; /* v1 type = (wire type + offset) & 3 */
};

static const struct quic_vparams quic_vparams[] = {
	{ QUIC_VERSION_1,
	  { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	    0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a },
	  "quic key", "quic iv", "quic hp", 0 },
	/* RFC 9369 3.2: Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00 */
	{ QUIC_VERSION_2,
	  { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	    0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 },
	  "quicv2 key", "quicv2 iv", "quicv2 hp", 3 },
};

/* A parsed long header; pointers into the packet. */
struct quic_hdr {
	const struct quic_vparams *vp;
	enum quic_ptype type;
	const uint8_t *dcid, *scid;
	uint8_t dcid_len, scid_len;
	size_t pn_off;	/* packet number offset from the first byte */
	size_t pkt_len; /* bytes of this packet, first byte to end of payload */
};

static const struct quic_vparams *quic_find_version(uint32_t version)
{
	size_t i;

	for (i = 0; i < sizeof(quic_vparams) / sizeof(quic_vparams[0]); i++)
		if (quic_vparams[i].version == version)
			return &quic_vparams[i];
	return NULL;
}

/* RFC 9000 16: a variable-length integer, 1, 2, 4 or 8 bytes. */
static int quic_varint(struct pkt_cursor *c, uint64_t *v)
{
	const uint8_t *p;
	size_t n, i;
	int err;

	if (!cur_left(c))
		return -ENODATA;
	n = (size_t)1 << (c->pos[0] >> 6);
	err = cur_take(c, n, &p);
	if (err)
		return err;
	*v = p[0] & 0x3f;
	for (i = 1; i < n; i++)
		*v = *v << 8 | p[i];
	return 0;
}

static bool quic_cid_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

/* ---- key schedule (RFC 9001 5.1, 5.2; HKDF RFC 5869; HKDF-Expand-Label RFC 8446 7.1) ---- */

/* One HKDF step on a context shared by a whole derivation (one fetch, not five). */
static int quic_hkdf(EVP_KDF_CTX *ctx, int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key,
		     size_t key_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[6], *p = params;

	EVP_KDF_CTX_reset(ctx);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	if (info)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
	*p = OSSL_PARAM_construct_end();
	return EVP_KDF_derive(ctx, out, out_len, params) == 1 ? 0 : -EIO;
}

/* HKDF-Expand-Label(secret, label, "", len) with the "tls13 " prefix. */
static int quic_expand_label(EVP_KDF_CTX *ctx, const uint8_t secret[32], const char *label, uint8_t *out,
			     size_t len)
{
	static const char prefix[] = "tls13 ";
	uint8_t info[2 + 1 + 255 + 1];
	size_t llen = strlen(label), n = 0;

	if (sizeof(prefix) - 1 + llen > 255)
		return -EINVAL;
	info[n++] = (uint8_t)(len >> 8);
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(sizeof(prefix) - 1 + llen);
	memcpy(info + n, prefix, sizeof(prefix) - 1);
	n += sizeof(prefix) - 1;
	memcpy(info + n, label, llen);
	n += llen;
	info[n++] = 0; /* empty context */
	return quic_hkdf(ctx, EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, secret, 32, info, n, out, len);
}

static int quic_derive(const struct quic_vparams *vp, const uint8_t *dcid, size_t dcid_len, bool server,
		       struct quic_keys *out)
{
	uint8_t initial[32], secret[32];
	EVP_KDF_CTX *ctx;
	EVP_KDF *kdf;
	int err;

	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		return -ENOSYS;
	ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!ctx)
		return -ENOMEM;
	err = quic_hkdf(ctx, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, vp->salt, sizeof(vp->salt), dcid, dcid_len, NULL, 0,
			initial, sizeof(initial));
	if (!err)
		err = quic_expand_label(ctx, initial, server ? "server in" : "client in", secret, sizeof(secret));
	if (!err)
		err = quic_expand_label(ctx, secret, vp->key_label, out->key, sizeof(out->key));
	if (!err)
		err = quic_expand_label(ctx, secret, vp->iv_label, out->iv, sizeof(out->iv));
	if (!err)
		err = quic_expand_label(ctx, secret, vp->hp_label, out->hp, sizeof(out->hp));
	EVP_KDF_CTX_free(ctx);
	return err;
}

int quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, bool server, struct quic_keys *out)
{
	const struct quic_vparams *vp = quic_find_version(version);

	if (!vp)
		return -EPROTONOSUPPORT;
	if (dcid_len > QUIC_CID_MAX)
		return -EINVAL;
	return quic_derive(vp, dcid, dcid_len, server, out);
}

/* ---- packet protection (RFC 9001 5.3, 5.4) ---- */

static int quic_hp_mask(const uint8_t hp[16], const uint8_t *sample, uint8_t mask[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, err = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, hp, NULL) == 1 && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_EncryptUpdate(ctx, mask, &n, sample, QUIC_SAMPLE_LEN) == 1 && n == QUIC_SAMPLE_LEN)
		err = 0;
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* The additional data is the unprotected header, fed in three parts so the packet is never copied. */
struct quic_aad {
	uint8_t first;
	const uint8_t *mid; /* bytes 1 .. pn_off, not protected */
	size_t mid_len;
	uint8_t pn[4];
	size_t pn_len;
};

static int quic_aead_open(const struct quic_keys *k, uint64_t pn, const struct quic_aad *aad, const uint8_t *ct,
			  size_t ct_len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], tag[QUIC_TAG_LEN];
	int n, err = -EBADMSG, i;

	if (!ctx)
		return -ENOMEM;
	memcpy(nonce, k->iv, sizeof(nonce));
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	memcpy(tag, ct + ct_len, sizeof(tag));
	if (EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k->key, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, &aad->first, 1) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, aad->mid, (int)aad->mid_len) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, aad->pn, (int)aad->pn_len) != 1 ||
	    EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof(tag), tag) != 1)
		goto out_free;
	if (EVP_DecryptFinal_ex(ctx, out + n, &n) == 1)
		err = 0;
out_free:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/* RFC 9000 A.3: the full packet number closest to the next one expected. */
static uint64_t quic_decode_pn(int64_t largest, uint64_t truncated, size_t pn_len)
{
	int64_t expected = largest + 1, win = (int64_t)1 << (pn_len * 8), hwin = win / 2;
	int64_t cand = (expected & ~(win - 1)) | (int64_t)truncated;

	if (cand <= expected - hwin && cand < ((int64_t)1 << 62) - win)
		return (uint64_t)(cand + win);
	if (cand > expected + hwin && cand >= win)
		return (uint64_t)(cand - win);
	return (uint64_t)cand;
}

/*
 * Remove header protection and decrypt one Initial into 'plain'. Returns the
 * plaintext length and the packet number, or -EBADMSG (it does not
 * authenticate under these keys, or is too short to sample).
 */
static int quic_open(const struct quic_keys *k, int64_t largest, const uint8_t *pkt, const struct quic_hdr *h,
		     uint8_t *plain, uint64_t *pn_out)
{
	struct quic_aad aad;
	uint8_t mask[16];
	uint64_t pn = 0;
	size_t i, ct_len;
	int err;

	if (h->pkt_len < h->pn_off + 4 + QUIC_SAMPLE_LEN || h->pkt_len > QUIC_PKT_MAX)
		return -EBADMSG;
	err = quic_hp_mask(k->hp, pkt + h->pn_off + 4, mask);
	if (err)
		return err;
	aad.first = pkt[0] ^ (mask[0] & 0x0f);
	aad.mid = pkt + 1;
	aad.mid_len = h->pn_off - 1;
	aad.pn_len = (size_t)(aad.first & 0x03) + 1;
	for (i = 0; i < aad.pn_len; i++) {
		aad.pn[i] = pkt[h->pn_off + i] ^ mask[1 + i];
		pn = pn << 8 | aad.pn[i];
	}
	pn = quic_decode_pn(largest, pn, aad.pn_len);
	ct_len = h->pkt_len - h->pn_off - aad.pn_len - QUIC_TAG_LEN;
	err = quic_aead_open(k, pn, &aad, pkt + h->pn_off + aad.pn_len, ct_len, plain);
	if (err)
		return err;
	*pn_out = pn;
	return (int)ct_len;
}

/* ---- headers (RFC 9000 17.2, 17.2.2, 17.2.5) ---- */

static int quic_read_cid(struct pkt_cursor *c, const uint8_t **cid, uint8_t *len)
{
	int err = cur_u8(c, len);

	if (err)
		return err;
	if (*len > QUIC_CID_MAX)
		return -EBADMSG;
	return cur_take(c, *len, cid);
}

/*
 * Parse the long header at 'pkt'. Returns 0, -EPROTONOSUPPORT (short header,
 * version negotiation, a version we do not decrypt), -ENODATA (the datagram
 * ends inside the packet) or -EBADMSG.
 */
static int quic_parse_long(const uint8_t *pkt, size_t len, struct quic_hdr *h)
{
	struct pkt_cursor c = cur_make(pkt, len);
	uint64_t token_len, length;
	uint32_t version;
	uint8_t first;
	int err;

	if ((err = cur_u8(&c, &first)))
		return err;
	if (!(first & 0x80))
		return -EPROTONOSUPPORT;
	if ((err = cur_be32(&c, &version)))
		return err;
	h->vp = quic_find_version(version);
	if (!h->vp)
		return -EPROTONOSUPPORT; /* 0 is version negotiation (RFC 9000 17.2.1) */
	h->type = (enum quic_ptype)(((first >> 4) + h->vp->type_offset) & 3);
	if ((err = quic_read_cid(&c, &h->dcid, &h->dcid_len)) || (err = quic_read_cid(&c, &h->scid, &h->scid_len)))
		return err;
	if (h->type == QUIC_PT_RETRY) { /* token and integrity tag fill the datagram */
		if (cur_left(&c) < QUIC_TAG_LEN)
			return -ENODATA;
		h->pn_off = h->pkt_len = len;
		return 0;
	}
	if (h->type == QUIC_PT_INITIAL && ((err = quic_varint(&c, &token_len)) || (err = cur_skip(&c, token_len))))
		return err;
	if ((err = quic_varint(&c, &length)))
		return err;
	if (length > cur_left(&c))
		return -ENODATA;
	h->pn_off = (size_t)(c.pos - pkt);
	h->pkt_len = h->pn_off + (size_t)length;
	return 0;
}

/* ---- frames and the CRYPTO stream (RFC 9000 12.4, 19.2, 19.3, 19.6, 19.19) ---- */

static bool quic_have(const struct quic_asm *a, size_t i)
{
	return a->have[i / 8] & (1u << (i % 8));
}

/* Keep the first copy of every byte (RFC 9000 19.6 says copies agree; a sensor need not check). */
static void quic_crypto_add(struct quic_asm *a, uint64_t off, const uint8_t *data, uint64_t len)
{
	uint64_t end = off + len, i;

	if (end > QUIC_CRYPTO_MAX) {
		a->overflow = true;
		end = QUIC_CRYPTO_MAX;
	}
	for (i = off; i < end; i++) {
		if (quic_have(a, i))
			continue;
		a->crypto[i] = data[i - off];
		a->have[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	while (a->contig < QUIC_CRYPTO_MAX && quic_have(a, a->contig))
		a->contig++;
}

static int quic_frame_crypto(struct quic_asm *a, struct pkt_cursor *c)
{
	uint64_t off, len;
	const uint8_t *data;
	int err;

	if ((err = quic_varint(c, &off)) || (err = quic_varint(c, &len)))
		return err;
	if (len > cur_left(c))
		return -EBADMSG;
	if ((err = cur_take(c, (size_t)len, &data)))
		return err;
	if (off >= QUIC_CRYPTO_MAX) {
		a->overflow = a->overflow || len > 0;
		return 0;
	}
	quic_crypto_add(a, off, data, len);
	return 0;
}

static int quic_skip_varints(struct pkt_cursor *c, int n)
{
	uint64_t v;
	int err = 0;

	while (n-- > 0 && !err)
		err = quic_varint(c, &v);
	return err;
}

/* ACK (19.3): largest, delay, range count, first range, ranges, ECN counts for 0x03. */
static int quic_frame_ack(struct pkt_cursor *c, bool ecn)
{
	uint64_t ranges, i;
	int err;

	if ((err = quic_skip_varints(c, 2)) || (err = quic_varint(c, &ranges)) || (err = quic_skip_varints(c, 1)))
		return err;
	for (i = 0; i < ranges; i++) /* each range takes >= 2 bytes: ends with the data */
		if ((err = quic_skip_varints(c, 2)))
			return err;
	return ecn ? quic_skip_varints(c, 3) : 0;
}

/* CONNECTION_CLOSE (19.19), transport variant: error code, frame type, reason. */
static int quic_frame_close(struct pkt_cursor *c)
{
	uint64_t reason;
	int err;

	if ((err = quic_skip_varints(c, 2)) || (err = quic_varint(c, &reason)))
		return err;
	if (reason > cur_left(c))
		return -EBADMSG;
	return cur_skip(c, (size_t)reason);
}

/* 1 when the CRYPTO stream from offset 0 holds a whole ClientHello (RFC 8446 4: type 1, uint24 length). */
static int quic_check_hello(struct quic_asm *a)
{
	uint32_t body;

	if (a->done)
		return 1;
	if (a->contig < 4)
		return 0;
	if (a->crypto[0] != 1) /* a client's first handshake message is its ClientHello */
		return -EBADMSG;
	body = (uint32_t)a->crypto[1] << 16 | (uint32_t)a->crypto[2] << 8 | a->crypto[3];
	if (body > QUIC_CRYPTO_MAX - 4)
		return -EMSGSIZE;
	if (a->contig < 4 + body)
		return 0;
	a->done = true;
	return 1;
}

int quic_asm_frames(struct quic_asm *a, const uint8_t *plain, size_t len)
{
	struct pkt_cursor c = cur_make(plain, len);
	uint64_t type;
	int err = 0;

	/* Frames allowed in Initial packets (RFC 9000 12.4 table 3); anything else ends the walk. */
	while (!err && cur_left(&c) && !quic_varint(&c, &type)) {
		switch (type) {
		case 0x00: /* PADDING */
		case 0x01: /* PING */
			break;
		case 0x02:
		case 0x03:
			err = quic_frame_ack(&c, type == 0x03);
			break;
		case 0x06:
			err = quic_frame_crypto(a, &c);
			break;
		case 0x1c:
			err = quic_frame_close(&c);
			break;
		default:
			err = -EBADMSG;
			break;
		}
	}
	return quic_check_hello(a);
}

/* ---- the assembler ---- */

void quic_asm_init(struct quic_asm *a)
{
	/* everything but the 16 KiB CRYPTO buffer, which the 'have' bitmap guards */
	memset(a, 0, offsetof(struct quic_asm, crypto));
	memset(a->have, 0, sizeof(a->have));
	a->largest_pn = -1;
}

/* Keys for (version, dcid), derived once and kept while they stay the same. */
static int quic_keys_for(struct quic_asm *a, const struct quic_vparams *vp, const uint8_t *dcid, uint8_t dcid_len,
			 struct quic_keys *out)
{
	int err;

	if (a->have_keys && a->keys_version == vp->version &&
	    quic_cid_eq(a->keys_dcid, a->keys_dcid_len, dcid, dcid_len)) {
		*out = a->keys;
		return 0;
	}
	err = quic_derive(vp, dcid, dcid_len, false, out);
	if (err)
		return err;
	a->keys = *out;
	a->keys_version = vp->version;
	memcpy(a->keys_dcid, dcid, dcid_len);
	a->keys_dcid_len = dcid_len;
	a->have_keys = true;
	return 0;
}

/*
 * A server's Initial (RFC 9000 7.2): addressed to the client's SCID and sent
 * from another. We cannot decrypt it (server keys derive from a DCID it does
 * not carry) and it is not an error.
 */
static bool quic_from_server(const struct quic_asm *a, const struct quic_hdr *h)
{
	return a->version && quic_cid_eq(h->dcid, h->dcid_len, a->scid, a->scid_len) &&
	       !quic_cid_eq(h->scid, h->scid_len, a->scid, a->scid_len);
}

/* A Retry addressed to our client: its SCID keys the client's next Initials (RFC 9001 5.2). */
static int quic_retry(struct quic_asm *a, const struct quic_hdr *h)
{
	if (a->version && quic_cid_eq(h->dcid, h->dcid_len, a->scid, a->scid_len)) {
		memcpy(a->retry_scid, h->scid, h->scid_len);
		a->retry_scid_len = h->scid_len;
		a->have_retry = true;
	}
	return 0;
}

/*
 * Decrypt a client Initial and take its frames. Keys derive from the DCID of
 * the client's first Initial, which later Initials keep using even when they
 * address the server's chosen CID; after a Retry, from the Retry's SCID
 * (RFC 9001 5.2). A Retry we did not see shows as an Initial that opens only
 * under its own DCID: that DCID then keys the flow.
 */
static int quic_initial(struct quic_asm *a, const uint8_t *pkt, const struct quic_hdr *h)
{
	uint8_t plain[QUIC_PKT_MAX];
	const uint8_t *cid = h->dcid;
	uint8_t cid_len = h->dcid_len;
	struct quic_keys k;
	uint64_t pn = 0;
	int n;

	if (quic_from_server(a, h))
		return 0;
	if (a->version && !(a->have_retry && quic_cid_eq(h->dcid, h->dcid_len, a->retry_scid, a->retry_scid_len))) {
		cid = a->key_dcid;
		cid_len = a->key_dcid_len;
	}
	n = quic_keys_for(a, h->vp, cid, cid_len, &k);
	if (!n)
		n = quic_open(&k, a->largest_pn, pkt, h, plain, &pn);
	if (n == -EBADMSG && !quic_cid_eq(cid, cid_len, h->dcid, h->dcid_len)) {
		cid = h->dcid;
		cid_len = h->dcid_len;
		n = quic_derive(h->vp, cid, cid_len, false, &k);
		if (!n)
			n = quic_open(&k, a->largest_pn, pkt, h, plain, &pn);
		if (n >= 0)
			quic_keys_for(a, h->vp, cid, cid_len, &k);
	}
	if (n < 0)
		return n;
	if (!a->version) {
		a->version = h->vp->version;
		memcpy(a->scid, h->scid, h->scid_len);
		a->scid_len = h->scid_len;
	}
	memmove(a->key_dcid, cid, cid_len); /* cid may already point at key_dcid */
	a->key_dcid_len = cid_len;
	if ((int64_t)pn > a->largest_pn)
		a->largest_pn = (int64_t)pn;
	return quic_asm_frames(a, plain, (size_t)n);
}

int quic_asm_feed(struct quic_asm *a, const uint8_t *udp_payload, size_t len)
{
	bool opened = false;
	struct quic_hdr h;
	size_t off = 0;
	int err, bad = 0;

	if (a->done)
		return 1;
	do {
		err = quic_parse_long(udp_payload + off, len - off, &h);
		if (err && off)
			break; /* after coalesced packets: a short header or padding (RFC 9000 12.2) */
		if (err)
			return err == -EPROTONOSUPPORT && a->version ? 0 : err;
		if (h.type == QUIC_PT_RETRY)
			return quic_retry(a, &h);
		if (h.type == QUIC_PT_INITIAL) {
			err = quic_initial(a, udp_payload + off, &h);
			if (err == 1 || err == -EMSGSIZE)
				return err;
			if (!err)
				opened = true;
			else if (!bad)
				bad = err;
		}
		off += h.pkt_len;
	} while (off < len);
	return opened ? 0 : bad;
}

int quic_asm_client_hello_raw(const struct quic_asm *a, const uint8_t **msg, size_t *len)
{
	if (!a->done)
		return -ENODATA;
	*msg = a->crypto;
	*len = 4 + ((size_t)a->crypto[1] << 16 | (size_t)a->crypto[2] << 8 | a->crypto[3]);
	return 0;
}

int quic_asm_client_hello(const struct quic_asm *a, struct tls_client_hello *ch, uint32_t *version)
{
	const uint8_t *msg;
	size_t len;
	int err;

	err = quic_asm_client_hello_raw(a, &msg, &len);
	if (err)
		return err;
	err = tls_parse_client_hello(msg + 4, len - 4, ch);
	if (err)
		return err;
	*version = a->version;
	return 0;
}
