/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_ndp.c - RFC 4861 message/option decoding, validation, hostile lengths, real captures vs truth.json. */
#include <arpa/inet.h>
#include <errno.h>

#include "test.h"
#include "ndp/ndp_decode.h"

TEST_MAIN_DEFINE;

/* A message under test: bytes plus the IPv6 header fields the caller would pass. */
struct vec {
	uint8_t b[512];
	int n;
	struct ndp_ip ip;
};

/* Independent ICMPv6 checksum (RFC 4443 2.3): sum of 16-bit words, pseudo-header first. */
static uint16_t icmp6_csum(const struct ndp_ip *ip, const uint8_t *p, size_t n)
{
	uint32_t sum = 58 + (uint32_t)n;
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(ip->src[i] << 8 | ip->src[i + 1]) + (uint32_t)(ip->dst[i] << 8 | ip->dst[i + 1]);
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void fix_csum(struct vec *v)
{
	uint16_t c;

	if (v->n < 4)
		return;
	v->b[2] = v->b[3] = 0;
	c = icmp6_csum(&v->ip, v->b, (size_t)v->n);
	v->b[2] = (uint8_t)(c >> 8);
	v->b[3] = (uint8_t)c;
}

/* Build a vector from hex with a correct checksum (bytes 2-3 of hex are overwritten). */
static struct vec mkv(const char *src, const char *dst, int hlim, const char *hex)
{
	struct vec v;

	memset(&v, 0, sizeof(v));
	if (inet_pton(AF_INET6, src, v.ip.src) != 1 || inet_pton(AF_INET6, dst, v.ip.dst) != 1)
		abort();
	v.ip.hop_limit = (uint8_t)hlim;
	v.n = test_hex(hex, v.b, sizeof(v.b));
	if (v.n < 0)
		abort();
	fix_csum(&v);
	return v;
}

/* Decode exactly n bytes from a heap copy, so ASan sees any read past the end. */
static int dec_n(const struct vec *v, size_t n, struct ndp_msg *m)
{
	uint8_t *p = malloc(n ? n : 1);
	struct pkt_cursor c;
	int rc;

	memcpy(p, v->b, n);
	c = cur_make(p, n);
	rc = ndp_decode(&c, &v->ip, m);
	if ((rc == 0 && c.pos != p + n) || (rc < 0 && c.pos != p))
		rc = -1000; /* success consumes the whole message; an error moves nothing */
	free(p);
	return rc;
}

static int dec(const struct vec *v, struct ndp_msg *m)
{
	return dec_n(v, (size_t)v->n, m);
}

static bool addr_is(const uint8_t a[16], const char *want, const char *what)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	return EXPECT_STR(s, want, what);
}

static void mac_str(const uint8_t m[6], char *s)
{
	sprintf(s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static bool mac_is(const uint8_t m[6], const char *want, const char *what)
{
	char s[18];

	mac_str(m, s);
	return EXPECT_STR(s, want, what);
}

/* ndp_learned() gives want_addr/want_mac, or nothing when want_addr is NULL. */
static bool learned_is(const struct ndp_msg *m, const char *want_addr, const char *want_mac)
{
	uint8_t a[16], mac[6];
	int rc = ndp_learned(m, a, mac);
	bool ok = EXPECT_EQ(rc, want_addr ? 1 : 0, "learned");

	if (ok && want_addr) {
		ok &= addr_is(a, want_addr, "learned address");
		ok &= mac_is(mac, want_mac, "learned mac");
	}
	return ok;
}

/* Router Solicitation (4.1, 6.1.1): SLLA teaches the source; none allowed from "::". */
static bool test_rs(void)
{
	struct vec v = mkv("fe80::1", "ff02::2", 255, "85000000 00000000 0101001122334455");
	struct ndp_msg m;
	bool ok = true;

	ok &= EXPECT_EQ(dec(&v, &m), 0, "rs");
	ok &= EXPECT_EQ(m.type, NDP_RS, "type");
	ok &= EXPECT_EQ(m.has_src_lla, 1, "slla");
	ok &= mac_is(m.src_lla, "00:11:22:33:44:55", "slla value");
	ok &= addr_is(m.src, "fe80::1", "src copied");
	ok &= learned_is(&m, "fe80::1", "00:11:22:33:44:55");

	v = mkv("::", "ff02::2", 255, "85000000 00000000");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "rs from ::");
	ok &= learned_is(&m, NULL, NULL);
	v = mkv("::", "ff02::2", 255, "85000000 00000000 0101001122334455");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "rs from :: with slla");
	return ok;
}

