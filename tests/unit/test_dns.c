/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_dns.c - DNS response decoding (RFC 1035 4) and the (client, address) -> name cache. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "l7/dns.h"
#include "l7/dnscache.h"
#include "test.h"

TEST_MAIN_DEFINE;

#define HDR1(an) "1234 8180 0001 " an " 0000 0000 "
#define Q_EXAMPLE_COM "07 6578616d706c65 03 636f6d 00 0001 0001 " /* at offset 12; "com" at 20 */

/* What the callback saw, as text: "name addr ttl hops" per answer, in order. */
struct seen {
	char text[2048];
	size_t len;
	int n;
};

static void collect(void *arg, const struct dns_answer *a)
{
	struct seen *s = arg;
	char addr[64];

	inet_ntop(a->family, a->addr, addr, sizeof(addr));
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s%s %s %u %u", s->n ? "; " : "",
				   a->name, addr, a->ttl, a->hops);
	s->n++;
}

static int parse_hex(const char *hex, struct seen *s)
{
	static uint8_t buf[4096];
	int n = test_hex(hex, buf, sizeof(buf));

	memset(s, 0, sizeof(*s));
	return n < 0 ? -1000 : dns_parse_response(buf, (size_t)n, collect, s);
}

struct dns_case {
	const char *name;
	const char *hex;
	int want;
	const char *answers; /* as collect() prints them */
};

/* Good responses: each answer named by its question, through CNAMEs, TTL the smallest on the way. */
static const struct dns_case good_cases[] = {
	{ "A, owner compressed",
	  "123481800001000100000000076578616d706c6503636f6d0000010001c00c000100010000012c00"
	  "045db8d822",
	  1, "example.com 93.184.216.34 300 0" },
	{ "AAAA, question in mixed case (RFC 4343)",
	  "123481800001000100000000074578416d506c4503434f4d00001c0001076578616d706c6503636f"
	  "6d00001c000100000e10001026062800022000010248189325c81946",
	  1, "example.com 2606:2800:220:1:248:1893:25c8:1946 3600 0" },
	{ "two CNAMEs, compressed targets",
	  "12348180000100030000000003777777076578616d706c6503636f6d0000010001c00c0005000100"
	  "000078000f0161076578616d706c65036e657400c02d000500010000003c000801620363646ec037"
	  "c0480001000100000e10000401020304",
	  1, "www.example.com 1.2.3.4 60 2" },
	{ "address before its CNAME; an unrelated A",
	  "12348180000100040000000003777777076578616d706c6503636f6d000001000101620363646e03"
	  "6e657400000100010000001e000405060708056f74686572036f726700000100010000001e000409"
	  "090909c00c00050001000000780002c021c00c000100010000003200040a000001",
	  2, "www.example.com 5.6.7.8 30 1; www.example.com 10.0.0.1 50 0" },
	{ "CNAMEs in a loop never reach the question",
	  "123481800001000300000000046c6f6f700474657374000001000101780474657374000005000100"
	  "00000a00080179047465737400c02f000500010000000a0002c01bc01b000100010000000a000407"
	  "070707",
	  0, "" },
	{ "NXDOMAIN with an SOA",
	  "123481830001000000010000026e78076578616d706c6503636f6d0000010001c00f000600010000"
	  "03840033026e73076578616d706c6503636f6d000168076578616d706c6503636f6d000000000100"
	  "000002000000030000000400000005",
	  0, "" },
	{ "CHAOS class skipped; TTL top bit means 0 (RFC 2181 8); EDNS OPT",
	  "123481800001000200000001076578616d706c6503636f6d0000010001c00c000100030000012c00"
	  "050101010101c00c00010001800000050004040302010000291000000000000000",
	  1, "example.com 4.3.2.1 0 0" },
	{ "two questions",
	  "123481800002000200000000016104746573740000010001016204746573740000010001c0180001"
	  "000100000005000402020202c00c001c000100000006001000000000000000000000000000000001",
	  2, "b.test 2.2.2.2 5 0; a.test ::1 6 0" },
};

