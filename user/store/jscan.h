/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/jscan.h - scan JSON (RFC 8259) without allocating; write JSON strings as COPY text. */
#ifndef FT_STORE_JSCAN_H
#define FT_STORE_JSCAN_H

#include <stddef.h>
#include <string.h>

struct js_buf { /* a growing output buffer */
	char *p;
	size_t len, cap;
};

struct js_span {
	const char *p;
	size_t n;
};

/* s equals the string literal lit (its length known at compile time: the parser's hot path) */
#define SPAN_IS(s, lit) ((s).n == sizeof(lit) - 1 && !memcmp((s).p, lit, sizeof(lit) - 1))

static inline int span_eq(struct js_span s, const char *str, size_t n)
{
	return s.n == n && !memcmp(s.p, str, n);
}

int js_reserve(struct js_buf *b, size_t more);
int js_put(struct js_buf *b, const void *s, size_t n);
int js_is_digit(char c);
const char *js_skip_ws(const char *p, const char *end);
/* End of the value starting at p (strings, numbers and literals checked), NULL if malformed. */
const char *js_value_end(const char *p, const char *end, int depth);
typedef int (*js_member_fn)(void *arg, struct js_span key, struct js_span val);
/* fn for each member of the object at p (keys without quotes): 0, -EBADMSG, or fn's error. */
int js_walk(const char *p, const char *end, js_member_fn fn, void *arg);
/* A JSON string's contents as COPY text of its UTF-8 value; in_array: quoted for an array literal. */
int js_copy_string(struct js_buf *o, const char *s, size_t n, int in_array);
/* JSON text as COPY text, valid for jsonb: invalid UTF-8, \u0000 and lone surrogates become U+FFFD. */
int js_copy_json(struct js_buf *o, const char *json, size_t n);

#endif /* FT_STORE_JSCAN_H */
