// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_web.c - /metrics against a strict exposition-format checker, and HTTP routing over loopback. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "test.h"
#include "ctl/web.h"
#include "flow/names.h"
#include "util/json.h"

TEST_MAIN_DEFINE;

/* ---- a strict checker: Prometheus text format 0.0.4 plus what `promtool check metrics` lints ---- */

#define MAXFAM 128
#define MAXSER 1024

struct prom {
	char fam[MAXFAM][96], type[MAXFAM][12];
	bool help[MAXFAM], closed[MAXFAM];
	int nfam, cur;
	char series[MAXSER][256];
	int nser;
	char err[256];
	int line;
};

static bool perr(struct prom *p, const char *what)
{
	snprintf(p->err, sizeof(p->err), "line %d: %s", p->line, what);
	return false;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* ; returns its length */
static size_t name_len(const char *s, bool colon)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' || (colon && s[0] == ':')))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' || (colon && s[n] == ':'))
		n++;
	return n;
}

static int fam_index(struct prom *p, const char *name, size_t n)
{
	int i;

	for (i = 0; i < p->nfam; i++)
		if (strlen(p->fam[i]) == n && !strncmp(p->fam[i], name, n))
			return i;
	return -1;
}

/* Comments, HELP/TYPE and samples of one family stay together; nothing comes back to a closed one. */
static int fam_enter(struct prom *p, const char *name, size_t n)
{
	int i = fam_index(p, name, n);

	if (i < 0) {
		if (p->nfam == MAXFAM || n >= sizeof(p->fam[0]))
			return -1;
		i = p->nfam++;
		memcpy(p->fam[i], name, n);
		p->fam[i][n] = '\0';
	}
	if (p->cur >= 0 && p->cur != i)
		p->closed[p->cur] = true;
	if (p->closed[i])
		return -2;
	p->cur = i;
	return i;
}

/* Go's ParseFloat forms the format allows: [+-]digits[.digits][e[+-]digits], NaN, +Inf, -Inf. */
static bool float_ok(const char *s, size_t n, bool *nan, bool *neg)
{
	size_t i = 0, d = 0;

	*nan = n == 3 && !strncmp(s, "NaN", 3);
	*neg = n && s[0] == '-';
	if (*nan || (n == 4 && (!strncmp(s, "+Inf", 4) || !strncmp(s, "-Inf", 4))))
		return true;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, d++;
	if (i < n && s[i] == '.')
		for (i++; i < n && isdigit((unsigned char)s[i]); i++)
			d++;
	if (!d)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !isdigit((unsigned char)s[i]))
			return false;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	}
	return i == n;
}

/* promlint: no abbreviated or non-base units, no type names, snake case, no colons. */
static bool lint_name(struct prom *p, const char *name, const char *type)
{
	static const char *const abbrev[] = { "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb",
					      "m", "h", "d", NULL };
	static const char *const nonbase[] = { "milliseconds", "microseconds", "nanoseconds", "minutes", "hours",
					       "days", "kilobytes", "megabytes", "gigabytes", "bits", "percent",
					       "celsius", "counter", "gauge", "histogram", "summary", NULL };
	char tok[96], *save = NULL, *t;
	size_t n = strlen(name);
	int i;
	bool total = n > 6 && !strcmp(name + n - 6, "_total");

	if (strchr(name, ':'))
		return perr(p, "metric name has a colon (reserved for recording rules)");
	for (i = 0; name[i]; i++)
		if (isupper((unsigned char)name[i]))
			return perr(p, "metric name is not snake_case");
	if (!strcmp(type, "counter") != total)
		return perr(p, "counters and only counters end in _total");
	if (n > 6 && (!strcmp(name + n - 6, "_count") || !strcmp(name + n - 4, "_sum") ||
		      (n > 7 && !strcmp(name + n - 7, "_bucket"))))
		return perr(p, "_count/_sum/_bucket are for histograms and summaries");
	snprintf(tok, sizeof(tok), "%s", name);
	for (t = strtok_r(tok, "_", &save); t; t = strtok_r(NULL, "_", &save)) {
		for (i = 0; abbrev[i]; i++)
			if (!strcmp(t, abbrev[i]))
				return perr(p, "metric name has an abbreviated unit");
		for (i = 0; nonbase[i]; i++)
			if (!strcmp(t, nonbase[i]))
				return perr(p, "metric name has a non-base unit or a type name");
	}
	return true;
}