#define ANS_A "c00c 0001 0001 00000001 0004 00000000"

/* Broken ones: -EBADMSG when the message contradicts itself, -ENODATA when it just ends. */
static const struct dns_case bad_cases[] = {
	{ "pointer to itself", HDR1("0001") Q_EXAMPLE_COM "c01d 0001 0001 00000001 0004 00000000", -EBADMSG, "" },
	{ "pointer forward", HDR1("0001") Q_EXAMPLE_COM "c0c8 0001 0001 00000001 0004 00000000", -EBADMSG, "" },
	{ "pointer to the start of its own name", "1234 8180 0001 0000 0000 0000 01 61 c00c 0001 0001", -EBADMSG, "" },
	{ "label type 0x40", "1234 8180 0001 0000 0000 0000 41 61 00 0001 0001", -EBADMSG, "" },
	{ "A of 5 bytes", HDR1("0001") Q_EXAMPLE_COM "c00c 0001 0001 00000001 0005 0000000000", -EBADMSG, "" },
	{ "AAAA of 4 bytes", HDR1("0001") Q_EXAMPLE_COM "c00c 001c 0001 00000001 0004 00000000", -EBADMSG, "" },
	{ "CNAME target past RDLENGTH",
	  HDR1("0001") Q_EXAMPLE_COM "c00c 0005 0001 00000001 0003 01 61 07 6578616d706c65 03 6e6574 00", -EBADMSG, "" },
	{ "RDLENGTH past CNAME target",
	  HDR1("0001") Q_EXAMPLE_COM "c00c 0005 0001 00000001 0010 01 61 07 6578616d706c65 03 6e6574 00 00", -EBADMSG,
	  "" },
	{ "QDCOUNT 65535", "1234 8180 ffff 0000 0000 0000 " Q_EXAMPLE_COM, -EBADMSG, "" },
	{ "ANCOUNT 8192", HDR1("2000") Q_EXAMPLE_COM, -EBADMSG, "" },
	{ "ANCOUNT past the end", HDR1("0003") Q_EXAMPLE_COM ANS_A, -ENODATA, "" },
	{ "RDLENGTH past the end", HDR1("0001") Q_EXAMPLE_COM "c00c 0001 0001 00000001 0004 0000", -ENODATA, "" },
	{ "header cut", "1234 8180 0001 0000 0000 00", -ENODATA, "" },
	{ "a query", "1234 0100 0001 0000 0000 0000 " Q_EXAMPLE_COM, -EPROTONOSUPPORT, "" },
	{ "NOTIFY", "1234 a400 0001 0000 0000 0000 " Q_EXAMPLE_COM, -EPROTONOSUPPORT, "" },
	{ "bad record after good answers", HDR1("0002") Q_EXAMPLE_COM ANS_A " c0c8 0001 0001 00000001 0004 00000000",
	  -EBADMSG, "" }, /* and nothing reported: sections are checked before the first callback */
};

static bool run_cases(const struct dns_case *cases, size_t n)
{
	struct seen s;
	bool ok = true;
	size_t i;

	for (i = 0; i < n; i++) {
		ok &= EXPECT_EQ(parse_hex(cases[i].hex, &s), cases[i].want, cases[i].name);
		ok &= EXPECT_STR(s.text, cases[i].answers, cases[i].name);
		ok &= EXPECT_EQ(s.n, cases[i].want > 0 ? cases[i].want : 0, "callbacks = return value");
	}
	return ok;
}

static bool test_good(void)
{
	return run_cases(good_cases, sizeof(good_cases) / sizeof(good_cases[0]));
}