#define RA_HDR "86000000 40c00708 00007530 000003e8"
#define RA_SLLA "010102aabbccddee"
#define RA_MTU "05010000000005dc"
#define PIO1 "030440c0 00278d00 00093a80 00000000 20010db8000000010000000000000000"
#define PIO2 "03043080 ffffffff ffffffff 00000000 20010db8abcd00000000000000000000"
#define RDNSS "19030000 00000e10 20014860486000000000000000008888"

/* Router Advertisement (4.2, 6.1.2) with every option it can carry and one it does not know. */
static bool test_ra(void)
{
	struct vec v = mkv("fe80::1", "ff02::1", 255, RA_HDR RA_SLLA RA_MTU PIO1 RDNSS PIO2);
	struct ndp_msg m;
	bool ok = true;

	ok &= EXPECT_EQ(dec(&v, &m), 0, "ra");
	ok &= EXPECT_EQ(m.type, NDP_RA, "type");
	ok &= EXPECT_EQ(m.cur_hop_limit, 64, "cur hop limit");
	ok &= EXPECT_EQ(m.flags, NDP_RA_MANAGED | NDP_RA_OTHER, "M|O");
	ok &= EXPECT_EQ(m.router_lifetime, 1800, "router lifetime");
	ok &= EXPECT_EQ(m.reachable_time, 30000, "reachable");
	ok &= EXPECT_EQ(m.retrans_timer, 1000, "retrans");
	ok &= EXPECT_EQ(m.has_src_lla, 1, "slla");
	ok &= mac_is(m.src_lla, "02:aa:bb:cc:dd:ee", "slla value");
	ok &= EXPECT_EQ(m.has_mtu, 1, "mtu present");
	ok &= EXPECT_EQ(m.mtu, 1500, "mtu");
	ok &= EXPECT_EQ(m.n_prefixes, 2, "prefixes");
	ok &= addr_is(m.prefixes[0].prefix, "2001:db8:0:1::", "prefix 0");
	ok &= EXPECT_EQ(m.prefixes[0].len, 64, "len 0");
	ok &= EXPECT_EQ(m.prefixes[0].flags, NDP_PFX_ONLINK | NDP_PFX_AUTO, "L|A 0");
	ok &= EXPECT_EQ(m.prefixes[0].valid, 2592000, "valid 0");
	ok &= EXPECT_EQ(m.prefixes[0].preferred, 604800, "preferred 0");
	ok &= addr_is(m.prefixes[1].prefix, "2001:db8:abcd::", "prefix 1");
	ok &= EXPECT_EQ(m.prefixes[1].len, 48, "len 1");
	ok &= EXPECT_EQ(m.prefixes[1].flags, NDP_PFX_ONLINK, "L 1");
	ok &= EXPECT_EQ(m.prefixes[1].valid, 0xffffffffu, "infinite");
	ok &= EXPECT_EQ(m.prefixes_dropped, 0, "none dropped");
	ok &= EXPECT_EQ(m.opts_ignored, 1, "RDNSS skipped by length");
	ok &= learned_is(&m, "fe80::1", "02:aa:bb:cc:dd:ee");

	/* 6.1.2: the source must be link-local. */
	v = mkv("2001:db8::1", "ff02::1", 255, RA_HDR RA_SLLA);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "ra from global source");
	/* Unusable known options are skipped: PIO of length 3, prefix length 129, MTU of length 2. */
	v = mkv("fe80::1", "ff02::1", 255,
		RA_HDR "030340c0 00278d00 00093a80 00000000 20010db800000001"
		       "0304 81c0 00278d00 00093a80 00000000 20010db8000000010000000000000000"
		       "05020000 000005dc 00000000 00000000");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "ra with bad options");
	ok &= EXPECT_EQ(m.n_prefixes, 0, "no prefix");
	ok &= EXPECT_EQ(m.has_mtu, 0, "no mtu");
	ok &= EXPECT_EQ(m.opts_ignored, 3, "three ignored");
	ok &= learned_is(&m, NULL, NULL);
	return ok;
}

