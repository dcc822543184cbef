/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_catalog.c - the neighbor catalog: learning, history on a MAC change, aging, NDP frames, files. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "pktbuild.h"
#include "capture/pcapfile.h"
#include "decode/decode.h"
#include "flowtower/account.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "util/clock.h"

TEST_MAIN_DEFINE;

#define S NS_PER_SEC
#define T0 (1700000000ULL * S) /* a wall-clock time: RFC 3339 output stays in range */

static const uint8_t M1[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x01 };
static const uint8_t M2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x02 };

static void a6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		abort();
}

static void a4m(const char *s, uint8_t out[16])
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	if (inet_pton(AF_INET, s, out + 12) != 1)
		abort();
}

struct collect {
	struct catalog_entry v[64];
	int n;
};

static int collect_fn(void *arg, const struct catalog_entry *e)
{
	struct collect *c = arg;

	if (c->n < 64)
		c->v[c->n++] = *e;
	return 0;
}

static int all(struct catalog *cat, struct collect *c)
{
	uint64_t since = 0;

	c->n = 0;
	return catalog_changed(cat, &since, collect_fn, c);
}

/* A pair is learned once; seeing it again moves last_seen only (first_seen can move back on reordering). */
static bool test_learn_refresh(void)
{
	struct catalog *cat;
	struct collect c;
	uint8_t a[16], mac[6];
	bool ok = true;

	a6("2001:db8::10", a);
	ok &= EXPECT_EQ(catalog_new(&cat, 0, 100), 0, "new");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 10 * S), 1, "new pair");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NETLINK, T0 + 20 * S), 0, "refresh");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 5 * S), 0, "earlier copy");
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 20 * S, mac), 1, "lookup");
	ok &= EXPECT_MEM(mac, M1, 6, "mac");
	ok &= EXPECT_EQ(all(cat, &c), 1, "one entry");
	ok &= EXPECT_EQ(c.v[0].first_seen, T0 + 5 * S, "first_seen moved back");
	ok &= EXPECT_EQ(c.v[0].last_seen, T0 + 20 * S, "last_seen");
	ok &= EXPECT_EQ(c.v[0].source, CATALOG_NDP, "source: who taught it first");
	ok &= EXPECT_EQ(c.v[0].current, 1, "current");
	a6("2001:db8::11", a);
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0, mac), 0, "unknown address");
	catalog_free(cat);
	catalog_free(NULL);
	return ok;
}

/* A new MAC for an address is a new entry; the old one keeps its last_seen; a MAC coming back is current again. */
static bool test_history(void)
{
	struct catalog_stats st;
	struct catalog *cat;
	struct collect c;
	uint8_t a[16], mac[6];
	bool ok = true;

	a6("fe80::1", a);
	catalog_new(&cat, 0, 100);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 1 * S);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 2 * S);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M2, CATALOG_NDP, T0 + 3 * S), 1, "changed MAC: new entry");
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 3 * S, mac), 1, "lookup");
	ok &= EXPECT_MEM(mac, M2, 6, "current is the new MAC");
	ok &= EXPECT_EQ(all(cat, &c), 2, "two entries");
	ok &= EXPECT_MEM(c.v[0].mac, M1, 6, "sorted by first_seen: old first");
	ok &= EXPECT_EQ(c.v[0].last_seen, T0 + 2 * S, "old keeps its last_seen");
	ok &= EXPECT_EQ(c.v[0].current, 0, "old not current");
	ok &= EXPECT_EQ(c.v[1].first_seen, T0 + 3 * S, "new first_seen");
	ok &= EXPECT_EQ(c.v[1].current, 1, "new current");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 4 * S), 0, "old MAC back: refresh");
	catalog_lookup(cat, a, T0 + 4 * S, mac);
	ok &= EXPECT_MEM(mac, M1, 6, "current flips back");
	/* a late copy from the old MAC does not make it current */
	catalog_learn(cat, a, M2, CATALOG_NDP, T0 + 5 * S);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 4 * S);
	catalog_lookup(cat, a, T0 + 5 * S, mac);
	ok &= EXPECT_MEM(mac, M2, 6, "seen last wins, not learned last");
	catalog_stats(cat, &st);
	ok &= EXPECT_EQ(st.mac_changes, 1, "mac_changes");
	ok &= EXPECT_EQ(st.added, 2, "added");
	catalog_free(cat);
	return ok;
}

