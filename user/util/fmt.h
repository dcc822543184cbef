/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/fmt.h - number to text without printf, for the output paths that run per flow. */
#ifndef FT_FMT_H
#define FT_FMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_U64_MAX 20 /* digits of UINT64_MAX */

/* v in decimal at the end of buf[FMT_U64_MAX]; returns where the digits start (no NUL). */
static inline char *fmt_u64(char buf[FMT_U64_MAX], uint64_t v)
{
	char *p = buf + FMT_U64_MAX;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

#endif /* FT_FMT_H */