static bool check_comment(struct prom *p, const char *s, size_t len)
{
	bool help = len > 7 && !strncmp(s, "# HELP ", 7), type = len > 7 && !strncmp(s, "# TYPE ", 7);
	size_t n, i;
	int f;

	if (!help && !type)
		return perr(p, "a comment that is neither HELP nor TYPE");
	s += 7;
	len -= 7;
	n = name_len(s, true);
	if (!n || n >= len || s[n] != ' ')
		return perr(p, "HELP/TYPE: bad metric name");
	f = fam_enter(p, s, n);
	if (f < 0)
		return perr(p, f == -2 ? "HELP/TYPE of a family that ended earlier" : "too many families");
	if (help) {
		if (p->help[f])
			return perr(p, "second HELP line");
		p->help[f] = true;
		if (n + 1 >= len)
			return perr(p, "empty HELP");
		for (i = n + 1; i < len; i++)
			if (s[i] == '\\' && (i + 1 >= len || (s[i + 1] != '\\' && s[i + 1] != 'n')))
				return perr(p, "HELP: escape other than \\\\ or \\n");
			else if (s[i] == '\\')
				i++;
		return true;
	}
	if (p->type[f][0])
		return perr(p, "second TYPE line");
	for (i = 0; i < (size_t)p->nser; i++)
		if (!strncmp(p->series[i], p->fam[f], n) && (p->series[i][n] == '{' || p->series[i][n] == ' '))
			return perr(p, "TYPE after samples");
	s += n + 1;
	len -= n + 1;
	if (!((len == 7 && (!strncmp(s, "counter", 7) || !strncmp(s, "summary", 7) || !strncmp(s, "untyped", 7))) ||
	      (len == 5 && !strncmp(s, "gauge", 5)) || (len == 9 && !strncmp(s, "histogram", 9))))
		return perr(p, "TYPE: unknown type");
	snprintf(p->type[f], sizeof(p->type[f]), "%.*s", (int)len, s);
	return lint_name(p, p->fam[f], p->type[f]);
}

static bool check_labels(struct prom *p, const char **sp, const char *end)
{
	const char *s = *sp + 1;
	char names[16][64];
	int nl = 0, i;

	for (;;) {
		size_t n = name_len(s, false);

		if (!n || n >= 64 || nl == 16)
			return perr(p, "bad label name");
		if (!strncmp(s, "__", 2))
			return perr(p, "label name starts with __ (reserved)");
		for (i = 0; i < nl; i++)
			if (strlen(names[i]) == n && !strncmp(names[i], s, n))
				return perr(p, "label name repeated");
		snprintf(names[nl++], 64, "%.*s", (int)n, s);
		s += n;
		if (s + 2 > end || s[0] != '=' || s[1] != '"')
			return perr(p, "label: expected =\"");
		for (s += 2; s < end && *s != '"'; s++)
			if (*s == '\\' && (s + 1 >= end || (s[1] != '\\' && s[1] != '"' && s[1] != 'n')))
				return perr(p, "label value: escape other than \\\\ \\\" \\n");
			else if (*s == '\\')
				s++;
		if (s >= end)
			return perr(p, "label value not closed");
		s++;
		if (s < end && *s == '}') {
			*sp = s + 1;
			return true;
		}
		if (s >= end || *s != ',')
			return perr(p, "labels: expected , or }");
		s++;
	}
}

static bool check_sample(struct prom *p, const char *s, size_t len)
{
	const char *end = s + len, *q, *v;
	size_t n = name_len(s, true);
	bool nan, neg;
	int f, i;

	if (!n)
		return perr(p, "sample: bad metric name");
	f = fam_enter(p, s, n);
	if (f < 0)
		return perr(p, f == -2 ? "sample of a family that ended earlier" : "too many families");
	if (!p->help[f] || !p->type[f][0])
		return perr(p, "sample without HELP and TYPE before it");
	q = s + n;
	if (q < end && *q == '{' && !check_labels(p, &q, end))
		return false;
	if (q >= end || *q != ' ')
		return perr(p, "sample: expected one space before the value");
	v = ++q;
	while (q < end && *q != ' ')
		q++;
	if (!float_ok(v, (size_t)(q - v), &nan, &neg))
		return perr(p, "sample: value is not a float");
	if (!strcmp(p->type[f], "counter") && (nan || neg))
		return perr(p, "counter value negative or NaN");
	if (q < end) { /* timestamp: an int64 of milliseconds */
		for (q++, i = 0; q + i < end; i++)
			if (!isdigit((unsigned char)q[i]) && !(i == 0 && q[i] == '-'))
				return perr(p, "sample: bad timestamp");
		if (!i)
			return perr(p, "sample: bad timestamp");
	}
	if (p->nser == MAXSER)
		return perr(p, "too many series");
	snprintf(p->series[p->nser], sizeof(p->series[0]), "%.*s", (int)(v - 1 - s), s);
	for (i = 0; i < p->nser; i++)
		if (!strcmp(p->series[i], p->series[p->nser]))
			return perr(p, "the same series twice");
	p->nser++;
	return true;
}