/* At most 16 MACs per address: the one seen longest ago goes, never the current one. */
static bool test_history_bound(void)
{
	struct catalog *cat;
	struct collect c;
	uint8_t a[16], m[6], mac[6];
	bool ok = true;
	int i;

	a6("2001:db8::1", a);
	catalog_new(&cat, 0, 1000);
	memcpy(m, M1, 6);
	for (i = 0; i < 20; i++) {
		m[5] = (uint8_t)(0x10 + i);
		catalog_learn(cat, a, m, CATALOG_NDP, T0 + (uint64_t)i * S);
	}
	ok &= EXPECT_EQ(all(cat, &c), 16, "16 kept");
	ok &= EXPECT_EQ(c.v[0].mac[5], 0x10 + 4, "the four oldest went");
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 19 * S, mac), 1, "lookup");
	ok &= EXPECT_EQ(mac[5], 0x10 + 19, "current kept");
	catalog_free(cat);
	return ok;
}

/* Entries not seen for max_age go; lookups stop returning them before expire() runs; leases stay. */
static bool test_aging(void)
{
	struct catalog *cat;
	struct collect c;
	uint8_t a[16], b[16], l[16], mac[6];
	bool ok = true;

	a6("2001:db8::1", a);
	a6("2001:db8::2", b);
	a4m("192.168.1.10", l);
	catalog_new(&cat, 100 * S, 100);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0);
	catalog_learn(cat, b, M2, CATALOG_NDP, T0 + 50 * S);
	catalog_learn(cat, l, M1, CATALOG_LEASE, T0);
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 100 * S, mac), 1, "at exactly max_age: still there");
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 101 * S, mac), 0, "past max_age: not returned");
	ok &= EXPECT_EQ(catalog_expire(cat, T0 + 101 * S), 1, "one expired");
	ok &= EXPECT_EQ(all(cat, &c), 2, "b and the lease remain");
	ok &= EXPECT_EQ(catalog_learn(cat, b, M2, CATALOG_NDP, T0 + 140 * S), 0, "b seen again");
	ok &= EXPECT_EQ(catalog_expire(cat, T0 + 200 * S), 0, "b refreshed in time");
	ok &= EXPECT_EQ(catalog_expire(cat, T0 + 10000 * S), 1, "b gone at last");
	ok &= EXPECT_EQ(catalog_lookup(cat, l, T0 + 10000 * S, mac), 1, "lease entries never age");
	ok &= EXPECT_EQ(catalog_expire(cat, T0 - 1000 * S), 0, "a clock behind last_seen removes nothing");
	catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 10000 * S);
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 10000 * S, mac), 1, "relearned after expiry");
	catalog_free(cat);
	return ok;
}

/* What is no host's address or MAC is refused. */
static bool test_refused(void)
{
	static const uint8_t mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 }, zero[6];
	struct catalog *cat;
	uint8_t a[16];
	bool ok = true;

	catalog_new(&cat, 0, 2);
	a6("2001:db8::1", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, mcast, CATALOG_NDP, T0), -EINVAL, "multicast MAC");
	ok &= EXPECT_EQ(catalog_learn(cat, a, zero, CATALOG_NDP, T0), -EINVAL, "zero MAC");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_SRC_MAX, T0), -EINVAL, "bad source");
	a6("ff02::1", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -EINVAL, "multicast address");
	a6("::", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -EINVAL, "unspecified");
	a6("::1", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -EINVAL, "loopback");
	a4m("224.0.0.1", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -EINVAL, "IPv4 multicast");
	a4m("0.0.0.0", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -EINVAL, "IPv4 any");
	/* max_entries 2 */
	a6("2001:db8::1", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), 1, "1 of 2");
	ok &= EXPECT_EQ(catalog_learn(cat, a, M2, CATALOG_NDP, T0), 1, "2 of 2");
	a6("2001:db8::2", a);
	ok &= EXPECT_EQ(catalog_learn(cat, a, M1, CATALOG_NDP, T0), -ENOSPC, "full");
	catalog_free(cat);
	ok &= EXPECT_EQ(catalog_new(&cat, 0, 0), -EINVAL, "max_entries 0");
	return ok;
}