static bool test_bad(void)
{
	return run_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

/* Every proper prefix of a good message is -ENODATA: truncated, never malformed, never an answer. */
static bool test_truncation_sweep(void)
{
	uint8_t buf[4096];
	bool ok = true;
	size_t i, len;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		int n = test_hex(good_cases[i].hex, buf, sizeof(buf));

		for (len = 0; len < (size_t)n; len++)
			ok &= EXPECT_EQ(dns_parse_response(buf, len, NULL, NULL), -ENODATA, good_cases[i].name);
	}
	return ok;
}

/* Questions chained by pointers: q[i] = label + pointer to q[i-1] (or a bare pointer to it). */
static size_t build_chain(uint8_t *m, unsigned int nq, bool bare)
{
	size_t n = 12, prev = 12, i;

	memset(m, 0, 12);
	m[2] = 0x81, m[3] = 0x80, m[4] = (uint8_t)(nq >> 8), m[5] = (uint8_t)nq;
	m[n++] = 1, m[n++] = 'a', m[n++] = 0;
	m[n++] = 0, m[n++] = 1, m[n++] = 0, m[n++] = 1;
	for (i = 1; i < nq; i++) {
		size_t at = n;

		if (!bare)
			m[n++] = 1, m[n++] = 'b';
		m[n++] = (uint8_t)(0xc0 | prev >> 8), m[n++] = (uint8_t)prev;
		m[n++] = 0, m[n++] = 1, m[n++] = 0, m[n++] = 1;
		prev = at;
	}
	return n;
}

/* Names: 255 bytes is the limit (RFC 1035 2.3.4); pointer chains are capped, however backwards. */
static bool test_name_limits(void)
{
	static uint8_t m[8192];
	size_t n = 12, i, l;
	bool ok = true;

	for (l = 0; l < 2; l++) {
		memset(m, 0, 12);
		m[2] = 0x81, m[3] = 0x80, m[5] = 1;
		n = 12;
		for (i = 0; i < 4; i++) {
			size_t ll = i < 3 ? 63 : 61 + 2 * l; /* 255, then 257 bytes */

			m[n++] = (uint8_t)ll;
			memset(m + n, 'x', ll);
			n += ll;
		}
		m[n++] = 0;
		m[n++] = 0, m[n++] = 1, m[n++] = 0, m[n++] = 1;
		ok &= EXPECT_EQ(dns_parse_response(m, n, NULL, NULL), l ? -EBADMSG : 0, l ? "257 bytes" : "255 bytes");
	}
	n = build_chain(m, 100, false);
	ok &= EXPECT_EQ(dns_parse_response(m, n, NULL, NULL), 0, "100 labels through 99 pointers");
	n = build_chain(m, 130, false);
	ok &= EXPECT_EQ(dns_parse_response(m, n, NULL, NULL), -EBADMSG, "130 labels: over 255 bytes");
	n = build_chain(m, 120, true);
	ok &= EXPECT_EQ(dns_parse_response(m, n, NULL, NULL), 0, "119 pointers to pointers");
	n = build_chain(m, 300, true);
	ok &= EXPECT_EQ(dns_parse_response(m, n, NULL, NULL), -EBADMSG, "299 pointers to pointers");
	return ok;
}

/* Presentation form: lowercase, '.' and '\\' escaped, other bytes outside 0x21..0x7e as \DDD. */
static bool test_name_text(void)
{
	uint8_t m[64];
	char out[DNS_NAME_MAX], small[6];
	size_t off = 0;
	int n = test_hex("03 612e42 02 005c 03 574557 00", m, sizeof(m));
	bool ok = true;

	ok &= EXPECT_EQ(dns_name(m, (size_t)n, &off, out, sizeof(out)), 0, "escapes");
	ok &= EXPECT_STR(out, "a\\.b.\\000\\\\.wew", "text");
	ok &= EXPECT_EQ(off, (size_t)n, "offset after");
	off = 0;
	ok &= EXPECT_EQ(dns_name(m, (size_t)n, &off, small, sizeof(small)), -ENOSPC, "small buffer");
	off = 0;
	n = test_hex("00", m, sizeof(m));
	ok &= EXPECT_EQ(dns_name(m, (size_t)n, &off, out, sizeof(out)), 0, "root");
	ok &= EXPECT_STR(out, ".", "root text");
	return ok;
}

