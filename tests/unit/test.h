/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test.h - EXPECT_* checks that name what they check and return bool. */
#ifndef FT_TEST_H
#define FT_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <stdint.h>

/*
 * Each test is a function returning bool; RUN(fn) prints "PASS: file fn" or
 * "FAIL: file fn", the lines tests/run.sh counts. A failed EXPECT prints
 * file:line, what was checked and both values, and makes the test fail; it
 * never jumps, so one run reports every failed check.
 */
extern int test_failures;

static inline bool expect_eq_impl(long long a, long long b, const char *what, const char *file, int line)
{
	if (a == b)
		return true;
	fprintf(stderr, "  %s:%d: %s: got %lld, want %lld\n", file, line, what, a, b);
	return false;
}

static inline bool expect_str_impl(const char *a, const char *b, const char *what, const char *file, int line)
{
	if ((!a && !b) || (a && b && !strcmp(a, b)))
		return true;
	fprintf(stderr, "  %s:%d: %s: got \"%s\", want \"%s\"\n", file, line, what, a ? a : "(null)",
		b ? b : "(null)");
	return false;
}

static inline bool expect_mem_impl(const void *a, const void *b, size_t n, const char *what, const char *file,
				   int line)
{
	if (!memcmp(a, b, n))
		return true;
	fprintf(stderr, "  %s:%d: %s: %zu bytes differ\n", file, line, what, n);
	return false;
}

static inline bool expect_true_impl(bool v, const char *what, const char *file, int line)
{
	if (v)
		return true;
	fprintf(stderr, "  %s:%d: %s: false\n", file, line, what);
	return false;
}

/* Use as: ok &= EXPECT_EQ(x, 3, "x"); */
#define EXPECT_EQ(a, b, what) expect_eq_impl((long long)(a), (long long)(b), (what), __FILE__, __LINE__)
#define EXPECT_STR(a, b, what) expect_str_impl((a), (b), (what), __FILE__, __LINE__)
#define EXPECT_MEM(a, b, n, what) expect_mem_impl((a), (b), (n), (what), __FILE__, __LINE__)
#define EXPECT_TRUE(v, what) expect_true_impl(!!(v), (what), __FILE__, __LINE__)

#define RUN(fn)                                                           \
	do {                                                              \
		bool ok_ = fn();                                          \
		printf("%s: %s %s\n", ok_ ? "PASS" : "FAIL", __FILE__, #fn); \
		fflush(stdout);                                           \
		if (!ok_)                                                 \
			test_failures++;                                  \
	} while (0)

#define TEST_MAIN_DEFINE int test_failures

/* Hex string ("45 00 ..", spaces ignored) to bytes; returns the length, or -1. */
static inline int test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*hex) {
		unsigned int v;

		if (*hex == ' ' || *hex == '\n' || *hex == '\t') {
			hex++;
			continue;
		}
		if (n >= cap || sscanf(hex, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return (int)n;
}

#endif /* FT_TEST_H */
