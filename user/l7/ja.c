/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/ja.c - JA3/JA3S (Salesforce, as tshark 4.0 prints them) and JA4/JA4S (FoxIO) fingerprints. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "l7/tls.h"
#include "util/fmt.h"

#define EXT_SERVER_NAME 0x0000
#define EXT_ALPN 0x0010
#define EXT_SUPPORTED_VERSIONS 0x002b

/* An output string under construction; 'err' sticks at -ENOSPC once it overflows. */
struct sbuf {
	char *s;
	size_t cap, len;
	int err;
};

static struct sbuf sb_make(char *s, size_t cap)
{
	struct sbuf b = { s, cap, 0, cap ? 0 : -ENOSPC };

	if (cap)
		s[0] = '\0';
	return b;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->err = -ENOSPC;
		b->s[b->len] = '\0';	/* never a half-written item */
		return;
	}
	b->len += (size_t)n;
}

/* Append n bytes; the fast path for the lists below (vsnprintf per item dominated a profile). */
static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n >= b->cap - b->len) {
		b->err = -ENOSPC;
		b->s[b->len] = '\0';
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_u(struct sbuf *b, unsigned int v)
{
	char d[FMT_U64_MAX], *p = fmt_u64(d, v);

	sb_put(b, p, (size_t)(d + FMT_U64_MAX - p));
}

/* Values of a u16 list, GREASE dropped, in decimal joined by '-' (JA3). */
static void sb_dec_list(struct sbuf *b, const uint16_t *v, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (!first)
			sb_put(b, "-", 1);
		sb_u(b, v[i]);
		first = false;
	}
}

