// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/json.c - streaming JSON writer with RFC 8259 string escaping. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

static void put_escaped(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f); /* bytes >= 0x80 pass: names on the wire are not promised UTF-8 */
		}
	}
	fputc('"', f);
}

static void prefix(struct jw *w, const char *key)
{
	if (w->depth > 0 && w->need_comma[w->depth - 1])
		fputc(',', w->f);
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = true;
	if (key) {
		put_escaped(w->f, key, strlen(key));
		fputc(':', w->f);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	prefix(w, key);
	fputc(c, w->f);
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
	fputc('}', w->f);
	w->depth--;
	if (!w->depth)
		fputc('\n', w->f);
}

void jw_arr_begin(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_end(struct jw *w)
{
	fputc(']', w->f);
	w->depth--;
}

void jw_strn(struct jw *w, const char *key, const char *val, size_t len)
{
	prefix(w, key);
	put_escaped(w->f, val, len);
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	if (!val) {
		jw_null(w, key);
		return;
	}
	jw_strn(w, key, val, strlen(val));
}

void jw_u64(struct jw *w, const char *key, uint64_t val)
{
	prefix(w, key);
	fprintf(w->f, "%" PRIu64, val);
}

void jw_i64(struct jw *w, const char *key, int64_t val)
{
	prefix(w, key);
	fprintf(w->f, "%" PRId64, val);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	prefix(w, key);
	fputs(val ? "true" : "false", w->f);
}

void jw_raw(struct jw *w, const char *key, const char *json)
{
	if (!json) {
		jw_null(w, key);
		return;
	}
	prefix(w, key);
	fputs(json, w->f);
}

void jw_fields(struct jw *w, const char *obj)
{
	size_t n = strlen(obj);

	if (n < 2 || obj[0] != '{' || obj[n - 1] != '}' || n == 2)
		return; /* not an object, or an empty one */
	if (w->depth > 0 && w->need_comma[w->depth - 1])
		fputc(',', w->f);
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = true;
	fwrite(obj + 1, 1, n - 2, w->f);
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
	fputs("null", w->f);
}