/* true if text is a valid exposition; else p->err says where and why. */
static bool prom_check(struct prom *p, const char *text)
{
	const char *s = text;
	int i;

	memset(p, 0, sizeof(*p));
	p->cur = -1;
	if (!*text)
		return perr(p, "empty exposition");
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len;

		p->line++;
		if (!nl)
			return perr(p, "last line without a newline");
		len = (size_t)(nl - s);
		if (!len || memchr(s, '\r', len) || s[len - 1] == ' ' || s[len - 1] == '\t')
			return perr(p, "empty line, CR or trailing space");
		if (!(s[0] == '#' ? check_comment(p, s, len) : check_sample(p, s, len)))
			return false;
		s = nl + 1;
	}
	for (i = 0; i < p->nfam; i++) {
		if (!p->help[i] || !p->type[i][0])
			return perr(p, "a family without HELP or TYPE");
	}
	return true;
}

/* The checker is only worth its verdicts: each rule, broken once, must be caught. */
static bool test_checker_rejects(void)
{
	static const struct {
		const char *what, *text;
	} bad[] = {
		{ "no TYPE", "# HELP a_total x\na_total 1\n" },
		{ "no HELP", "# TYPE a_total counter\na_total 1\n" },
		{ "TYPE after sample", "# HELP a_total x\na_total 1\n# TYPE a_total counter\n" },
		{ "second TYPE", "# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n" },
		{ "counter without _total", "# HELP a x\n# TYPE a counter\na 1\n" },
		{ "gauge with _total", "# HELP a_total x\n# TYPE a_total gauge\na_total 1\n" },
		{ "family split", "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n" },
		{ "duplicate series", "# HELP a x\n# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n" },
		{ "bad escape", "# HELP a x\n# TYPE a gauge\na{x=\"\\t\"} 1\n" },
		{ "unquoted label", "# HELP a x\n# TYPE a gauge\na{x=1} 1\n" },
		{ "trailing comma", "# HELP a x\n# TYPE a gauge\na{x=\"1\",} 1\n" },
		{ "bad value", "# HELP a x\n# TYPE a gauge\na 1,5\n" },
		{ "two spaces", "# HELP a x\n# TYPE a gauge\na  1\n" },
		{ "no newline at end", "# HELP a x\n# TYPE a gauge\na 1" },
		{ "NaN counter", "# HELP a_total x\n# TYPE a_total counter\na_total NaN\n" },
		{ "negative counter", "# HELP a_total x\n# TYPE a_total counter\na_total -1\n" },
		{ "unit abbreviation", "# HELP a_ms x\n# TYPE a_ms gauge\na_ms 1\n" },
		{ "type in name", "# HELP a_counter_total x\n# TYPE a_counter_total counter\na_counter_total 1\n" },
		{ "camel case", "# HELP aB x\n# TYPE aB gauge\naB 1\n" },
		{ "reserved label", "# HELP a x\n# TYPE a gauge\na{__x=\"1\"} 1\n" },
		{ "repeated label", "# HELP a x\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n" },
		{ "other comment", "# hello\n# HELP a x\n# TYPE a gauge\na 1\n" },
		{ "empty line", "# HELP a x\n# TYPE a gauge\n\na 1\n" },
	};
	struct prom *p = malloc(sizeof(*p));
	bool ok = true;
	size_t i;

	ok &= EXPECT_TRUE(prom_check(p, "# HELP a_total x \\\\ y\\n\n# TYPE a_total counter\na_total{l=\"\\\"\\n\"} 1e3\n"
				     "# HELP g x\n# TYPE g gauge\ng NaN\ng{a=\"b\",c=\"d\"} -Inf 1700000000000\n"),
			  "a valid exposition passes");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool rejected = !prom_check(p, bad[i].text);

		if (!rejected)
			fprintf(stderr, "  checker accepted: %s\n", bad[i].what);
		ok &= EXPECT_TRUE(rejected, bad[i].what);
	}
	free(p);
	return ok;
}

/* ---- the metrics formatter ------------------------------------------------------------------------ */

