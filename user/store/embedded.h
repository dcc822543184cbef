/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/embedded.h - a private PostgreSQL cluster in the state directory, Unix socket only. */
#ifndef FT_STORE_EMBEDDED_H
#define FT_STORE_EMBEDDED_H

struct embedded;

/*
 * Start the cluster in state_dir/pg (initdb on first use) as a non-root user (initdb and postgres
 * refuse root): when root, run_as (the user the daemon drops to), else `postgres`. The socket is in
 * state_dir/pg/run, peer authentication lets root, the caller and run_as in, and no TCP port is
 * opened. A cluster already running is reused and never stopped.
 */
int embedded_start(struct embedded **out, const char *state_dir, const char *run_as);
/* "host=... port=5432 dbname=flowtower user=flowtower" */
const char *embedded_conninfo(const struct embedded *e);
/* Start it again if it stopped (the writer calls this when it cannot connect). */
int embedded_ensure(struct embedded *e);
/* Stop it if embedded_start() started it, and free e. NULL-safe. */
void embedded_stop(struct embedded *e);
/* The directory holding pg_ctl, psql, ...: $FLOWTOWER_PG_BINDIR or the newest /usr/lib/postgresql/N/bin. */
int embedded_bindir(char *buf, unsigned long len);

#endif /* FT_STORE_EMBEDDED_H */
