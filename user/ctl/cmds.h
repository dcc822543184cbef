/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/cmds.h - the subcommands; each returns a process exit status. */
#ifndef FT_CMDS_H
#define FT_CMDS_H

#include "ctl/config.h"

int cmd_read(const struct config *c);
int cmd_run(const struct config *c);
int cmd_status(const struct config *c);
int cmd_detach(const struct config *c);
int cmd_neighbors(const struct config *c);
int cmd_dump(const struct config *c);
int cmd_migrate(const struct config *c);
int cmd_psql(const struct config *c);

#endif /* FT_CMDS_H */
