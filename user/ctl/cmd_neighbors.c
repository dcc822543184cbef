// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_neighbors.c - `flowtower neighbors -i IF`: the catalog, from the running daemon or the file it saved. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/cmds.h"
#include "ctl/ctlsock.h"
#include "flow/prefix.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"

int cmd_neighbors(const struct config *c); /* until ctl/cmds.h declares it */

struct row {
	struct catalog_entry e;
	char device[LEASE_NAME_MAX];
};

struct rows {
	struct row *v;
	size_t n, cap;
	size_t bad;  /* lines that did not parse */
	bool nomem;
	bool refused; /* the daemon answered "error: ..." (one without the command) */
};

static void add_line(void *arg, char *line)
{
	struct rows *r = arg;
	struct row row;

	if (!strncmp(line, "error:", 6)) {
		r->refused = true;
		return;
	}
	if (catalog_parse_line(line, &row.e, row.device, sizeof(row.device))) {
		r->bad++;
		return;
	}
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 256;
		struct row *v = realloc(r->v, nc * sizeof(*v));

		if (!v) {
			r->nomem = true;
			return;
		}
		r->v = v;
		r->cap = nc;
	}
	r->v[r->n++] = row;
}

static int read_rows(FILE *f, struct rows *r)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0)
		add_line(r, line);
	free(line);
	return r->nomem ? -ENOMEM : ferror(f) ? -EIO : 0;
}

/* The catalog a stopped daemon left (saved whenever it changed, at most every few seconds). */
static int read_file(const char *iface, struct rows *r, uint64_t *saved_ns)
{
	char path[128];
	struct stat st;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), CATALOG_PATH_FMT, iface);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			pr_err("%s: no catalog: `flowtower run -i %s` is not running and saved none\n", path, iface);
		else
			pr_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	err = fstat(fileno(f), &st) ? -errno : read_rows(f, r);
	fclose(f);
	if (err)
		pr_err("%s: %s\n", path, strerror(-err));
	else
		*saved_ns = (uint64_t)st.st_mtim.tv_sec * NS_PER_SEC;
	return err;
}

/* The file is sorted by address: an address's current MAC is the one seen last (as in the catalog). */
static void mark_current(struct rows *r)
{
	size_t i = 0, j, best;

	while (i < r->n) {
		best = i;
		for (j = i; j < r->n && !memcmp(r->v[j].e.addr, r->v[i].e.addr, 16); j++) {
			r->v[j].e.current = 0;
			if (r->v[j].e.last_seen >= r->v[best].e.last_seen)
				best = j;
		}
		r->v[best].e.current = 1;
		i = j;
	}
}

/* Seconds are enough on a terminal: "2026-11-29T03:38:00Z". */
static const char *when(uint64_t ns, char *buf, size_t len)
{
	clock_rfc3339(ns, buf, len);
	if (strlen(buf) > 20) {
		buf[19] = 'Z';
		buf[20] = '\0';
	}
	return buf;
}

/* saved_ns: when the file was written, or 0 when the running daemon answered. */
static void print_text(const struct rows *r, const char *iface, uint64_t saved_ns)
{
	static const char *const src[] = { "ndp", "probe", "netlink", "lease" };
	char a[64], f[40], l[40];
	uint64_t now = clock_wall_ns();
	size_t i, cur = 0;

	printf("%-39s %-17s %-7s %-7s %-20s %-20s %s\n", "ADDRESS", "MAC", "STATE", "SOURCE", "FIRST SEEN",
	       "LAST SEEN", "DEVICE");
	for (i = 0; i < r->n; i++) {
		const struct catalog_entry *e = &r->v[i].e;
		const uint8_t *m = e->mac;
		__be32 addr[4];

		memcpy(addr, e->addr, 16);
		cur += e->current;
		printf("%-39s %02x:%02x:%02x:%02x:%02x:%02x %-7s %-7s %-20s %-20s %s\n",
		       addr_format(addr, a, sizeof(a)), m[0], m[1], m[2], m[3], m[4], m[5],
		       e->current ? "current" : "old", e->source < 4 ? src[e->source] : "?", when(e->first_seen, f, sizeof(f)),
		       when(e->last_seen, l, sizeof(l)), r->v[i].device[0] ? r->v[i].device : "-");
	}
	printf("%zu neighbors, %zu addresses on %s", r->n, cur, iface);
	if (saved_ns)
		printf(" (the daemon is not running: as saved %llu s ago)",
		       (unsigned long long)(now > saved_ns ? (now - saved_ns) / NS_PER_SEC : 0));
	printf("\n");
}

int cmd_neighbors(const struct config *c)
{
	struct rows r = {};
	uint64_t saved_ns = 0;
	char path[128];
	struct jw w;
	size_t i;
	int err;

	ctlsock_path(c->iface, path, sizeof(path));
	err = ctlsock_query(path, "neighbors", 5000, add_line, &r);
	if (!err && r.refused)
		pr_warn("the running daemon does not answer `neighbors` (an older version?): its saved file follows\n");
	if (err == -ENOENT || err == -ECONNREFUSED || (!err && r.refused)) {
		r.n = r.bad = 0;
		r.refused = false;
		err = read_file(c->iface, &r, &saved_ns);
		if (err) {
			free(r.v);
			return 1;
		}
	} else if (err || r.nomem) {
		pr_err("%s: %s\n", path, strerror(err ? -err : ENOMEM));
		free(r.v);
		return 1;
	}
	if (r.bad)
		pr_warn("%zu neighbor lines not understood (written by another version?)\n", r.bad);
	mark_current(&r);
	if (c->json) {
		jw_init(&w, stdout);
		for (i = 0; i < r.n; i++)
			catalog_json(&w, &r.v[i].e, r.v[i].device[0] ? r.v[i].device : NULL);
	} else {
		print_text(&r, c->iface, saved_ns);
	}
	free(r.v);
	return fflush(stdout) ? 1 : 0;
}
