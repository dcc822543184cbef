// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/flowrow.c - flow JSON lines (RFC 8259) to typed COPY text rows, checked so the COPY cannot fail. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/flowrow.h"

/*
 * Why in C: parsing 100,000 lines server-side (jsonb input, jsonb_populate_record, composite
 * field access) cost about 6 s per batch; typed COPY columns cost a fraction of that. Every value
 * is checked here against its column's type and range, so a bad value becomes NULL (kept in
 * "extra") instead of failing the whole batch's COPY.
 */
enum fr_kind { K_TEXT, K_I16, K_I32, K_I64, K_BOOL, K_INET, K_MAC, K_TS, K_UUID, K_TEXTARR, K_INTARR };

#define C(obj, key, col, kind, keep) { obj, key, col, kind, keep }
const struct fr_col fr_cols[] = {
	C(NULL, "uuid", "uuid", K_UUID, FR_IDENTITY),
	C(NULL, "first_seen", "first_seen", K_TS, FR_IDENTITY),
	C(NULL, "ip_version", "ip_version", K_I16, FR_IDENTITY),
	C(NULL, "proto", "proto", K_I16, FR_IDENTITY),
	C(NULL, "orig_addr", "orig_addr", K_INET, FR_IDENTITY),
	C(NULL, "orig_port", "orig_port", K_I32, FR_IDENTITY),
	C(NULL, "resp_addr", "resp_addr", K_INET, FR_IDENTITY),
	C(NULL, "resp_port", "resp_port", K_I32, FR_IDENTITY),
	C(NULL, "icmp_type", "icmp_type", K_I16, FR_COALESCE),
	C(NULL, "icmp_code", "icmp_code", K_I16, FR_COALESCE),
	C(NULL, "local_side", "local_side", K_TEXT, FR_COALESCE),
	C(NULL, "orig_pkts", "orig_pkts", K_I64, FR_REPLACE),
	C(NULL, "orig_bytes", "orig_bytes", K_I64, FR_REPLACE),
	C(NULL, "orig_l4_bytes", "orig_l4_bytes", K_I64, FR_REPLACE),
	C(NULL, "orig_payload_bytes", "orig_payload_bytes", K_I64, FR_REPLACE),
	C(NULL, "resp_pkts", "resp_pkts", K_I64, FR_REPLACE),
	C(NULL, "resp_bytes", "resp_bytes", K_I64, FR_REPLACE),
	C(NULL, "resp_l4_bytes", "resp_l4_bytes", K_I64, FR_REPLACE),
	C(NULL, "resp_payload_bytes", "resp_payload_bytes", K_I64, FR_REPLACE),
	C(NULL, "duplicates", "duplicates", K_I64, FR_REPLACE),
	C(NULL, "tcp_flags", "tcp_flags", K_I16, FR_COALESCE),
	C(NULL, "orig_tcp_flags", "orig_tcp_flags", K_I16, FR_COALESCE),
	C(NULL, "resp_tcp_flags", "resp_tcp_flags", K_I16, FR_COALESCE),
	C(NULL, "last_seen", "last_seen", K_TS, FR_COALESCE),
	C(NULL, "state", "state", K_TEXT, FR_COALESCE),
	C(NULL, "hostname", "hostname", K_TEXT, FR_COALESCE),
	C(NULL, "hostname_source", "hostname_source", K_TEXT, FR_COALESCE),
	C(NULL, "orig_mac", "orig_mac", K_MAC, FR_COALESCE),
	C(NULL, "resp_mac", "resp_mac", K_MAC, FR_COALESCE),
	C(NULL, "device", "device", K_TEXT, FR_COALESCE),
	C("http", "host", "http_host", K_TEXT, FR_COALESCE),
	C("http", "method", "http_method", K_TEXT, FR_COALESCE),
	C("tls", "sni", "tls_sni", K_TEXT, FR_COALESCE),
	C("tls", "alpn", "tls_alpn", K_TEXTARR, FR_COALESCE),
	C("tls", "legacy_version", "tls_legacy_version", K_I32, FR_COALESCE),
	C("tls", "supported_versions", "tls_supported_versions", K_INTARR, FR_COALESCE),
	C("tls", "cipher_suites", "tls_cipher_suites", K_INTARR, FR_COALESCE),
	C("tls", "extensions", "tls_extensions", K_INTARR, FR_COALESCE),
	C("tls", "ja3", "tls_ja3", K_TEXT, FR_COALESCE),
	C("tls", "ja3_full", "tls_ja3_full", K_TEXT, FR_COALESCE),
	C("tls", "ja4", "tls_ja4", K_TEXT, FR_COALESCE),
	C("tls", "ech", "tls_ech", K_BOOL, FR_COALESCE),
	C("quic", "version", "quic_version", K_I64, FR_COALESCE),
	C("quic", "sni", "quic_sni", K_TEXT, FR_COALESCE),
	C("quic", "alpn", "quic_alpn", K_TEXTARR, FR_COALESCE),
	C("quic", "ja4", "quic_ja4", K_TEXT, FR_COALESCE),
};
#undef C
#define NCOLS (sizeof(fr_cols) / sizeof(fr_cols[0]))
const unsigned int fr_ncols = NCOLS;
/* a row needs uuid, first_seen, ip_version, proto, orig_addr and resp_addr (fr_cols[0..6] but 5) */
#define REQUIRED_MASK 0x5fu

