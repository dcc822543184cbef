// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_prefix.c - local prefixes: parsing, masking, membership, formatting. */
#include "flow/prefix.h"
#include "test.h"

TEST_MAIN_DEFINE;

static bool matches(const struct prefix_set *s, const char *addr)
{
	struct prefix p;

	prefix_parse(addr, &p);
	return prefix_set_match(s, p.addr);
}

static bool test_parse_and_match(void)
{
	struct prefix_set s = {};
	struct prefix p;
	char buf[64];
	bool ok = true;

	ok &= EXPECT_EQ(prefix_parse("192.0.2.77/24", &p), 0, "v4 prefix");
	ok &= EXPECT_STR(prefix_format(&p, buf, sizeof(buf)), "192.0.2.0/24", "host bits masked");
	prefix_set_add(&s, &p);
	ok &= EXPECT_EQ(prefix_parse("2001:db8:abcd:12::/60", &p), 0, "v6 prefix");
	ok &= EXPECT_STR(prefix_format(&p, buf, sizeof(buf)), "2001:db8:abcd:10::/60", "v6 masked");
	prefix_set_add(&s, &p);
	ok &= EXPECT_EQ(prefix_parse("203.0.113.9", &p), 0, "bare address");
	ok &= EXPECT_STR(prefix_format(&p, buf, sizeof(buf)), "203.0.113.9/32", "host prefix");
	prefix_set_add(&s, &p);
	ok &= EXPECT_TRUE(matches(&s, "192.0.2.200"), "inside /24");
	ok &= EXPECT_TRUE(!matches(&s, "192.0.3.1"), "outside /24");
	ok &= EXPECT_TRUE(matches(&s, "2001:db8:abcd:1f::1"), "inside /60");
	ok &= EXPECT_TRUE(!matches(&s, "2001:db8:abcd:20::1"), "outside /60");
	ok &= EXPECT_TRUE(matches(&s, "203.0.113.9"), "host");
	ok &= EXPECT_TRUE(!matches(&s, "203.0.113.8"), "not the host");
	ok &= EXPECT_EQ(prefix_parse("10.0.0.0/33", &p), -EINVAL, "v4 length > 32");
	ok &= EXPECT_EQ(prefix_parse("10.0.0.0/", &p), -EINVAL, "empty length");
	ok &= EXPECT_EQ(prefix_parse("10.0.0.0/8x", &p), -EINVAL, "junk length");
	ok &= EXPECT_EQ(prefix_parse("bogus", &p), -EINVAL, "not an address");
	ok &= EXPECT_EQ(prefix_parse("::/129", &p), -EINVAL, "v6 length > 128");
	return ok;
}

int main(void)
{
	RUN(test_parse_and_match);
	return test_failures != 0;
}