static void hex_out(const uint8_t *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * MD5 and SHA-256 fetched once: EVP_md5() and EVP_sha256() make OpenSSL 3
 * look the algorithm up in its provider on every digest, which cost more
 * than the digest itself on a ClientHello.
 */
static EVP_MD *md_md5, *md_sha256;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch(void)
{
	md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_get(int sha256)
{
	pthread_once(&md_once, md_fetch);
	return sha256 ? md_sha256 : md_md5;
}

/* Lower-case hex digest of s (EVP one-shot); hex holds 2 * digest size + 1. */
static int digest_hex(const EVP_MD *md, const char *s, size_t len, char *hex, size_t hex_chars)
{
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (!md || !EVP_Digest(s, len, d, &dlen, md, NULL) || dlen * 2 < hex_chars)
		return -EIO;
	hex_out(d, hex_chars / 2, hex);
	return 0;
}

int tls_ja3(const struct tls_client_hello *ch, char *full, size_t full_len, char md5_hex[33])
{
	struct sbuf b = sb_make(full, full_len);

	if (ch->truncated)
		return -E2BIG;
	/* SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats */
	sb_u(&b, ch->legacy_version);
	sb_put(&b, ",", 1);
	sb_dec_list(&b, ch->suites, ch->n_suites);
	sb_put(&b, ",", 1);
	sb_dec_list(&b, ch->exts, ch->n_exts);
	sb_put(&b, ",", 1);
	sb_dec_list(&b, ch->groups, ch->n_groups);
	sb_put(&b, ",", 1);
	for (size_t i = 0; i < ch->n_point_formats; i++) {
		if (i)
			sb_put(&b, "-", 1);
		sb_u(&b, ch->point_formats[i]);
	}
	if (b.err)
		return b.err;
	return digest_hex(md_get(0), full, b.len, md5_hex, 32);
}

int tls_ja3s(const struct tls_server_hello *sh, char *full, size_t full_len, char md5_hex[33])
{
	struct sbuf b = sb_make(full, full_len);

	if (sh->truncated)
		return -E2BIG;
	/* SSLVersion,Cipher,Extensions */
	sb_printf(&b, "%u,%u,", sh->legacy_version, sh->suite);
	sb_dec_list(&b, sh->exts, sh->n_exts);
	if (b.err)
		return b.err;
	return digest_hex(md_get(0), full, b.len, md5_hex, 32);
}

/*
 * JA4 version field (FoxIO JA4.md "TLS and DTLS Version"). Anything not in
 * the table is "00", which includes TLS 1.3 drafts (0x7f0e..0x7f1c) and
 * private values such as Facebook's 0xfb1a.
 */
static const char *ja4_version_str(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	}
	return "00";
}

/* The highest non-GREASE supported_versions value if the extension is there, else legacy_version. */
static uint16_t ja4_version(const struct tls_client_hello *ch)
{
	uint16_t best = 0;
	bool any = false;

	for (size_t i = 0; i < ch->n_exts; i++)
		any |= ch->exts[i] == EXT_SUPPORTED_VERSIONS;
	for (size_t i = 0; any && i < ch->n_versions; i++)
		if (!tls_is_grease(ch->versions[i]) && ch->versions[i] >= best)
			best = ch->versions[i];
	return best ? best : ch->legacy_version;
}

static bool is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * First and last character of an ALPN value (FoxIO JA4.md "ALPN Extension
 * Value"): "00" when empty; the characters themselves when both are
 * alphanumeric; else the first and last hex digit of the whole value.
 */
static void ja4_alpn_chars(const uint8_t *p, size_t n, char out[3])
{
	static const char digits[] = "0123456789abcdef";

	if (!n) {
		memcpy(out, "00", 3);
	} else if (is_alnum(p[0]) && is_alnum(p[n - 1])) {
		out[0] = (char)p[0];
		out[1] = (char)p[n - 1];
	} else {
		out[0] = digits[p[0] >> 4];
		out[1] = digits[p[n - 1] & 15];
	}
	out[2] = '\0';
}

/* The first ALPN value that is not GREASE (RFC 8701 reserves {0xXA, 0xXA} names too). */
static void ja4_alpn(const struct tls_client_hello *ch, char out[3])
{
	for (size_t i = 0; i < ch->n_alpn; i++) {
		const uint8_t *p = (const uint8_t *)ch->alpn_buf + ch->alpn_off[i];
		size_t n = ch->alpn_len[i];

		if (n == 2 && tls_is_grease((uint16_t)(p[0] << 8 | p[1])))
			continue;
		ja4_alpn_chars(p, n, out);
		return;
	}
	memcpy(out, "00", 3);
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Copy the non-GREASE values, minus SNI and ALPN when 'drop_sni_alpn'; returns how many. */
static size_t ja4_filter(const uint16_t *v, size_t n, bool drop_sni_alpn, uint16_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (drop_sni_alpn && (v[i] == EXT_SERVER_NAME || v[i] == EXT_ALPN))
			continue;
		out[k++] = v[i];
	}
	return k;
}

static void sb_hex_list(struct sbuf *b, const uint16_t *v, size_t n)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char h[5] = { ',', hx[v[i] >> 12], hx[(v[i] >> 8) & 15], hx[(v[i] >> 4) & 15], hx[v[i] & 15] };

		sb_put(b, i ? h : h + 1, i ? 5 : 4);
	}
}

/*
 * The three JA4 parts before hashing (JA4_r): a = "t13d1516h2", b = sorted
 * ciphers, c = sorted extensions without SNI/ALPN, then '_' and the
 * signature algorithms in wire order (no '_' when there are none).
 */
static int ja4_parts(const struct tls_client_hello *ch, bool quic, struct sbuf *a, struct sbuf *b,
		     struct sbuf *c)
{
	uint16_t tmp[TLS_MAX_SUITES];
	size_t n_ciphers, n_exts, n;
	bool sni = false;
	char alpn[3];

	if (ch->truncated)
		return -E2BIG;
	for (size_t i = 0; i < ch->n_exts; i++)
		sni |= ch->exts[i] == EXT_SERVER_NAME;
	n_ciphers = ja4_filter(ch->suites, ch->n_suites, false, tmp);
	qsort(tmp, n_ciphers, sizeof(tmp[0]), cmp_u16);
	sb_hex_list(b, tmp, n_ciphers);

