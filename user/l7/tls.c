/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/tls.c - ClientHello and ServerHello bodies (RFC 8446 4.1.2, 4.1.3, 4.2; RFC 5246 7.4.1). */
#include <errno.h>
#include <string.h>

#include "l7/tls.h"
#include "util/cursor.h"

/* Extension types read here (IANA "TLS ExtensionType Values"). */
#define EXT_SERVER_NAME 0x0000	     /* RFC 6066 3 */
#define EXT_SUPPORTED_GROUPS 0x000a  /* RFC 8446 4.2.7 */
#define EXT_EC_POINT_FORMATS 0x000b  /* RFC 8422 5.1.2 */
#define EXT_SIG_ALGS 0x000d	     /* RFC 8446 4.2.3 */
#define EXT_ALPN 0x0010		     /* RFC 7301 3.1 */
#define EXT_DELEGATED_CRED 0x0022    /* RFC 9345 4.1.1 */
#define EXT_SUPPORTED_VERSIONS 0x002b /* RFC 8446 4.2.1 */
#define EXT_SIG_ALGS_CERT 0x0032     /* RFC 8446 4.2.3 */
#define EXT_KEY_SHARE 0x0033	     /* RFC 8446 4.2.8 */
#define EXT_ECH 0xfe0d		     /* draft-ietf-tls-esni-22 */

/* SHA-256("HelloRetryRequest"), the ServerHello.random of an HRR (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/*
 * Error convention inside a hello: the outermost vectors are measured against
 * the bytes given, so running past them is -ENODATA (the caller may hold only
 * a prefix); everything inside an extension is measured against that
 * extension, which is entirely present, so running past it is -EBADMSG.
 */
static int inner(int err)
{
	return err == -ENODATA ? -EBADMSG : err;
}

/* A vector with a length prefix of 'lenbytes' (1 or 2), as a sub-cursor. */
static int take_vec(struct pkt_cursor *c, int lenbytes, struct pkt_cursor *v)
{
	uint16_t n16 = 0;
	uint8_t n8 = 0;
	int err;

	if (lenbytes == 1) {
		err = cur_u8(c, &n8);
		n16 = n8;
	} else {
		err = cur_be16(c, &n16);
	}
	if (err)
		return err;
	return cur_sub(c, n16, v);
}

/* The whole extension body is one u16 list with a length prefix of lenbytes. */
static int u16_list(struct pkt_cursor *ext, int lenbytes, uint16_t *arr, uint16_t *n, bool *trunc)
{
	struct pkt_cursor v;
	int err = take_vec(ext, lenbytes, &v);

	if (err)
		return inner(err);
	if (cur_left(&v) % 2 || cur_left(ext))
		return -EBADMSG;
	while (cur_left(&v)) {
		uint16_t x = 0;

		cur_be16(&v, &x);
		if (*n < TLS_MAX_LIST)
			arr[(*n)++] = x;
		else
			*trunc = true;
	}
	return 0;
}

/* server_name: ServerNameList, the first host_name kept (RFC 6066 3). */
static int ext_sni(struct pkt_cursor *ext, struct tls_client_hello *ch)
{
	struct pkt_cursor list;
	int err;

	if (!cur_left(ext))	/* tolerated: some stacks send it empty */
		return 0;
	err = take_vec(ext, 2, &list);
	if (err || cur_left(ext))
		return -EBADMSG;
	while (cur_left(&list)) {
		struct pkt_cursor name;
		uint8_t type = 0;

		if (cur_u8(&list, &type) || take_vec(&list, 2, &name))
			return -EBADMSG;
		if (type != 0 || ch->has_sni)
			continue;
		if (cur_left(&name) >= TLS_SNI_MAX)	/* never cut a name short: not kept */
			continue;
		memcpy(ch->sni, name.pos, cur_left(&name));
		ch->sni[cur_left(&name)] = '\0';
		ch->has_sni = true;
	}
	return 0;
}

/* ALPN ProtocolNameList (RFC 7301 3.1): names back to back, NUL-terminated, in alpn_buf. */
static int ext_alpn(struct pkt_cursor *ext, struct tls_client_hello *ch)
{
	struct pkt_cursor list;
	size_t used = 0;

	if (take_vec(ext, 2, &list) || cur_left(ext))
		return -EBADMSG;
	while (cur_left(&list)) {
		struct pkt_cursor name;
		size_t n;

		if (take_vec(&list, 1, &name))
			return -EBADMSG;
		n = cur_left(&name);
		if (ch->n_alpn >= TLS_MAX_ALPN || used + n + 1 > TLS_ALPN_BUF) {
			ch->truncated = true;
			continue;
		}
		memcpy(ch->alpn_buf + used, name.pos, n);
		ch->alpn_buf[used + n] = '\0';
		ch->alpn_off[ch->n_alpn] = (uint16_t)used;
		ch->alpn_len[ch->n_alpn++] = (uint8_t)n;
		used += n + 1;
	}
	return 0;
}