/* More than NDP_MAX_PREFIXES Prefix Information options: the first eight are kept, the rest counted. */
static bool test_ra_many_prefixes(void)
{
	char hex[2048] = RA_HDR;
	struct vec v;
	struct ndp_msg m;
	bool ok = true;
	int i;

	for (i = 0; i < 10; i++)
		sprintf(hex + strlen(hex), "030440c0 00000010 00000008 00000000 20010db8%04x0000 0000000000000000", i);
	v = mkv("fe80::1", "ff02::1", 255, hex);
	ok &= EXPECT_EQ(dec(&v, &m), 0, "ra");
	ok &= EXPECT_EQ(m.n_prefixes, NDP_MAX_PREFIXES, "kept");
	ok &= EXPECT_EQ(m.prefixes_dropped, 2, "dropped");
	ok &= addr_is(m.prefixes[7].prefix, "2001:db8:7::", "eighth");
	ok &= EXPECT_EQ(m.prefixes[7].valid, 16, "valid");
	ok &= EXPECT_EQ(m.prefixes[7].preferred, 8, "preferred");
	return ok;
}

#define NS_T "20010db8000000000000000000000001"

/* Neighbor Solicitation (4.3, 7.1.1), with duplicate address detection from "::". */
static bool test_ns(void)
{
	struct vec v = mkv("2001:db8::2", "ff02::1:ff00:1", 255, "87000000 00000000" NS_T "0101001122334455");
	struct ndp_msg m;
	bool ok = true;

	ok &= EXPECT_EQ(dec(&v, &m), 0, "ns");
	ok &= EXPECT_EQ(m.type, NDP_NS, "type");
	ok &= addr_is(m.target, "2001:db8::1", "target");
	ok &= EXPECT_EQ(m.flags, 0, "no flags");
	ok &= learned_is(&m, "2001:db8::2", "00:11:22:33:44:55"); /* 7.2.3: the source, not the target */

	v = mkv("::", "ff02::1:ff00:1", 255, "87000000 00000000" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), 0, "dad ns");
	ok &= learned_is(&m, NULL, NULL);
	v = mkv("::", "ff02::1:ff00:1", 255, "87000000 00000000" NS_T "0101001122334455");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "dad ns with slla");
	v = mkv("::", "ff02::1:ff00:1", 255, "87000000 00000000" NS_T "0102 0011223344556677 000000000000");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "dad ns with a long slla");
	v = mkv("::", "ff02::1", 255, "87000000 00000000" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "dad ns not to solicited-node");
	v = mkv("::", "2001:db8::1", 255, "87000000 00000000" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "dad ns to unicast");
	v = mkv("fe80::2", "fe80::1", 255, "87000000 00000000 ff020000000000000000000000000001");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "multicast target");
	/* A Target LLA does not belong in an NS: ignored (4.6.1). */
	v = mkv("fe80::2", "fe80::1", 255, "87000000 00000000" NS_T "0201001122334455");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "ns with tlla");
	ok &= EXPECT_EQ(m.has_tgt_lla, 0, "tlla ignored");
	ok &= EXPECT_EQ(m.opts_ignored, 1, "counted");
	return ok;
}

