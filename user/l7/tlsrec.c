/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/tlsrec.c - TLS record walk and handshake message rebuild (RFC 8446 5.1, RFC 5246 6.2.1, 7.4). */
#include <errno.h>
#include <string.h>

#include "l7/tlsrec.h"
#include "util/cursor.h"

/* ContentType (RFC 8446 5.1, RFC 6520 for heartbeat). */
#define REC_CCS 20
#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define REC_APPDATA 23
#define REC_HEARTBEAT 24
#define REC_HDR 5
#define REC_MAX_LEN (16384 + 2048) /* TLSCiphertext bound (RFC 5246 6.2.3); plaintext is 2^14 */

#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_HDR 4

typedef int (*hello_parse_fn)(const uint8_t *body, size_t len, uint16_t rec_version, void *out);

/* State of one walk over the records of a stream prefix. */
struct walk {
	uint8_t want;		/* handshake type wanted */
	unsigned int nth;	/* which one of them (0-based) */
	unsigned int seen;	/* wanted messages started so far */
	unsigned int msgs;	/* messages of any type started so far */
	bool other;		/* a message of another type was started */
	bool keep;		/* the current message is the nth wanted one: its body is copied */
	uint8_t hdr[HS_HDR];	/* the current message's header, as far as read */
	unsigned int hdr_fill;	/* 0: between messages */
	uint32_t body_len, body_fill;
	uint16_t msg_rec_version; /* record version where the current message began */
	uint8_t *buf;		/* TLSREC_MAX_MSG bytes for a kept body that spans records */
	hello_parse_fn parse;
	void *out;
};

static uint32_t rd_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* A new handshake message of 'type' begins. The first one must be the wanted hello. */
static int msg_start(struct walk *w, uint8_t type, uint16_t rec_version)
{
	if (w->msgs++ == 0 && type != w->want)
		return -EPROTONOSUPPORT;
	w->keep = false;
	if (type != w->want)
		w->other = true;
	else if (w->seen++ == w->nth)
		w->keep = true;
	w->msg_rec_version = rec_version;
	return 0;
}

/* The nth hello is complete: parse it. Its length came from its header, so nothing may be missing. */
static int msg_finish(struct walk *w, const uint8_t *body, size_t len)
{
	int err = w->parse(body, len, w->msg_rec_version, w->out);

	return err == -ENODATA ? -EBADMSG : err;
}

/*
 * Feed one record fragment (or its part inside the prefix) to the message
 * rebuild. Returns 1 to go on, 0 when the nth hello was parsed, or -errno.
 * A message wholly inside the fragment is read in place; only the kept one
 * is copied when it spans records, the others are skipped.
 */
static int feed(struct walk *w, const uint8_t *p, size_t n, uint16_t rec_version)
{
	while (n) {
		if (w->hdr_fill == 0) {
			int err = msg_start(w, p[0], rec_version);
			uint32_t blen;

			if (err)
				return err;
			blen = n >= HS_HDR ? rd_be24(p + 1) : 0;
			if (n >= HS_HDR && blen <= n - HS_HDR) {
				if (w->keep)
					return blen > TLSREC_MAX_MSG ? -EMSGSIZE : msg_finish(w, p + HS_HDR, blen);
				p += HS_HDR + blen;
				n -= HS_HDR + blen;
				continue;
			}
		}
		if (w->hdr_fill < HS_HDR) {
			size_t k = HS_HDR - w->hdr_fill < n ? HS_HDR - w->hdr_fill : n;

			memcpy(w->hdr + w->hdr_fill, p, k);
			w->hdr_fill += (unsigned int)k;
			p += k;
			n -= k;
			if (w->hdr_fill < HS_HDR)
				return 1;
			w->body_len = rd_be24(w->hdr + 1);
			w->body_fill = 0;
			if (w->keep && w->body_len > TLSREC_MAX_MSG)
				return -EMSGSIZE;
		} else {
			size_t k = w->body_len - w->body_fill < n ? w->body_len - w->body_fill : n;

			if (w->keep)
				memcpy(w->buf + w->body_fill, p, k);
			w->body_fill += (uint32_t)k;
			p += k;
			n -= k;
		}
		if (w->body_fill == w->body_len) {
			if (w->keep)
				return msg_finish(w, w->buf, w->body_len);
			w->hdr_fill = 0;
		}
	}
	return 1;
}

