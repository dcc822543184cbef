/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* l7/http.c - HTTP/1.x request line and header section (RFC 9112 2-3, 5, 6.3; RFC 9110 5, 7.2; RFC 3986 3.2). */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "l7/http.h"

/* A run of bytes inside the caller's buffer. */
struct span {
	const uint8_t *p;
	size_t n;
};

/* A parsed uri-host [":" port] (RFC 9110 7.2, RFC 3986 3.2.2-3.2.3). */
struct host {
	char name[HTTP_HOST_MAX];
	uint16_t port;
	bool has_port, ipv6;
};

enum field { F_OTHER, F_HOST, F_CONTENT_LENGTH, F_TRANSFER_ENCODING };

/* What the header section said so far. */
struct hstate {
	enum field last;	/* the field an obs-fold line would continue */
	bool host_seen, cl_seen;
};

/* c is one of the characters of 'set' (and not the NUL that strchr would find). */
static bool in_set(uint8_t c, const char *set)
{
	return c && strchr(set, c);
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* tchar (RFC 9110 5.6.2). */
static bool is_tchar(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || in_set(c, "!#$%&'*+-.^_`|~");
}

/* A request-target byte: visible ASCII, or obs-text that some clients send raw. */
static bool is_target_char(uint8_t c)
{
	return (c > 0x20 && c < 0x7f) || c >= 0x80;
}

/* reg-name byte: unreserved / pct-encoded / sub-delims (RFC 3986 3.2.2). */
static bool is_regname_char(uint8_t c)
{
	return is_alpha(c) || is_digit(c) || in_set(c, "-._~%!$&'()*+,;=");
}

static bool ieq(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s.p[i]) != (uint8_t)lit[i])
			return false;
	return true;
}

/* Without leading and trailing OWS (SP / HTAB, RFC 9110 5.6.3). */
static struct span trim(struct span s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
		s.p++, s.n--;
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

/* port = *DIGIT; empty means none (RFC 3986 3.2.3). */
static int parse_port(struct span s, struct host *h)
{
	uint32_t v = 0;

	if (!s.n)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		if (!is_digit(s.p[i]))
			return -EBADMSG;
		v = v * 10 + (s.p[i] - '0');
		if (v > 65535)
			return -EBADMSG;
	}
	h->port = (uint16_t)v;
	h->has_port = true;
	return 0;
}

/* uri-host [":" port]: an IP-literal "[...]" or a reg-name / IPv4address, lower-cased. */
static int parse_host(struct span s, struct host *h)
{
	size_t i = 0, start = 0, end;

	memset(h, 0, sizeof(*h));
	if (s.n && s.p[0] == '[') {
		start = i = 1;
		while (i < s.n && (is_digit(s.p[i]) || in_set(s.p[i], "abcdefABCDEF:.")))
			i++;
		if (i == s.n || s.p[i] != ']' || i == start)
			return -EBADMSG;
		end = i++;
		h->ipv6 = true;
	} else {
		while (i < s.n && is_regname_char(s.p[i]))
			i++;
		end = i;
	}
	if (i < s.n && s.p[i] != ':')
		return -EBADMSG;
	if (end - start >= HTTP_HOST_MAX || (end == start && i < s.n))	/* too long; a port without a host */
		return -EBADMSG;
	for (size_t k = start; k < end; k++)
		h->name[k - start] = (char)lower(s.p[k]);
	h->name[end - start] = '\0';
	return i < s.n ? parse_port((struct span){ s.p + i + 1, s.n - i - 1 }, h) : 0;
}

static void host_set(struct http_request *req, const struct host *h, enum http_host_src src)
{
	memcpy(req->host, h->name, sizeof(req->host));
	req->port = h->port;
	req->has_port = h->has_port;
	req->host_ipv6 = h->ipv6;
	req->host_source = (uint8_t)src;
}

static void host_invalidate(struct http_request *req)
{
	memset(req->host, 0, sizeof(req->host));
	req->port = 0;
	req->has_port = req->host_ipv6 = false;
	req->host_source = HTTP_HOST_NONE;
	req->host_invalid = true;
}