/* Neighbor Advertisement (4.4, 7.1.2): flags, the first TLLA, and what it teaches (7.2.5). */
static bool test_na(void)
{
	struct vec v = mkv("2001:db8::1", "2001:db8::2", 255,
			   "88000000 e0000000" NS_T "0201 66778899aabb 0201 010203040506 0101 0a0b0c0d0e0f");
	struct ndp_msg m;
	bool ok = true;

	ok &= EXPECT_EQ(dec(&v, &m), 0, "na");
	ok &= EXPECT_EQ(m.type, NDP_NA, "type");
	ok &= EXPECT_EQ(m.flags, NDP_NA_ROUTER | NDP_NA_SOLICITED | NDP_NA_OVERRIDE, "R|S|O");
	ok &= addr_is(m.target, "2001:db8::1", "target");
	ok &= EXPECT_EQ(m.has_tgt_lla, 1, "tlla");
	ok &= mac_is(m.tgt_lla, "66:77:88:99:aa:bb", "first tlla wins");
	ok &= EXPECT_EQ(m.has_src_lla, 0, "slla does not belong in an NA");
	ok &= EXPECT_EQ(m.opts_ignored, 1, "slla ignored");
	ok &= learned_is(&m, "2001:db8::1", "66:77:88:99:aa:bb");

	/* Reserved bits after R|S|O are not flags. */
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 3fffffff" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), 0, "reserved bits");
	ok &= EXPECT_EQ(m.flags, NDP_NA_OVERRIDE, "only O");
	ok &= learned_is(&m, NULL, NULL);
	v = mkv("2001:db8::1", "ff02::1", 255, "88000000 40000000" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "solicited to multicast");
	v = mkv("2001:db8::1", "ff02::1", 255, "88000000 a0000000" NS_T);
	ok &= EXPECT_EQ(dec(&v, &m), 0, "unsolicited to multicast");
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 60000000 ff020000000000000000000000000001");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "multicast target");
	/* A TLLA of another link layer (length 2) is not a MAC. */
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 60000000" NS_T "0202 0011223344556677 000000000000");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "long tlla");
	ok &= EXPECT_EQ(m.has_tgt_lla, 0, "not kept");
	ok &= learned_is(&m, NULL, NULL);
	/* Nothing is learned from a multicast or all-zero MAC, or for "::". */
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 60000000" NS_T "0201 0100 5e000001");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "multicast mac");
	ok &= learned_is(&m, NULL, NULL);
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 60000000" NS_T "0201 000000000000");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "zero mac");
	ok &= learned_is(&m, NULL, NULL);
	v = mkv("2001:db8::1", "2001:db8::2", 255, "88000000 60000000 00000000000000000000000000000000 0201 020000000001");
	ok &= EXPECT_EQ(dec(&v, &m), 0, "unspecified target");
	ok &= learned_is(&m, NULL, NULL);
	return ok;
}

#define RD_T "fe800000000000000000000000000002"
#define RD_D "20010db8000100000000000000000009"
#define RD_HDR "60000000 00083a40 20010db8000000000000000000000005 20010db8000100000000000000000009"

/* Redirect (4.5, 8.1): target, destination, TLLA and the Redirected Header. */
static bool test_redirect(void)
{
	struct vec v = mkv("fe80::1", "2001:db8::5", 255,
			   "89000000 00000000" RD_T RD_D "0201 66778899aabb 0406 000000000000" RD_HDR);
	struct ndp_msg m;
	bool ok = true;

	ok &= EXPECT_EQ(dec(&v, &m), 0, "redirect");
	ok &= EXPECT_EQ(m.type, NDP_REDIRECT, "type");
	ok &= addr_is(m.target, "fe80::2", "target");
	ok &= addr_is(m.dest, "2001:db8:1::9", "destination");
	ok &= EXPECT_EQ(m.has_redirected, 1, "redirected header");
	ok &= mac_is(m.tgt_lla, "66:77:88:99:aa:bb", "tlla");
	ok &= EXPECT_EQ(m.opts_ignored, 0, "none ignored");
	ok &= learned_is(&m, "fe80::2", "66:77:88:99:aa:bb");

	/* The destination itself is on-link: target == destination, not link-local. */
	v = mkv("fe80::1", "2001:db8::5", 255, "89000000 00000000" RD_D RD_D);
	ok &= EXPECT_EQ(dec(&v, &m), 0, "on-link destination");
	v = mkv("fe80::1", "2001:db8::5", 255, "89000000 00000000 20010db8000000000000000000000007" RD_D);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "global target != destination");
	v = mkv("fe80::1", "2001:db8::5", 255, "89000000 00000000" RD_T "ff020000000000000000000000000001");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "multicast destination");
	v = mkv("2001:db8::1", "2001:db8::5", 255, "89000000 00000000" RD_T RD_D);
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "global source");
	return ok;
}

