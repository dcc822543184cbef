/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_http.c - HTTP/1.x request line and Host: tables of requests, captured and hand-written. */
#include <errno.h>
#include <limits.h>

#include "test.h"
#include "l7/http.h"

TEST_MAIN_DEFINE;

/* Requests are written as C strings for legibility; S() gives bytes and length, NULs included. */
#define S(lit) lit, sizeof(lit) - 1
#define ALL INT_MAX /* expected return: the whole input is the request head */

struct http_case {
	const char *name;
	const char *text;
	size_t len;
	int ret;
	const char *method, *target;
	uint8_t form, minor;
	const char *host;
	uint16_t port; /* 0: no port */
	uint8_t source;
	bool ipv6, invalid;
	int64_t content_length;
	bool body_unknown;
};

#define ORIGIN HTTP_FORM_ORIGIN
#define ABS HTTP_FORM_ABSOLUTE
#define AUTH HTTP_FORM_AUTHORITY
#define STAR HTTP_FORM_ASTERISK
#define OTHER HTTP_FORM_OTHER
#define HDR HTTP_HOST_HEADER
#define TGT HTTP_HOST_TARGET
#define NONE HTTP_HOST_NONE

static const struct http_case cases[] = {
	/* ndpi__http-lines-split.pcap: the request arrives a few bytes per segment; the prefix is the same */
	{ "captured, port in Host", S("GET / HTTP/1.1\r\nHost: toni.lan:31337\r\nUser-Agent: uclient-fetch\r\n\r\n"),
	  ALL, "GET", "/", ORIGIN, 1, "toni.lan", 31337, HDR, false, false, -1, false },
	/* tcpdump__ipv4_tcp_http_xml_tso.pcap: absolute-form to a proxy, Host as well, and a body */
	{ "captured, absolute-form POST",
	  S("POST http://gwm-ml-a2.wsodqa.com//research/module-loader/module-loader.asp?user_id=test HTTP/1.1\r\n"
	    "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"\"\r\nUser-Agent: Axis/1.4-LISA\r\n"
	    "lisaFrameRoot: true\r\nlisaFrameRemoteIP: 169.254.169.30\r\n"
	    "lisaFrameID: 3ae1f0b0-0293-11e2-aa16-78e7d164f804\r\nHost: gwm-ml-a2.wsodqa.com\r\n"
	    "Proxy-Connection: Keep-Alive\r\nContent-Length: 1607\r\n\r\n<?xml version=\"1.0\""),
	  369, "POST", "http://gwm-ml-a2.wsodqa.com//research/module-loader/module-loader.asp?user_id=test", ABS, 1,
	  "gwm-ml-a2.wsodqa.com", 0, HDR, false, false, 1607, false },
	/* RFC 9110 7.2: Host is case-insensitive by name, lower-cased by us, OWS trimmed */
	{ "Host normalised", S("GET /a HTTP/1.1\r\nhOsT: \t Example.COM:8080 \t\r\n\r\n"), ALL, "GET", "/a", ORIGIN, 1,
	  "example.com", 8080, HDR, false, false, -1, false },
	/* RFC 3986 3.2.2: IP-literal */
	{ "IPv6 literal and port", S("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:8443\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1,
	  "2001:db8::1", 8443, HDR, true, false, -1, false },
	{ "IPv6 literal", S("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "::1", 0, HDR, true,
	  false, -1, false },
	{ "IPv6 literal unclosed", S("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE,
	  false, true, -1, false },
	/* RFC 9112 3.2.2: absolute-form; userinfo dropped; taken as host when there is no Host header */
	{ "absolute-form, no Host", S("GET http://u:p@WWW.Example.org:81/x?y HTTP/1.0\r\n\r\n"), ALL, "GET",
	  "http://u:p@WWW.Example.org:81/x?y", ABS, 0, "www.example.org", 81, TGT, false, false, -1, false },
	{ "absolute-form and Host", S("GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n"), ALL, "GET",
	  "http://a.example/", ABS, 1, "b.example", 0, HDR, false, false, -1, false },
	{ "absolute-form, empty Host", S("GET https://a.example/ HTTP/1.1\r\nHost:\r\n\r\n"), ALL, "GET",
	  "https://a.example/", ABS, 1, "a.example", 0, TGT, false, false, -1, false },
	{ "absolute-form without authority", S("GET urn:x HTTP/1.1\r\n\r\n"), ALL, "GET", "urn:x", ABS, 1, "", 0, NONE,
	  false, false, -1, false },
	/* RFC 9112 3.2.3: authority-form */
	{ "CONNECT", S("CONNECT Example.com:443 HTTP/1.1\r\n\r\n"), ALL, "CONNECT", "Example.com:443", AUTH, 1,
	  "example.com", 443, TGT, false, false, -1, false },
	{ "OPTIONS *", S("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), ALL, "OPTIONS", "*", STAR, 1, "x", 0, HDR, false,
	  false, -1, false },
	{ "SSDP M-SEARCH", S("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n"), ALL, "M-SEARCH", "*", STAR,
	  1, "239.255.255.250", 1900, HDR, false, false, -1, false },
	/* RFC 9110 9.1: any token is a method, case-sensitive */
	{ "lower-case method", S("get / HTTP/1.1\r\n\r\n"), ALL, "get", "/", ORIGIN, 1, "", 0, NONE, false, false, -1,
	  false },
	{ "WebDAV method", S("PROPFIND /d/ HTTP/1.1\r\nHost: dav\r\nDepth: 1\r\n\r\n"), ALL, "PROPFIND", "/d/", ORIGIN,
	  1, "dav", 0, HDR, false, false, -1, false },
	{ "target of another form", S("GET index.html HTTP/1.1\r\n\r\n"), ALL, "GET", "index.html", OTHER, 1, "", 0,
	  NONE, false, false, -1, false },
	/* RFC 9112 2.2: bare LF line ends; empty lines before the request line */
	{ "bare LF", S("GET / HTTP/1.1\nHost: x\n\n"), ALL, "GET", "/", ORIGIN, 1, "x", 0, HDR, false, false, -1,
	  false },
	{ "leading CRLF", S("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "x", 0, HDR,
	  false, false, -1, false },
	{ "HTTP/1.0, no Host", S("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n"), ALL, "GET", "/", ORIGIN, 0, "", 0, NONE,
	  false, false, -1, false },
	/* RFC 9112 3.2: a second Host must agree, else neither is believed */
	{ "Host twice, same", S("GET / HTTP/1.1\r\nHost: x:80\r\nHost: X:80\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "x",
	  80, HDR, false, false, -1, false },
	{ "Host twice, different", S("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0,
	  NONE, false, true, -1, false },
	{ "Host port not digits", S("GET / HTTP/1.1\r\nHost: x:http\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE,
	  false, true, -1, false },
	{ "Host port 65536", S("GET / HTTP/1.1\r\nHost: x:65536\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE,
	  false, true, -1, false },
	{ "Host with userinfo", S("GET / HTTP/1.1\r\nHost: u@x\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE,
	  false, true, -1, false },
	{ "Host port only", S("GET / HTTP/1.1\r\nHost: :80\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE, false,
	  true, -1, false },
	{ "Host empty port", S("GET / HTTP/1.1\r\nHost: x:\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "x", 0, HDR, false,
	  false, -1, false },
	/* RFC 9112 5.2: obs-fold continues the previous field */
	{ "obs-fold after Host", S("GET / HTTP/1.1\r\nHost: x\r\n y\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "", 0, NONE,
	  false, true, -1, false },
	{ "obs-fold elsewhere", S("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\tc\r\n\r\n"), ALL, "GET", "/", ORIGIN, 1, "x", 0,
	  HDR, false, false, -1, false },
	/* RFC 9112 6.3: the body length, for the next pipelined request */
	{ "Content-Length", S("POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"), 39, "POST", "/p", ORIGIN, 1, "", 0,
	  NONE, false, false, 5, false },
	{ "Content-Length twice, same", S("POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"), ALL,
	  "POST", "/", ORIGIN, 1, "", 0, NONE, false, false, 5, false },
	{ "Content-Length twice, different", S("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
	  ALL, "POST", "/", ORIGIN, 1, "", 0, NONE, false, false, 6, true },
	{ "Content-Length not a number", S("POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\n"), ALL, "POST", "/", ORIGIN,
	  1, "", 0, NONE, false, false, -1, true },
	{ "chunked", S("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), 47, "POST", "/",
	  ORIGIN, 1, "", 0, NONE, false, false, -1, true },
	/* not HTTP/1.x: refused from the first byte that cannot belong to a request line */
	{ "SSH banner", S("SSH-2.0-OpenSSH_8.9\r\n"), -EPROTONOSUPPORT },
	{ "TLS record", S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc"), -EPROTONOSUPPORT },
	{ "SMTP", S("EHLO mail.example.com\r\n"), -EPROTONOSUPPORT },
	{ "HTTP/2 preface", S("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), -EPROTONOSUPPORT },
	{ "HTTP/0.9", S("GET /\r\n"), -EPROTONOSUPPORT },
	{ "a response", S("HTTP/1.1 200 OK\r\n"), -EPROTONOSUPPORT },
	{ "two spaces", S("GET  / HTTP/1.1\r\n"), -EPROTONOSUPPORT },
	{ "lower-case version", S("GET / http/1.1\r\n"), -EPROTONOSUPPORT },
	{ "text after the version", S("GET / HTTP/1.1 x\r\n"), -EPROTONOSUPPORT },
	{ "method too long", S("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ / HTTP/1.1\r\n"), -EPROTONOSUPPORT },
	{ "NUL first", S("\0GET / HTTP/1.1\r\n"), -EPROTONOSUPPORT },
	/* HTTP/1.x with a malformed header section (RFC 9112 5.1, RFC 9110 5.5) */
	{ "space before colon", S("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), -EBADMSG },
	{ "no colon", S("GET / HTTP/1.1\r\nHostx\r\n\r\n"), -EBADMSG },
	{ "empty field name", S("GET / HTTP/1.1\r\n: x\r\n\r\n"), -EBADMSG },
	{ "bare CR", S("GET / HTTP/1.1\r\nHost: x\ry\r\n\r\n"), -EBADMSG },
	{ "NUL in a value", S("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n"), -EBADMSG },
	/* incomplete: the caller may retry with more of the stream */
	{ "empty", S(""), -ENODATA },
	{ "a method so far", S("GET"), -ENODATA },
	{ "request line cut", S("GET /ind"), -ENODATA },
	{ "headers cut", S("GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n"), -ENODATA },
	{ "CR last", S("GET / HTTP/1.1\r\nHost: x\r"), -ENODATA },
};

static bool check_case(const struct http_case *c, const struct http_request *r)
{
	bool ok = true;

	ok &= EXPECT_STR(r->method, c->method, "method");
	ok &= EXPECT_STR(r->target, c->target, "target");
	ok &= EXPECT_EQ(r->target_truncated, false, "target_truncated");
	ok &= EXPECT_EQ(r->form, c->form, "form");
	ok &= EXPECT_EQ(r->version_major, 1, "version_major");
	ok &= EXPECT_EQ(r->version_minor, c->minor, "version_minor");
	ok &= EXPECT_STR(r->host, c->host, "host");
	ok &= EXPECT_EQ(r->has_port, c->port != 0, "has_port");
	ok &= EXPECT_EQ(r->port, c->port, "port");
	ok &= EXPECT_EQ(r->host_source, c->source, "host_source");
	ok &= EXPECT_EQ(r->host_ipv6, c->ipv6, "host_ipv6");
	ok &= EXPECT_EQ(r->host_invalid, c->invalid, "host_invalid");
	ok &= EXPECT_EQ(r->content_length, c->content_length, "content_length");
	ok &= EXPECT_EQ(r->body_unknown, c->body_unknown, "body_unknown");
	return ok;
}

/* A copy of exactly len bytes, so that ASan reports any read past the prefix. */
static int parse_exact(const char *text, size_t len, struct http_request *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, text, len);
	ret = http_parse_request(len ? copy : NULL, len, r);
	free(copy);
	return ret;
}

static bool test_cases(void)
{
	static struct http_request r;
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct http_case *c = &cases[i];
		int want = c->ret == ALL ? (int)c->len : c->ret, ret = parse_exact(c->text, c->len, &r);
		bool good = EXPECT_EQ(ret, want, c->name);

		if (good && ret >= 0)
			good = check_case(c, &r);
		if (!good)
			fprintf(stderr, "  in case \"%s\"\n", c->name);
		ok &= good;
	}
	return ok;
}

/* Every prefix: -ENODATA until the head is complete (or the case's own error shows), never a crash. */
static bool test_truncation_sweep(void)
{
	static struct http_request r;
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct http_case *c = &cases[i];
		int want = c->ret == ALL ? (int)c->len : c->ret;

		for (size_t k = 0; k <= c->len; k++) {
			int ret = parse_exact(c->text, k, &r);
			bool fine = want >= 0 ? (k < (size_t)want ? ret == -ENODATA : ret == want)
					      : (ret == -ENODATA || ret == want);

			if (!fine) {
				fprintf(stderr, "  %s: prefix %zu of %zu: %d\n", c->name, k, c->len, ret);
				ok = false;
			}
		}
	}
	return ok;
}

/* zeek__http-pipelined-requests.pcap: three requests back to back, walked with the returned lengths. */
static bool test_pipelined(void)
{
	static const char stream[] =
		"GET /style/enhanced.css HTTP/1.1\r\nHost: www.mozilla.org\r\nUser-Agent: Mozilla/5.0 (Windows; U; "
		"Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5\r\nAccept: text/css,*/*;q=0.1\r\n"
		"Accept-Language: en-us,en;q=0.5\r\nAccept-Encoding: gzip,deflate\r\nAccept-Charset: ISO-8859-1,utf-8;"
		"q=0.7,*;q=0.7\r\nKeep-Alive: 300\r\nConnection: keep-alive\r\nReferer: http://www.mozilla.org/projects/"
		"calendar/\r\n\r\nGET /script/urchin.js HTTP/1.1\r\nHost: www.mozilla.org\r\nUser-Agent: Mozilla/5.0 "
		"(Windows; U; Windows NT 5.1; en-US; rv:1.9.1.5) Gecko/20091102 Firefox/3.5.5\r\nAccept: */*\r\n"
		"Accept-Language: en-us,en;q=0.5\r\nAccept-Encoding: gzip,deflate\r\nAccept-Charset: ISO-8859-1,utf-8;"
		"q=0.7,*;q=0.7\r\nKeep-Alive: 300\r\nConnection: keep-alive\r\nReferer: http://www.mozilla.org/projects/"
		"calendar/\r\n\r\nGET /images/template/screen/bullet_utility.png HTTP/1.1\r\nHost: www.mozilla.org\r\n"
		"User-Agent: Mozilla/5.0";
	static const char *targets[] = { "/style/enhanced.css", "/script/urchin.js" };
	static struct http_request r;
	size_t off = 0, len = sizeof(stream) - 1;
	bool ok = true;

	for (int i = 0; i < 2; i++) {
		int ret = http_parse_request((const uint8_t *)stream + off, len - off, &r);

		ok &= EXPECT_TRUE(ret > 0, targets[i]);
		ok &= EXPECT_STR(r.target, targets[i], "target");
		ok &= EXPECT_STR(r.host, "www.mozilla.org", "host");
		ok &= EXPECT_EQ(r.content_length, -1, "no body");
		off += ret > 0 ? (size_t)ret : len - off;
	}
	ok &= EXPECT_EQ(off, 771, "second request's end");
	ok &= EXPECT_EQ(http_parse_request((const uint8_t *)stream + off, len - off, &r), -ENODATA, "third is cut");
	return ok;
}

/* Limits of the fixed-size struct: a long target is cut and flagged, a long host is not kept. */
static bool test_limits(void)
{
	static char text[2048];
	static struct http_request r;
	char name[1001];
	bool ok = true;
	int n;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = snprintf(text, sizeof(text), "GET /%.*s HTTP/1.1\r\nHost: h\r\n\r\n", 1000, name);
	ok &= EXPECT_EQ(parse_exact(text, (size_t)n, &r), n, "long target");
	ok &= EXPECT_EQ(r.target_truncated, true, "target_truncated");
	ok &= EXPECT_EQ(strlen(r.target), HTTP_TARGET_MAX - 1, "target kept");
	ok &= EXPECT_STR(r.host, "h", "host after a long target");
	n = snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nHost: %.*s\r\n\r\n", HTTP_HOST_MAX - 1, name);
	ok &= EXPECT_EQ(parse_exact(text, (size_t)n, &r), n, "host of 255") && EXPECT_EQ(strlen(r.host), 255, "kept");
	n = snprintf(text, sizeof(text), "GET / HTTP/1.1\r\nHost: %.*s\r\n\r\n", HTTP_HOST_MAX, name);
	ok &= EXPECT_EQ(parse_exact(text, (size_t)n, &r), n, "host of 256");
	ok &= EXPECT_STR(r.host, "", "not kept") && EXPECT_EQ(r.host_invalid, true, "host_invalid");
	n = snprintf(text, sizeof(text), "%.*s / HTTP/1.1\r\n\r\n", HTTP_METHOD_MAX - 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG");
	ok &= EXPECT_EQ(parse_exact(text, (size_t)n, &r), n, "method of 31");
	return ok;
}

int main(void)
{
	RUN(test_cases);
	RUN(test_truncation_sweep);
	RUN(test_pipelined);
	RUN(test_limits);
	return test_failures != 0;
}
