// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util/log.c - leveled logging to stderr in a form journald keeps levels of. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "util/log.h"

static enum log_level threshold = LOG_LVL_INFO;

void log_set_level(enum log_level lvl)
{
	threshold = lvl;
}

enum log_level log_get_level(void)
{
	return threshold;
}

int log_level_parse(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -EINVAL;
}

/*
 * "<4>flowtower: warning: ..." : the <N> prefix is the syslog priority that
 * journald strips and keeps (sd-daemon(3)); only used when stderr is not a
 * terminal, so people at a terminal read plain words.
 */
static void vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const word[] = { "error: ", "warning: ", "", "debug: " };
	static const int prio[] = { 3, 4, 6, 7 };
	int saved = errno;

	if (!isatty(STDERR_FILENO))
		fprintf(stderr, "<%d>", prio[lvl]);
	fprintf(stderr, "flowtower: %s", word[lvl]);
	vfprintf(stderr, fmt, ap);
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > threshold)
		return;
	va_start(ap, fmt);
	vlog(lvl, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level lvl = level == LIBBPF_WARN ? LOG_LVL_INFO : LOG_LVL_DEBUG;

	if (lvl > threshold)
		return 0;
	vlog(lvl, fmt, ap);
	return 0;
}

void log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