/* Random byte changes to good messages: a code or answers that match the return value, nothing else. */
static bool test_mutations(void)
{
	enum { NCASES = sizeof(good_cases) / sizeof(good_cases[0]) };
	static uint8_t orig[NCASES][512];
	uint64_t x = 0x2545f4914f6cdd1dull;
	int bad = 0, it, len[NCASES];
	uint8_t buf[512];
	struct seen s;
	bool ok = true;

	for (it = 0; it < NCASES; it++)
		len[it] = test_hex(good_cases[it].hex, orig[it], sizeof(orig[it]));
	for (it = 0; it < 200000; it++) {
		int n = len[it % NCASES], k, r;

		memcpy(buf, orig[it % NCASES], (size_t)n);
		for (k = 0; k < 1 + it % 4; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % (uint64_t)n] = (uint8_t)(x >> 32);
		}
		memset(&s, 0, sizeof(s));
		r = dns_parse_response(buf, (size_t)(n - (int)(x >> 60) % 3), collect, &s);
		bad += !(r == s.n || (r < 0 && s.n == 0 &&
				       (r == -ENODATA || r == -EBADMSG || r == -EPROTONOSUPPORT)));
	}
	ok &= EXPECT_EQ(bad, 0, "unexpected results");
	return ok;
}

/* zeek__pcapng-multi-interface.pcapng frame 2: www.apple.com through three CNAMEs. */
static const char apple_cname[] =
	"4fe88180000100040000000103777777056170706c6503636f6d0000010001c00c000500010000010f001a0d7777772d"
	"6170706c652d636f6d0176076161706c696d67c016c02b000500010000010f001b03777777056170706c6503636f6d07"
	"656467656b6579036e657400c051000500010000010f00190565363835380564736365390a616b616d616965646765c0"
	"67c0780001000100000009000417c2651800002904d0000000000000";
/* zeek__pcapng-multi-interface.pcapng frame 6: four AAAA for google.com. */
static const char google_aaaa[] =
	"00058180000100040000000006676f6f676c6503636f6d00001c0001c00c001c00010000007000102607f8b040232007"
	"0000000000000066c00c001c00010000007000102607f8b040232007000000000000008bc00c001c0001000000700010"
	"2607f8b0402320070000000000000071c00c001c00010000007000102607f8b040232007000000000000008a";
/* tcpreplay__test.pcap frame 148: rss.slashdot.org through two CNAMEs. */
static const char slashdot_rss[] =
	"630a818000010003000000000372737308736c617368646f74036f72670000010001c00c000500010000010900260b73"
	"6f75726365666f726765096665656470726f78790367687306676f6f676c6503636f6d00c02e000500010000000a0008"
	"03676873016cc048c060000100010000010e00044a7d2f79";
/* tcpdump__dns_tcp.pcap frame 6: over TCP, glue A/AAAA in the additional section. */
static const char tcpdump_tcp[] =
	"00e0431985000001000200020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c0"
	"8b2e42c00c000100010000003c0004c6c75868c01000020001000151800012036e69630973616e64656c6d616e026361"
	"00c0100002000100015180001203736e7308636f6f7065726978036e657400c04d000100010000012c0004d157f912c0"
	"4d001c00010000012c00102607f0b0000f000000000000babef00dc06b0001000100001c200004616b850fc06b001c00"
	"0100001c20001026003c0300000000f03c91fffe96e8ef0000291000000000000000";

