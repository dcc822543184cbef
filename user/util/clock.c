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

char *clock_rfc3339(uint64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / NS_PER_SEC);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned long long)(ns % NS_PER_SEC));
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
