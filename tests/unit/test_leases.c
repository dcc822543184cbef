/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_leases.c - device lines (--device and config form), conflicts, NAT port-range matching at its edges. */
#include <arpa/inet.h>

#include "test.h"
#include "flowtower/abi.h"
#include "ndp/leases.h"

TEST_MAIN_DEFINE;

/* Lines that parse, in both forms, with whatever spacing an operator types. */
static bool test_accepted(void)
{
	static const struct {
		const char *line;
		const char *name;
		uint8_t mac5, has_ipv4;
		uint16_t lo, hi;
	} cases[] = {
		{ "laptop,02:00:00:00:00:01,192.168.1.10,20000-20999", "laptop", 1, 1, 20000, 20999 },
		{ "phone = 02:00:00:00:00:02, 192.168.1.11, 21000 - 21999", "phone", 2, 1, 21000, 21999 },
		{ "  tv ,02-00-00-00-00-03,192.168.1.12,22000\r\n", "tv", 3, 1, 22000, 22000 },
		{ "Anna's tablet (2),02:00:00:00:00:0A", "Anna's tablet (2)", 10, 0, 0, 0 },
		{ "printer,02:00:00:00:00:0b,,1-1", "printer", 11, 0, 1, 1 },
		{ "nas,02:00:00:00:00:0c,10.0.0.2,", "nas", 12, 1, 0, 0 },
		{ "edge,02:00:00:00:00:0d,,65535", "edge", 13, 0, 65535, 65535 },
		{ "x,02:00:00:00:00:0e,172.16.0.1,23000-23000", "x", 14, 1, 23000, 23000 },
	};
	struct leases *l;
	char err[128];
	bool ok = true;
	size_t i;

	ok &= EXPECT_EQ(leases_new(&l), 0, "new");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lease *e;

		ok &= EXPECT_EQ(leases_parse_line(l, cases[i].line, err, sizeof(err)), 0, cases[i].line);
		ok &= EXPECT_STR(err, "", "no error text");
		e = leases_get(l, i);
		if (!EXPECT_TRUE(e, "line kept")) {
			ok = false;
			continue;
		}
		ok &= EXPECT_STR(e->name, cases[i].name, cases[i].line);
		ok &= EXPECT_EQ(e->mac[5], cases[i].mac5, cases[i].line);
		ok &= EXPECT_EQ(e->has_ipv4, cases[i].has_ipv4, cases[i].line);
		ok &= EXPECT_EQ(e->port_lo, cases[i].lo, cases[i].line);
		ok &= EXPECT_EQ(e->port_hi, cases[i].hi, cases[i].line);
	}
	ok &= EXPECT_EQ(leases_count(l), 8, "count");
	ok &= EXPECT_TRUE(leases_get(l, 8) == NULL, "past the end");
	/* blank lines and comments add nothing */
	ok &= EXPECT_EQ(leases_parse_line(l, "", err, sizeof(err)), 0, "empty");
	ok &= EXPECT_EQ(leases_parse_line(l, "   \t", err, sizeof(err)), 0, "blank");
	ok &= EXPECT_EQ(leases_parse_line(l, "# laptop,02:00:00:00:00:99", err, sizeof(err)), 0, "# comment");
	ok &= EXPECT_EQ(leases_parse_line(l, "; comment", err, sizeof(err)), 0, "; comment");
	/* the same line again (a config reloaded) is not a second line */
	ok &= EXPECT_EQ(leases_parse_line(l, cases[0].line, err, sizeof(err)), 0, "duplicate line");
	/* one device, a second range */
	ok &= EXPECT_EQ(leases_parse_line(l, "laptop,02:00:00:00:00:01,,30000-30099", err, sizeof(err)), 0, "2nd range");
	ok &= EXPECT_EQ(leases_count(l), 9, "count after");
	ok &= EXPECT_EQ(leases_parse_line(l, "z,02:00:00:00:00:0f", NULL, 0), 0, "no err buffer");
	leases_free(l);
	leases_free(NULL);
	return ok;
}

