/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/json.h - a streaming JSON writer: one object per line, strings escaped (RFC 8259 7). */
#ifndef FT_JSON_H
#define FT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

/*
 * Writes to f through its own buffer, handed to f whenever a value at the top
 * level ends (an object's line, an array) or the buffer fills; the caller owns
 * f. Keys are NULL inside arrays, and are written unescaped: pass constants.
 */
struct jw {
	FILE *f;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	size_t n;
	char buf[16384];
};

void jw_init(struct jw *w, FILE *f);
void jw_flush(struct jw *w); /* hand what is buffered to f */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w); /* at depth 0 also ends the line */
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val); /* NULL writes null */
void jw_strn(struct jw *w, const char *key, const char *val, size_t len);
void jw_u64(struct jw *w, const char *key, uint64_t val);
void jw_i64(struct jw *w, const char *key, int64_t val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
/* A value already rendered as JSON (e.g. by jw_render); NULL writes null. */
void jw_raw(struct jw *w, const char *key, const char *json);
/* The fields of an object already rendered ({"a":1,"b":2}) into the open object. */
void jw_fields(struct jw *w, const char *obj);
/* Open a writer on a growing memory buffer; jw_render_end() returns the text (caller frees) or NULL. */
int jw_render_begin(struct jw *w, char **buf, size_t *len);
char *jw_render_end(struct jw *w, char **buf, size_t *len);

#endif /* FT_JSON_H */