/* Valid messages of every type, for the generic checks below. */
static const struct {
	const char *src, *dst, *hex;
} valid[] = {
	{ "fe80::1", "ff02::2", "85000000 00000000 0101001122334455" },
	{ "fe80::1", "ff02::1", RA_HDR RA_SLLA RA_MTU PIO1 RDNSS PIO2 },
	{ "2001:db8::2", "ff02::1:ff00:1", "87000000 00000000" NS_T "0101001122334455" },
	{ "::", "ff02::1:ff00:1", "87000000 00000000" NS_T },
	{ "2001:db8::1", "2001:db8::2", "88000000 e0000000" NS_T "0201 66778899aabb 0101 0a0b0c0d0e0f" },
	{ "fe80::1", "2001:db8::5", "89000000 00000000" RD_T RD_D "0201 66778899aabb 0406 000000000000" RD_HDR },
};
#define N_VALID (sizeof(valid) / sizeof(valid[0]))

/* 6.1.1/6.1.2/7.1.1/7.1.2/8.1: hop limit 255 and code 0 for every type; checksum must verify. */
static bool test_hop_limit_code_csum(void)
{
	static const int bad_hops[] = { 0, 1, 64, 254 };
	struct ndp_msg m;
	bool ok = true;
	size_t i, j;

	for (i = 0; i < N_VALID; i++) {
		struct vec v = mkv(valid[i].src, valid[i].dst, 255, valid[i].hex);

		ok &= EXPECT_EQ(dec(&v, &m), 0, "valid");
		for (j = 0; j < sizeof(bad_hops) / sizeof(bad_hops[0]); j++) {
			v.ip.hop_limit = (uint8_t)bad_hops[j];
			ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "hop limit not 255");
		}
		v.ip.hop_limit = 255;
		v.b[1] = 1;
		fix_csum(&v);
		ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "code 1");
		v.b[1] = 0;
		fix_csum(&v);
		v.b[3] ^= 0x01;
		ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "checksum");
		v.b[3] ^= 0x01;
		v.ip.src[15] ^= 0x80; /* the pseudo-header is covered too */
		ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "checksum over the pseudo-header");
	}
	return ok;
}

/* Hostile lengths: option length 0 anywhere, options past the end, stray bytes, short messages. */
static bool test_hostile_lengths(void)
{
	struct ndp_msg m;
	struct vec v;
	bool ok = true;

	v = mkv("fe80::1", "ff02::1", 255, RA_HDR "0100 aabbccddeeff");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "option length 0");
	v = mkv("fe80::1", "ff02::1", 255, RA_HDR RA_SLLA "1900 000000000000");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "unknown option of length 0 after a good one");
	v = mkv("fe80::1", "ff02::1", 255, RA_HDR "0300");
	ok &= EXPECT_EQ(dec(&v, &m), -EBADMSG, "length 0 with nothing after it");
	v = mkv("fe80::1", "ff02::1", 255, RA_HDR "0302 00000000 00000000 0000");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "option claims 16, 14 left");
	v = mkv("fe80::1", "ff02::1", 255, RA_HDR "19ff 0000");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "option claims 2040");
	v = mkv("fe80::1", "ff02::1", 255, RA_HDR RA_SLLA "01");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "one stray byte");
	v = mkv("fe80::1", "ff02::1", 255, "86000000 40c00708 00007530 000003");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "ra of 15");
	v = mkv("fe80::1", "ff02::2", 255, "85000000 000000");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "rs of 7");
	v = mkv("fe80::1", "2001:db8::5", 255, "89000000 00000000" RD_T "20010db80001000000000000000000");
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "redirect of 39");
	v.n = 0;
	ok &= EXPECT_EQ(dec(&v, &m), -ENODATA, "empty");
	v = mkv("fe80::1", "ff02::1", 255, "80000000 12340001");
	ok &= EXPECT_EQ(dec(&v, &m), -EPROTONOSUPPORT, "echo request");
	v = mkv("fe80::1", "ff02::16", 1, "8f000000 00000001 04000000 ff020000000000000000000000000002");
	ok &= EXPECT_EQ(dec(&v, &m), -EPROTONOSUPPORT, "MLDv2 report");
	v = mkv("fe80::1", "ff02::1", 255, "8a");
	ok &= EXPECT_EQ(dec(&v, &m), -EPROTONOSUPPORT, "type 138, one byte");
	return ok;
}