/* Host (RFC 9112 3.2): a second one must say the same, else neither is believed. */
static void field_host(struct span v, struct http_request *req, struct hstate *st)
{
	struct host h;
	bool same;

	if (parse_host(v, &h)) {
		host_invalidate(req);
	} else if (!st->host_seen) {
		if (h.name[0])	/* an empty Host is allowed and means none (RFC 9110 7.2) */
			host_set(req, &h, HTTP_HOST_HEADER);
	} else if (!req->host_invalid) {
		same = !strcmp(h.name, req->host) && h.has_port == req->has_port && h.port == req->port;
		if (!same)
			host_invalidate(req);
	}
	st->host_seen = true;
}

/* Content-Length = 1*DIGIT; repeated, it must repeat the same value (RFC 9110 8.6, RFC 9112 6.3). */
static void field_content_length(struct span v, struct http_request *req, struct hstate *st)
{
	int64_t n = 0;

	if (!v.n)
		req->body_unknown = true;
	for (size_t i = 0; i < v.n && !req->body_unknown; i++) {
		if (!is_digit(v.p[i]) || n > (INT64_MAX - 9) / 10)
			req->body_unknown = true;
		else
			n = n * 10 + (v.p[i] - '0');
	}
	if (req->body_unknown)
		return;
	if (st->cl_seen && n != req->content_length)
		req->body_unknown = true;
	req->content_length = n;
	st->cl_seen = true;
}

/* field-line = field-name ":" OWS field-value OWS (RFC 9112 5). */
static int field_line(struct span l, struct http_request *req, struct hstate *st)
{
	const uint8_t *colon = memchr(l.p, ':', l.n);
	struct span name, value;

	if (!colon || colon == l.p)
		return -EBADMSG;
	name = (struct span){ l.p, (size_t)(colon - l.p) };
	for (size_t i = 0; i < name.n; i++)
		if (!is_tchar(name.p[i]))	/* incl. space before the colon (RFC 9112 5.1) */
			return -EBADMSG;
	value = trim((struct span){ colon + 1, l.n - name.n - 1 });
	if (memchr(value.p, '\0', value.n))	/* RFC 9110 5.5 */
		return -EBADMSG;
	st->last = F_OTHER;
	if (ieq(name, "host")) {
		st->last = F_HOST;
		field_host(value, req, st);
	} else if (ieq(name, "content-length")) {
		st->last = F_CONTENT_LENGTH;
		field_content_length(value, req, st);
	} else if (ieq(name, "transfer-encoding")) {
		st->last = F_TRANSFER_ENCODING;
		req->body_unknown = true;	/* chunked or not, the length is not ours to know */
	}
	return 0;
}

/* The next line from *off, without CRLF or LF. -ENODATA without its end; -EBADMSG for a bare CR. */
static int next_line(const uint8_t *d, size_t len, size_t *off, struct span *l)
{
	const uint8_t *s = d + *off, *lf = memchr(s, '\n', len - *off);
	size_t n;

	if (!lf) {
		const uint8_t *cr = memchr(s, '\r', len - *off);

		return cr && cr + 1 < d + len ? -EBADMSG : -ENODATA;
	}
	n = (size_t)(lf - s);
	if (n && s[n - 1] == '\r')
		n--;
	if (memchr(s, '\r', n))
		return -EBADMSG;
	*l = (struct span){ s, n };
	*off = (size_t)(lf - d) + 1;
	return 0;
}

/* Expect the literal 'lit' at d[*i]: -ENODATA if the data ends first, -EPROTONOSUPPORT on a difference. */
static int expect(const uint8_t *d, size_t len, size_t *i, const char *lit)
{
	for (; *lit; lit++, (*i)++) {
		if (*i == len)
			return -ENODATA;
		if (d[*i] != (uint8_t)*lit)
			return -EPROTONOSUPPORT;
	}
	return 0;
}

/*
 * request-line = method SP request-target SP HTTP-version (RFC 9112 3), decided
 * byte by byte so that other protocols are told apart as early as possible.
 */