/* Hostile or mistyped lines are refused with a message that names the field; nothing is added. */
static bool test_refused(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *says;
	} cases[] = {
		{ "laptop", -EINVAL, "expected" },
		{ ",02:00:00:00:00:01", -EINVAL, "name" },
		{ "0123456789012345678901234567890123,02:00:00:00:00:01", -EINVAL, "name" },
		{ "a\"b,02:00:00:00:00:01", -EINVAL, "name" },
		{ "a\\b,02:00:00:00:00:01", -EINVAL, "name" },
		{ "a\x01" "b,02:00:00:00:00:01", -EINVAL, "name" },
		{ "caf\xc3\xa9,02:00:00:00:00:01", -EINVAL, "name" },
		{ "a,", -EINVAL, "MAC" },
		{ "a,02:00:00:00:00", -EINVAL, "MAC" },
		{ "a,02:00:00:00:00:01:02", -EINVAL, "MAC" },
		{ "a,02:00:00-00:00:01", -EINVAL, "MAC" },
		{ "a,02:00:00:00:00:0g", -EINVAL, "MAC" },
		{ "a,2:0:0:0:0:1", -EINVAL, "MAC" },
		{ "a,01:00:5e:00:00:01", -EINVAL, "unicast" },
		{ "a,ff:ff:ff:ff:ff:ff", -EINVAL, "unicast" },
		{ "a,00:00:00:00:00:00", -EINVAL, "unicast" },
		{ "a,02:00:00:00:00:01,192.168.1.256", -EINVAL, "IPv4" },
		{ "a,02:00:00:00:00:01,192.168.1", -EINVAL, "IPv4" },
		{ "a,02:00:00:00:00:01,2001:db8::1", -EINVAL, "IPv4" },
		{ "a,02:00:00:00:00:01,0.0.0.0", -EINVAL, "unicast" },
		{ "a,02:00:00:00:00:01,127.0.0.1", -EINVAL, "unicast" },
		{ "a,02:00:00:00:00:01,224.0.0.1", -EINVAL, "unicast" },
		{ "a,02:00:00:00:00:01,255.255.255.255", -EINVAL, "unicast" },
		{ "a,02:00:00:00:00:01,10.0.0.1,0", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,65536", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,100000", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,2000-1000", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,1000-", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,-1000", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,-", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,+100", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,1e3", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,0x10", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,1-2-3", -EINVAL, "port range" },
		{ "a,02:00:00:00:00:01,10.0.0.1,1000-2000,x", -EINVAL, "too many" },
		{ "a = 02:00:00:00:00:01 = 10.0.0.1", -EINVAL, "MAC" },
	};
	struct leases *l;
	char err[128];
	bool ok = true;
	size_t i;

	leases_new(&l);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok &= EXPECT_EQ(leases_parse_line(l, cases[i].line, err, sizeof(err)), cases[i].rc, cases[i].line);
		ok &= EXPECT_TRUE(strstr(err, cases[i].says), cases[i].line);
	}
	{
		char big[1024];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok &= EXPECT_EQ(leases_parse_line(l, big, err, sizeof(err)), -EINVAL, "1023-byte line");
		ok &= EXPECT_TRUE(strstr(err, "longer"), "says so");
	}
	ok &= EXPECT_EQ(leases_parse_line(l, NULL, err, sizeof(err)), -EINVAL, "NULL line");
	ok &= EXPECT_EQ(leases_parse_line(NULL, "a,02:00:00:00:00:01", err, sizeof(err)), -EINVAL, "NULL leases");
	ok &= EXPECT_EQ(leases_parse_line(l, "a,02:00:00:00:00:01,,x", err, 4), -EINVAL, "short err buffer");
	ok &= EXPECT_EQ(strlen(err), 3, "truncated message");
	ok &= EXPECT_EQ(leases_count(l), 0, "nothing added");
	leases_free(l);
	return ok;
}

