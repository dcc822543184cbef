// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/uuid.c - UUIDv7 from a timestamp and a per-thread random stream. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "util/uuid.h"

/*
 * xoshiro-style generator seeded once per thread from getrandom(): flows are
 * created at packet rate and a syscall per UUID would cost more than the
 * rest of flow creation. Uniqueness, not secrecy, is what a flow id needs.
 */
static __thread uint64_t rng_s[2];

static uint64_t rng_next(void)
{
	uint64_t s0 = rng_s[0], s1 = rng_s[1], r = s0 + s1;

	if (!s0 && !s1) {
		if (getrandom(rng_s, sizeof(rng_s), 0) != sizeof(rng_s) || (!rng_s[0] && !rng_s[1]))
			rng_s[0] = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)&rng_s;
		s0 = rng_s[0];
		s1 = rng_s[1];
		r = s0 + s1;
	}
	s1 ^= s0;
	rng_s[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14);
	rng_s[1] = (s1 << 36) | (s1 >> 28);
	return r;
}

void uuid_v7(uint8_t out[16], uint64_t ns)
{
	uint64_t ms = ns / 1000000, r1 = rng_next(), r2 = rng_next();
	int i;

	for (i = 0; i < 6; i++)
		out[i] = (uint8_t)(ms >> (40 - 8 * i));
	memcpy(out + 6, &r1, 2);
	memcpy(out + 8, &r2, 8);
	out[6] = (uint8_t)(0x70 | (out[6] & 0x0f)); /* version 7 */
	out[8] = (uint8_t)(0x80 | (out[8] & 0x3f)); /* variant 10 */
}

void uuid_format(const uint8_t u[16], char out[37])
{
	static const char hx[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hx[u[i] >> 4];
		out[o++] = hx[u[i] & 15];
	}
	out[o] = '\0';
}

int uuid_is_nil(const uint8_t u[16])
{
	static const uint8_t nil[16];

	return !memcmp(u, nil, 16);
}
