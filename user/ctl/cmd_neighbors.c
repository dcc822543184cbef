// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_neighbors.c - `flowtower neighbors -i IF`: the device catalog a running daemon saved under /run/flowtower. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl/cmds.h"
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
	size_t bad; /* lines that did not parse */
};

static int read_rows(FILE *f, struct rows *r)
{
	char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0) {
		struct row row;

		if (catalog_parse_line(line, &row.e, row.device, sizeof(row.device))) {
			r->bad++;
			continue;
		}
		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 256;
			struct row *v = realloc(r->v, nc * sizeof(*v));

			if (!v) {
				free(line);
				return -ENOMEM;
			}
			r->v = v;
			r->cap = nc;
		}
		r->v[r->n++] = row;
	}
	free(line);
	return ferror(f) ? -EIO : 0;
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

static void print_text(const struct rows *r, const char *iface, const struct stat *st)
{
	static const char *const src[] = { "ndp", "probe", "netlink", "lease" };
	char a[64], f[40], l[40];
	uint64_t now = clock_wall_ns(), mtime = (uint64_t)st->st_mtim.tv_sec * NS_PER_SEC;
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
	printf("%zu neighbors, %zu addresses on %s; saved %llu s ago\n", r->n, cur, iface,
	       (unsigned long long)(now > mtime ? (now - mtime) / NS_PER_SEC : 0));
}

int cmd_neighbors(const struct config *c)
{
	struct rows r = {};
	char path[128];
	struct stat st;
	struct jw w;
	size_t i;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), CATALOG_PATH_FMT, c->iface);
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			pr_err("%s: no catalog yet: `flowtower run -i %s` writes it once it learned a neighbor\n", path,
			       c->iface);
		else
			pr_err("%s: %s\n", path, strerror(errno));
		return 1;
	}
	err = fstat(fileno(f), &st) ? -errno : read_rows(f, &r);
	fclose(f);
	if (err) {
		pr_err("%s: %s\n", path, strerror(-err));
		free(r.v);
		return 1;
	}
	if (r.bad)
		pr_warn("%s: %zu lines not understood (written by another version?)\n", path, r.bad);
	mark_current(&r);
	if (c->json) {
		jw_init(&w, stdout);
		for (i = 0; i < r.n; i++)
			catalog_json(&w, &r.v[i].e, r.v[i].device[0] ? r.v[i].device : NULL);
	} else {
		print_text(&r, c->iface, &st);
	}
	free(r.v);
	return fflush(stdout) ? 1 : 0;
}