/* The store's once-a-minute writer gets what changed since its last call, nothing else. */
static bool test_changed(void)
{
	struct catalog *cat;
	struct collect c = {};
	uint8_t a[16], b[16];
	uint64_t since = 0;
	bool ok = true;

	a6("2001:db8::1", a);
	a6("2001:db8::2", b);
	catalog_new(&cat, 100 * S, 100);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0);
	catalog_learn(cat, b, M2, CATALOG_NDP, T0);
	ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c), 2, "first call: all");
	c.n = 0;
	ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c), 0, "nothing new");
	catalog_learn(cat, a, M1, CATALOG_NDP, T0); /* seen at a time already covered */
	ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c), 0, "no change, no line");
	catalog_learn(cat, b, M2, CATALOG_NDP, T0 + S);
	ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c), 1, "b's last_seen moved");
	ok &= EXPECT_MEM(c.v[0].addr, b, 16, "it is b");
	catalog_expire(cat, T0 + 101 * S);
	c.n = 0;
	ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c), 0, "removal writes no line");
	catalog_free(cat);
	return ok;
}

/* What answers within 5 s of catalog_probing() is the probe's; later, or a lease, keeps its own source. */
static bool test_probe_source(void)
{
	struct catalog *cat;
	struct collect c;
	uint8_t a[16], b[16], d[16];
	bool ok = true;

	a6("2001:db8::1", a);
	a6("2001:db8::2", b);
	a6("2001:db8::3", d);
	catalog_new(&cat, 0, 100);
	catalog_probing(cat, a, T0);
	catalog_probing(cat, b, T0);
	catalog_learn(cat, a, M1, CATALOG_NETLINK, T0 + 1 * S);
	catalog_learn(cat, b, M1, CATALOG_NDP, T0 + 9 * S);
	catalog_learn(cat, d, M1, CATALOG_NDP, T0);
	all(cat, &c);
	ok &= EXPECT_EQ(c.n, 3, "three");
	ok &= EXPECT_EQ(c.v[0].source, CATALOG_PROBE, "answer within the window");
	ok &= EXPECT_EQ(c.v[1].source, CATALOG_NDP, "too late for the probe");
	ok &= EXPECT_EQ(c.v[2].source, CATALOG_NDP, "never probed");
	catalog_expire(cat, T0 + 100 * S); /* empty probe-only slots are cleaned up */
	catalog_free(cat);
	return ok;
}

/* Independent ICMPv6 checksum (RFC 4443 2.3) over a built frame's IPv6 payload. */
static void fix_icmp6(struct pb *p, size_t icmp_off)
{
	const uint8_t *ip = p->b + p->l3;
	size_t n = p->n - icmp_off, i;
	uint32_t sum = 58 + (uint32_t)n;

	p->b[icmp_off + 2] = p->b[icmp_off + 3] = 0;
	for (i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)(p->b[icmp_off + i] << 8 | (i + 1 < n ? p->b[icmp_off + i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pb_set16(p->b + icmp_off + 2, (uint16_t)~sum);
}

/*
 * NA (RFC 4861 4.4) for target from src, with a TLLA option when tlla, Ethernet source ...:eth_last:
 * solicited (S|O) to a unicast address when tlla is NULL, as an answer to a NUD probe; else
 * unsolicited (O) to all-nodes, where S must be 0 (7.1.2).
 */
static void build_na(struct pb *p, const char *src, const char *target, const uint8_t *tlla, int hlim,
		     uint8_t eth_last)
{
	struct in6_addr t;
	size_t off;

	pb_eth(p, eth_last);
	pb_ipv6(p, src, tlla ? "ff02::1" : "2001:db8::99", 58, (uint8_t)hlim);
	off = p->n;
	pb_u8(p, 136);
	pb_u8(p, 0);
	pb_u16(p, 0);
	pb_u32(p, tlla ? 0x20000000 : 0x60000000);
	inet_pton(AF_INET6, target, &t);
	pb_put(p, &t, 16);
	if (tlla) {
		pb_u8(p, 2);
		pb_u8(p, 1);
		pb_put(p, tlla, 6);
	}
	pb_done(p, 0);
	fix_icmp6(p, off);
}

static int feed(struct catalog *cat, const struct pb *p, uint32_t caplen, uint64_t ts)
{
	struct pkt_info pi;

	if (decode_frame(1, p->b, caplen, (uint32_t)p->n, &pi) || !ft_is_ndp(&pi))
		return -1000;
	return catalog_ndp_frame(cat, p->b, caplen, &pi, ts);
}

/* Frames as the pipeline hands them: learned through ndp_decode()/ndp_learned(), bad ones counted. */
static bool test_ndp_frames(void)
{
	struct catalog_stats st;
	struct catalog *cat;
	uint8_t a[16], mac[6], eth_src[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct pb p;
	bool ok = true;

	catalog_new(&cat, 0, 100);
	build_na(&p, "fe80::1", "fe80::1", M1, 255, 0x01);
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n, T0), 1, "NA with TLLA");
	a6("fe80::1", a);
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0, mac), 1, "learned");
	ok &= EXPECT_MEM(mac, M1, 6, "the TLLA, not the Ethernet source");
	/* Linux answers a unicast NS without the option (7.2.4): the sender's own MAC is the frame's source */
	build_na(&p, "2001:db8::5", "2001:db8::5", NULL, 255, 0x77);
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n, T0), 1, "NA about itself without TLLA");
	a6("2001:db8::5", a);
	catalog_lookup(cat, a, T0, mac);
	ok &= EXPECT_MEM(mac, eth_src, 6, "Ethernet source");
	build_na(&p, "2001:db8::6", "2001:db8::7", NULL, 255, 0x77);
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n, T0), 0, "NA about another address without TLLA: nothing");
	build_na(&p, "fe80::2", "fe80::2", M2, 254, 0x01);
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n, T0), -EBADMSG, "hop limit 254 (7.1.2)");
	build_na(&p, "fe80::2", "fe80::2", M2, 255, 0x01);
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n - 3, T0), -ENODATA, "copy cut short");
	p.b[p.n - 1] ^= 1; /* the checksum no longer holds */
	ok &= EXPECT_EQ(feed(cat, &p, (uint32_t)p.n, T0), -EBADMSG, "bad checksum");
	catalog_stats(cat, &st);
	ok &= EXPECT_EQ(st.ndp_frames, 6, "frames");
	ok &= EXPECT_EQ(st.ndp_invalid, 3, "invalid");
	ok &= EXPECT_EQ(st.ndp_silent, 1, "silent");
	catalog_free(cat);
	return ok;
}

