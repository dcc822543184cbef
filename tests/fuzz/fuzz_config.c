/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_config.c - libFuzzer target: the INI config file of `flowtower run --config FILE`. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl/config.h"
#include "util/log.h"

/*
 * The input is the file: written to a memfd and read by config_read_file() through /proc/self/fd/N
 * (it takes a path), for `run`; then config_validate(), config_dump() to /dev/null and config_free().
 * Beyond sanitizer findings (LeakSanitizer included: every string the file sets must be owned and
 * freed), abort() on a return other than 0/-EINVAL/-ENOMEM, or more owned strings than the table holds.
 *
 * The parser reports every error on stderr (pr_err cannot be silenced: error is the lowest level),
 * thousands of lines a second; while the parser runs, glibc's stderr stream points at /dev/null.
 * libFuzzer keeps the stream it took at start-up and the sanitizers write to fd 2 directly, so their
 * reports still show.
 */

static FILE *devnull;
static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (!devnull || memfd < 0) {
		perror("fuzz_config: setup");
		exit(1);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	FILE *saved;
	int rc;

	if (size > 1 << 16)
		return 0;
	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	log_set_level(LOG_LVL_INFO); /* a "log-level" line changes it */
	saved = stderr;
	stderr = devnull;
	config_defaults(&c);
	c.cmd = CMD_RUN;
	rc = config_read_file(&c, path);
	if (rc != 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (c.n_owned > sizeof(c.owned) / sizeof(c.owned[0]))
		abort();
	rc = config_validate(&c);
	if (rc != 0 && rc != -EINVAL)
		abort();
	config_dump(&c, devnull);
	config_free(&c);
	stderr = saved;
	return 0;
}