static int request_line(const uint8_t *d, size_t len, size_t *off, struct http_request *req, struct span *tgt)
{
	size_t i = *off, m = *off;
	int err;

	while (i < len && is_tchar(d[i]) && i - m < HTTP_METHOD_MAX - 1)
		i++;
	if (i == len)
		return -ENODATA;
	if (i == m || d[i] != ' ')
		return -EPROTONOSUPPORT;
	memcpy(req->method, d + m, i - m);
	m = ++i;
	while (i < len && is_target_char(d[i]))
		i++;
	if (i == len)
		return -ENODATA;
	if (i == m || d[i] != ' ')
		return -EPROTONOSUPPORT;
	*tgt = (struct span){ d + m, i - m };
	i++;
	err = expect(d, len, &i, "HTTP/1.");	/* HTTP/2 and later do not use this syntax */
	if (err)
		return err;
	if (i == len)
		return -ENODATA;
	if (!is_digit(d[i]))
		return -EPROTONOSUPPORT;
	req->version_major = 1;
	req->version_minor = (uint8_t)(d[i++] - '0');
	if (i < len && d[i] == '\r')
		i++;
	err = expect(d, len, &i, "\n");
	if (err)
		return err;
	*off = i;
	return 0;
}

/* The authority of "scheme://authority/..." without userinfo (RFC 3986 3.1, 3.2); false if none. */
static bool target_authority(struct span t, struct span *auth)
{
	size_t i = 0, start;

	if (!t.n || !is_alpha(t.p[0]))
		return false;
	while (i < t.n && (is_alpha(t.p[i]) || is_digit(t.p[i]) || in_set(t.p[i], "+-.")))
		i++;
	if (t.n - i < 3 || memcmp(t.p + i, "://", 3))
		return false;
	start = i += 3;
	while (i < t.n && t.p[i] != '/' && t.p[i] != '?' && t.p[i] != '#')
		i++;
	for (size_t k = start; k < i; k++)
		if (t.p[k] == '@')
			start = k + 1;
	*auth = (struct span){ t.p + start, i - start };
	return true;
}

/* Keep the target, classify its form (RFC 9112 3.2), and note the authority it carries, if any. */
static bool target_form(struct span t, struct http_request *req, struct span *auth)
{
	size_t i = 0;
	size_t keep = t.n < HTTP_TARGET_MAX - 1 ? t.n : HTTP_TARGET_MAX - 1;

	memcpy(req->target, t.p, keep);
	req->target_truncated = keep < t.n;
	if (t.n == 1 && t.p[0] == '*') {
		req->form = HTTP_FORM_ASTERISK;
		return false;
	}
	if (t.p[0] == '/') {
		req->form = HTTP_FORM_ORIGIN;
		return false;
	}
	if (!strcmp(req->method, "CONNECT")) {
		req->form = HTTP_FORM_AUTHORITY;
		*auth = t;
		return true;
	}
	while (i < t.n && (is_alpha(t.p[i]) || is_digit(t.p[i]) || in_set(t.p[i], "+-.")))
		i++;
	req->form = i && i < t.n && t.p[i] == ':' && is_alpha(t.p[0]) ? HTTP_FORM_ABSOLUTE : HTTP_FORM_OTHER;
	return req->form == HTTP_FORM_ABSOLUTE && target_authority(t, auth);
}

int http_parse_request(const uint8_t *data, size_t len, struct http_request *req)
{
	struct hstate st = { F_OTHER, false, false };
	struct span tgt, auth, l;
	size_t off = 0;
	bool has_auth;
	int err;

	memset(req, 0, sizeof(*req));
	req->content_length = -1;
	while (off < len && (data[off] == '\r' || data[off] == '\n'))
		off++;
	err = request_line(data, len, &off, req, &tgt);
	if (err)
		return err;
	has_auth = target_form(tgt, req, &auth);
	for (;;) {
		err = next_line(data, len, &off, &l);
		if (err)
			return err;
		if (!l.n)
			break;
		if (l.p[0] == ' ' || l.p[0] == '\t') {	/* obs-fold (RFC 9112 5.2) */
			if (st.last == F_HOST)
				host_invalidate(req);
			else if (st.last != F_OTHER)
				req->body_unknown = true;
			continue;
		}
		err = field_line(l, req, &st);
		if (err)
			return err;
	}
	if (!req->host[0] && !req->host_invalid && has_auth) {
		struct host h;

		if (parse_host(auth, &h))
			host_invalidate(req);
		else if (h.name[0])
			host_set(req, &h, HTTP_HOST_TARGET);
	}
	return off > INT_MAX ? -EMSGSIZE : (int)off;
}
