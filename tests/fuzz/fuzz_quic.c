/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_quic.c - libFuzzer target: datagram sequences and decrypted payloads into struct quic_asm. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "l7/quic.h"

/*
 * Input: one mode byte, then records of [u16 big-endian length][bytes] (the
 * last one cut to what is left). Random bytes cannot get past AES-GCM, so
 * besides raw datagrams (mode 0) the payload side is fuzzed twice: straight
 * into the frame parser and CRYPTO buffer (mode 1), and sealed into real
 * client Initials by a test-only encryptor, so the whole feed path runs on
 * fuzzed plaintext (mode 2; bit 2 of the mode byte picks v2).
 */
enum { MODE_DATAGRAMS, MODE_FRAMES, MODE_SEALED };

static const uint8_t fuzz_dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };

static size_t seal(uint32_t version, uint64_t pn, const uint8_t *pt, size_t len, uint8_t *out)
{
	static struct quic_keys k[2];
	static bool have[2];
	int v2 = version == QUIC_VERSION_2, n, i;
	EVP_CIPHER_CTX *ctx;
	uint8_t mask[16], nonce[12];
	size_t h = 0, pn_off;

	if (!have[v2] && quic_initial_keys(version, fuzz_dcid, 8, false, &k[v2]))
		abort();
	have[v2] = true;
	out[h++] = (uint8_t)(0xc0 | (v2 ? 0x10 : 0) | 1); /* Initial, 2-byte packet number */
	out[h++] = (uint8_t)(version >> 24), out[h++] = (uint8_t)(version >> 16);
	out[h++] = (uint8_t)(version >> 8), out[h++] = (uint8_t)version;
	out[h++] = 8;
	memcpy(out + h, fuzz_dcid, 8);
	h += 8;
	out[h++] = 0; /* SCID */
	out[h++] = 0; /* token */
	out[h++] = (uint8_t)(0x40 | (len + 2 + 16) >> 8), out[h++] = (uint8_t)(len + 2 + 16);
	pn_off = h;
	out[h++] = (uint8_t)(pn >> 8), out[h++] = (uint8_t)pn;
	memcpy(nonce, k[v2].iv, 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, k[v2].key, nonce) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, out, (int)h) != 1 || EVP_EncryptUpdate(ctx, out + h, &n, pt, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + h + n, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + h + len) != 1)
		abort();
	EVP_CIPHER_CTX_free(ctx);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, k[v2].hp, NULL) != 1 ||
	    EVP_EncryptUpdate(ctx, mask, &n, out + pn_off + 4, 16) != 1)
		abort();
	EVP_CIPHER_CTX_free(ctx);
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1], out[pn_off + 1] ^= mask[2];
	return h + len + 16;
}

static int feed(struct quic_asm *a, int mode, uint32_t version, uint64_t pn, const uint8_t *p, size_t n)
{
	static uint8_t pkt[2100];

	switch (mode) {
	case MODE_FRAMES:
		return quic_asm_frames(a, p, n);
	case MODE_SEALED:
		if (n < 4 || n > 2000) /* the sample needs 4 bytes after a 2-byte packet number */
			return a->done;
		return quic_asm_feed(a, pkt, seal(version, pn, p, n, pkt));
	}
	return quic_asm_feed(a, p, n);
}

/* What feed may return, and what a finished assembler must give back. */
static void check(const struct quic_asm *a, int r)
{
	static struct tls_client_hello ch;
	const uint8_t *msg;
	uint32_t version;
	char ja4[40];
	size_t len;

	if (r != 1 && r != 0 && r != -EPROTONOSUPPORT && r != -EBADMSG && r != -ENODATA && r != -EMSGSIZE)
		abort();
	if ((r == 1) != a->done)
		abort();
	if (r != 1)
		return;
	if (quic_asm_client_hello_raw(a, &msg, &len) || len > QUIC_CRYPTO_MAX || msg[0] != 1)
		abort();
	if (!quic_asm_client_hello(a, &ch, &version))
		tls_ja4(&ch, true, ja4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct quic_asm a; /* 18 KiB: off the stack */
	uint32_t version;
	uint64_t pn = 0;
	size_t off = 1;
	int mode;

	if (!size)
		return 0;
	mode = data[0] % 3;
	version = data[0] & 4 ? QUIC_VERSION_2 : QUIC_VERSION_1;
	quic_asm_init(&a);
	while (off < size) {
		size_t n = off + 1 < size ? (size_t)data[off] << 8 | data[off + 1] : 0;

		off += 2;
		if (off > size)
			break;
		if (n > size - off)
			n = size - off;
		check(&a, feed(&a, mode, version, pn++, data + off, n));
		off += n;
	}
	return 0;
}
