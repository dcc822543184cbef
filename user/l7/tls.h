/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/tls.h - TLS ClientHello/ServerHello (RFC 8446 4.1.2/4.1.3) and their fingerprints. */
#ifndef FT_TLS_H
#define FT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_MAX_SUITES 256
#define TLS_MAX_EXTS 96
#define TLS_MAX_LIST 64	     /* groups, signature algorithms, versions, key shares */
#define TLS_MAX_ALPN 32
#define TLS_ALPN_BUF 1024    /* protocol names, each NUL-terminated, back to back */
#define TLS_SNI_MAX 256

/* Every list keeps values as sent, GREASE (RFC 8701) included; tls_is_grease() tells them apart. */
struct tls_client_hello {
	uint16_t record_version; /* of the first record that carried it; 0 over QUIC */
	uint16_t legacy_version;
	uint16_t suites[TLS_MAX_SUITES];
	uint16_t n_suites;
	uint8_t compression[16];
	uint8_t n_compression;
	uint16_t exts[TLS_MAX_EXTS]; /* extension types in order */
	uint16_t n_exts;
	uint16_t versions[TLS_MAX_LIST]; /* supported_versions */
	uint16_t n_versions;
	uint16_t groups[TLS_MAX_LIST]; /* supported_groups */
	uint16_t n_groups;
	uint8_t point_formats[16];
	uint8_t n_point_formats;
	uint16_t sig_algs[TLS_MAX_LIST]; /* signature_algorithms, in order */
	uint16_t n_sig_algs;
	uint16_t sig_algs_cert[TLS_MAX_LIST]; /* signature_algorithms_cert (RFC 8446 4.2.3) */
	uint16_t n_sig_algs_cert;
	uint16_t dc_sig_algs[TLS_MAX_LIST]; /* delegated_credentials (RFC 9345 4.1.1) */
	uint16_t n_dc_sig_algs;
	uint16_t key_shares[TLS_MAX_LIST]; /* key_share groups */
	uint16_t n_key_shares;
	char sni[TLS_SNI_MAX]; /* first host_name, bytes as sent; "" when absent or longer than 255 */
	bool has_sni;
	char alpn_buf[TLS_ALPN_BUF];
	uint16_t alpn_off[TLS_MAX_ALPN]; /* alpn i is alpn_buf + alpn_off[i] */
	uint8_t alpn_len[TLS_MAX_ALPN];	 /* its length: a name may hold a NUL byte */
	uint16_t n_alpn;
	bool ech;	/* encrypted_client_hello (0xfe0d) present: sni is the outer name */
	bool truncated; /* a list was longer than its array: the rest not kept */
};

struct tls_server_hello {
	uint16_t legacy_version;
	uint16_t version; /* selected: supported_versions if present, else legacy_version */
	uint16_t suite;
	uint16_t exts[TLS_MAX_EXTS];
	uint16_t n_exts;
	char alpn[256]; /* "" when not visible */
	uint8_t alpn_len;
	uint16_t key_share; /* key_share group (HRR: selected_group); 0 when absent */
	bool hello_retry; /* random equals the HelloRetryRequest value (RFC 8446 4.1.3) */
	bool truncated;	  /* more than TLS_MAX_EXTS extensions: the rest not kept */
};

/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
static inline bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/*
 * Parse a ClientHello handshake message body (after the 4-byte handshake
 * header). Returns 0, -ENODATA (shorter than its lengths say) or -EBADMSG (a
 * length that lies about its container). Never reads outside [msg, msg+len).
 * The outermost vectors are measured against len, so a caller holding the
 * whole message (len from the handshake header) treats -ENODATA as -EBADMSG;
 * a caller holding a prefix may retry with more. A body that ends right after
 * legacy_compression_methods is a valid hello without extensions. *out is
 * zeroed first; on error its contents are unspecified.
 */
int tls_parse_client_hello(const uint8_t *msg, size_t len, struct tls_client_hello *out);
int tls_parse_server_hello(const uint8_t *msg, size_t len, struct tls_server_hello *out);

#define TLS_JA3_FULL_MAX 2600 /* fits the longest JA3/JA3S string the structs above can hold */

/*
 * JA3 string ("771,4865-4866,...") and its MD5 in hex, GREASE removed, as tshark's tls.handshake.ja3_full/ja3.
 * JA3S is "version,cipher,extensions", as tls.handshake.ja3s_full. Return 0, -ENOSPC when full_len is too
 * small, -E2BIG when the hello was 'truncated' (the fingerprint would be wrong), -EIO if libcrypto fails.
 */
int tls_ja3(const struct tls_client_hello *ch, char *full, size_t full_len, char md5_hex[33]);
int tls_ja3s(const struct tls_server_hello *sh, char *full, size_t full_len, char md5_hex[33]);

/*
 * JA4 (FoxIO), 'quic' selects the q prefix instead of t. out holds 36 characters + NUL.
 * JA4S out holds 25 + NUL. Same returns as tls_ja3(). tls_ja4_raw() writes JA4_r, the
 * strings before hashing ("t13d1516h2_002f,0035,..._0005,000a,..._0403,0804,...").
 * Per FoxIO's JA4.md: 'd' when extension 0x0000 is present (even if empty), GREASE
 * skipped everywhere (also a GREASE first ALPN name), a version outside the table
 * ("00") includes TLS 1.3 drafts 0x7fxx, empty lists hash to "000000000000". JA4S
 * keeps the server's extensions as sent, GREASE included, as FoxIO's code does.
 */
int tls_ja4(const struct tls_client_hello *ch, bool quic, char out[40]);
int tls_ja4_raw(const struct tls_client_hello *ch, bool quic, char *out, size_t out_len);
int tls_ja4s(const struct tls_server_hello *sh, bool quic, char out[40]);

#endif /* FT_TLS_H */