static const char *const state_keys[] = {
	"queues", "workers", "drains", "flows_expired", "flows_evicted_early", "flows_open", "flows_lost",
	"flows_evicted_kernel",
	"worker_queue_drops", "userspace_frames", "userspace_bytes", "userspace_undecodable", "userspace_late",
	"userspace_table_full", "reasm_nomem", "ndp_frames", "tls_client_hellos", "tls_server_hellos", "tls_errors",
	"http_requests", "http_errors", "quic_client_hellos", "quic_errors", "dns_responses", "dns_answers",
	"dns_errors", "xsk_frames", "xsk_bytes", "xsk_rx_dropped", "xsk_rx_ring_full", "xsk_fill_ring_empty",
	"xsk_invalid_descs", "xsk_multibuf", "xsk_truncated", "xsk_no_meta", NULL
};

/* A `stats` object as the daemon writes it: counter i = 1000 + i, state field j = 5000 + j. */
static char *stats_json(bool with_store)
{
	char *buf = NULL;
	size_t len = 0;
	uint64_t ctr[CTR_MAX];
	struct jw w;
	int i;

	for (i = 0; i < CTR_MAX; i++)
		ctr[i] = 1000 + (uint64_t)i;
	jw_render_begin(&w, &buf, &len);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "type", "stats");
	for (i = 0; i < CTR_MAX; i++)
		jw_u64(&w, ft_ctr_names[i], ctr[i]);
	jw_str(&w, "interface", "eth\"1");
	jw_str(&w, "daemon", "running");
	jw_u64(&w, "daemon_pid", 4242);
	jw_str(&w, "capture", "xdp+af_xdp");
	jw_u64(&w, "drain_last_us", 1500);
	for (i = 0; state_keys[i]; i++)
		jw_u64(&w, state_keys[i], 5000 + (uint64_t)i);
	jw_str(&w, "xsk_mode", "copy");
	jw_obj_begin(&w, "nested");
	jw_u64(&w, "queues", 1);
	jw_obj_end(&w);
	if (with_store) {
		jw_u64(&w, "store_queued", 3);
		jw_u64(&w, "store_spooled_batches", 0);
		jw_u64(&w, "store_spooled_bytes", 0);
		jw_u64(&w, "store_db_up", 1);
		jw_u64(&w, "store_rows_written", 99);
	}
	jw_obj_end(&w);
	return jw_render_end(&w, &buf, &len);
}

static char *metrics_of(const char *json, int *rc)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	*rc = web_metrics(f, json);
	fclose(f);
	return out;
}

/* How many sample lines end in " VALUE" */
static int count_value(const char *text, const char *value)
{
	char pat[40];
	const char *s;
	int n = 0;

	snprintf(pat, sizeof(pat), " %s\n", value);
	for (s = strstr(text, pat); s; s = strstr(s + 1, pat))
		n++;
	return n;
}

static bool test_metrics_format(void)
{
	struct prom *p = malloc(sizeof(*p));
	char *json = stats_json(false), *m, v[24];
	bool ok = true, valid;
	int rc, i;

	m = metrics_of(json, &rc);
	ok &= EXPECT_EQ(rc, 0, "web_metrics");
	valid = prom_check(p, m);
	if (!valid)
		fprintf(stderr, "  %s\n", p->err);
	ok &= EXPECT_TRUE(valid, "every line parses under the exposition grammar and the lint rules");
	for (i = 0; i < CTR_MAX; i++) {
		snprintf(v, sizeof(v), "%d", 1000 + i);
		if (count_value(m, v) != 1)
			fprintf(stderr, "  kernel counter %s: %d samples\n", ft_ctr_names[i], count_value(m, v));
		ok &= EXPECT_EQ(count_value(m, v), 1, "every kernel counter exactly once");
	}
	for (i = 0; state_keys[i]; i++) {
		snprintf(v, sizeof(v), "%d", 5000 + i);
		if (count_value(m, v) != 1)
			fprintf(stderr, "  state field %s: %d samples\n", state_keys[i], count_value(m, v));
		ok &= EXPECT_EQ(count_value(m, v), 1, "every state figure exactly once");
	}
	ok &= EXPECT_EQ(count_value(m, "4242"), 0, "the pid is no metric");
	ok &= EXPECT_EQ(count_value(m, "NaN"), 4, "four store placeholders while no store reports");
	free(json);
	free(m);
	free(p);
	return ok;
}

