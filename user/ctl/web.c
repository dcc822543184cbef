// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/web.c - a small read-only HTTP server: the live page, JSON from the daemon, /metrics, history. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libpq-fe.h>

#include "ctl/web.h"
#include "util/json.h"
#include "util/log.h"

#define JSON_TYPE "application/json"
#define TEXT_TYPE "text/plain; charset=utf-8"
#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* The page loads only its own files; uPlot sets element styles from script. */
#define PAGE_CSP "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"

struct web {
	struct MHD_Daemon *mhd;
	int fd;			/* the bound socket; MHD owns it once running */
	int family;
	bool loopback;		/* only loopback Host headers are answered (DNS rebinding) */
	unsigned int port;
	const struct web_asset *assets;
	web_answer_fn answer;
	void *arg;
	pthread_mutex_t mu;	/* one answer at a time: the answer function's callers were one thread */
	char *db, *sensor;
};

int web_parse_listen(const char *s, char *host, size_t hl, unsigned int *port)
{
	const char *colon, *p;
	char addr[INET6_ADDRSTRLEN + 2];
	unsigned char buf[sizeof(struct in6_addr)];
	unsigned long v;
	char *end;
	size_t n;

	if (!s || !*s)
		goto bad;
	colon = strrchr(s, ':');
	p = colon ? colon + 1 : s;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (*p < '0' || *p > '9' || *end || errno || v > 65535)
		goto bad;
	if (!colon) {
		snprintf(addr, sizeof(addr), "127.0.0.1"); /* a bare port: loopback */
	} else {
		n = (size_t)(colon - s);
		if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
			s++;
			n -= 2;
		} else if (memchr(s, ':', n)) {
			goto bad; /* IPv6 without brackets: which colon ends it? */
		}
		if (!n || n >= sizeof(addr))
			goto bad;
		memcpy(addr, s, n);
		addr[n] = '\0';
		if (!strcmp(addr, "localhost"))
			snprintf(addr, sizeof(addr), "127.0.0.1");
		if (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1)
			goto bad;
	}
	if (strlen(addr) >= hl)
		goto bad;
	snprintf(host, hl, "%s", addr);
	*port = (unsigned int)v;
	return 0;
bad:
	pr_err("--web %s: expected PORT (loopback), ADDR:PORT or [IPV6]:PORT with a numeric address and a port "
	       "0-65535, e.g. 127.0.0.1:8480 or 0.0.0.0:8480\n", s ? s : "(null)");
	return -EINVAL;
}

/* ---- responses ---------------------------------------------------------------------------- */

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned int status, const char *type, void *buf,
				size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (!strncmp(type, "text/html", 9))
		MHD_add_response_header(r, "Content-Security-Policy", PAGE_CSP);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int status, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return send_buf(c, status, TEXT_TYPE, s, (size_t)n, MHD_RESPMEM_MUST_FREE);
}

/* {"error":MSG} with status: what the page shows in place of the figures. */
static enum MHD_Result send_error_json(struct MHD_Connection *c, unsigned int status, const char *msg)
{
	char *buf = NULL;
	size_t len = 0;
	struct jw w;

	if (jw_render_begin(&w, &buf, &len))
		return MHD_NO;
	jw_obj_begin(&w, NULL);
	jw_str(&w, "error", msg);
	jw_obj_end(&w);
	if (fclose(w.f))
		return MHD_NO;
	return send_buf(c, status, JSON_TYPE, buf, len, MHD_RESPMEM_MUST_FREE);
}

/* ---- the daemon's answers ------------------------------------------------------------------ */

