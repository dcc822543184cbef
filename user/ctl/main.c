// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/main.c - flowtower's entry point: parse the command line, run a subcommand, exit. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl/cmds.h"
#include "ctl/config.h"
#include "util/log.h"
#include "flowtower/abi.h"

#ifndef FT_VERSION
#define FT_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	struct config cfg;
	int rc;

	log_hook_libbpf();
	config_defaults(&cfg);
	if (argc < 2) {
		config_usage(stderr, CMD_NONE);
		return 2;
	}
	rc = config_parse(&cfg, argc - 1, argv + 1);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return 2;
	switch (cfg.cmd) {
	case CMD_READ:
		return cmd_read(&cfg);
	case CMD_RUN:
		return cmd_run(&cfg);
	case CMD_STATUS:
		return cmd_status(&cfg);
	case CMD_DETACH:
		return cmd_detach(&cfg);
	case CMD_DUMP:
		return cmd_dump(&cfg);
	case CMD_VERSION:
		printf("flowtower %s (ABI %d)\n", FT_VERSION, FT_ABI_VERSION);
		return 0;
	default:
		return 2;
	}
}