/*
 * Truncation sweep: every prefix of every valid message, in an exactly sized heap buffer.
 * With the checksum left as it was, nothing short decodes; with the checksum fixed for the
 * shorter bytes, a cut on an option boundary is a valid message and any other cut is -ENODATA.
 */
static bool test_truncation_sweep(void)
{
	struct ndp_msg m;
	bool ok = true;
	size_t i;
	int k;

	for (i = 0; i < N_VALID && ok; i++) {
		struct vec full = mkv(valid[i].src, valid[i].dst, 255, valid[i].hex);
		int min = full.b[0] == 133 ? 8 : full.b[0] == 134 ? 16 : full.b[0] == 137 ? 40 : 24;
		int bound = min;

		for (k = 0; k < full.n && ok; k++) {
			struct vec v = full;
			int rc = dec_n(&v, (size_t)k, &m);

			ok &= EXPECT_TRUE(rc == -ENODATA || rc == -EBADMSG, "short, checksum as sent");
			v.n = k;
			fix_csum(&v);
			rc = dec_n(&v, (size_t)k, &m);
			while (k > bound)
				bound += full.b[bound + 1] * 8;
			ok &= EXPECT_EQ(rc, k == bound ? 0 : -ENODATA, "short, checksum fixed");
		}
	}
	return ok;
}

/*
 * Real messages: the ICMPv6 bytes of every ICMPv6 frame of two zeek captures, extracted from the
 * IPv6 payload with scapy (ext headers walked), with tshark's decoding from truth.json ("ndp":
 * type, target, src_lladdr, target_lladdr, NA flags r/s/o, RA prefixes). Frames with a NULL type
 * are MLD, which tshark does not list as NDP: they must be -EPROTONOSUPPORT.
 */
