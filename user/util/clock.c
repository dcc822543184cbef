// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/clock.c - clocks and RFC 3339 timestamps with nanoseconds, always UTC. */
#include <stdio.h>
#include <time.h>

#include "util/clock.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t clock_wall_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t clock_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

int64_t clock_boot_to_wall_ns(void)
{
	uint64_t best = UINT64_MAX;
	int64_t off = 0;
	int i;

	/* keep the tightest of a few samples: a preemption between reads would skew one */
	for (i = 0; i < 5; i++) {
		uint64_t b1 = clock_ns(CLOCK_BOOTTIME);
		uint64_t w = clock_ns(CLOCK_REALTIME);
		uint64_t b2 = clock_ns(CLOCK_BOOTTIME);

		if (b2 - b1 < best) {
			best = b2 - b1;
			off = (int64_t)(w - (b1 + (b2 - b1) / 2));
		}
	}
	return off;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
static void civil(int64_t z, int *y, unsigned int *m, unsigned int *d)
{
	int64_t era, yy;
	unsigned int doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static char *digits(char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* By hand, not snprintf + gmtime_r: flow output writes two of these per flow. */
char *clock_rfc3339(uint64_t ns, char *buf, size_t len)
{
	uint64_t secs = ns / NS_PER_SEC, sod = secs % 86400;
	unsigned int m, d;
	char *p = buf;
	int y;

	if (len < 32) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	civil((int64_t)(secs / 86400), &y, &m, &d);
	p = digits(p, (uint64_t)y, 4);
	*p++ = '-';
	p = digits(p, m, 2);
	*p++ = '-';
	p = digits(p, d, 2);
	*p++ = 'T';
	p = digits(p, sod / 3600, 2);
	*p++ = ':';
	p = digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = digits(p, sod % 60, 2);
	*p++ = '.';
	p = digits(p, ns % NS_PER_SEC, 9);
	*p++ = 'Z';
	*p = '\0';
	return buf;
}

char *clock_rfc3339_min(uint64_t minute, char *buf, size_t len)
{
	time_t secs = (time_t)(minute * 60);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:00Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min);
	return buf;
}