/* Names and labels as documented: a scrape config and dashboards depend on them. */
static bool test_metrics_names(void)
{
	static const struct {
		const char *key, *series;
	} want[] = {
		{ "tx_packets_ipv4", "flowtower_packets_total{direction=\"tx\",ip_version=\"4\"}" },
		{ "rx_packets_ipv6", "flowtower_packets_total{direction=\"rx\",ip_version=\"6\"}" },
		{ "other_bytes_ipv4", "flowtower_bytes_total{direction=\"other\",ip_version=\"4\"}" },
		{ "rx_frames", "flowtower_frames_total" },
		{ "nonip_arp", "flowtower_nonip_frames_total{kind=\"arp\"}" },
		{ "bad_ipv4_ihl", "flowtower_malformed_frames_total{kind=\"ipv4_ihl\"}" },
		{ "steer_copy_fail", "flowtower_drops_total{stage=\"kernel\",reason=\"copy_ring_full\"}" },
		{ "xsk_rx_ring_full", "flowtower_drops_total{stage=\"af_xdp\",reason=\"rx_ring_full\"}" },
		{ "worker_queue_drops", "flowtower_drops_total{stage=\"workers\",reason=\"queue_full\"}" },
		{ "tls_errors", "flowtower_parse_errors_total{protocol=\"tls\"}" },
		{ "dns_errors", "flowtower_parse_errors_total{protocol=\"dns\"}" },
		{ "flows_open", "flowtower_flows_open" },
		{ "flows_evicted_early", "flowtower_flows_evicted_early_total" },
	};
	char *json = stats_json(true), *m, line[160], v[24];
	bool ok = true;
	size_t i;
	int rc, k;

	m = metrics_of(json, &rc);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		for (k = 0; k < CTR_MAX && strcmp(ft_ctr_names[k], want[i].key); k++)
			;
		if (k < CTR_MAX) {
			snprintf(v, sizeof(v), "%d", 1000 + k);
		} else {
			for (k = 0; state_keys[k] && strcmp(state_keys[k], want[i].key); k++)
				;
			snprintf(v, sizeof(v), "%d", 5000 + k);
		}
		snprintf(line, sizeof(line), "\n%s %s\n", want[i].series, v);
		if (!strstr(m, line))
			fprintf(stderr, "  missing:%s", line);
		ok &= EXPECT_TRUE(strstr(m, line), want[i].key);
	}
	ok &= EXPECT_TRUE(strstr(m, "\n# TYPE flowtower_packets_total counter\n"), "TYPE line");
	ok &= EXPECT_TRUE(strstr(m, "\n# TYPE flowtower_flows_open gauge\n"), "gauge TYPE");
	ok &= EXPECT_TRUE(strstr(m, "\nflowtower_drain_duration_seconds 0.001500\n"), "microseconds as seconds");
	ok &= EXPECT_TRUE(strstr(m, "flowtower_info{interface=\"eth\\\"1\",capture=\"xdp+af_xdp\",xsk_mode=\"copy\"} 1\n"),
			  "info labels, escaped");
	ok &= EXPECT_TRUE(strstr(m, "\nflowtower_store_queue_batches 3\n"), "store gauge once reported");
	ok &= EXPECT_TRUE(strstr(m, "\nflowtower_store_rows_written_total 99\n"), "store counter once reported");
	ok &= EXPECT_EQ(count_value(m, "NaN"), 0, "no placeholders once the store reports");
	free(m);
	free(json);
	/* absent keys are absent series, never zeros */
	m = metrics_of("{\"type\":\"stats\",\"rx_frames\":5}", &rc);
	ok &= EXPECT_EQ(rc, 0, "a sparse object");
	ok &= EXPECT_TRUE(strstr(m, "\nflowtower_frames_total 5\n"), "its one counter");
	ok &= EXPECT_TRUE(!strstr(m, "flowtower_packets_total"), "no family without a sample");
	free(m);
	m = metrics_of("{\"rx_frames\":5,", &rc);
	ok &= EXPECT_EQ(rc, -EBADMSG, "truncated JSON");
	free(m);
	m = metrics_of("[1]", &rc);
	ok &= EXPECT_EQ(rc, -EBADMSG, "not an object");
	free(m);
	return ok;
}

/* ---- HTTP ----------------------------------------------------------------------------------------- */

static const char page[] = "<!doctype html><title>t</title><div id=chart></div>";
static const char js[] = "console.log(1);";
static const struct web_asset assets[] = {
	{ "/index.html", "text/html; charset=utf-8", (const unsigned char *)page, sizeof(page) - 1 },
	{ "/app.js", "text/javascript; charset=utf-8", (const unsigned char *)js, sizeof(js) - 1 },
	{ NULL, NULL, NULL, 0 },
};

static _Atomic int stats_broken;
static _Atomic int answers;