static const struct {
	const char *file;
	int frame;
	const char *src, *dst;
	int hlim;
	const char *hex;
	const char *type, *target, *slla, *tlla, *flags, *prefixes;
} real[] = {
	{ "icmp6-nd-options.pcap", 1, "::", "ff02::1:fff5:0", 255,
	  "8700673c00000000fe80000000000000c00054fffef50000",
	  "NS", "fe80::c000:54ff:fef5:0", NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 2, "fe80::c000:54ff:fef5:0", "ff02::1", 255,
	  "88009abba0000000fe80000000000000c00054fffef500000201c20054f50000",
	  "NA", "fe80::c000:54ff:fef5:0", NULL, "c2:00:54:f5:00:00", "101", NULL },
	{ "icmp6-nd-options.pcap", 3, "fe80::c000:54ff:fef5:0", "ff02::1", 255,
	  "8600c4fe4000070800000000000000000101c20054f5000005010000000005dc030440c000278d0000093a800000000020010db8000000010000000000000000",
	  "RA", NULL, "c2:00:54:f5:00:00", NULL, NULL, "2001:db8:0:1::" },
	{ "icmp6-nd-options.pcap", 4, "fe80::c000:54ff:fef5:0", "ff02::16", 1,
	  "8f005c130000000104000000ff020000000000000000000000000002",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 5, "fe80::c000:54ff:fef5:0", "ff02::16", 1,
	  "8f005c1e0000000104000000ff0200000000000000000001fff50000",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 6, "::", "ff02::1:fff5:0", 255,
	  "870038030000000020010db800000001c00054fffef50000",
	  "NS", "2001:db8:0:1:c000:54ff:fef5:0", NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 7, "fe80::c000:54ff:fef5:0", "ff02::16", 1,
	  "8f005c1e0000000104000000ff0200000000000000000001fff50000",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 8, "fe80::c000:54ff:fef5:0", "ff02::16", 1,
	  "8f005c130000000104000000ff020000000000000000000000000002",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 9, "2001:db8:0:1:c000:54ff:fef5:0", "ff02::1", 255,
	  "88003c49a000000020010db800000001c00054fffef500000201c20054f50000",
	  "NA", "2001:db8:0:1:c000:54ff:fef5:0", NULL, "c2:00:54:f5:00:00", "101", NULL },
	{ "icmp6-nd-options.pcap", 10, "fe80::c000:54ff:fef5:0", "ff02::1", 255,
	  "8600c4fe4000070800000000000000000101c20054f5000005010000000005dc030440c000278d0000093a800000000020010db8000000010000000000000000",
	  "RA", NULL, "c2:00:54:f5:00:00", NULL, NULL, "2001:db8:0:1::" },
	{ "icmp6-nd-options.pcap", 11, "fe80::c000:54ff:fef5:0", "ff02::1", 255,
	  "8600c4fe4000070800000000000000000101c20054f5000005010000000005dc030440c000278d0000093a800000000020010db8000000010000000000000000",
	  "RA", NULL, "c2:00:54:f5:00:00", NULL, NULL, "2001:db8:0:1::" },
	{ "icmp6-nd-options.pcap", 12, "::", "ff02::1:ff0e:4c67", 1,
	  "8300e7b800000000ff0200000000000000000001ff0e4c67",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 13, "::", "ff02::2", 255,
	  "85007bb800000000",
	  "RS", NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 14, "::", "ff02::1:ff0e:4c67", 255,
	  "8700b93000000000fe80000000000000020c29fffe0e4c67",
	  "NS", "fe80::20c:29ff:fe0e:4c67", NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 15, "fe80::c000:54ff:fef5:0", "ff02::1", 255,
	  "8600c4fe4000070800000000000000000101c20054f5000005010000000005dc030440c000278d0000093a800000000020010db8000000010000000000000000",
	  "RA", NULL, "c2:00:54:f5:00:00", NULL, NULL, "2001:db8:0:1::" },
	{ "icmp6-nd-options.pcap", 16, "::", "ff02::1:ff10:782e", 1,
	  "8300902600000000ff0200000000000000000001ff10782e",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 17, "::", "ff02::1:ff10:782e", 255,
	  "8700bce70000000020010db800000001fd97f9f0a810782e",
	  "NS", "2001:db8:0:1:fd97:f9f0:a810:782e", NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 18, "::", "ff02::1:ff0e:4c67", 255,
	  "870089f70000000020010db800000001020c29fffe0e4c67",
	  "NS", "2001:db8:0:1:20c:29ff:fe0e:4c67", NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 19, "fe80::20c:29ff:fe0e:4c67", "ff02::1:ff10:782e", 1,
	  "83001b2400000000ff0200000000000000000001ff10782e",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "icmp6-nd-options.pcap", 20, "fe80::20c:29ff:fe0e:4c67", "ff02::1:ff0e:4c67", 1,
	  "830072b600000000ff0200000000000000000001ff0e4c67",
	  NULL, NULL, NULL, NULL, NULL, NULL },
	{ "ipv6-http-atomic-frag.pcap", 1, "2001:db8:1::1", "2001:db8:1::2", 255,
	  "8800546ce000000020010db80001000000000000000000010201aa0004000a04",
	  "NA", "2001:db8:1::1", NULL, "aa:00:04:00:0a:04", "111", NULL },
	{ "ipv6-http-atomic-frag.pcap", 2, "2001:db8:1::2", "ff02::1:ff00:1", 255,
	  "8700d4170000000020010db8000100000000000000000001010100101895316a",
	  "NS", "2001:db8:1::1", "00:10:18:95:31:6a", NULL, NULL, NULL },
};

static const char *type_name(uint8_t t)
{
	switch (t) {
	case NDP_RS: return "RS";
	case NDP_RA: return "RA";
	case NDP_NS: return "NS";
	case NDP_NA: return "NA";
	case NDP_REDIRECT: return "Redirect";
	}
	return "?";
}

/* Count one compared field; print the frame on a mismatch. */
static bool field(const char *got, const char *want, int frame, const char *what, int *n, int *agree)
{
	(*n)++;
	if ((!got && !want) || (got && want && !strcmp(got, want))) {
		(*agree)++;
		return true;
	}
	fprintf(stderr, "  frame %d %s: got %s, want %s\n", frame, what, got ? got : "null", want ? want : "null");
	return false;
}