/* Real responses, with what tshark decodes in their answer sections. */
static const struct dns_case real_cases[] = {
	{ "www.apple.com via 3 CNAMEs", apple_cname, 1, "www.apple.com 23.194.101.24 9 3" },
	{ "google.com AAAA", google_aaaa, 4,
	  "google.com 2607:f8b0:4023:2007::66 112 0; google.com 2607:f8b0:4023:2007::8b 112 0; "
	  "google.com 2607:f8b0:4023:2007::71 112 0; google.com 2607:f8b0:4023:2007::8a 112 0" },
	{ "rss.slashdot.org via 2 CNAMEs", slashdot_rss, 1, "rss.slashdot.org 74.125.47.121 10 2" },
};

static bool test_captures(void)
{
	uint8_t buf[4096];
	struct seen s;
	size_t used = 0, len;
	bool ok = run_cases(real_cases, sizeof(real_cases) / sizeof(real_cases[0]));
	int n = test_hex(tcpdump_tcp, buf, sizeof(buf));

	/* Over TCP: the glue addresses in the additional section are not answers. */
	memset(&s, 0, sizeof(s));
	ok &= EXPECT_EQ(dns_parse_tcp(buf, (size_t)n, &used, collect, &s), 2, "TCP response");
	ok &= EXPECT_EQ(used, 226, "consumed");
	ok &= EXPECT_STR(s.text, "www.tcpdump.org 192.139.46.66 60 0; www.tcpdump.org 198.199.88.104 60 0", "answers");
	for (len = 0; len < (size_t)n; len++)
		ok &= EXPECT_EQ(dns_parse_tcp(buf, len, &used, NULL, NULL), -ENODATA, "TCP prefix");
	return ok;
}

/* TCP framing (RFC 1035 4.2.2): two messages back to back; a length the records overrun is -EBADMSG. */
static bool test_tcp_framing(void)
{
	uint8_t buf[512];
	size_t used = 0, off;
	int n = test_hex("002d" HDR1("0001") Q_EXAMPLE_COM "c00c 0001 0001 0000012c 0004 5db8d822"
			 "002d" HDR1("0001") Q_EXAMPLE_COM "c00c 0001 0001 0000012c 0004 5db8d823"
			 "0029" HDR1("0001") Q_EXAMPLE_COM "c00c 0001 0001 0000012c 0004" /* RDATA missing */
			 "0005 1234",
			 buf, sizeof(buf));
	bool ok = true;

	ok &= EXPECT_EQ(n, 47 + 47 + 43 + 4, "test vector");
	off = 0;
	ok &= EXPECT_EQ(dns_parse_tcp(buf, (size_t)n, &used, NULL, NULL), 1, "first");
	off += used;
	ok &= EXPECT_EQ(dns_parse_tcp(buf + off, (size_t)n - off, &used, NULL, NULL), 1, "second");
	off += used;
	ok &= EXPECT_EQ(dns_parse_tcp(buf + off, (size_t)n - off, &used, NULL, NULL), -EBADMSG, "length too short");
	ok &= EXPECT_EQ(used, 43, "skipped anyway");
	off += used;
	ok &= EXPECT_EQ(dns_parse_tcp(buf + off, (size_t)n - off, &used, NULL, NULL), -ENODATA, "partial");
	ok &= EXPECT_EQ(off, 47 + 47 + 43, "offset");
	return ok;
}

/* ---- the cache ---- */

#define SEC 1000000000ull

static void v4(const char *s, uint8_t out[16])
{
	uint8_t a[4];

	inet_pton(AF_INET, s, a);
	dnscache_addr(AF_INET, a, out);
}