/* ec_point_formats: u8 list (RFC 8422 5.1.2). */
static int ext_point_formats(struct pkt_cursor *ext, struct tls_client_hello *ch)
{
	struct pkt_cursor v;

	if (take_vec(ext, 1, &v) || cur_left(ext))
		return -EBADMSG;
	while (cur_left(&v)) {
		uint8_t f = 0;

		cur_u8(&v, &f);
		if (ch->n_point_formats < sizeof(ch->point_formats))
			ch->point_formats[ch->n_point_formats++] = f;
		else
			ch->truncated = true;
	}
	return 0;
}

/* key_share ClientHello: KeyShareEntry list, groups kept (RFC 8446 4.2.8). */
static int ext_key_share(struct pkt_cursor *ext, struct tls_client_hello *ch)
{
	struct pkt_cursor list;

	if (take_vec(ext, 2, &list) || cur_left(ext))
		return -EBADMSG;
	while (cur_left(&list)) {
		struct pkt_cursor kx;
		uint16_t group = 0;

		if (cur_be16(&list, &group) || take_vec(&list, 2, &kx))
			return -EBADMSG;
		if (ch->n_key_shares < TLS_MAX_LIST)
			ch->key_shares[ch->n_key_shares++] = group;
		else
			ch->truncated = true;
	}
	return 0;
}

/*
 * One ClientHello extension body. An extension type sent twice is a protocol
 * error (RFC 8446 4.2) that the peer will reject; both are listed in exts and
 * only the first one's contents are kept.
 */
static int ch_ext(uint16_t type, struct pkt_cursor *ext, struct tls_client_hello *ch, bool seen)
{
	bool *t = &ch->truncated;

	if (seen)
		return 0;
	switch (type) {
	case EXT_SERVER_NAME:
		return ext_sni(ext, ch);
	case EXT_SUPPORTED_GROUPS:
		return u16_list(ext, 2, ch->groups, &ch->n_groups, t);
	case EXT_EC_POINT_FORMATS:
		return ext_point_formats(ext, ch);
	case EXT_SIG_ALGS:
		return u16_list(ext, 2, ch->sig_algs, &ch->n_sig_algs, t);
	case EXT_SIG_ALGS_CERT:
		return u16_list(ext, 2, ch->sig_algs_cert, &ch->n_sig_algs_cert, t);
	case EXT_DELEGATED_CRED:
		return u16_list(ext, 2, ch->dc_sig_algs, &ch->n_dc_sig_algs, t);
	case EXT_ALPN:
		return ext_alpn(ext, ch);
	case EXT_SUPPORTED_VERSIONS:
		return u16_list(ext, 1, ch->versions, &ch->n_versions, t);
	case EXT_KEY_SHARE:
		return ext_key_share(ext, ch);
	case EXT_ECH:
		ch->ech = true;
		return 0;
	}
	return 0;
}

static bool ext_seen(const uint16_t *exts, uint16_t n, uint16_t type)
{
	for (uint16_t i = 0; i < n; i++)
		if (exts[i] == type)
			return true;
	return false;
}

/* The extensions block: <8..2^16-1> of {type, opaque data<0..2^16-1>} (RFC 8446 4.2). */
static int ch_extensions(struct pkt_cursor *c, struct tls_client_hello *ch)
{
	struct pkt_cursor block;
	int err;

	if (!cur_left(c))	/* no extensions at all: allowed before TLS 1.3 (RFC 5246 7.4.1.2) */
		return 0;
	err = take_vec(c, 2, &block);
	if (err)
		return err;
	if (cur_left(c))	/* bytes after the block: the message length lies */
		return -EBADMSG;
	while (cur_left(&block)) {
		struct pkt_cursor ext;
		uint16_t type = 0;
		bool seen;

		if (cur_be16(&block, &type) || take_vec(&block, 2, &ext))
			return -EBADMSG;
		seen = ext_seen(ch->exts, ch->n_exts, type);
		if (ch->n_exts < TLS_MAX_EXTS)
			ch->exts[ch->n_exts++] = type;
		else
			ch->truncated = true;
		err = ch_ext(type, &ext, ch, seen);
		if (err)
			return err;
	}
	return 0;
}

