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

/* Parse, then run the subcommand; main() frees c whichever way this returns. */
static int run(struct config *c, int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		config_usage(stderr, CMD_NONE);
		return 2;
	}
	rc = config_parse(c, argc - 1, argv + 1);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return 2;
	switch (c->cmd) {
	case CMD_READ:
		return cmd_read(c);
	case CMD_RUN:
		return cmd_run(c);
	case CMD_STATUS:
		return cmd_status(c);
	case CMD_DETACH:
		return cmd_detach(c);
	case CMD_NEIGHBORS:
		return cmd_neighbors(c);
	case CMD_DUMP:
		return cmd_dump(c);
	case CMD_MIGRATE:
		return cmd_migrate(c);
	case CMD_PSQL:
		return cmd_psql(c);
	case CMD_VERSION:
		printf("flowtower %s (ABI %d)\n", FT_VERSION, FT_ABI_VERSION);
		return 0;
	default:
		return 2;
	}
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc;

	log_hook_libbpf();
	config_defaults(&cfg);
	rc = run(&cfg, argc, argv);
	config_free(&cfg); /* --device tables, strings from the config file */
	return rc;
}