/* The answer to cmd in a malloc'ed buffer (NUL-terminated), or NULL. */
static char *ask(struct web *w, const char *cmd, size_t *len)
{
	char *buf = NULL;
	FILE *f;

	*len = 0;
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	pthread_mutex_lock(&w->mu);
	w->answer(w->arg, cmd, f);
	pthread_mutex_unlock(&w->mu);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool is_json(const char *s, char open)
{
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	return *s == open || (!open && (*s == '{' || *s == '['));
}

/* The answer's first line, for an error message ("error: unknown command ..."). */
static enum MHD_Result send_no_answer(struct MHD_Connection *c, const char *cmd, char *ans)
{
	char msg[256];

	if (ans)
		ans[strcspn(ans, "\n")] = '\0';
	snprintf(msg, sizeof(msg), "the daemon did not answer `%s`: %s", cmd, ans && *ans ? ans : "(nothing)");
	free(ans);
	return send_error_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
}

static enum MHD_Result api_passthrough(struct web *w, struct MHD_Connection *c, const char *cmd)
{
	size_t len;
	char *ans = ask(w, cmd, &len);

	if (!ans || !is_json(ans, 0))
		return send_no_answer(c, cmd, ans);
	return send_buf(c, MHD_HTTP_OK, JSON_TYPE, ans, len, MHD_RESPMEM_MUST_FREE);
}

/*
 * JSON lines (`report`, `neighbors`) served as one array of those objects. ?type=T keeps
 * the lines of that type only (the writer puts "type" first: {"type":"neighbor",...}).
 */
static enum MHD_Result api_lines(struct web *w, struct MHD_Connection *c, const char *cmd)
{
	const char *type = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "type");
	char *ans, *line, *save = NULL, *out = NULL, want[64];
	size_t len, olen = 0;
	bool first = true;
	FILE *f;

	if (type && (strlen(type) > 32 || strspn(type, "abcdefghijklmnopqrstuvwxyz_") != strlen(type)))
		return send_error_json(c, MHD_HTTP_BAD_REQUEST, "type: lowercase letters and _ only");
	snprintf(want, sizeof(want), "{\"type\":\"%s\"", type ? type : "");
	ans = ask(w, cmd, &len);
	if (!ans || (len && !is_json(ans, '{')))
		return send_no_answer(c, cmd, ans);
	f = open_memstream(&out, &olen);
	if (!f) {
		free(ans);
		return MHD_NO;
	}
	fputc('[', f);
	for (line = strtok_r(ans, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '{' || (type && strncmp(line, want, strlen(want))))
			continue;
		fprintf(f, "%s%s", first ? "" : ",\n", line);
		first = false;
	}
	fputs("]\n", f);
	free(ans);
	if (fclose(f)) {
		free(out);
		return MHD_NO;
	}
	return send_buf(c, MHD_HTTP_OK, JSON_TYPE, out, olen, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result metrics(struct web *w, struct MHD_Connection *c)
{
	char *ans, *out = NULL;
	size_t len, olen = 0;
	enum MHD_Result ret;
	FILE *f;
	int err;

	ans = ask(w, "stats", &len);
	if (!ans || !is_json(ans, '{')) {
		if (ans)
			ans[strcspn(ans, "\n")] = '\0';
		ret = send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "flowtower: the daemon did not answer `stats`: %s\n",
				ans && *ans ? ans : "(nothing)");
		free(ans);
		return ret;
	}
	f = open_memstream(&out, &olen);
	if (!f) {
		free(ans);
		return MHD_NO;
	}
	err = web_metrics(f, ans);
	free(ans);
	if (fclose(f) || err) {
		free(out);
		return send_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "flowtower: `stats` is not a JSON object\n");
	}
	return send_buf(c, MHD_HTTP_OK, PROM_TYPE, out, olen, MHD_RESPMEM_MUST_FREE);
}

/* ---- history from PostgreSQL ---------------------------------------------------------------- */

/* Per minute and direction, IPv4 and IPv6 summed: the chart's shape, the same as /api/seconds. */
static const char history_sql[] =
	"SELECT extract(epoch FROM minute)::bigint,"
	" coalesce(sum(bytes) FILTER (WHERE direction = 'tx'), 0),"
	" coalesce(sum(bytes) FILTER (WHERE direction = 'rx'), 0),"
	" coalesce(sum(bytes) FILTER (WHERE direction = 'other'), 0),"
	" coalesce(sum(packets) FILTER (WHERE direction = 'tx'), 0),"
	" coalesce(sum(packets) FILTER (WHERE direction = 'rx'), 0),"
	" coalesce(sum(packets) FILTER (WHERE direction = 'other'), 0)"
	" FROM flowtower.throughput"
	" WHERE minute >= now() - make_interval(mins => $1::int) AND ($2::text IS NULL OR sensor = $2)"
	" GROUP BY minute ORDER BY minute";

