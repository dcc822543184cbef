// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/batch.c - building batches of JSON lines: the unit the store spools and applies atomically. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/batch.h"

int store_batch_new(struct store_batch **out, uint64_t seq, enum store_mode mode)
{
	struct store_batch *b;

	if (mode != STORE_ABSOLUTE && mode != STORE_DELTA)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->seq = seq;
	b->mode = mode;
	*out = b;
	return 0;
}

void store_batch_free(struct store_batch *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b);
}

/* The value of the first "type" key; the sensor writes it first, a later position costs a longer scan. */
enum batch_kind batch_kind_of(const char *line, size_t len)
{
	static const struct { const char *v; size_t n; enum batch_kind k; } kinds[] = {
		{ "flow\"", 5, BATCH_FLOW },
		{ "throughput\"", 11, BATCH_TPUT },
		{ "neighbor\"", 9, BATCH_NEIGH },
	};
	const char *p = memmem(line, len, "\"type\":\"", 8);
	size_t rest, i;

	if (!p)
		return BATCH_OTHER;
	p += 8;
	rest = len - (size_t)(p - line);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (rest >= kinds[i].n && !memcmp(p, kinds[i].v, kinds[i].n))
			return kinds[i].k;
	return BATCH_OTHER;
}

static int reserve(struct store_batch *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *buf;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	buf = realloc(b->buf, cap);
	if (!buf)
		return -ENOMEM;
	b->buf = buf;
	b->cap = cap;
	return 0;
}

int store_batch_add_line(struct store_batch *b, const char *json, size_t len)
{
	int err;

	while (len && (json[len - 1] == '\n' || json[len - 1] == '\r'))
		len--;
	if (!len || memchr(json, '\n', len) || memchr(json, '\0', len))
		return -EINVAL;
	err = reserve(b, len + 1);
	if (err)
		return err;
	memcpy(b->buf + b->len, json, len);
	b->buf[b->len + len] = '\n';
	b->len += len + 1;
	b->lines++;
	b->kind[batch_kind_of(json, len)]++;
	return 0;
}

int batch_adopt(struct store_batch **out, uint64_t seq, enum store_mode mode, char *buf, size_t len)
{
	struct store_batch *b;
	size_t off = 0;
	int err;

	if (len && buf[len - 1] != '\n')
		return -EBADMSG;
	err = store_batch_new(&b, seq, mode);
	if (err)
		return err;
	b->buf = buf;
	b->len = b->cap = len;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = (size_t)(nl - (buf + off));

		b->lines++;
		b->kind[batch_kind_of(buf + off, n)]++;
		off += n + 1;
	}
	*out = b;
	return 0;
}

int store_batch_add_lines(struct store_batch *b, const char *buf, size_t len)
{
	size_t off = 0;
	int err = 0;

	while (!err && off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		if (n && !(n == 1 && buf[off] == '\r'))
			err = store_batch_add_line(b, buf + off, n);
		off += n + 1;
	}
	return err;
}
