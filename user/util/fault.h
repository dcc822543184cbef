/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* util/fault.h - named fault points for crash tests: FLOWTOWER_FAULT=<name> makes one fire. */
#ifndef FT_FAULT_H
#define FT_FAULT_H

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/*
 * True when the environment asks for this fault. Tests use it to die at the
 * worst moment (e.g. "drain-mid": SIGKILL after the first flow of a drain is
 * written); nothing sets it in normal operation.
 */
static inline bool fault_wanted(const char *name)
{
	const char *f = getenv("FLOWTOWER_FAULT");

	return f && !strcmp(f, name);
}

static inline void fault_kill_if(const char *name)
{
	if (fault_wanted(name))
		raise(SIGKILL);
}

#endif /* FT_FAULT_H */
