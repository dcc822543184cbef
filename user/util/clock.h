/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/clock.h - wall-clock nanoseconds, the kernel's boot clock, RFC 3339 formatting. */
#ifndef FT_CLOCK_H
#define FT_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define NS_PER_SEC 1000000000ULL

uint64_t clock_wall_ns(void);	  /* CLOCK_REALTIME */
uint64_t clock_mono_ns(void);	  /* CLOCK_MONOTONIC, for intervals */
/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME, the offset that turns bpf_ktime_get_boot_ns()
 * into wall-clock time; sampled as the midpoint of two boot-clock reads around
 * one wall-clock read, so the error is under half the sampling window.
 */
int64_t clock_boot_to_wall_ns(void);
/* "2026-11-29T03:38:00.123456789Z"; buf holds at least 32 bytes. Returns buf. */
char *clock_rfc3339(uint64_t ns, char *buf, size_t len);
/* "2026-11-29T03:38:00Z" for a minute number (ns / 60e9). */
char *clock_rfc3339_min(uint64_t minute, char *buf, size_t len);

#endif /* FT_CLOCK_H */