static void fake_answer(void *arg, const char *cmd, FILE *out)
{
	answers++;
	if (!strcmp(cmd, "state")) {
		fputs("{\"daemon_pid\":1,\"capture\":\"xdp\",\"flows_open\":2}\n", out);
	} else if (!strcmp(cmd, "stats") && !stats_broken) {
		char *s = stats_json(false);

		fprintf(out, "%s\n", s);
		free(s);
	} else if (!strcmp(cmd, "seconds")) {
		fputs("[{\"t\":1700000000,\"tx_bytes\":10,\"tx_pkts\":1,\"rx_bytes\":20,\"rx_pkts\":2,"
		      "\"other_bytes\":0,\"other_pkts\":0}]\n", out);
	} else if (!strcmp(cmd, "top")) {
		fputs("{\"flows\":[{\"type\":\"flow\",\"orig_addr\":\"10.0.0.1\"}],\"hostnames\":[]}\n", out);
	} else if (!strcmp(cmd, "neighbors")) {
		fputs("{\"type\":\"neighbor\",\"addr\":\"fe80::9\",\"mac\":\"02:00:00:00:00:09\",\"device\":\"nas\"}\n", out);
	} else if (!strcmp(cmd, "report")) {
		fputs("{\"type\":\"flow\",\"orig_addr\":\"10.0.0.1\"}\n"
		      "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\"}\n"
		      "{\"type\":\"neighbor\",\"addr\":\"fe80::2\",\"mac\":\"02:00:00:00:00:02\"}\n"
		      "{\"type\":\"stats\",\"rx_frames\":3}\n", out);
	} else {
		fprintf(out, "error: unknown command '%s'\n", cmd);
	}
}

struct resp {
	int status;
	char head[2048];
	char *body;
	size_t body_len;
};

static const char *header_of(const struct resp *r, const char *name)
{
	static __thread char val[256];
	const char *s = r->head;
	size_t n = strlen(name);

	while ((s = strchr(s, '\n'))) {
		s++;
		if (!strncasecmp(s, name, n) && s[n] == ':') {
			s += n + 1;
			s += strspn(s, " ");
			snprintf(val, sizeof(val), "%.*s", (int)strcspn(s, "\r\n"), s);
			return val;
		}
	}
	return NULL;
}

/* One request on its own connection; the whole answer read until the server closes. */
static bool http(int family, unsigned int port, const char *method, const char *path, const char *host,
		 struct resp *r)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { 5, 0 };
	char *buf = NULL, *sep;
	size_t len = 0, cap = 0;
	int fd;

	memset(r, 0, sizeof(*r));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		s6->sin6_addr = in6addr_loopback;
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, family == AF_INET ? sizeof(*s4) : sizeof(*s6)) ||
	    dprintf(fd, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n%s\r\n", method, path,
		    host ? host : "127.0.0.1", strcmp(method, "POST") ? "" : "Content-Length: 2\r\n\r\n{}") < 0) {
		close(fd);
		return false;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1) {
		free(buf);
		return false;
	}
	snprintf(r->head, sizeof(r->head), "%.*s", (int)(sep - buf), buf);
	r->body_len = len - (size_t)(sep + 4 - buf);
	r->body = malloc(r->body_len + 1);
	memcpy(r->body, sep + 4, r->body_len + 1);
	free(buf);
	return true;
}

static bool expect_resp(unsigned int port, const char *method, const char *path, int status, const char *type,
			const char *body_has)
{
	struct resp r;
	bool ok = EXPECT_TRUE(http(AF_INET, port, method, path, NULL, &r), path);
	const char *ct = header_of(&r, "Content-Type");

	if (r.status != status)
		fprintf(stderr, "  %s %s: status %d, body %s\n", method, path, r.status, r.body ? r.body : "");
	ok &= EXPECT_EQ(r.status, status, path);
	ok &= EXPECT_TRUE(ct && !strncmp(ct, type, strlen(type)), "Content-Type");
	ok &= EXPECT_STR(header_of(&r, "Cache-Control"), "no-store", "Cache-Control");
	ok &= EXPECT_STR(header_of(&r, "X-Content-Type-Options"), "nosniff", "nosniff");
	if (body_has)
		ok &= EXPECT_TRUE(r.body && strstr(r.body, body_has), "body");
	if (!ok)
		fprintf(stderr, "  (%s %s)\n", method, path);
	free(r.body);
	return ok;
}

static struct web *start(const char *listen, const struct web_asset *a)
{
	struct web_cfg cfg = { .listen = listen, .assets = a, .answer = fake_answer };
	struct web *w = NULL;

	if (web_start(&w, &cfg))
		return NULL;
	return w;
}