static int on_pcap(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts)
{
	struct pkt_info pi;

	if (!decode_frame(dlt, data, caplen, wirelen, &pi) && ft_is_ndp(&pi))
		catalog_ndp_frame(arg, data, caplen, &pi, ts);
	return 0;
}

/*
 * The shared captures teach exactly these pairs, by truth.json's "ndp" lists: NA (target,
 * target_lladdr) and NS/RS/RA (ip_src, src_lladdr) where the option is there and ip_src is not
 * "::" (duplicate address detection teaches nothing). tests/live/test_devices.sh derives the same
 * set from truth.json itself and compares it with tools/ndpcat.
 */
static bool test_shared_captures(void)
{
	static const struct {
		const char *addr, *mac;
	} want[] = {
		{ "2001:db8:0:1:c000:54ff:fef5:0", "c2:00:54:f5:00:00" }, /* icmp6-nd-options frame 9, NA */
		{ "2001:db8:1::1", "aa:00:04:00:0a:04" },		   /* ipv6-http-atomic-frag 1, NA */
		{ "2001:db8:1::2", "00:10:18:95:31:6a" },		   /* ipv6-http-atomic-frag 2, NS */
		{ "fe80::c000:54ff:fef5:0", "c2:00:54:f5:00:00" },	   /* icmp6-nd-options 2 NA, 3/10/11/15 RA */
	};
	const char *dir = getenv("FT_PCAPS") ? getenv("FT_PCAPS") : "../shared/pcaps";
	char p1[512], p2[512];
	struct catalog *cat;
	struct collect c;
	bool ok = true;
	size_t i;

	snprintf(p1, sizeof(p1), "%s/zeek__icmp6-nd-options.pcap", dir);
	snprintf(p2, sizeof(p2), "%s/zeek__ipv6-http-atomic-frag.pcap", dir);
	catalog_new(&cat, 0, 100);
	ok &= EXPECT_EQ(pcapfile_read(p1, on_pcap, cat), 0, p1);
	ok &= EXPECT_EQ(pcapfile_read(p2, on_pcap, cat), 0, p2);
	ok &= EXPECT_EQ(all(cat, &c), 4, "exactly four pairs");
	for (i = 0; i < 4 && (int)i < c.n; i++) {
		uint8_t a[16];
		char m[18];

		a6(want[i].addr, a);
		snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", c.v[i].mac[0], c.v[i].mac[1], c.v[i].mac[2],
			 c.v[i].mac[3], c.v[i].mac[4], c.v[i].mac[5]);
		ok &= EXPECT_MEM(c.v[i].addr, a, 16, want[i].addr);
		ok &= EXPECT_STR(m, want[i].mac, want[i].addr);
	}
	ok &= EXPECT_EQ(c.v[3].last_seen - c.v[3].first_seen, 35534290000ULL, "router seen from frame 2 to 15");
	catalog_free(cat);
	return ok;
}

