// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_flowrow.c - JSON lines to COPY rows: typed values, what goes to extra, hostile input. */
#include <stdio.h>

#include "store/flowrow.h"
#include "test.h"

TEST_MAIN_DEFINE;

static const char flow[] =
	"{\"type\":\"flow\",\"uuid\":\"018b386c-396a-7ae8-bf6e-699255322c70\",\"ip_version\":4,\"proto\":6,"
	"\"proto_name\":\"tcp\",\"orig_addr\":\"192.168.20.65\",\"orig_port\":51066,\"resp_addr\":\"2001:db8::1\","
	"\"resp_port\":443,\"local_side\":null,\"orig_pkts\":16,\"orig_bytes\":2185,\"duplicates\":0,\"tcp_flags\":31,"
	"\"first_seen\":\"2023-10-16T12:18:18.602040000Z\",\"last_seen\":\"2023-10-16T12:18:20.099626000Z\","
	"\"hostname\":\"a\\tb\\\\c\\u00e9\\ud83d\\ude00\",\"hostname_source\":\"tls_sni\",\"http\":null,"
	"\"tls\":{\"sni\":\"x\",\"alpn\":[\"h2\",\"a\\\"b\"],\"supported_versions\":[35466,772],\"ech\":true,"
	"\"grease\":true,\"server\":{\"ja3s\":\"f4\",\"alpn\":null}},\"quic\":null,\"orig_mac\":\"00:11:22:33:44:55\","
	"\"resp_mac\":null,\"future\":[1,{\"a\":null}]}";

/* The COPY row split at tabs: column i of fr_cols[], then extra at fr_ncols. */
static const char *col(const char *row, unsigned int i, char *out, size_t cap)
{
	const char *p = row, *e;

	while (i-- && (p = strchr(p, '\t')))
		p++;
	if (!p)
		return "(missing)";
	e = p + strcspn(p, "\t\n");
	snprintf(out, cap, "%.*s", (int)(e - p), p);
	return out;
}

static int col_index(const char *name)
{
	for (unsigned int i = 0; i < fr_ncols; i++)
		if (!strcmp(fr_cols[i].column, name))
			return (int)i;
	return (int)fr_ncols; /* "extra" */
}

static bool row_of(const char *line, struct js_buf *o, struct fr_scratch *s, int want_type, int want_added)
{
	char uuid[37];
	int added = -1, t;

	o->len = 0; /* a fresh row each time */
	t = flowrow_line(o, s, line, strlen(line), &added, uuid);
	if (js_reserve(o, 1))
		abort();
	o->p[o->len] = '\0';
	bool ok = EXPECT_EQ(t, want_type, "type");

	ok &= EXPECT_EQ(added, want_added, "added"); /* both checked, both reported */
	return ok;
}

#define COL(name) col(o.p, (unsigned int)col_index(name), buf, sizeof(buf))

/* Each value lands in its column in COPY text; keys without one go to extra as sent. */
static bool test_typed_row(void)
{
	struct js_buf o = {};
	struct fr_scratch s = {};
	char buf[512];
	bool ok = row_of(flow, &o, &s, FR_TYPE_FLOW, 1);

	ok &= EXPECT_STR(COL("uuid"), "018b386c-396a-7ae8-bf6e-699255322c70", "uuid");
	ok &= EXPECT_STR(COL("resp_addr"), "2001:db8::1", "inet");
	ok &= EXPECT_STR(COL("local_side"), "\\N", "null");
	ok &= EXPECT_STR(COL("resp_pkts"), "\\N", "absent");
	ok &= EXPECT_STR(COL("hostname"), "a\\tb\\\\c\xc3\xa9\xf0\x9f\x98\x80", "escapes, UTF-8, surrogate pair");
	ok &= EXPECT_STR(COL("tls_alpn"), "{\"h2\",\"a\\\\\"b\"}", "text array, quote escaped twice");
	ok &= EXPECT_STR(COL("tls_supported_versions"), "{35466,772}", "int array");
	ok &= EXPECT_STR(COL("tls_ech"), "t", "bool");
	ok &= EXPECT_STR(COL("orig_mac"), "00:11:22:33:44:55", "mac");
	ok &= EXPECT_STR(COL("extra"), "{\"future\":[1,{\"a\":null}],\"tls\":{\"grease\":true,\"server\":{\"ja3s\":\"f4\",\"alpn\":null}}}",
			 "extra");
	ok &= EXPECT_TRUE(!strstr(o.p, "tcp\t"), "proto_name not stored");
	free(o.p);
	fr_scratch_free(&s);
	return ok;
}