static bool test_routes(void)
{
	struct web *w = start("127.0.0.1:0", assets);
	unsigned int port = web_port(w);
	struct prom *p = malloc(sizeof(*p));
	struct resp r;
	bool ok = EXPECT_TRUE(w && port, "web_start on an ephemeral port");

	ok &= expect_resp(port, "GET", "/", 200, "text/html", "id=chart");
	ok &= expect_resp(port, "GET", "/index.html", 200, "text/html", "id=chart");
	ok &= expect_resp(port, "GET", "/app.js", 200, "text/javascript", js);
	ok &= expect_resp(port, "GET", "/api/state", 200, "application/json", "\"flows_open\":2");
	ok &= expect_resp(port, "GET", "/api/stats", 200, "application/json", "\"rx_frames\":1000");
	ok &= expect_resp(port, "GET", "/api/seconds", 200, "application/json", "\"rx_bytes\":20");
	ok &= expect_resp(port, "GET", "/api/top", 200, "application/json", "\"10.0.0.1\"");
	ok &= expect_resp(port, "GET", "/api/report", 200, "application/json", "[{\"type\":\"flow\"");
	ok &= expect_resp(port, "GET", "/api/report?type=neighbor", 200, "application/json",
			  "[{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\"},\n{\"type\":\"neighbor\"");
	ok &= expect_resp(port, "GET", "/api/report?type=Flow;", 400, "application/json", "\"error\"");
	ok &= expect_resp(port, "GET", "/api/neighbors", 200, "application/json",
			  "[{\"type\":\"neighbor\",\"addr\":\"fe80::9\",\"mac\":\"02:00:00:00:00:09\",\"device\":\"nas\"}]\n");
	ok &= expect_resp(port, "GET", "/api/history", 404, "application/json", "no database");
	ok &= expect_resp(port, "GET", "/api/nothing", 404, "application/json", "\"error\"");
	ok &= expect_resp(port, "GET", "/nothing.js", 404, "text/plain", NULL);
	ok &= expect_resp(port, "GET", "/metrics", 200, "text/plain; version=0.0.4", "flowtower_frames_total 1000\n");
	ok &= expect_resp(port, "POST", "/api/state", 405, "text/plain", "GET and HEAD only");
	ok &= expect_resp(port, "PUT", "/", 405, "text/plain", NULL);
	ok &= expect_resp(port, "DELETE", "/metrics", 405, "text/plain", NULL);
	ok &= expect_resp(port, "OPTIONS", "/", 405, "text/plain", NULL);

	ok &= EXPECT_TRUE(http(AF_INET, port, "POST", "/", NULL, &r), "POST");
	ok &= EXPECT_STR(header_of(&r, "Allow"), "GET, HEAD", "405 names the methods allowed");
	free(r.body);
	ok &= EXPECT_TRUE(http(AF_INET, port, "GET", "/", NULL, &r), "GET /");
	ok &= EXPECT_TRUE(header_of(&r, "Content-Security-Policy") != NULL, "the page has a CSP");
	free(r.body);
	ok &= EXPECT_TRUE(http(AF_INET, port, "HEAD", "/", NULL, &r), "HEAD");
	ok &= EXPECT_EQ(r.status, 200, "HEAD status");
	ok &= EXPECT_EQ(r.body_len, 0, "HEAD has no body");
	ok &= EXPECT_EQ(strtol(header_of(&r, "Content-Length") ? header_of(&r, "Content-Length") : "-1", NULL, 10),
			sizeof(page) - 1, "HEAD's Content-Length is GET's");
	free(r.body);
	ok &= EXPECT_TRUE(http(AF_INET, port, "GET", "/metrics", NULL, &r), "GET /metrics");
	ok &= EXPECT_TRUE(r.body && prom_check(p, r.body), "/metrics over HTTP passes the checker");
	free(r.body);
	/* DNS rebinding: a loopback listener answers loopback names only */
	ok &= EXPECT_TRUE(http(AF_INET, port, "GET", "/api/state", "evil.example:8480", &r), "foreign Host");
	ok &= EXPECT_EQ(r.status, 403, "foreign Host refused");
	free(r.body);
	ok &= EXPECT_TRUE(http(AF_INET, port, "GET", "/api/state", "localhost:8480", &r), "localhost");
	ok &= EXPECT_EQ(r.status, 200, "localhost answered");
	free(r.body);
	stats_broken = 1;
	ok &= expect_resp(port, "GET", "/metrics", 503, "text/plain", "did not answer `stats`");
	stats_broken = 0;
	web_stop(w);
	free(p);
	return ok;
}