static void history_rows(struct jw *jw, PGresult *res)
{
	static const char *const keys[] = { "t", "tx_bytes", "rx_bytes", "other_bytes",
					    "tx_pkts", "rx_pkts", "other_pkts" };
	int i, k;

	jw_arr_begin(jw, "minutes");
	for (i = 0; i < PQntuples(res); i++) {
		jw_obj_begin(jw, NULL);
		for (k = 0; k < 7; k++)
			jw_u64(jw, keys[k], strtoull(PQgetvalue(res, i, k), NULL, 10));
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

static enum MHD_Result api_history(struct web *w, struct MHD_Connection *c)
{
	/* the caller's conninfo can override both: it comes last */
	const char *const keys[] = { "connect_timeout", "options", "application_name", "dbname", NULL };
	const char *vals[] = { "3", "-c statement_timeout=5000", "flowtower-web", w->db, NULL };
	const char *arg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "minutes");
	const char *params[2];
	char minutes[16], msg[300], *buf = NULL;
	unsigned long m = arg ? strtoul(arg, NULL, 10) : 1440;
	size_t len = 0;
	PGresult *res;
	PGconn *pg;
	struct jw jw;

	if (!w->db)
		return send_error_json(c, MHD_HTTP_NOT_FOUND,
				       "no per-minute history: this daemon has no database (PostgreSQL) configured");
	snprintf(minutes, sizeof(minutes), "%lu", m < 1 ? 1 : m > 44640 ? 44640 : m); /* a month at most */
	params[0] = minutes;
	params[1] = w->sensor;
	pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		snprintf(msg, sizeof(msg), "database unreachable: %s", PQerrorMessage(pg));
		PQfinish(pg);
		msg[strcspn(msg, "\n")] = '\0';
		return send_error_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	res = PQexecParams(pg, history_sql, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(msg, sizeof(msg), "history query: %s", PQerrorMessage(pg));
		PQclear(res);
		PQfinish(pg);
		msg[strcspn(msg, "\n")] = '\0';
		return send_error_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, msg);
	}
	if (jw_render_begin(&jw, &buf, &len)) {
		PQclear(res);
		PQfinish(pg);
		return MHD_NO;
	}
	jw_obj_begin(&jw, NULL);
	jw_str(&jw, "source", "postgresql");
	jw_str(&jw, "sensor", w->sensor);
	jw_u64(&jw, "window_minutes", strtoull(minutes, NULL, 10));
	history_rows(&jw, res);
	jw_obj_end(&jw);
	PQclear(res);
	PQfinish(pg);
	if (fclose(jw.f))
		return MHD_NO;
	return send_buf(c, MHD_HTTP_OK, JSON_TYPE, buf, len, MHD_RESPMEM_MUST_FREE);
}

/* ---- routing ---------------------------------------------------------------------------------- */

/* Bound to loopback: a page reached under another name is a DNS-rebinding attempt. */
static bool host_allowed(const struct web *w, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	size_t n;

	if (!w->loopback)
		return true;
	if (!h)
		return false;
	n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":");
	return (n == 9 && !strncasecmp(h, "localhost", 9)) || (n == 5 && !strncmp(h, "[::1]", 5)) ||
	       (n >= 9 && n <= 15 && !strncmp(h, "127.", 4) && strspn(h, "0123456789.") == n);
}

static const struct web_asset *find_asset(const struct web *w, const char *url)
{
	const struct web_asset *a;

	if (!strcmp(url, "/"))
		url = "/index.html";
	for (a = w->assets; a && a->path; a++)
		if (!strcmp(a->path, url))
			return a;
	return NULL;
}

static enum MHD_Result route(struct web *w, struct MHD_Connection *c, const char *url)
{
	static const char *const passthrough[][2] = {
		{ "/api/state", "state" }, { "/api/stats", "stats" }, { "/api/seconds", "seconds" }, { "/api/top", "top" },
	};
	const struct web_asset *a;
	size_t i;

