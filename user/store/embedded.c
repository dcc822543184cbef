// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* store/embedded.c - initdb, pg_ctl start/stop of a private cluster, run as a non-root user. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "store/embedded.h"
#include "util/log.h"

#define EMB_PORT "5432" /* the socket's name only: it lives in a private directory, no TCP */
#define EMB_DB "flowtower"

struct embedded {
	char bindir[512];
	char pgdir[128];	/* state_dir/pg: owned by the cluster's user, 0700 */
	char data[160];		/* pgdir/data */
	char run[160];		/* pgdir/run: the socket */
	char log[160];		/* pgdir/postgres.log: the server's log */
	char setup_log[160];	/* pgdir/setup.log: initdb and pg_ctl output */
	char conninfo[256];
	uid_t uid;
	gid_t gid;
	int started; /* by us: stopped by embedded_stop() */
};

/* Highest N of /usr/lib/postgresql/N/bin with a pg_ctl (glob sorts "9.6" after "15"). */
int embedded_bindir(char *buf, unsigned long len)
{
	const char *env = getenv("FLOWTOWER_PG_BINDIR");
	double best = -1;
	glob_t g;
	size_t i;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	if (glob("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g))
		return -ENOENT;
	for (i = 0; i < g.gl_pathc; i++) {
		double v = strtod(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"), NULL);

		if (v > best) {
			best = v;
			if (snprintf(buf, len, "%.*s", (int)(strlen(g.gl_pathv[i]) - strlen("/pg_ctl")),
				     g.gl_pathv[i]) >= (int)len)
				best = -1;
		}
	}
	globfree(&g);
	return best < 0 ? -ENOENT : 0;
}

/* Run bindir/argv[0] as the cluster's user, output appended to setup.log; its exit status or -errno. */
static int run_tool(const struct embedded *e, char *const argv[])
{
	char path[600];
	int status;
	pid_t pid;

	if (snprintf(path, sizeof(path), "%s/%s", e->bindir, argv[0]) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int fd = open(e->setup_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		/*
		 * The server outlives us: it must not inherit the daemon's descriptors (AF_XDP
		 * sockets, BPF links and maps would stay busy or attached after the daemon exits).
		 */
		if (close_range(3, ~0U, 0))
			for (fd = 3; fd < 65536; fd++)
				close(fd);
		if (geteuid() == 0 && (setgroups(0, NULL) || setgid(e->gid) || setuid(e->uid)))
			_exit(126);
		if (chdir(e->pgdir))
			_exit(125);
		unsetenv("PGDATA"); /* our -D and config decide, not the caller's environment */
		unsetenv("PGPORT");
		unsetenv("PGHOST");
		execv(path, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int make_dir(const struct embedded *e, const char *path, mode_t mode)
{
	if (mkdir(path, mode) && errno != EEXIST)
		return -errno;
	if (chmod(path, mode))
		return -errno;
	if (geteuid() == 0 && chown(path, e->uid, e->gid))
		return -errno;
	return 0;
}

/*
 * Owner of the cluster: the owner of an existing one; else, when we are root, run_as (the user the
 * daemon drops to), $FLOWTOWER_PG_USER or `postgres`; else ourselves.
 */
static int pick_user(struct embedded *e, const char *run_as)
{
	const char *name = run_as && *run_as ? run_as : getenv("FLOWTOWER_PG_USER");
	struct passwd *pw;
	struct stat st;

	if (!stat(e->data, &st) && st.st_uid) {
		e->uid = st.st_uid;
		e->gid = st.st_gid;
		return 0;
	}
	if (geteuid() != 0) {
		e->uid = geteuid();
		e->gid = getegid();
		return 0;
	}
	pw = getpwnam(name && *name ? name : "postgres");
	if (!pw || !pw->pw_uid) {
		pr_err("embedded PostgreSQL: no non-root user '%s' to run it as (initdb refuses root)\n",
		       name && *name ? name : "postgres");
		return -ESRCH;
	}
	e->uid = pw->pw_uid;
	e->gid = pw->pw_gid;
	return 0;
}

/* A file of the data directory, owned by the cluster's user. */
static FILE *data_file(const struct embedded *e, const char *name, const char *mode)
{
	char path[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", e->data, name);
	f = fopen(path, mode);
	if (f && geteuid() == 0 && fchown(fileno(f), e->uid, e->gid)) {
		fclose(f);
		return NULL;
	}
	return f;
}

static void ident_line(FILE *f, uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		fprintf(f, "flowtower %s flowtower\n", pw->pw_name);
}

/*
 * Who may connect: peer authentication on the socket, the OS users root, the cluster's owner, the
 * caller and run_as mapped to the database role flowtower; nobody else, and no TCP at all. The
 * socket's directory is open to all, so the daemon still connects after dropping to run_as.
 */
static int write_access(const struct embedded *e, const char *run_as)
{
	struct passwd *pw = run_as && *run_as ? getpwnam(run_as) : NULL;
	FILE *hba = data_file(e, "pg_hba.conf", "w"), *ident = data_file(e, "pg_ident.conf", "w");
	int err = hba && ident ? 0 : -errno;

	if (!err) {
		fputs("# written by flowtower at each start: the socket only, mapped OS users only\n"
		      "local all all peer map=flowtower\n", hba);
		ident_line(ident, 0);
		ident_line(ident, e->uid);
		ident_line(ident, geteuid());
		if (pw)
			ident_line(ident, pw->pw_uid);
	}
	if (hba && fclose(hba) && !err)
		err = -errno;
	if (ident && fclose(ident) && !err)
		err = -errno;
	return err;
}

static int write_conf(const struct embedded *e)
{
	char path[200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/postgresql.conf", e->data);
	f = fopen(path, "a");
	if (!f)
		return -errno;
	fprintf(f, "\n# flowtower: a private cluster, reachable only through the socket below (peer auth)\n"
		   "listen_addresses = ''\nport = " EMB_PORT "\nunix_socket_directories = '%s'\n",
		e->run);
	return fclose(f) ? -errno : 0;
}

static int init_cluster(struct embedded *e)
{
	char *argv[] = { "initdb", "-D", e->data, "-U", "flowtower", "-E", "UTF8", "--no-locale",
			 "--auth-local=peer", "--auth-host=reject", NULL };
	char path[200];
	int rc;

	snprintf(path, sizeof(path), "%s/PG_VERSION", e->data);
	if (!access(path, F_OK))
		return 0;
	pr_info("embedded PostgreSQL: creating a cluster in %s\n", e->data);
	rc = run_tool(e, argv);
	if (rc) {
		pr_err("embedded PostgreSQL: initdb failed (exit %d), see %s\n", rc, e->setup_log);
		return -EIO;
	}
	return write_conf(e);
}

/* Create the database on first start. */
static int create_db(struct embedded *e)
{
	char ci[256];
	PGresult *r;
	PGconn *c;
	int err = 0;

	snprintf(ci, sizeof(ci), "host=%s port=" EMB_PORT " dbname=postgres user=flowtower", e->run);
	c = PQconnectdb(ci);
	if (PQstatus(c) != CONNECTION_OK) {
		pr_err("embedded PostgreSQL: %s", PQerrorMessage(c));
		PQfinish(c);
		return -EIO;
	}
	r = PQexec(c, "SELECT 1 FROM pg_database WHERE datname = '" EMB_DB "'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && !PQntuples(r)) {
		PQclear(r);
		r = PQexec(c, "CREATE DATABASE " EMB_DB);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		pr_err("embedded PostgreSQL: creating database: %s", PQerrorMessage(c));
		err = -EIO;
	}
	PQclear(r);
	PQfinish(c);
	return err;
}

int embedded_ensure(struct embedded *e)
{
	char *status[] = { "pg_ctl", "-D", e->data, "status", NULL };
	char *reload[] = { "pg_ctl", "-D", e->data, "reload", NULL };
	char *start[] = { "pg_ctl", "-D", e->data, "-l", e->log, "-w", "-t", "120", "start", NULL };
	int rc, fd;

	if (!run_tool(e, status))
		return run_tool(e, reload) ? -EIO : 0; /* running: it rereads who may connect */
	fd = open(e->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600); /* the server writes it */
	if (fd >= 0) {
		if (geteuid() == 0 && fchown(fd, e->uid, e->gid))
			pr_warn("embedded PostgreSQL: %s: %s\n", e->log, strerror(errno));
		close(fd);
	}
	rc = run_tool(e, start);
	if (rc) {
		pr_err("embedded PostgreSQL: pg_ctl start failed (exit %d), see %s\n", rc, e->log);
		return -EIO;
	}
	e->started = 1;
	pr_info("embedded PostgreSQL: started, socket in %s\n", e->run);
	return 0;
}

static int set_paths(struct embedded *e, const char *state_dir)
{
	if (strchr(state_dir, '\'') || strlen(state_dir) > 80) /* a socket path holds 107 bytes */
		return -ENAMETOOLONG;
	snprintf(e->pgdir, sizeof(e->pgdir), "%.80s/pg", state_dir);
	snprintf(e->data, sizeof(e->data), "%.100s/data", e->pgdir);
	snprintf(e->run, sizeof(e->run), "%.100s/run", e->pgdir);
	snprintf(e->log, sizeof(e->log), "%.100s/postgres.log", e->pgdir);
	snprintf(e->setup_log, sizeof(e->setup_log), "%.100s/setup.log", e->pgdir);
	snprintf(e->conninfo, sizeof(e->conninfo), "host=%.150s port=" EMB_PORT " dbname=" EMB_DB " user=flowtower",
		 e->run);
	return 0;
}

int embedded_start(struct embedded **out, const char *state_dir, const char *run_as)
{
	struct embedded *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return -ENOMEM;
	err = set_paths(e, state_dir);
	if (err) {
		pr_err("embedded PostgreSQL: state directory '%s' has a quote or is longer than 80 bytes\n", state_dir);
		goto err_free;
	}
	err = embedded_bindir(e->bindir, sizeof(e->bindir));
	if (err) {
		pr_err("embedded PostgreSQL: no pg_ctl in /usr/lib/postgresql/*/bin (install postgresql, or set "
		       "FLOWTOWER_PG_BINDIR)\n");
		goto err_free;
	}
	err = pick_user(e, run_as);
	if (!err && mkdir(state_dir, 0755) && errno != EEXIST)
		err = -errno;
	if (!err)
		err = make_dir(e, e->pgdir, 0711); /* data/ stays 0700: only the socket's run/ is reachable */
	if (!err)
		err = make_dir(e, e->run, 0755);
	if (err) {
		pr_err("embedded PostgreSQL: %s: %s\n", e->pgdir, strerror(-err));
		goto err_free;
	}
	err = init_cluster(e);
	if (!err)
		err = write_access(e, run_as);
	if (!err)
		err = embedded_ensure(e);
	if (!err)
		err = create_db(e);
	if (err)
		goto err_stop;
	*out = e;
	return 0;

err_stop:
	embedded_stop(e);
	return err;
err_free:
	free(e);
	return err;
}

const char *embedded_conninfo(const struct embedded *e)
{
	return e->conninfo;
}

void embedded_stop(struct embedded *e)
{
	char *stop[] = { "pg_ctl", "-D", e ? e->data : NULL, "-m", "fast", "-w", "-t", "60", "stop", NULL };

	if (!e)
		return;
	if (e->started) {
		if (run_tool(e, stop))
			pr_warn("embedded PostgreSQL: pg_ctl stop failed, see %s\n", e->setup_log);
		else
			pr_info("embedded PostgreSQL: stopped\n");
	}
	free(e);
}