/* The daemon's file: written atomically when changed, read back by catalog_load() and `neighbors`. */
static bool test_save_load(void)
{
	char dir[] = "/tmp/ft-catalog.XXXXXX", path[64], dev[LEASE_NAME_MAX], line[512];
	struct catalog *cat, *back;
	struct catalog_entry e;
	struct collect c1, c2;
	struct leases *l;
	uint8_t a[16];
	bool ok = true;
	FILE *f;
	int n = 0;

	if (!mkdtemp(dir))
		return EXPECT_TRUE(0, "mkdtemp");
	snprintf(path, sizeof(path), "%s/x.neighbors.jsonl", dir);
	leases_new(&l);
	leases_parse_line(l, "printer,02:11:22:33:44:02", NULL, 0);
	catalog_new(&cat, 0, 100);
	a6("fe80::1", a);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0 + 123456789);
	catalog_learn(cat, a, M2, CATALOG_PROBE, T0 + 2 * S);
	a4m("192.168.1.10", a);
	catalog_learn(cat, a, M2, CATALOG_LEASE, T0);
	ok &= EXPECT_EQ(catalog_save(cat, path, l, false), 1, "written");
	ok &= EXPECT_EQ(catalog_save(cat, path, l, false), 0, "unchanged: not rewritten");
	ok &= EXPECT_EQ(catalog_save(cat, path, l, true), 1, "forced");
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		ok &= EXPECT_EQ(catalog_parse_line(line, &e, dev, sizeof(dev)), 0, line);
		if (!memcmp(e.mac, M2, 6))
			ok &= EXPECT_STR(dev, "printer", "device name from the leases");
		n++;
	}
	if (f)
		fclose(f);
	ok &= EXPECT_EQ(n, 3, "three lines");
	catalog_new(&back, 0, 100);
	ok &= EXPECT_EQ(catalog_load(back, path), 3, "loaded");
	all(cat, &c1);
	all(back, &c2);
	ok &= EXPECT_EQ(c2.n, c1.n, "same count");
	ok &= EXPECT_MEM(c2.v, c1.v, sizeof(c1.v[0]) * (size_t)c1.n, "same entries, ns timestamps included");
	ok &= EXPECT_EQ(catalog_save(cat, "/nonexistent-dir/x", l, true), -ENOENT, "unwritable");
	ok &= EXPECT_EQ(catalog_load(back, "/nonexistent-dir/x"), -ENOENT, "missing file");
	unlink(path);
	rmdir(dir);
	catalog_free(cat);
	catalog_free(back);
	leases_free(l);
	return ok;
}

/* The reader takes only what catalog_save() writes; anything else is refused, never half-read. */
static bool test_parse_hostile(void)
{
	static const struct {
		const char *line;
		int rc;
	} cases[] = {
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00.5Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\",\"device\":null}\n", 0 },
		{ "{\"type\":\"flow\"}", -EPROTONOSUPPORT },
		{ "", -EBADMSG },
		{ "{", -EBADMSG },
		{ "{\"type\":\"neighbor\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:02Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-13-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00.Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"dhcp\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"} trailing", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\",\"device\":"
		  "\"a\\u0000b\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\",\"device\":"
		  "\"0123456789012345678901234567890123456789\"}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\",\"x\":1}", -EBADMSG },
		{ "{\"type\":\"neighbor\",\"addr\":\"fe80::1\",\"mac\":\"02:00:00:00:00:01\",\"first_seen\":"
		  "\"2024-01-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:01Z\",\"source\":\"ndp\"", -EBADMSG },
	};
	struct catalog_entry e;
	char dev[LEASE_NAME_MAX];
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok &= EXPECT_EQ(catalog_parse_line(cases[i].line, &e, dev, sizeof(dev)), cases[i].rc, cases[i].line);
	catalog_parse_line(cases[0].line, &e, dev, sizeof(dev));
	ok &= EXPECT_EQ(e.first_seen, 1704067200ULL * S + S / 2, "fraction of .5");
	return ok;
}