/* A value that does not fit its column is NULL there and kept in extra; a key missing: no row. */
static const struct fr_case {
	const char *name, *line, *column, *want, *extra;
	int added;
} cases[] = {
	{ "port as text", "\"orig_port\":\"x\"", "orig_port", "\\N", "\"orig_port\":\"x\"", 1 },
	{ "smallint range", "\"tcp_flags\":70000", "tcp_flags", "\\N", "\"tcp_flags\":70000", 1 },
	{ "fraction", "\"orig_pkts\":1.5", "orig_pkts", "\\N", "\"orig_pkts\":1.5", 1 },
	{ "bigint max", "\"orig_pkts\":9223372036854775807", "orig_pkts", "9223372036854775807", NULL, 1 },
	{ "bigint over", "\"orig_pkts\":9223372036854775808", "orig_pkts", "\\N", "9223372036854775808", 1 },
	{ "Feb 30", "\"last_seen\":\"2024-02-30T00:00:00Z\"", "last_seen", "\\N", "2024-02-30", 1 },
	{ "leap day", "\"last_seen\":\"2024-02-29T23:59:59.123+01:00\"", "last_seen", "2024-02-29T23:59:59.123+01:00", NULL, 1 },
	{ "bad mac", "\"resp_mac\":\"00:11:22:33:44\"", "resp_mac", "\\N", "\"resp_mac\"", 1 },
	{ "alpn not an array", "\"tls\":{\"alpn\":\"h2\"}", "tls_alpn", "\\N", "\"alpn\":\"h2\"", 1 },
	{ "NUL in a name", "\"hostname\":\"a\\u0000b\"", "hostname", "a\xef\xbf\xbd" "b", NULL, 1 },
	{ "lone surrogate", "\"hostname\":\"\\udc00\"", "hostname", "\xef\xbf\xbd", NULL, 1 },
	{ "invalid UTF-8", "\"hostname\":\"\xff\xc3\"", "hostname", "\xef\xbf\xbd\xef\xbf\xbd", NULL, 1 },
	{ "uuid missing", "\"uuid\":null", "uuid", "", NULL, 0 },
	{ "bad address", "\"orig_addr\":\"10.0.0.256\"", "uuid", "", NULL, 0 },
};

static bool test_cases(void)
{
	struct js_buf o = {};
	struct fr_scratch s = {};
	char line[2048], buf[512];
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fr_case *c = &cases[i];
		bool one;

		/* the case's member last: it overrides the base line's (last key wins in our walk) */
		snprintf(line, sizeof(line), "%.*s,%s}", (int)strlen(flow) - 1, flow, c->line);
		one = row_of(line, &o, &s, FR_TYPE_FLOW, c->added);
		if (c->added) {
			one &= EXPECT_STR(COL(c->column), c->want, c->name);
			if (c->extra)
				one &= EXPECT_TRUE(strstr(COL("extra"), c->extra), c->name);
		} else {
			one &= EXPECT_EQ(o.len, 0, c->name);
		}
		if (!one)
			fprintf(stderr, "  case: %s\n", c->name);
		ok &= one;
	}
	free(o.p);
	fr_scratch_free(&s);
	return ok;
}

/* Other types are told apart by a real parse; a truncated or mutated line never crashes or adds a row. */
static bool test_types_and_sweep(void)
{
	struct js_buf o = {};
	struct fr_scratch s = {};
	char uuid[37], line[sizeof(flow)];
	size_t n = strlen(flow);
	bool ok = true;
	int added;

	/* throughput and neighbor lines: added = every value fits its column */
	ok &= row_of("{\"minute\":\"x\",\"type\":\"throughput\"}", &o, &s, FR_TYPE_TPUT, 0);
	ok &= row_of("{\"minute\":\"2024-01-01T00:01:00Z\",\"type\":\"throughput\",\"bytes\":5}", &o, &s,
		     FR_TYPE_TPUT, 1);
	ok &= row_of(" {\"type\":\"neighbor\",\"mac\":\"00:11:22:33:44:55\",\"addr\":\"fe80::1\"} ", &o, &s,
		     FR_TYPE_NEIGH, 1);
	ok &= row_of("{\"type\":\"neighbor\",\"mac\":\"00:11\"}", &o, &s, FR_TYPE_NEIGH, 0);
	ok &= row_of("{\"type\":\"stats\",\"x\":[1,2]}", &o, &s, FR_TYPE_OTHER, 0);
	ok &= row_of("[1,2]", &o, &s, FR_TYPE_BAD, 0);
	ok &= row_of("{\"type\":\"flow\",", &o, &s, FR_TYPE_BAD, 0);
	for (size_t len = 0; len < n; len++) { /* every prefix: not an object */
		o.len = 0;
		ok &= EXPECT_EQ(flowrow_line(&o, &s, flow, len, &added, uuid), FR_TYPE_BAD, "prefix");
	}
	for (size_t i = 0; i < n; i++) { /* every byte replaced by a few hostile ones */
		static const char subst[] = { '"', '\\', '{', ']', ',', '\0', '\xff', '0' };

		for (size_t k = 0; k < sizeof(subst); k++) {
			memcpy(line, flow, n);
			line[i] = subst[k];
			o.len = 0;
			if (flowrow_line(&o, &s, line, n, &added, uuid) < 0)
				ok &= EXPECT_TRUE(false, "no error but -ENOMEM");
			ok &= EXPECT_TRUE(!added || (o.len && o.p[o.len - 1] == '\n'), "a row ends its line");
		}
	}
	free(o.p);
	fr_scratch_free(&s);
	return ok;
}

/* JSON text for jsonb: escapes kept (backslashes doubled for COPY), what jsonb refuses replaced. */
static bool test_copy_json(void)
{
	struct js_buf o = {};
	const char in[] = "{\"a\":\"x\\\"\\u0000\\ud800\\ud83d\\ude00\ty\xfe\"}";
	bool ok = EXPECT_EQ(js_copy_json(&o, in, strlen(in)), 0, "copy");

	if (!js_reserve(&o, 1))
		o.p[o.len] = '\0';
	ok &= EXPECT_STR(o.p, "{\"a\":\"x\\\\\"\\\\ufffd\\\\ufffd\\\\ud83d\\\\ude00\\ty\xef\xbf\xbd\"}", "escaped");
	free(o.p);
	return ok;
}

int main(void)
{
	RUN(test_typed_row);
	RUN(test_cases);
	RUN(test_types_and_sweep);
	RUN(test_copy_json);
	return test_failures != 0;
}
