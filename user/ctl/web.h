/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/web.h - the live page, its JSON endpoints and Prometheus /metrics over HTTP (libmicrohttpd). */
#ifndef FT_WEB_H
#define FT_WEB_H

#include <stddef.h>
#include <stdio.h>

/* One file of the page; tools/embed-web.sh generates the table web_assets[] (path NULL ends it). */
struct web_asset {
	const char *path, *type; /* "/app.js", "text/javascript; charset=utf-8" */
	const unsigned char *data;
	size_t len;
};
extern const struct web_asset web_assets[];

/* The control socket's answer function: "state", "stats", "report", "neighbors", "seconds", "top". */
typedef void (*web_answer_fn)(void *arg, const char *cmd, FILE *out);

struct web_cfg {
	const char *listen;		/* "PORT" (loopback), "ADDR:PORT", "[ADDR6]:PORT"; port 0: any */
	const struct web_asset *assets; /* borrowed, NULL-path terminated; NULL: no page, API only */
	web_answer_fn answer;		/* called from the server's threads, one call at a time */
	void *arg;
	const char *db;			/* libpq conninfo for /api/history; NULL: 404 saying so */
	const char *sensor;		/* rows of this sensor only; NULL: every sensor summed */
};

struct web;

/* "8480" -> 127.0.0.1, 8480; "ADDR:PORT"; "[::1]:8480". 0 or -EINVAL (message printed). */
int web_parse_listen(const char *s, char *host, size_t hl, unsigned int *port);
int web_open(struct web **out, const struct web_cfg *cfg); /* binds (before privileges drop); -errno */
int web_run(struct web *w);	/* the server's threads (after they drop); 0 or -errno */
int web_start(struct web **out, const struct web_cfg *cfg); /* web_open + web_run */
unsigned int web_port(const struct web *w);		     /* the bound port */
void web_stop(struct web *w);				     /* NULL-safe */
/* A `stats` object (counters and state fields) as Prometheus text 0.0.4. 0, -EBADMSG or -ENOMEM. */
int web_metrics(FILE *out, const char *stats_json);

#endif /* FT_WEB_H */