/* Whatever would make a flow's device ambiguous is refused. */
static bool test_conflicts(void)
{
	struct leases *l;
	char err[128];
	bool ok = true;

	leases_new(&l);
	ok &= EXPECT_EQ(leases_parse_line(l, "a,02:00:00:00:00:01,192.168.1.10,1000-1999", err, sizeof(err)), 0, "a");
	ok &= EXPECT_EQ(leases_parse_line(l, "a,02:00:00:00:00:02", err, sizeof(err)), -EEXIST, "name, other MAC");
	ok &= EXPECT_TRUE(strstr(err, "already configured"), err);
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:01", err, sizeof(err)), -EEXIST, "MAC, other name");
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,192.168.1.10", err, sizeof(err)), -EEXIST,
			"address of another device");
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,,1999-2500", err, sizeof(err)), -EEXIST,
			"overlap by one port");
	ok &= EXPECT_TRUE(strstr(err, "overlap"), err);
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,,500-5000", err, sizeof(err)), -EEXIST, "covering");
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,,1500", err, sizeof(err)), -EEXIST, "inside");
	ok &= EXPECT_EQ(leases_parse_line(l, "a,02:00:00:00:00:01,,1500-2500", err, sizeof(err)), -EEXIST,
			"overlap within one device");
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,,2000-2999", err, sizeof(err)), 0, "adjacent");
	ok &= EXPECT_EQ(leases_parse_line(l, "b,02:00:00:00:00:02,,999", err, sizeof(err)), 0, "adjacent below");
	ok &= EXPECT_EQ(leases_count(l), 3, "three lines");
	ok &= EXPECT_EQ(leases_add_public(l, "203.0.113.5", err, sizeof(err)), 0, "public");
	ok &= EXPECT_EQ(leases_add_public(l, "203.0.113.5", err, sizeof(err)), 0, "public twice");
	ok &= EXPECT_EQ(leases_add_public(l, "2001:db8::1", err, sizeof(err)), -EINVAL, "public IPv6");
	ok &= EXPECT_EQ(leases_add_public(l, "224.1.1.1", err, sizeof(err)), -EINVAL, "public multicast");
	ok &= EXPECT_EQ(leases_add_public(l, NULL, err, sizeof(err)), -EINVAL, "public NULL");
	leases_free(l);
	return ok;
}

static struct flow_key key4(const char *a, uint16_t pa, const char *b, uint16_t pb, uint8_t proto)
{
	struct flow_key k = { .proto = proto, .ip_version = 4 };

	((uint8_t *)k.addr_a)[10] = ((uint8_t *)k.addr_a)[11] = 0xff;
	((uint8_t *)k.addr_b)[10] = ((uint8_t *)k.addr_b)[11] = 0xff;
	inet_pton(AF_INET, a, &k.addr_a[3]);
	inet_pton(AF_INET, b, &k.addr_b[3]);
	k.port_a = htons(pa);
	k.port_b = htons(pb);
	return k;
}

/* Port ranges at their edges, on which address, for which protocols, on either side of the key. */
static bool test_match(void)
{
	static const struct {
		const char *what;
		const char *local;
		uint16_t port;
		uint8_t proto;
		int want; /* 0: none, else the MAC's last byte */
	} cases[] = {
		{ "range start", "203.0.113.5", 20000, 6, 1 },
		{ "range end", "203.0.113.5", 20999, 6, 1 },
		{ "below the range", "203.0.113.5", 19999, 6, 0 },
		{ "between ranges", "203.0.113.5", 21000, 6, 0 },
		{ "second device's start", "203.0.113.5", 21001, 17, 2 },
		{ "second device's end", "203.0.113.5", 21999, 17, 2 },
		{ "above every range", "203.0.113.5", 65535, 6, 0 },
		{ "a second range of the first", "203.0.113.5", 30050, 6, 1 },
		{ "single-port range", "203.0.113.5", 40000, 6, 3 },
		{ "single-port range + 1", "203.0.113.5", 40001, 6, 0 },
		{ "port 1", "203.0.113.5", 1, 6, 4 },
		{ "port 0", "203.0.113.5", 0, 6, 0 },
		{ "UDP-Lite", "203.0.113.5", 20001, 136, 1 },
		{ "SCTP", "203.0.113.5", 20001, 132, 1 },
		{ "ICMP: ports are type and code", "203.0.113.5", 20001, 1, 0 },
		{ "GRE: no ports", "203.0.113.5", 20001, 47, 0 },
		{ "not the public address", "203.0.113.6", 20001, 6, 0 },
		{ "private address: any port", "192.168.1.11", 5, 6, 2 },
		{ "private address: any protocol", "192.168.1.11", 0, 1, 2 },
		{ "unknown private address", "192.168.1.99", 20001, 6, 0 },
	};
	struct leases *l;
	const char *name;
	uint8_t mac[6];
	bool ok = true;
	size_t i;

	leases_new(&l);
	leases_parse_line(l, "laptop,02:00:00:00:00:01,192.168.1.10,20000-20999", NULL, 0);
	leases_parse_line(l, "phone,02:00:00:00:00:02,192.168.1.11,21001-21999", NULL, 0);
	leases_parse_line(l, "laptop,02:00:00:00:00:01,,30000-30099", NULL, 0);
	leases_parse_line(l, "cam,02:00:00:00:00:03,,40000", NULL, 0);
	leases_parse_line(l, "low,02:00:00:00:00:04,,1-10", NULL, 0);
	leases_add_public(l, "203.0.113.5", NULL, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* local on side a (outbound from the lower address) and on side b (inbound) */
		struct flow_key ka = key4(cases[i].local, cases[i].port, "198.51.100.1", 443, cases[i].proto);
		struct flow_key kb = key4("1.1.1.1", 53, cases[i].local, cases[i].port, cases[i].proto);
		int rc;

		memset(mac, 0, sizeof(mac));
		name = NULL;
		rc = leases_match(l, &ka, SIDE_A, mac, &name);
		ok &= EXPECT_EQ(rc ? mac[5] : 0, cases[i].want, cases[i].what);
		ok &= EXPECT_EQ(rc, !!cases[i].want, cases[i].what);
		if (rc)
			ok &= EXPECT_STR(name, leases_name(l, mac), "name belongs to the MAC");
		rc = leases_match(l, &kb, SIDE_B, mac, NULL);
		ok &= EXPECT_EQ(rc ? mac[5] : 0, cases[i].want, cases[i].what);
		ok &= EXPECT_EQ(leases_match(l, &ka, SIDE_B, mac, NULL), 0, "the remote side is nobody's");
	}
	{
		struct flow_key k = key4("203.0.113.5", 20001, "198.51.100.1", 443, 6);

		ok &= EXPECT_EQ(leases_match(l, &k, 2, mac, NULL), 0, "side 2");
		k.ip_version = 6;
		ok &= EXPECT_EQ(leases_match(l, &k, SIDE_A, mac, NULL), 0, "IPv6 key");
		ok &= EXPECT_EQ(leases_match(NULL, &k, SIDE_A, mac, NULL), 0, "no leases");
	}
	ok &= EXPECT_STR(leases_name(l, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 }), "phone", "name by MAC");
	ok &= EXPECT_TRUE(leases_name(l, (const uint8_t[6]){ 2, 0, 0, 0, 0, 9 }) == NULL, "unknown MAC");
	leases_free(l);
	return ok;
}