static bool test_real_captures(void)
{
	int n = 0, agree = 0, frames = 0;
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct vec v = mkv(real[i].src, real[i].dst, real[i].hlim, "");
		char tgt[INET6_ADDRSTRLEN], sl[18], tl[18], fl[4], px[8 * (INET6_ADDRSTRLEN + 1)] = "";
		struct ndp_msg m;
		int rc, k;

		v.n = test_hex(real[i].hex, v.b, sizeof(v.b)); /* as captured: checksum untouched */
		rc = dec(&v, &m);
		frames++;
		if (!real[i].type) {
			ok &= EXPECT_EQ(rc, -EPROTONOSUPPORT, "MLD is not NDP");
			continue;
		}
		if (!EXPECT_EQ(rc, 0, real[i].file)) {
			ok = false;
			continue;
		}
		inet_ntop(AF_INET6, m.target, tgt, sizeof(tgt));
		mac_str(m.src_lla, sl);
		mac_str(m.tgt_lla, tl);
		sprintf(fl, "%d%d%d", !!(m.flags & NDP_NA_ROUTER), !!(m.flags & NDP_NA_SOLICITED),
			!!(m.flags & NDP_NA_OVERRIDE));
		for (k = 0; k < m.n_prefixes; k++) {
			if (k)
				strcat(px, ",");
			inet_ntop(AF_INET6, m.prefixes[k].prefix, px + strlen(px), INET6_ADDRSTRLEN);
		}
		ok &= field(type_name(m.type), real[i].type, real[i].frame, "type", &n, &agree);
		ok &= field(m.type == NDP_NS || m.type == NDP_NA || m.type == NDP_REDIRECT ? tgt : NULL,
			    real[i].target, real[i].frame, "target", &n, &agree);
		ok &= field(m.has_src_lla ? sl : NULL, real[i].slla, real[i].frame, "src_lladdr", &n, &agree);
		ok &= field(m.has_tgt_lla ? tl : NULL, real[i].tlla, real[i].frame, "target_lladdr", &n, &agree);
		ok &= field(m.type == NDP_NA ? fl : NULL, real[i].flags, real[i].frame, "flags", &n, &agree);
		ok &= field(m.type == NDP_RA ? px : NULL, real[i].prefixes, real[i].frame, "prefixes", &n, &agree);
	}
	printf("ndp vs truth.json: %d frames, %d of %d fields agree\n", frames, agree, n);
	return ok && n == agree;
}

/* The RA of icmp6-nd-options.pcap frame 3, field by field beyond what truth.json lists. */
static bool test_real_ra_details(void)
{
	struct vec v = mkv(real[2].src, real[2].dst, real[2].hlim, "");
	struct ndp_msg m;
	bool ok = true;

	v.n = test_hex(real[2].hex, v.b, sizeof(v.b));
	ok &= EXPECT_EQ(dec(&v, &m), 0, "frame 3");
	ok &= EXPECT_EQ(m.cur_hop_limit, 64, "cur hop limit");
	ok &= EXPECT_EQ(m.flags, 0, "no M/O");
	ok &= EXPECT_EQ(m.router_lifetime, 1800, "lifetime");
	ok &= EXPECT_EQ(m.has_mtu, 1, "mtu option");
	ok &= EXPECT_EQ(m.mtu, 1500, "mtu");
	ok &= EXPECT_EQ(m.prefixes[0].len, 64, "/64");
	ok &= EXPECT_EQ(m.prefixes[0].flags, NDP_PFX_ONLINK | NDP_PFX_AUTO, "L|A");
	ok &= EXPECT_EQ(m.prefixes[0].valid, 2592000, "valid");
	ok &= EXPECT_EQ(m.prefixes[0].preferred, 604800, "preferred");
	ok &= learned_is(&m, "fe80::c000:54ff:fef5:0", "c2:00:54:f5:00:00");
	return ok;
}

int main(void)
{
	RUN(test_rs);
	RUN(test_ra);
	RUN(test_ra_many_prefixes);
	RUN(test_ns);
	RUN(test_na);
	RUN(test_redirect);
	RUN(test_hop_limit_code_csum);
	RUN(test_hostile_lengths);
	RUN(test_truncation_sweep);
	RUN(test_real_captures);
	RUN(test_real_ra_details);
	return test_failures != 0;
}