	for (i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++)
		if (!strcmp(url, passthrough[i][0]))
			return api_passthrough(w, c, passthrough[i][1]);
	if (!strcmp(url, "/api/report"))
		return api_lines(w, c, "report");
	if (!strcmp(url, "/api/neighbors"))
		return api_lines(w, c, "neighbors");
	if (!strcmp(url, "/api/history"))
		return api_history(w, c);
	if (!strcmp(url, "/metrics"))
		return metrics(w, c);
	a = find_asset(w, url);
	if (a)
		return send_buf(c, MHD_HTTP_OK, a->type, (void *)a->data, a->len, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
		return send_text(c, MHD_HTTP_NOT_FOUND, "flowtower: this binary has no page built in; "
					"the API (/api/state, /api/top, /api/seconds, /metrics) answers\n");
	if (!strncmp(url, "/api/", 5))
		return send_error_json(c, MHD_HTTP_NOT_FOUND, "no such endpoint");
	return send_text(c, MHD_HTTP_NOT_FOUND, "flowtower: not found\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct web *w = cls;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "flowtower: %s not allowed (GET and HEAD only)\n",
				 method);
	if (!host_allowed(w, c))
		return send_text(c, MHD_HTTP_FORBIDDEN, "flowtower: served to loopback names only\n");
	return route(w, c, url);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	pr_debug("web: %s%s", msg, strchr(msg, '\n') ? "" : "\n");
}

/* ---- lifecycle ------------------------------------------------------------------------------------ */

static int bind_listen(struct web *w, const char *host, unsigned int port)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1;

	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
		w->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
		w->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else {
		return -EINVAL;
	}
	w->family = ss.ss_family;
	w->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->fd < 0)
		return -errno;
	setsockopt(w->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* a restart within TIME_WAIT */
	if (bind(w->fd, (struct sockaddr *)&ss, sl) || listen(w->fd, 32) ||
	    getsockname(w->fd, (struct sockaddr *)&ss, &sl))
		return -errno;
	w->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return 0;
}

int web_open(struct web **out, const struct web_cfg *cfg)
{
	char host[INET6_ADDRSTRLEN];
	unsigned int port;
	struct web *w;
	int err;

	if (!cfg->answer)
		return -EINVAL;
	err = web_parse_listen(cfg->listen, host, sizeof(host), &port);
	if (err)
		return err;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->assets = cfg->assets;
	w->answer = cfg->answer;
	w->arg = cfg->arg;
	pthread_mutex_init(&w->mu, NULL);
	err = -ENOMEM;
	if ((cfg->db && !(w->db = strdup(cfg->db))) || (cfg->sensor && !(w->sensor = strdup(cfg->sensor))))
		goto err_free;
	err = bind_listen(w, host, port);
	if (err) {
		pr_err("web: listening on %s port %u: %s\n", host, port, strerror(-err));
		goto err_free;
	}
	if (!w->loopback)
		pr_warn("web: listening on %s port %u, beyond loopback: the page, its data and /metrics have no "
			"authentication; anyone who reaches this address sees every flow\n", host, w->port);
	pr_info("web: http://%s%s%s:%u/ (the page), /metrics, /api/*%s\n", w->family == AF_INET6 ? "[" : "", host,
		w->family == AF_INET6 ? "]" : "", w->port, cfg->assets ? "" : " (no page built in)");
	*out = w;
	return 0;

err_free:
	web_stop(w);
	return err;
}

int web_run(struct web *w)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			     MHD_USE_ERROR_LOG | (w->family == AF_INET6 ? MHD_USE_IPv6 : 0);

	if (w->mhd)
		return 0;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)w->fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)32,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)15,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_END);
	if (!w->mhd) {
		pr_err("web: the HTTP server did not start\n");
		return -EIO;
	}
	return 0;
}

int web_start(struct web **out, const struct web_cfg *cfg)
{
	struct web *w;
	int err = web_open(&w, cfg);

	if (err)
		return err;
	err = web_run(w);
	if (err) {
		web_stop(w);
		return err;
	}
	*out = w;
	return 0;
}

unsigned int web_port(const struct web *w)
{
	return w ? w->port : 0;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	if (w->mhd)
		MHD_stop_daemon(w->mhd); /* joins its threads and closes the listening socket */
	else if (w->fd >= 0)
		close(w->fd);
	pthread_mutex_destroy(&w->mu);
	free(w->db);
	free(w->sensor);
	free(w);
}