/* Without a public address, ranges apply to local addresses that are not private (RFC 1918, 6598, 3927). */
static bool test_match_no_public(void)
{
	static const struct {
		const char *addr;
		int want;
	} cases[] = {
		{ "203.0.113.5", 1 }, { "198.51.100.77", 1 }, { "10.1.2.3", 0 },  { "172.16.0.1", 0 },
		{ "172.31.255.1", 0 }, { "172.32.0.1", 1 },   { "192.168.0.1", 0 }, { "100.64.0.1", 0 },
		{ "100.127.0.1", 0 },  { "100.128.0.1", 1 },  { "169.254.1.1", 0 },
	};
	struct leases *l;
	uint8_t mac[6];
	bool ok = true;
	size_t i;

	leases_new(&l);
	leases_parse_line(l, "laptop,02:00:00:00:00:01,,20000-20999", NULL, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct flow_key k = key4(cases[i].addr, 20500, "8.8.8.8", 53, 17);

		ok &= EXPECT_EQ(leases_match(l, &k, SIDE_A, mac, NULL), cases[i].want, cases[i].addr);
	}
	leases_free(l);
	return ok;
}

/* Ranges inserted in any order are found by the binary search; the table is bounded. */
static bool test_many(void)
{
	struct leases *l;
	char line[96], err[128];
	uint8_t mac[6];
	bool ok = true;
	int i, rc = 0;

	leases_new(&l);
	for (i = LEASES_MAX - 1; i >= 0 && !rc; i--) {
		snprintf(line, sizeof(line), "d%d,02:00:00:00:%02x:%02x,,%d-%d", i, i >> 8, i & 0xff, 1 + i * 16,
			 i * 16 + 15);
		rc = leases_parse_line(l, line, err, sizeof(err));
	}
	ok &= EXPECT_EQ(rc, 0, "4096 lines");
	ok &= EXPECT_EQ(leases_parse_line(l, "extra,02:00:00:01:00:00", err, sizeof(err)), -ENOSPC, "4097th");
	for (i = 0; i < LEASES_MAX; i += 511) {
		struct flow_key k = key4("203.0.113.5", (uint16_t)(1 + i * 16 + 7), "8.8.8.8", 53, 17);

		ok &= EXPECT_EQ(leases_match(l, &k, SIDE_A, mac, NULL), 1, "found");
		ok &= EXPECT_EQ(mac[4] << 8 | mac[5], i, "the right one");
	}
	leases_free(l);
	return ok;
}

int main(void)
{
	RUN(test_accepted);
	RUN(test_refused);
	RUN(test_conflicts);
	RUN(test_match);
	RUN(test_match_no_public);
	RUN(test_many);
	return test_failures != 0;
}
