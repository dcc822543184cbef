/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/cursor.h - bounds-checked reads from a byte buffer, big-endian, never unaligned casts. */
#ifndef FT_CURSOR_H
#define FT_CURSOR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* A read position in [pos, end). Every accessor checks before it reads. */
struct pkt_cursor {
	const uint8_t *pos;
	const uint8_t *end;
};

static inline struct pkt_cursor cur_make(const void *p, size_t len)
{
	struct pkt_cursor c = { (const uint8_t *)p, (const uint8_t *)p + len };
	return c;
}

static inline size_t cur_left(const struct pkt_cursor *c)
{
	return (size_t)(c->end - c->pos);
}

/* Take n bytes: *out points at them. -ENODATA if fewer are left. */
static inline int cur_take(struct pkt_cursor *c, size_t n, const uint8_t **out)
{
	if (cur_left(c) < n)
		return -ENODATA;
	*out = c->pos;
	c->pos += n;
	return 0;
}

static inline int cur_skip(struct pkt_cursor *c, size_t n)
{
	const uint8_t *p;

	return cur_take(c, n, &p);
}

/* A sub-cursor over the next n bytes (a length-prefixed field); c moves past them. */
static inline int cur_sub(struct pkt_cursor *c, size_t n, struct pkt_cursor *sub)
{
	const uint8_t *p;
	int err = cur_take(c, n, &p);

	if (err)
		return err;
	*sub = cur_make(p, n);
	return 0;
}

static inline int cur_u8(struct pkt_cursor *c, uint8_t *v)
{
	const uint8_t *p;
	int err = cur_take(c, 1, &p);

	if (!err)
		*v = p[0];
	return err;
}

static inline int cur_be16(struct pkt_cursor *c, uint16_t *v)
{
	const uint8_t *p;
	int err = cur_take(c, 2, &p);

	if (!err)
		*v = (uint16_t)(p[0] << 8 | p[1]);
	return err;
}

static inline int cur_be24(struct pkt_cursor *c, uint32_t *v)
{
	const uint8_t *p;
	int err = cur_take(c, 3, &p);

	if (!err)
		*v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	return err;
}

static inline int cur_be32(struct pkt_cursor *c, uint32_t *v)
{
	const uint8_t *p;
	int err = cur_take(c, 4, &p);

	if (!err)
		*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return err;
}

/* Plain big-endian loads from a pointer already known to be in bounds. */
static inline uint16_t rd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif /* FT_CURSOR_H */