static bool test_cache_basic(void)
{
	uint8_t cl[16], cl2[16], srv[16], srv6[16], a6[16];
	struct dnscache *c = NULL;
	char name[DNSCACHE_NAME_MAX];
	bool ok = true;

	v4("192.168.1.10", cl);
	v4("192.168.1.11", cl2);
	v4("93.184.216.34", srv);
	inet_pton(AF_INET6, "2606:2800:220:1::1", a6);
	dnscache_addr(AF_INET6, a6, srv6);
	ok &= EXPECT_EQ(srv[10], 0xff, "v4-mapped");
	ok &= EXPECT_EQ(srv[15], 34, "v4-mapped last byte");
	ok &= EXPECT_EQ(dnscache_new(&c, 0), -EINVAL, "cap 0");
	ok &= EXPECT_EQ(dnscache_new(&c, 8), 0, "new");
	ok &= EXPECT_EQ(dnscache_put(c, cl, srv, "example.com", 60, 100 * SEC), 0, "put");
	ok &= EXPECT_EQ(dnscache_put(c, cl, srv6, "example.com", 60, 100 * SEC), 0, "put v6");
	ok &= EXPECT_EQ(dnscache_get(c, cl, srv, 101 * SEC, name, sizeof(name)), 0, "get");
	ok &= EXPECT_STR(name, "example.com", "name");
	ok &= EXPECT_EQ(dnscache_get(c, cl2, srv, 101 * SEC, name, sizeof(name)), -ENOENT, "other client");
	ok &= EXPECT_EQ(dnscache_put(c, cl, srv, "www.example.org", 60, 102 * SEC), 0, "replace");
	ok &= EXPECT_EQ(dnscache_count(c), 2, "count after replace");
	ok &= EXPECT_EQ(dnscache_get(c, cl, srv, 103 * SEC, name, sizeof(name)), 0, "get replaced");
	ok &= EXPECT_STR(name, "www.example.org", "replaced name");
	ok &= EXPECT_EQ(dnscache_get(c, cl, srv, 103 * SEC, name, 5), -ENOSPC, "small buffer");
	dnscache_free(c);
	dnscache_free(NULL);
	return ok;
}

/* Lifetime: clamp(TTL, min, max); defaults 10 s and 300 s. */
static bool test_cache_expiry(void)
{
	uint8_t cl[16], a[16], b[16], d[16];
	struct dnscache *c = NULL;
	char name[64];
	bool ok = true;

	v4("10.0.0.1", cl);
	v4("1.1.1.1", a);
	v4("2.2.2.2", b);
	v4("3.3.3.3", d);
	ok &= EXPECT_EQ(dnscache_new(&c, 4), 0, "new");
	dnscache_put(c, cl, a, "zero.ttl", 0, 0);
	dnscache_put(c, cl, b, "day.ttl", 86400, 0);
	dnscache_put(c, cl, d, "mid.ttl", 30, 0);
	ok &= EXPECT_EQ(dnscache_get(c, cl, a, 9 * SEC, name, sizeof(name)), 0, "TTL 0 lives 10 s");
	ok &= EXPECT_EQ(dnscache_get(c, cl, a, 10 * SEC, name, sizeof(name)), -ENOENT, "then expires");
	ok &= EXPECT_EQ(dnscache_count(c), 2, "expired entry reclaimed");
	ok &= EXPECT_EQ(dnscache_get(c, cl, d, 29 * SEC, name, sizeof(name)), 0, "TTL 30 at 29 s");
	ok &= EXPECT_EQ(dnscache_get(c, cl, d, 30 * SEC, name, sizeof(name)), -ENOENT, "TTL 30 at 30 s");
	ok &= EXPECT_EQ(dnscache_get(c, cl, b, 299 * SEC, name, sizeof(name)), 0, "TTL 1 day at 299 s");
	ok &= EXPECT_EQ(dnscache_get(c, cl, b, 300 * SEC, name, sizeof(name)), -ENOENT, "capped at 300 s");
	dnscache_set_ttl(c, 1, 3600);
	dnscache_put(c, cl, b, "day.ttl", 86400, 0);
	ok &= EXPECT_EQ(dnscache_get(c, cl, b, 3599 * SEC, name, sizeof(name)), 0, "max 3600");
	dnscache_free(c);
	return ok;
}