static const char *const objs[] = { NULL, "http", "tls", "quic" }; /* extra[i] of fr_scratch */

void fr_scratch_free(struct fr_scratch *s)
{
	for (unsigned int i = 0; i < 4; i++) {
		free(s->extra[i].p);
		s->extra[i] = (struct js_buf){};
	}
}

/* ---- typed values -------------------------------------------------------------------------- */

static int str_contents(struct js_span v, struct js_span *out)
{
	if (v.n < 2 || v.p[0] != '"')
		return -1;
	*out = (struct js_span){ v.p + 1, v.n - 2 };
	return 0;
}

/* A JSON integer (no fraction, no exponent) within [lo, hi]. */
static int int_in(struct js_span v, long long lo, long long hi)
{
	unsigned long long x = 0, lim;
	size_t i = 0;
	int neg = 0;

	if (v.n && v.p[0] == '-')
		neg = 1, i = 1;
	if (i == v.n || v.n - i > 19)
		return -1;
	lim = neg ? 0ULL - (unsigned long long)lo : (unsigned long long)hi;
	for (; i < v.n; i++) {
		if (!js_is_digit(v.p[i]))
			return -1;
		x = x * 10 + (unsigned long long)(v.p[i] - '0');
	}
	return x > lim ? -1 : 0;
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

static int num(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!js_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* RFC 3339 date-time (section 5.6), the one form PostgreSQL must accept: a bad date fails a COPY. */
static int ts_ok(struct js_span s)
{
	const char *p = s.p;
	size_t i = 19;
	int y, mo, d;

	if (s.n < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    p[13] != ':' || p[16] != ':')
		return -1;
	y = num(p, 4), mo = num(p + 5, 2), d = num(p + 8, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || num(p + 11, 2) < 0 || num(p + 11, 2) > 23 ||
	    num(p + 14, 2) < 0 || num(p + 14, 2) > 59 || num(p + 17, 2) < 0 || num(p + 17, 2) > 59)
		return -1;
	if (p[i] == '.') {
		size_t f = ++i;

		while (i < s.n && js_is_digit(p[i]))
			i++;
		if (i == f || i - f > 9)
			return -1;
	}
	if (i + 1 == s.n && (p[i] == 'Z' || p[i] == 'z'))
		return 0;
	if (i + 6 == s.n && (p[i] == '+' || p[i] == '-') && p[i + 3] == ':' && num(p + i + 1, 2) >= 0 &&
	    num(p + i + 1, 2) <= 14 && num(p + i + 4, 2) >= 0 && num(p + i + 4, 2) <= 59)
		return 0;
	return -1;
}

static int hex_run(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
			return -1;
	return 0;
}

static int uuid_ok(struct js_span s)
{
	static const unsigned char dash[] = { 8, 13, 18, 23 };
	size_t i, prev = 0;

	if (s.n != 36)
		return -1;
	for (i = 0; i < 4; i++) {
		if (s.p[dash[i]] != '-' || hex_run(s.p + prev, dash[i] - prev))
			return -1;
		prev = dash[i] + 1u;
	}
	return hex_run(s.p + prev, 36 - prev);
}

static int mac_ok(struct js_span s)
{
	if (s.n != 17)
		return -1;
	for (size_t i = 0; i < 17; i += 3)
		if (hex_run(s.p + i, 2) || (i < 15 && s.p[i + 2] != ':' && s.p[i + 2] != '-'))
			return -1;
	return 0;
}

static int inet_ok(struct js_span s)
{
	unsigned char a[16];
	char buf[64];

	if (!s.n || s.n >= sizeof(buf) || memchr(s.p, '\\', s.n))
		return -1;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

/* [..] of strings (and nulls) or of int32 as a PostgreSQL array literal. */
static int emit_array(struct js_buf *o, struct js_span v, int ints)
{
	const char *p = v.p + 1, *end = v.p + v.n - 1, *e;
	int first = 1;

	if (v.n < 2 || v.p[0] != '[' || js_put(o, "{", 1))
		return -1;
	for (p = js_skip_ws(p, end); p < end; p = js_skip_ws(p, end)) {
		struct js_span el;

		if (!first && (*p != ',' || (p = js_skip_ws(p + 1, end)) >= end))
			return -1;
		e = js_value_end(p, end, 2);
		if (!e)
			return -1;
		el = (struct js_span){ p, (size_t)(e - p) };
		if ((!first && js_put(o, ",", 1)))
			return -1;
		if (SPAN_IS(el, "null")) {
			if (js_put(o, "NULL", 4))
				return -1;
		} else if (ints) {
			if (int_in(el, INT32_MIN, INT32_MAX) || js_put(o, el.p, el.n))
				return -1;
		} else {
			struct js_span c;

			if (str_contents(el, &c) || js_put(o, "\"", 1) || js_copy_string(o, c.p, c.n, 1) || js_put(o, "\"", 1))
				return -1;
		}
		first = 0;
		p = e;
	}
	return js_put(o, "}", 1) ? -1 : 0;
}

/* One value in its column's COPY form; -1 when it does not fit the column (or no memory). */
static int emit_value(struct js_buf *o, int kind, struct js_span v)
{
	struct js_span c;

	switch (kind) {
	case K_I16:
		return int_in(v, INT16_MIN, INT16_MAX) || js_put(o, v.p, v.n) ? -1 : 0;
	case K_I32:
		return int_in(v, INT32_MIN, INT32_MAX) || js_put(o, v.p, v.n) ? -1 : 0;
	case K_I64:
		return int_in(v, INT64_MIN, INT64_MAX) || js_put(o, v.p, v.n) ? -1 : 0;
	case K_BOOL:
		return SPAN_IS(v, "true") ? js_put(o, "t", 1) : SPAN_IS(v, "false") ? js_put(o, "f", 1) : -1;
	case K_TEXTARR:
	case K_INTARR:
		return emit_array(o, v, kind == K_INTARR);
	}
	if (str_contents(v, &c))
		return -1;
	switch (kind) {
	case K_TS:
		return ts_ok(c) || js_put(o, c.p, c.n) ? -1 : 0;
	case K_UUID:
		return uuid_ok(c) || js_put(o, c.p, c.n) ? -1 : 0;
	case K_MAC:
		return mac_ok(c) || js_put(o, c.p, c.n) ? -1 : 0;
	case K_INET:
		return inet_ok(c) || js_put(o, c.p, c.n) ? -1 : 0;
	default:
		return js_copy_string(o, c.p, c.n, 0) ? -1 : 0;
	}
}

/* ---- one line ---------------------------------------------------------------------------- */

struct row {
	struct js_span val[NCOLS];
	unsigned char has[NCOLS];
	struct fr_scratch *s;
	int type;	   /* enum fr_type */
	int obj;	   /* index in objs[] while inside http/tls/quic */
	unsigned int hint; /* next column to try: the sensor writes keys in a fixed order */
};

static int obj_index(const char *obj)
{
	for (int i = 1; i < 4; i++)
		if (obj && !strcmp(obj, objs[i]))
			return i;
	return 0;
}

static unsigned char col_obj[NCOLS], col_klen[NCOLS]; /* fr_cols[] digested once */

static void digest_cols(void)
{
	for (unsigned int i = 0; i < NCOLS; i++) {
		col_obj[i] = (unsigned char)obj_index(fr_cols[i].obj);
		col_klen[i] = (unsigned char)strlen(fr_cols[i].key);
	}
}

static int find_col(struct row *r, struct js_span key)
{
	for (unsigned int n = 0; n < NCOLS; n++) {
		unsigned int i = (r->hint + n) % NCOLS;

		if (col_obj[i] != r->obj || !span_eq(key, fr_cols[i].key, col_klen[i]))
			continue;
		r->hint = i + 1;
		return (int)i;
	}
	return -1;
}

/* "key":value into the extra object of obj (nulls are not kept: NULL is what a column says too). */
static int add_extra(struct fr_scratch *s, int obj, struct js_span key, struct js_span val)
{
	struct js_buf *b = &s->extra[obj];

	if (SPAN_IS(val, "null"))
		return 0;
	if ((b->len && js_put(b, ",", 1)) || js_put(b, "\"", 1) || js_put(b, key.p, key.n) || js_put(b, "\":", 2) ||
	    js_put(b, val.p, val.n))
		return -ENOMEM;
	return 0;
}

static int on_nested(void *arg, struct js_span k, struct js_span v)
{
	struct row *r = arg;
	int i = find_col(r, k);

	if (i < 0)
		return add_extra(r->s, r->obj, k, v);
	r->val[i] = v;
	r->has[i] = 1;
	return 0;
}

static int on_member(void *arg, struct js_span k, struct js_span v)
{
	struct row *r = arg;
	int i, err;

	if (SPAN_IS(k, "type")) {
		r->type = SPAN_IS(v, "\"flow\"") ? FR_TYPE_FLOW : SPAN_IS(v, "\"throughput\"") ? FR_TYPE_TPUT
			: SPAN_IS(v, "\"neighbor\"") ? FR_TYPE_NEIGH : FR_TYPE_OTHER;
		return 0;
	}
	if (SPAN_IS(k, "proto_name"))
		return 0; /* proto's name, derived from proto */
	for (i = 1; i < 4; i++) {
		if (span_eq(k, objs[i], strlen(objs[i])) && v.p[0] == '{') {
			r->obj = i;
			err = js_walk(v.p, v.p + v.n, on_nested, r);
			r->obj = 0;
			return err;
		}
	}
	i = find_col(r, k);
	if (i < 0)
		return add_extra(r->s, 0, k, v);
	r->val[i] = v;
	r->has[i] = 1;
	return 0;
}

/* {"k":v,...,"tls":{...}} from the scratch buffers, as COPY text; \\N when empty. */
static int render_extra(struct js_buf *o, struct fr_scratch *s)
{
	int comma = 0, err, i, n;
	char head[16];

	if (!s->extra[0].len && !s->extra[1].len && !s->extra[2].len && !s->extra[3].len)
		return js_put(o, "\\N", 2);
	err = js_copy_json(o, "{", 1);
	if (!err && s->extra[0].len) {
		err = js_copy_json(o, s->extra[0].p, s->extra[0].len);
		comma = 1;
	}
	for (i = 1; i < 4 && !err; i++) {
		if (!s->extra[i].len)
			continue;
		n = snprintf(head, sizeof(head), "%s\"%s\":{", comma ? "," : "", objs[i]);
		comma = 1;
		err = js_copy_json(o, head, (size_t)n);
		if (!err)
			err = js_copy_json(o, s->extra[i].p, s->extra[i].len);
		if (!err)
			err = js_copy_json(o, "}", 1);
	}
	return err ? err : js_copy_json(o, "}", 1);
}

static int render(struct js_buf *o, struct row *r, int *added)
{
	size_t start = o->len;
	unsigned int i, nulls = 0;

	for (i = 0; i < NCOLS; i++) {
		const struct fr_col *c = &fr_cols[i];
		int null = !r->has[i] || SPAN_IS(r->val[i], "null");
		size_t at = o->len;

		if (!null && emit_value(o, c->kind, r->val[i])) {
			o->len = at; /* does not fit the column: NULL here, kept as sent in extra */
			if (add_extra(r->s, col_obj[i], (struct js_span){ c->key, col_klen[i] }, r->val[i]))
				return -ENOMEM;
			null = 1;
		}
		if (null && i < 32)
			nulls |= 1u << i;
		if ((null && js_put(o, "\\N", 2)) || js_put(o, "\t", 1))
			return -ENOMEM;
	}
	if (nulls & REQUIRED_MASK) {
		o->len = start;
		*added = 0;
		return 0;
	}
	if (render_extra(o, r->s) || js_put(o, "\n", 1))
		return -ENOMEM;
	*added = 1;
	return 0;
}

/* ---- throughput and neighbor lines: checked, not rendered --------------------------------- */

struct check {
	const struct other_key {
		const char *key;
		unsigned char kind;
	} *keys;
	struct js_buf *tmp;
	int bad;
};

static const struct other_key tput_keys[] = {
	{ "minute", K_TS }, { "direction", K_TEXT }, { "ip_version", K_I16 }, { "packets", K_I64 }, { "bytes", K_I64 },
	{ NULL, 0 },
};
static const struct other_key neigh_keys[] = {
	{ "addr", K_INET }, { "mac", K_MAC }, { "first_seen", K_TS }, { "last_seen", K_TS }, { "source", K_TEXT },
	{ NULL, 0 },
};

static int on_check(void *arg, struct js_span k, struct js_span v)
{
	struct check *c = arg;

	for (const struct other_key *o = c->keys; o->key; o++) {
		if (!span_eq(k, o->key, strlen(o->key)) || SPAN_IS(v, "null"))
			continue;
		c->tmp->len = 0;
		if (emit_value(c->tmp, o->kind, v))
			c->bad = 1;
	}
	return 0;
}

/* A value the database would refuse fails a whole batch there: such a line is skipped here. */
static int other_ok(struct fr_scratch *s, int type, const char *line, size_t len)
{
	struct check c = { type == FR_TYPE_TPUT ? tput_keys : neigh_keys, &s->extra[0], 0 };

	return !js_walk(line, line + len, on_check, &c) && !c.bad;
}

int flowrow_line(struct js_buf *out, struct fr_scratch *s, const char *line, size_t len, int *added,
		 char uuid[37])
{
	struct row r;
	int err;

	if (!col_klen[0])
		digest_cols(); /* idempotent: two threads racing write the same bytes */
	memset(r.has, 0, sizeof(r.has));
	r.s = s;
	r.type = FR_TYPE_OTHER;
	r.obj = 0;
	r.hint = 0;
	*added = 0;
	for (int i = 0; i < 4; i++)
		s->extra[i].len = 0;
	err = js_walk(line, line + len, on_member, &r);
	if (err == -ENOMEM)
		return err;
	if (err)
		return FR_TYPE_BAD;
	if (r.type == FR_TYPE_TPUT || r.type == FR_TYPE_NEIGH)
		*added = other_ok(s, r.type, line, len);
	if (r.type != FR_TYPE_FLOW)
		return r.type;
	err = render(out, &r, added);
	if (err)
		return err;
	if (*added) {
		memcpy(uuid, r.val[0].p + 1, 36);
		uuid[36] = '\0';
	}
	return FR_TYPE_FLOW;
}