	n_exts = ja4_filter(ch->exts, ch->n_exts, false, tmp);
	n = ja4_filter(ch->exts, ch->n_exts, true, tmp);
	qsort(tmp, n, sizeof(tmp[0]), cmp_u16);
	sb_hex_list(c, tmp, n);
	n = ja4_filter(ch->sig_algs, ch->n_sig_algs, false, tmp);
	if (n) {
		sb_printf(c, "_");
		sb_hex_list(c, tmp, n);
	}

	ja4_alpn(ch, alpn);
	sb_printf(a, "%c%s%c%02zu%02zu%s", quic ? 'q' : 't', ja4_version_str(ja4_version(ch)),
		  sni ? 'd' : 'i', n_ciphers > 99 ? 99 : n_ciphers, n_exts > 99 ? 99 : n_exts, alpn);
	return a->err ? a->err : b->err ? b->err : c->err;
}

/* First 12 hex digits of SHA-256(s), or 12 zeros for an empty list (FoxIO JA4+ general rule 1). */
static int hash12(const char *s, size_t len, char out[13])
{
	char hex[65];
	int err;

	if (!len) {
		memcpy(out, "000000000000", 13);
		return 0;
	}
	err = digest_hex(md_get(1), s, len, hex, 64);
	if (err)
		return err;
	memcpy(out, hex, 12);
	out[12] = '\0';
	return 0;
}

/* Scratch for the raw parts: 256 ciphers * 5 + 96 extensions * 5 + 64 sigalgs * 5 fit. */
#define JA4_PART_MAX (TLS_MAX_SUITES * 5 + 8)

int tls_ja4(const struct tls_client_hello *ch, bool quic, char out[40])
{
	char sa[12], sbuf_b[JA4_PART_MAX], sbuf_c[JA4_PART_MAX], hb[13], hc[13];
	struct sbuf a = sb_make(sa, sizeof(sa)), b = sb_make(sbuf_b, sizeof(sbuf_b));
	struct sbuf c = sb_make(sbuf_c, sizeof(sbuf_c));
	int err = ja4_parts(ch, quic, &a, &b, &c);

	if (!err)
		err = hash12(b.s, b.len, hb);
	if (!err)
		err = hash12(c.s, c.len, hc);
	if (err)
		return err;
	snprintf(out, 40, "%s_%s_%s", sa, hb, hc);
	return 0;
}

int tls_ja4_raw(const struct tls_client_hello *ch, bool quic, char *out, size_t out_len)
{
	char sa[12], sbuf_b[JA4_PART_MAX], sbuf_c[JA4_PART_MAX];
	struct sbuf a = sb_make(sa, sizeof(sa)), b = sb_make(sbuf_b, sizeof(sbuf_b));
	struct sbuf c = sb_make(sbuf_c, sizeof(sbuf_c));
	struct sbuf o = sb_make(out, out_len);
	int err = ja4_parts(ch, quic, &a, &b, &c);

	if (err)
		return err;
	sb_printf(&o, "%s_%s_%s", sa, sbuf_b, sbuf_c);
	return o.err;
}

/*
 * JA4S (FoxIO JA4S.md): version, extension count, ALPN chosen, the cipher,
 * and the extensions hashed in wire order. GREASE is kept here, as both
 * FoxIO reference implementations do: a server has no reason to send it.
 */
int tls_ja4s(const struct tls_server_hello *sh, bool quic, char out[40])
{
	char ext[TLS_MAX_EXTS * 5 + 1], hc[13], alpn[3];
	struct sbuf e = sb_make(ext, sizeof(ext));
	int err;

	if (sh->truncated)
		return -E2BIG;
	sb_hex_list(&e, sh->exts, sh->n_exts);
	if (e.err)
		return e.err;
	err = hash12(ext, e.len, hc);
	if (err)
		return err;
	ja4_alpn_chars((const uint8_t *)sh->alpn, sh->alpn_len, alpn);
	snprintf(out, 40, "%c%s%02u%s_%04x_%s", quic ? 'q' : 't', ja4_version_str(sh->version),
		 sh->n_exts > 99 ? 99u : sh->n_exts, alpn, sh->suite, hc);
	return 0;
}