/*
 * Judge a record by its first bytes, before its header is complete. The first
 * record says whether this is TLS at all; later ones whether the plaintext
 * handshake goes on. Handshake messages must not be interleaved with other
 * record types (RFC 8446 5.1).
 */
static int rec_check(const struct walk *w, const uint8_t *r, size_t left, bool first)
{
	if (first) {
		if (r[0] != REC_HANDSHAKE || (left > 1 && r[1] != 3) || (left > 2 && r[2] > 4))
			return -EPROTONOSUPPORT;
		return 0;
	}
	switch (r[0]) {
	case REC_HANDSHAKE:
		return 0;
	case REC_CCS:	/* TLS 1.3 compatibility CCS, or encrypted records follow */
		if (w->hdr_fill)
			return -EBADMSG;
		return w->other ? -ENOENT : 0;
	case REC_ALERT:
	case REC_APPDATA:
	case REC_HEARTBEAT:
		return w->hdr_fill ? -EBADMSG : -ENOENT;
	}
	return -EBADMSG;
}

static int walk(struct walk *w, const uint8_t *data, size_t len)
{
	size_t off = 0;

	for (bool first = true;; first = false) {
		size_t left = len - off, frag;
		const uint8_t *r;
		uint16_t rlen;
		int ret;

		if (!left)	/* also keeps a NULL data (empty prefix) from being offset */
			return -ENODATA;
		r = data + off;
		ret = rec_check(w, r, left, first);
		if (ret)
			return ret;
		if (left < REC_HDR)
			return -ENODATA;
		rlen = rd_be16(r + 3);
		if (r[1] != 3 || rlen == 0 || rlen > REC_MAX_LEN)
			return -EBADMSG;
		frag = left - REC_HDR < rlen ? left - REC_HDR : rlen;
		if (r[0] == REC_HANDSHAKE) {
			ret = feed(w, r + REC_HDR, frag, rd_be16(r + 1));
			if (ret <= 0)
				return ret;
		} else if (rlen != 1 || (frag && r[REC_HDR] != 1)) {
			return -EBADMSG;	/* ChangeCipherSpec is the single byte 1 */
		}
		if (frag < rlen)
			return -ENODATA;
		off += REC_HDR + rlen;
	}
}

static int parse_client(const uint8_t *body, size_t len, uint16_t rec_version, void *out)
{
	struct tls_client_hello *ch = out;
	int err = tls_parse_client_hello(body, len, ch);

	ch->record_version = rec_version;
	return err;
}

static int parse_server(const uint8_t *body, size_t len, uint16_t rec_version, void *out)
{
	return tls_parse_server_hello(body, len, out);
}

int tlsrec_client_nth(const uint8_t *data, size_t len, unsigned int nth, struct tls_client_hello *ch)
{
	uint8_t buf[TLSREC_MAX_MSG];
	struct walk w = { .want = HS_CLIENT_HELLO, .nth = nth, .buf = buf, .parse = parse_client, .out = ch };

	memset(ch, 0, sizeof(*ch));
	return walk(&w, data, len);
}

int tlsrec_server_nth(const uint8_t *data, size_t len, unsigned int nth, struct tls_server_hello *sh)
{
	uint8_t buf[TLSREC_MAX_MSG];
	struct walk w = { .want = HS_SERVER_HELLO, .nth = nth, .buf = buf, .parse = parse_server, .out = sh };

	memset(sh, 0, sizeof(*sh));
	return walk(&w, data, len);
}
