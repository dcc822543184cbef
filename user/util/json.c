// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/json.c - streaming JSON writer with RFC 8259 string escaping, buffered (flow output is hot). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "util/json.h"

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->n = 0;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

void jw_flush(struct jw *w)
{
	if (w->n)
		fwrite(w->buf, 1, w->n, w->f);
	w->n = 0;
}

static void put(struct jw *w, const char *s, size_t len)
{
	if (w->n + len > sizeof(w->buf)) {
		jw_flush(w);
		if (len > sizeof(w->buf)) {
			fwrite(s, 1, len, w->f);
			return;
		}
	}
	memcpy(w->buf + w->n, s, len);
	w->n += len;
}

static void put_c(struct jw *w, char c)
{
	if (w->n == sizeof(w->buf))
		jw_flush(w);
	w->buf[w->n++] = c;
}

/* Bytes a JSON string may hold as they are: not '"', '\\', controls or DEL (RFC 8259 7). */
static inline int plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\' && c != 0x7f;
}

static void put_escaped(struct jw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	put_c(w, '"');
	while (i < len) {
		for (run = i; run < len && plain((unsigned char)s[run]); run++)
			;
		put(w, s + i, run - i); /* bytes >= 0x80 pass: names on the wire are not promised UTF-8 */
		if (run == len)
			break;
		if (s[run] == '"' || s[run] == '\\') {
			char e[2] = { '\\', s[run] };

			put(w, e, 2);
		} else {
			unsigned char c = (unsigned char)s[run];
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(w, e, 6);
		}
		i = run + 1;
	}
	put_c(w, '"');
}

/*
 * Keys are the program's own constants (DESIGN.md's field names), never data
 * from the wire, so they go out as they are: escaping them was a tenth of
 * `read --json`'s instructions.
 */
static void prefix(struct jw *w, const char *key)
{
	size_t n;

	if (w->depth > 0 && w->need_comma[w->depth - 1])
		put_c(w, ',');
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = true;
	if (key) {
		n = strlen(key);
		if (w->n + n + 3 <= sizeof(w->buf)) {
			w->buf[w->n++] = '"';
			memcpy(w->buf + w->n, key, n);
			w->n += n;
			w->buf[w->n++] = '"';
			w->buf[w->n++] = ':';
		} else {
			put_c(w, '"');
			put(w, key, n);
			put(w, "\":", 2);
		}
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	prefix(w, key);
	put_c(w, c);
	if (w->depth < JW_MAX_DEPTH)
		w->need_comma[w->depth] = false;
	w->depth++;
}

void jw_obj_begin(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_obj_end(struct jw *w)
{
	put_c(w, '}');
	w->depth--;
	if (!w->depth) {
		put_c(w, '\n');
		jw_flush(w);
	}
}

void jw_arr_begin(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	put_c(w, ']');
	w->depth--;
	if (!w->depth)
		jw_flush(w);
}

void jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	prefix(w, key);
	put_escaped(w, val, len);
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	if (!val) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, val, strlen(val));
}

static void put_u64(struct jw *w, uint64_t v)
{
	char d[FMT_U64_MAX], *p = fmt_u64(d, v);

	put(w, p, (size_t)(d + FMT_U64_MAX - p));
}

void jw_u64(struct jw *w, const char *key, uint64_t val)
{
	prefix(w, key);
	put_u64(w, val);
}

void jw_i64(struct jw *w, const char *key, int64_t val)
{
	prefix(w, key);
	if (val < 0) {
		put_c(w, '-');
		put_u64(w, (uint64_t)0 - (uint64_t)val);
	} else {
		put_u64(w, (uint64_t)val);
	}
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	prefix(w, key);
	if (val)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_raw(struct jw *w, const char *key, const char *json)
{
	if (!json) {
		jw_null(w, key);
		return;
	}
	prefix(w, key);
	put(w, json, strlen(json));
}

void jw_fields(struct jw *w, const char *obj)
{
	size_t n = strlen(obj);

	if (n < 2 || obj[0] != '{' || obj[n - 1] != '}' || n == 2)
		return; /* not an object, or an empty one */
	if (w->depth > 0 && w->need_comma[w->depth - 1])
		put_c(w, ',');
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = true;
	put(w, obj + 1, n - 2);
}

int jw_render_begin(struct jw *w, char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		return -errno;
	jw_init(w, f);
	return 0;
}

char *jw_render_end(struct jw *w, char **buf, size_t *len)
{
	jw_flush(w);
	if (fclose(w->f)) {
		free(*buf);
		return NULL;
	}
	if (*len && (*buf)[*len - 1] == '\n') /* a value inside a line, not a line of its own */
		(*buf)[--*len] = '\0';
	return *buf;
}

void jw_null(struct jw *w, const char *key)
{
	prefix(w, key);
	put(w, "null", 4);
}