int tls_parse_client_hello(const uint8_t *msg, size_t len, struct tls_client_hello *out)
{
	struct pkt_cursor c = cur_make(msg, len), v;
	int err;

	memset(out, 0, sizeof(*out));
	err = cur_be16(&c, &out->legacy_version);
	if (!err)
		err = cur_skip(&c, 32);	/* random */
	if (!err)
		err = take_vec(&c, 1, &v);	/* legacy_session_id<0..32> */
	if (err)
		return err;
	if (cur_left(&v) > 32)
		return -EBADMSG;
	err = take_vec(&c, 2, &v);	/* cipher_suites<2..2^16-2> */
	if (err)
		return err;
	if (cur_left(&v) % 2)
		return -EBADMSG;
	while (cur_left(&v)) {
		uint16_t s = 0;

		cur_be16(&v, &s);
		if (out->n_suites < TLS_MAX_SUITES)
			out->suites[out->n_suites++] = s;
		else
			out->truncated = true;
	}
	/*
	 * legacy_compression_methods<1..2^8-1>: an empty list breaks the lower
	 * bound, yet parses unambiguously; accepted, as tshark does.
	 */
	err = take_vec(&c, 1, &v);
	if (err)
		return err;
	while (cur_left(&v)) {
		uint8_t m = 0;

		cur_u8(&v, &m);
		if (out->n_compression < sizeof(out->compression))
			out->compression[out->n_compression++] = m;
		else
			out->truncated = true;
	}
	return ch_extensions(&c, out);
}

/* One ServerHello extension (RFC 8446 4.2: supported_versions, key_share; RFC 7301 3.1: ALPN). */
static int sh_ext(uint16_t type, struct pkt_cursor *ext, struct tls_server_hello *sh)
{
	struct pkt_cursor list, name;
	uint16_t v = 0;

	switch (type) {
	case EXT_SUPPORTED_VERSIONS:	/* selected_version */
		if (cur_be16(ext, &v) || cur_left(ext))
			return -EBADMSG;
		sh->version = v;
		return 0;
	case EXT_KEY_SHARE:	/* ServerHello: KeyShareEntry; HRR: selected_group */
		if (cur_be16(ext, &v))
			return -EBADMSG;
		sh->key_share = v;
		if (cur_left(ext) && (take_vec(ext, 2, &list) || cur_left(ext)))
			return -EBADMSG;
		return 0;
	case EXT_ALPN:	/* exactly one name in the server's list */
		if (take_vec(ext, 2, &list) || cur_left(ext) || take_vec(&list, 1, &name) ||
		    cur_left(&list))
			return -EBADMSG;
		memcpy(sh->alpn, name.pos, cur_left(&name));
		sh->alpn[cur_left(&name)] = '\0';
		sh->alpn_len = (uint8_t)cur_left(&name);
		return 0;
	}
	return 0;
}

int tls_parse_server_hello(const uint8_t *msg, size_t len, struct tls_server_hello *out)
{
	struct pkt_cursor c = cur_make(msg, len), v, block;
	const uint8_t *random = NULL;
	uint8_t compression = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = cur_be16(&c, &out->legacy_version);
	if (!err)
		err = cur_take(&c, 32, &random);
	if (!err)
		err = take_vec(&c, 1, &v);	/* legacy_session_id_echo<0..32> */
	if (!err && cur_left(&v) > 32)
		return -EBADMSG;
	if (!err)
		err = cur_be16(&c, &out->suite);
	if (!err)
		err = cur_u8(&c, &compression);
	if (err)
		return err;
	out->version = out->legacy_version;
	out->hello_retry = !memcmp(random, hrr_random, sizeof(hrr_random));
	if (!cur_left(&c))	/* no extensions: TLS 1.2 and before */
		return 0;
	err = take_vec(&c, 2, &block);
	if (err)
		return err;
	if (cur_left(&c))
		return -EBADMSG;
	while (cur_left(&block)) {
		struct pkt_cursor ext;
		uint16_t type = 0;

		if (cur_be16(&block, &type) || take_vec(&block, 2, &ext))
			return -EBADMSG;
		if (out->n_exts < TLS_MAX_EXTS)
			out->exts[out->n_exts++] = type;
		else
			out->truncated = true;
		err = sh_ext(type, &ext, out);
		if (err)
			return err;
	}
	return 0;
}
