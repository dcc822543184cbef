// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_db.c - `flowtower migrate` (apply sql/ to the database) and `flowtower psql` (open it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "ctl/cmds.h"
#include "store/embedded.h"
#include "store/pg.h"
#include "util/log.h"

struct db_opts {
	const char *db;	       /* --db URL; NULL: the embedded cluster */
	const char *state_dir; /* --state-dir */
	char buf[256];
};

/* --db ("embedded" or none: the embedded cluster) and --state-dir */
static void db_opts(const struct config *c, struct db_opts *o)
{
	o->db = config_conninfo(c);
	o->state_dir = config_state_dir(c, o->buf, sizeof(o->buf));
}

int cmd_migrate(const struct config *c)
{
	static const char *const keys[] = { "fallback_application_name", "dbname", NULL };
	const char *vals[] = { "flowtower-migrate", NULL, NULL };
	struct embedded *emb = NULL;
	struct db_opts o;
	PGconn *conn;
	int rc = 1, n;

	db_opts(c, &o);
	vals[1] = o.db;
	if (!o.db) {
		if (embedded_start(&emb, o.state_dir, NULL))
			return 1;
		vals[1] = embedded_conninfo(emb);
	}
	conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		pr_err("migrate: %s", PQerrorMessage(conn)); /* libpq's message names host and user, never a password */
		goto out;
	}
	n = pg_migrate_conn(conn, 1);
	if (n >= 0) {
		printf("migrate: %d file(s) applied to database %s on %s\n", n, PQdb(conn), PQhost(conn));
		rc = 0;
	}
out:
	PQfinish(conn);
	embedded_stop(emb);
	return rc;
}

/* psql on the store's database; the embedded cluster is started for it if it is not running. */
int cmd_psql(const struct config *c)
{
	struct embedded *emb = NULL;
	char bindir[512], psql[600];
	struct db_opts o;
	const char *target;
	int status = 0;
	pid_t pid;

	db_opts(c, &o);
	target = o.db;
	if (!target) {
		if (embedded_start(&emb, o.state_dir, NULL))
			return 1;
		target = embedded_conninfo(emb);
	}
	if (embedded_bindir(bindir, sizeof(bindir)) ||
	    snprintf(psql, sizeof(psql), "%s/psql", bindir) >= (int)sizeof(psql) || access(psql, X_OK))
		snprintf(psql, sizeof(psql), "psql");
	pid = fork();
	if (pid == 0) {
		/* the URL carries no password: libpq takes it from PGPASSWORD or ~/.pgpass */
		setenv("PGOPTIONS", "-c search_path=flowtower,public", 0);
		execlp(psql, "psql", target, (char *)NULL);
		fprintf(stderr, "flowtower psql: %s: %s\n", psql, strerror(errno));
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	embedded_stop(emb);
	if (pid < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