/* Full: the least recently used goes, and a get counts as a use. */
static bool test_cache_lru(void)
{
	uint8_t cl[16], addr[5][16];
	struct dnscache *c = NULL;
	char name[64], big[300];
	bool ok = true;
	int i;

	v4("10.0.0.1", cl);
	for (i = 0; i < 5; i++) {
		char s[32];

		snprintf(s, sizeof(s), "10.1.0.%d", i);
		v4(s, addr[i]);
	}
	ok &= EXPECT_EQ(dnscache_new(&c, 3), 0, "new");
	dnscache_put(c, cl, addr[0], "n0", 60, 0);
	dnscache_put(c, cl, addr[1], "n1", 60, 0);
	dnscache_put(c, cl, addr[2], "n2", 60, 0);
	ok &= EXPECT_EQ(dnscache_get(c, cl, addr[0], SEC, name, sizeof(name)), 0, "use n0");
	dnscache_put(c, cl, addr[3], "n3", 60, 2 * SEC); /* evicts n1 */
	ok &= EXPECT_EQ(dnscache_get(c, cl, addr[1], 3 * SEC, name, sizeof(name)), -ENOENT, "n1 evicted");
	ok &= EXPECT_EQ(dnscache_get(c, cl, addr[0], 3 * SEC, name, sizeof(name)), 0, "n0 kept");
	ok &= EXPECT_EQ(dnscache_get(c, cl, addr[2], 3 * SEC, name, sizeof(name)), 0, "n2 kept");
	dnscache_put(c, cl, addr[4], "n4", 60, 4 * SEC); /* evicts n3 */
	ok &= EXPECT_EQ(dnscache_get(c, cl, addr[3], 5 * SEC, name, sizeof(name)), -ENOENT, "n3 evicted");
	ok &= EXPECT_EQ(dnscache_count(c), 3, "count at cap");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ok &= EXPECT_EQ(dnscache_put(c, cl, addr[1], big, 60, 0), -ENAMETOOLONG, "name too long");
	dnscache_free(c);
	return ok;
}

/* Many clients and addresses through a small cache: count stays at cap, the newest are all there. */
static bool test_cache_churn(void)
{
	struct dnscache *c = NULL;
	uint8_t cl[16] = { 0 }, ad[16] = { 0 };
	char name[64];
	bool ok = true;
	int i, hits = 0;

	ok &= EXPECT_EQ(dnscache_new(&c, 1000), 0, "new");
	for (i = 0; i < 100000; i++) {
		cl[15] = (uint8_t)i, cl[14] = (uint8_t)(i >> 8);
		ad[13] = (uint8_t)(i * 7), ad[12] = (uint8_t)(i >> 16);
		snprintf(name, sizeof(name), "h%d", i);
		dnscache_put(c, cl, ad, name, 60, (uint64_t)i);
	}
	ok &= EXPECT_EQ(dnscache_count(c), 1000, "count");
	for (i = 100000 - 1000; i < 100000; i++) {
		char want[64];

		cl[15] = (uint8_t)i, cl[14] = (uint8_t)(i >> 8);
		ad[13] = (uint8_t)(i * 7), ad[12] = (uint8_t)(i >> 16);
		snprintf(want, sizeof(want), "h%d", i);
		hits += !dnscache_get(c, cl, ad, 100000, name, sizeof(name)) && !strcmp(name, want);
	}
	ok &= EXPECT_EQ(hits, 1000, "the last 1000 are all there");
	dnscache_free(c);
	return ok;
}

int main(void)
{
	RUN(test_good);
	RUN(test_bad);
	RUN(test_truncation_sweep);
	RUN(test_name_limits);
	RUN(test_name_text);
	RUN(test_mutations);
	RUN(test_captures);
	RUN(test_tcp_framing);
	RUN(test_cache_basic);
	RUN(test_cache_expiry);
	RUN(test_cache_lru);
	RUN(test_cache_churn);
	return test_failures != 0;
}