/* A flow side's MAC: leases first for IPv4, the catalog otherwise; the device name follows the MAC. */
static bool test_flow_side(void)
{
	struct flow_key k = { .proto = 6, .ip_version = 6 };
	struct catalog *cat;
	struct leases *l;
	const char *dev;
	uint8_t a[16], mac[6];
	bool ok = true;

	catalog_new(&cat, 100 * S, 100);
	leases_new(&l);
	leases_parse_line(l, "laptop,02:11:22:33:44:01,192.168.1.10,20000-20999", NULL, 0);
	a6("2001:db8::10", a);
	catalog_learn(cat, a, M1, CATALOG_NDP, T0);
	memcpy(k.addr_b, a, 16);
	ok &= EXPECT_EQ(catalog_flow_side(cat, l, &k, SIDE_B, T0, mac, &dev), 1, "IPv6 side b");
	ok &= EXPECT_STR(dev, "laptop", "named by its MAC");
	ok &= EXPECT_EQ(catalog_flow_side(cat, l, &k, SIDE_A, T0, mac, &dev), 0, "side a unknown");
	ok &= EXPECT_TRUE(dev == NULL, "no name");
	ok &= EXPECT_EQ(catalog_flow_side(cat, l, &k, SIDE_B, T0 + 200 * S, mac, &dev), 0, "aged");
	k.ip_version = 4;
	a4m("203.0.113.5", a);
	memcpy(k.addr_a, a, 16);
	k.port_a = htons(20500);
	ok &= EXPECT_EQ(catalog_flow_side(cat, l, &k, SIDE_A, T0, mac, &dev), 1, "NAT port range");
	ok &= EXPECT_MEM(mac, M1, 6, "lease MAC");
	ok &= EXPECT_STR(dev, "laptop", "lease name");
	ok &= EXPECT_EQ(catalog_add_leases(cat, l, T0), 1, "the lease with an IPv4 address");
	ok &= EXPECT_EQ(catalog_add_leases(cat, l, T0), 0, "again: nothing new");
	a4m("192.168.1.10", a);
	ok &= EXPECT_EQ(catalog_lookup(cat, a, T0 + 1000 * S, mac), 1, "private address, never aged");
	ok &= EXPECT_EQ(catalog_add_leases(cat, NULL, T0), 0, "no leases");
	catalog_free(cat);
	leases_free(l);
	return ok;
}

static void *hammer(void *arg)
{
	struct catalog *cat = arg;
	uint8_t a[16], m[6], mac[6];
	int i;

	a6("2001:db8::", a);
	memcpy(m, M1, 6);
	for (i = 0; i < 20000; i++) {
		a[15] = (uint8_t)(i % 50);
		m[5] = (uint8_t)(i % 3 + 1);
		catalog_learn(cat, a, m, CATALOG_NDP, T0 + (uint64_t)i);
		catalog_lookup(cat, a, T0 + (uint64_t)i, mac);
		if (i % 1000 == 0)
			catalog_expire(cat, T0 + (uint64_t)i);
	}
	return NULL;
}

/* Workers learn while the daemon's tick looks up, expires and snapshots: counts stay consistent. */
static bool test_threads(void)
{
	struct catalog *cat;
	struct collect c;
	pthread_t t[3];
	bool ok = true;
	int i;

	catalog_new(&cat, 0, 1000);
	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, hammer, cat);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ok &= EXPECT_EQ(all(cat, &c), 150, "50 addresses x 3 MACs, from three threads");
	catalog_free(cat);
	catalog_new(&cat, 0, 1000);
	hammer(cat);
	{
		uint64_t since = 0;
		struct catalog_stats st;

		catalog_stats(cat, &st);
		ok &= EXPECT_EQ(catalog_changed(cat, &since, collect_fn, &c) + 0, 150, "50 addresses x 3 MACs");
		ok &= EXPECT_EQ(st.added, 150, "added");
	}
	catalog_free(cat);
	return ok;
}

int main(void)
{
	RUN(test_learn_refresh);
	RUN(test_history);
	RUN(test_history_bound);
	RUN(test_aging);
	RUN(test_refused);
	RUN(test_changed);
	RUN(test_probe_source);
	RUN(test_ndp_frames);
	RUN(test_shared_captures);
	RUN(test_save_load);
	RUN(test_parse_hostile);
	RUN(test_flow_side);
	RUN(test_threads);
	return test_failures != 0;
}