static bool test_no_page(void)
{
	struct web *w = start("0", NULL); /* a bare port: loopback */
	bool ok = EXPECT_TRUE(w != NULL, "start without assets");

	ok &= expect_resp(web_port(w), "GET", "/", 404, "text/plain", "no page built in");
	ok &= expect_resp(web_port(w), "GET", "/api/top", 200, "application/json", NULL);
	web_stop(w);
	web_stop(NULL);
	return ok;
}

static bool test_ipv6(void)
{
	struct web *w = start("[::1]:0", assets);
	struct resp r;
	bool ok;

	if (!w) { /* no IPv6 on lo (disabled in this namespace): nothing to test */
		printf("note: no ::1 here, IPv6 listening not tested\n");
		return true;
	}
	ok = EXPECT_TRUE(http(AF_INET6, web_port(w), "GET", "/api/state", "[::1]:1", &r), "GET over IPv6");
	ok &= EXPECT_EQ(r.status, 200, "status over IPv6");
	free(r.body);
	web_stop(w);
	return ok;
}

static void *hammer(void *arg)
{
	unsigned int port = *(unsigned int *)arg;
	long bad = 0;
	struct resp r;
	int i;

	for (i = 0; i < 25; i++) {
		if (!http(AF_INET, port, "GET", i % 2 ? "/api/top" : "/metrics", NULL, &r) || r.status != 200)
			bad++;
		free(r.body);
	}
	return (void *)bad;
}

/* Clients at once: every one answered, the answer function never entered twice at a time. */
static bool test_concurrent(void)
{
	struct web *w = start("127.0.0.1:0", assets);
	unsigned int port = web_port(w);
	pthread_t t[8];
	bool ok = EXPECT_TRUE(w != NULL, "start");
	void *bad;
	int i;

	answers = 0;
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, hammer, &port);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &bad);
		ok &= EXPECT_EQ((long)bad, 0, "every request answered 200");
	}
	ok &= EXPECT_EQ(answers, 200, "one answer per request");
	web_stop(w);
	return ok;
}

static bool test_parse_listen(void)
{
	static const struct {
		const char *in, *host;
		int rc;
		unsigned int port;
	} cases[] = {
		{ "8480", "127.0.0.1", 0, 8480 },
		{ "127.0.0.1:8480", "127.0.0.1", 0, 8480 },
		{ "localhost:80", "127.0.0.1", 0, 80 },
		{ "0.0.0.0:8480", "0.0.0.0", 0, 8480 },
		{ "[::1]:8480", "::1", 0, 8480 },
		{ "[::]:1", "::", 0, 1 },
		{ "0", "127.0.0.1", 0, 0 },
		{ "65536", NULL, -EINVAL, 0 },
		{ "::1:8480", NULL, -EINVAL, 0 },
		{ ":8480", NULL, -EINVAL, 0 },
		{ "example.com:8480", NULL, -EINVAL, 0 },
		{ "127.0.0.1:", NULL, -EINVAL, 0 },
		{ "127.0.0.1:80x", NULL, -EINVAL, 0 },
		{ "127.0.0.1:-1", NULL, -EINVAL, 0 },
		{ "", NULL, -EINVAL, 0 },
	};
	char host[64];
	unsigned int port;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = web_parse_listen(cases[i].in, host, sizeof(host), &port);

		ok &= EXPECT_EQ(rc, cases[i].rc, cases[i].in);
		if (!rc && !cases[i].rc) {
			ok &= EXPECT_STR(host, cases[i].host, cases[i].in);
			ok &= EXPECT_EQ(port, cases[i].port, cases[i].in);
		}
	}
	return ok;
}

/* test_web --check-metrics FILE: the checker alone, for tests/live/test_web.sh (a real daemon's /metrics). */
static int check_file(const char *path)
{
	struct prom *p = malloc(sizeof(*p));
	char *text = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	ssize_t n = f ? getdelim(&text, &cap, '\0', f) : -1;
	bool ok = n > 0 && strlen(text) == (size_t)n && prom_check(p, text);

	printf("%s: /metrics of the running daemon passes the exposition checker (%d lines)%s%s\n",
	       ok ? "PASS" : "FAIL", p->line, ok ? "" : ": ", ok ? "" : n > 0 ? p->err : "unreadable");
	if (f)
		fclose(f);
	free(text);
	free(p);
	return !ok;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--check-metrics"))
		return check_file(argv[2]);
	RUN(test_checker_rejects);
	RUN(test_metrics_format);
	RUN(test_metrics_names);
	RUN(test_parse_listen);
	RUN(test_routes);
	RUN(test_no_page);
	RUN(test_ipv6);
	RUN(test_concurrent);
	return test_failures != 0;
}
