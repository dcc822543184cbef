/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftopt.h - range-checked number options for the stand-alone tools (header only). */
#ifndef FT_TOOLS_OPT_H
#define FT_TOOLS_OPT_H

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Parse a decimal unsigned number in [lo, hi] for option 'name'. Accepts a
 * k/M/G suffix (x1000) because packet counts are easier read that way.
 * Returns 0 or -EINVAL after printing what was wrong.
 */
static inline int opt_u64(const char *prog, const char *name, const char *s, uint64_t lo, uint64_t hi,
			  uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (*end == 'k' || *end == 'K') {
		v = v > UINT64_MAX / 1000 ? UINT64_MAX : v * 1000;
		end++;
	} else if (*end == 'M') {
		v = v > UINT64_MAX / 1000000 ? UINT64_MAX : v * 1000000;
		end++;
	} else if (*end == 'G') {
		v = v > UINT64_MAX / 1000000000 ? UINT64_MAX : v * 1000000000;
		end++;
	}
	if (*end || v < lo || v > hi)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s: --%s wants a whole number from %" PRIu64 " to %" PRIu64 ", not '%s'\n", prog, name,
		lo, hi, s ? s : "");
	return -EINVAL;
}

#endif /* FT_TOOLS_OPT_H */
