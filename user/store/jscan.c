// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/jscan.c - an allocation-free JSON scanner (RFC 8259) and JSON strings to COPY text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/jscan.h"

/* ---- buffers --------------------------------------------------------------------------------- */

int js_reserve(struct js_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int js_put(struct js_buf *b, const void *s, size_t n)
{
	if (js_reserve(b, n))
		return -ENOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return 0;
}

/* ---- scanning ---------------------------------------------------------------------------- */

const char *js_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

static const char *string_end(const char *p, const char *end)
{
	for (p++; p < end;) {
		const char *q = memchr(p, '"', (size_t)(end - p)), *b;

		if (!q)
			return NULL;
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1)) /* an even run of backslashes: the quote is not escaped */
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

int js_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?int(.frac)?(e[+-]?digits)? */
static const char *number_end(const char *p, const char *end)
{
	const char *d;

	if (p < end && *p == '-')
		p++;
	for (d = p; p < end && js_is_digit(*p); p++)
		;
	if (p == d)
		return NULL;
	if (p < end && *p == '.') {
		for (d = ++p; p < end && js_is_digit(*p); p++)
			;
		if (p == d)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		for (d = p; p < end && js_is_digit(*p); p++)
			;
		if (p == d)
			return NULL;
	}
	return p;
}


static const char *container_end(const char *p, const char *end, int depth)
{
	char close = *p == '{' ? '}' : ']';

	if (depth > 32)
		return NULL;
	p = js_skip_ws(p + 1, end);
	if (p < end && *p == close)
		return p + 1;
	while (p && p < end) {
		if (close == '}') {
			if (*p != '"' || !(p = string_end(p, end)))
				return NULL;
			p = js_skip_ws(p, end);
			if (p >= end || *p != ':')
				return NULL;
			p = js_skip_ws(p + 1, end);
		}
		p = js_value_end(p, end, depth + 1);
		if (!p)
			return NULL;
		p = js_skip_ws(p, end);
		if (p < end && *p == close)
			return p + 1;
		if (p >= end || *p != ',')
			return NULL;
		p = js_skip_ws(p + 1, end);
	}
	return NULL;
}

const char *js_value_end(const char *p, const char *end, int depth)
{
	if (p >= end)
		return NULL;
	switch (*p) {
	case '"':
		return string_end(p, end);
	case '{':
	case '[':
		return container_end(p, end, depth);
	case 't':
		return end - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		return end - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	case 'n':
		return end - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
	default:
		return number_end(p, end);
	}
}

/* Call fn for each member of the object at p (key without its quotes). 0, -EBADMSG, or fn's error. */
int js_walk(const char *p, const char *end, js_member_fn fn, void *arg)
{
	p = js_skip_ws(p, end);
	if (p >= end || *p != '{')
		return -EBADMSG;
	p = js_skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return 0;
	while (p < end) {
		struct js_span k, v;
		const char *e;
		int err;

		if (*p != '"' || !(e = string_end(p, end)))
			return -EBADMSG;
		k = (struct js_span){ p + 1, (size_t)(e - p - 2) };
		p = js_skip_ws(e, end);
		if (p >= end || *p != ':')
			return -EBADMSG;
		p = js_skip_ws(p + 1, end);
		if (!(e = js_value_end(p, end, 1)))
			return -EBADMSG;
		v = (struct js_span){ p, (size_t)(e - p) };
		err = fn(arg, k, v);
		if (err)
			return err;
		p = js_skip_ws(e, end);
		if (p < end && *p == '}')
			return 0;
		if (p >= end || *p != ',')
			return -EBADMSG;
		p = js_skip_ws(p + 1, end);
	}
	return -EBADMSG;
}

/* ---- text: JSON string -> UTF-8 -> COPY text -------------------------------------------- */

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid (RFC 3629 section 4). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f; /* no UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* One byte of COPY text; in_array adds the array literal's own escaping of '"' and '\'. */
static int copy_byte(struct js_buf *o, unsigned char c, int in_array)
{
	char e[4];
	size_t n = 0;

	if (in_array && (c == '"' || c == '\\')) {
		e[n++] = '\\'; /* the array's backslash, itself escaped for COPY */
		e[n++] = '\\';
	}
	if (c == '\\' || c == '\n' || c == '\r' || c == '\t') {
		e[n++] = '\\';
		e[n++] = c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
	} else {
		e[n++] = (char)c;
	}
	return js_put(o, e, n);
}

static int copy_cp(struct js_buf *o, uint32_t cp, int in_array)
{
	unsigned char u[4];
	size_t n, i;
	int err = 0;

	if (!cp || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd; /* NUL and lone surrogates: text and jsonb refuse them */
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (i = 0; i < n && !err; i++)
		err = copy_byte(o, u[i], in_array);
	return err;
}

static int hex4(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* \uXXXX at s (after the backslash and 'u'), a surrogate pair joined; *used = chars consumed. */
static uint32_t unicode_escape(const char *s, size_t n, size_t *used)
{
	uint32_t hi, lo;

	*used = 0;
	if (hex4(s, n, &hi))
		return 0xfffd;
	*used = 4;
	if (hi < 0xd800 || hi > 0xdbff || n < 10 || s[4] != '\\' || s[5] != 'u' || hex4(s + 6, n - 6, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return hi;
	*used = 10;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* Bytes that go to COPY text as they are: printable ASCII but the backslash (and '"' in arrays). */
static size_t plain_run(const char *s, size_t n, int in_array)
{
	size_t i = 0;

	while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x80 && s[i] != '\\' &&
	       !(in_array && s[i] == '"'))
		i++;
	return i;
}

/* The contents of a JSON string (between its quotes) as COPY text of its UTF-8 value. */
int js_copy_string(struct js_buf *o, const char *s, size_t n, int in_array)
{
	static const char esc_from[] = "\"\\/bfnrt", esc_to[] = "\"\\/\b\f\n\r\t";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, used, len;
	int err = 0;

	while (i < n && !err) {
		if ((len = plain_run(s + i, n - i, in_array))) {
			err = js_put(o, s + i, len);
			i += len;
		} else if (s[i] == '\\' && i + 1 < n) {
			const char *e = s[i + 1] ? strchr(esc_from, s[i + 1]) : NULL;

			if (s[i + 1] == 'u') {
				err = copy_cp(o, unicode_escape(s + i + 2, n - i - 2, &used), in_array);
				i += 2 + used;
			} else {
				err = copy_cp(o, e ? (unsigned char)esc_to[e - esc_from] : 0xfffd, in_array);
				i += 2;
			}
		} else if (u[i] < 0x80) {
			err = copy_byte(o, u[i++], in_array);
		} else if ((len = utf8_len(u + i, n - i))) {
			err = js_put(o, s + i, len);
			i += len;
		} else {
			err = copy_cp(o, 0xfffd, in_array);
			i++;
		}
	}
	return err;
}

int js_copy_json(struct js_buf *o, const char *json, size_t n)
{
	const unsigned char *u = (const unsigned char *)json;
	size_t i = 0, used, len;
	int err = 0;

	while (i < n && !err) {
		if ((len = plain_run(json + i, n - i, 0))) {
			err = js_put(o, json + i, len);
			i += len;
		} else if (json[i] == '\\' && i + 1 < n && json[i + 1] == 'u') {
			uint32_t cp = unicode_escape(json + i + 2, n - i - 2, &used);

			if (!cp || (cp >= 0xd800 && cp <= 0xdfff) || !used) {
				err = js_put(o, "\\\\ufffd", 7); /* jsonb refuses \u0000 and lone surrogates */
			} else {
				err = js_put(o, "\\\\u", 3);
				if (!err)
					err = js_put(o, json + i + 2, 4);
				if (!err && used == 10) { /* the pair's second half, its backslash escaped too */
					err = js_put(o, "\\\\u", 3);
					if (!err)
						err = js_put(o, json + i + 8, 4);
				}
			}
			i += 2 + used;
		} else if (json[i] == '\\' && i + 1 < n) {
			err = copy_byte(o, '\\', 0);
			if (!err)
				err = copy_byte(o, u[i + 1], 0);
			i += 2;
		} else if (u[i] < 0x80) {
			err = copy_byte(o, u[i++], 0);
		} else if ((len = utf8_len(u + i, n - i))) {
			err = js_put(o, json + i, len);
			i += len;
		} else {
			err = js_put(o, "\xef\xbf\xbd", 3);
			i++;
		}
	}
	return err;
}

