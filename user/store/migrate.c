// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/migrate.c - the sql/ migrations, embedded at build time, applied in order once per database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>

#include "store/pg.h"
#include "util/log.h"

/*
 * The files are assembled into .rodata with .incbin (paths relative to the top directory, where
 * make runs the compiler), NUL-terminated, so an installed binary needs no source tree. A new
 * migration is one SQL_FILE line and one row in sql_files[]; store.mk makes this object depend
 * on every sql/ file, and tests/db/test_migrate.sh checks that every file in sql/ is listed here.
 */
#define SQL_FILE(sym, path)                                                                      \
	__asm__(".pushsection .rodata\n.globl " #sym "\n.hidden " #sym "\n" #sym ":\n.incbin \"" path \
		"\"\n.byte 0\n.popsection\n");                                                    \
	extern const char sym[]

SQL_FILE(ft_sql_0001, "sql/0001_init.sql");

static const struct sql_file {
	int version;
	const char *name;
	const char *text;
} sql_files[] = {
	{ 1, "0001_init.sql", ft_sql_0001 },
};

static const char bootstrap[] =
	"SET LOCAL client_min_messages = warning;"
	"CREATE SCHEMA IF NOT EXISTS flowtower;"
	"CREATE TABLE IF NOT EXISTS flowtower.schema_version ("
	" version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

/* Run one command or script; 0, or -EIO with the server's message logged. */
static int exec_ok(PGconn *c, const char *what, const char *sql, int nparams, const char *const *params,
		   PGresult **keep)
{
	PGresult *r = nparams ? PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0) : PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pr_err("migrate: %s: %s", what, PQerrorMessage(c));
		PQclear(r);
		return -EIO;
	}
	if (keep)
		*keep = r;
	else
		PQclear(r);
	return 0;
}

/* In a transaction holding the migration lock: apply f unless its version is recorded. */
static int apply_one(PGconn *c, const struct sql_file *f, int verbose)
{
	char ver[16];
	const char *params[3] = { ver, f->name, f->text };
	PGresult *r;
	int err, done;

	snprintf(ver, sizeof(ver), "%d", f->version);
	err = exec_ok(c, f->name, "SELECT checksum = md5($2) FROM flowtower.schema_version WHERE version = $1::int",
		      2, (const char *[]){ ver, f->text }, &r);
	if (err)
		return err;
	done = PQntuples(r) == 1;
	if (done && strcmp(PQgetvalue(r, 0, 0), "t"))
		pr_warn("migrate: %s differs from the version applied to this database; applied files are never "
			"edited, add a new one\n", f->name);
	PQclear(r);
	if (done)
		return 0;
	err = exec_ok(c, f->name, f->text, 0, NULL, NULL);
	if (!err)
		err = exec_ok(c, f->name,
			      "INSERT INTO flowtower.schema_version (version, name, checksum) VALUES ($1::int, $2, md5($3))",
			      3, params, NULL);
	if (!err && verbose)
		pr_info("migrate: applied %s\n", f->name);
	return err ? err : 1;
}

int pg_migrate_conn(struct pg_conn *c, int verbose)
{
	size_t i;
	int err, applied = 0;

	for (i = 0; i < sizeof(sql_files) / sizeof(sql_files[0]); i++) {
		/* one transaction per file; the advisory lock makes concurrent sensors take turns */
		err = exec_ok(c, "begin", "BEGIN; SELECT pg_advisory_xact_lock(hashtext('flowtower migrate'))", 0,
			      NULL, NULL);
		if (!err)
			err = exec_ok(c, "schema_version", bootstrap, 0, NULL, NULL);
		if (!err)
			err = apply_one(c, &sql_files[i], verbose);
		if (err < 0) {
			PQclear(PQexec(c, "ROLLBACK"));
			return err;
		}
		applied += err;
		err = exec_ok(c, "commit", "COMMIT", 0, NULL, NULL);
		if (err)
			return err;
	}
	if (verbose && !applied)
		pr_info("migrate: the schema is up to date (%zu files)\n", i);
	return applied;
}
