/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_probe.c - the prober's token bucket, rtnetlink neighbor parsing, and its request rules. */
#include <arpa/inet.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "test.h"
#include "ndp/catalog.h"
#include "ndp/probe.h"
#include "util/clock.h"

TEST_MAIN_DEFINE;

#define MS 1000000ULL

/* rate 10/s, burst 3: three at once, then one per 100 ms; idling never saves more than the burst. */
static bool test_bucket(void)
{
	struct probe_bucket b;
	uint64_t t = 5000 * MS;
	bool ok = true;
	int i, n;

	probe_bucket_init(&b, 10, 3, t);
	ok &= EXPECT_TRUE(probe_bucket_take(&b, t), "1 of burst");
	ok &= EXPECT_TRUE(probe_bucket_take(&b, t), "2 of burst");
	ok &= EXPECT_TRUE(probe_bucket_take(&b, t), "3 of burst");
	ok &= EXPECT_TRUE(!probe_bucket_take(&b, t), "burst spent");
	ok &= EXPECT_EQ(probe_bucket_wait(&b, t), 100 * MS, "wait a token's cost");
	ok &= EXPECT_EQ(probe_bucket_wait(&b, t + 40 * MS), 60 * MS, "part earned");
	ok &= EXPECT_TRUE(!probe_bucket_take(&b, t + 99 * MS), "not yet");
	ok &= EXPECT_TRUE(probe_bucket_take(&b, t + 100 * MS), "one earned");
	ok &= EXPECT_EQ(probe_bucket_wait(&b, t + 100 * MS), 100 * MS, "and spent");
	/* an hour idle: still only 3 */
	t += 3600000 * MS;
	for (n = 0, i = 0; i < 10; i++)
		n += probe_bucket_take(&b, t);
	ok &= EXPECT_EQ(n, 3, "capped at burst");
	/* a clock stepping back earns nothing and does not underflow */
	ok &= EXPECT_TRUE(!probe_bucket_take(&b, t - 1000 * MS), "backwards");
	ok &= EXPECT_TRUE(!probe_bucket_take(&b, t + 50 * MS), "no credit from the step");
	ok &= EXPECT_TRUE(probe_bucket_take(&b, t + 100 * MS), "normal again");
	/* over 10 s at 10/s: 3 + 100 */
	probe_bucket_init(&b, 10, 3, 0);
	for (n = 0, t = 0; t <= 10000 * MS; t += MS)
		n += probe_bucket_take(&b, t);
	ok &= EXPECT_EQ(n, 103, "sustained rate");
	probe_bucket_init(&b, 0, 0, 0); /* nonsense config is clamped to 1/s, 1 deep */
	ok &= EXPECT_TRUE(probe_bucket_take(&b, 0), "one");
	ok &= EXPECT_TRUE(!probe_bucket_take(&b, 999 * MS), "then one per second");
	return ok;
}

/* A netlink message built like the kernel's neigh_fill_info(). */
struct nlbuf {
	union {
		struct nlmsghdr nh;
		char b[512];
	};
};

static void attr(struct nlbuf *m, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(m->b + NLMSG_ALIGN(m->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void neigh(struct nlbuf *m, uint16_t type, int family, int ifindex, uint16_t state, uint8_t flags)
{
	struct ndmsg *ndm;

	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ndm));
	ndm = NLMSG_DATA(&m->nh);
	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	ndm->ndm_flags = flags;
}

/* What the kernel's neighbor table teaches: valid states with an Ethernet lladdr, on our interface only. */
static bool test_parse_neigh(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x42 }, v4[4] = { 192, 168, 1, 10 };
	struct nda_cacheinfo ci = { .ndm_confirmed = 250 }; /* 2.5 s at USER_HZ 100 */
	uint8_t a6[16], addr[16], got[6], ib[20] = { 1 };
	uint64_t now = 1700000000ULL * NS_PER_SEC, seen = 0;
	struct nlbuf m;
	bool ok = true;

	inet_pton(AF_INET6, "2001:db8::42", a6);
	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_DST, a6, 16);
	attr(&m, NDA_LLADDR, mac, 6);
	attr(&m, NDA_CACHEINFO, &ci, sizeof(ci));
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 1, "reachable");
	ok &= EXPECT_MEM(addr, a6, 16, "addr");
	ok &= EXPECT_MEM(got, mac, 6, "mac");
	ok &= EXPECT_EQ(now - seen, 2500 * MS, "seen when last confirmed");
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 8, now, 100, addr, got, &seen), 0, "another interface");
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_state = NUD_STALE;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 1, "stale");
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_state = NUD_PERMANENT;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 1, "permanent");
	ok &= EXPECT_EQ(seen, now, "a static entry is current");
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_state = NUD_FAILED;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "failed");
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_state = NUD_INCOMPLETE;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "incomplete");
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_state = NUD_REACHABLE;
	((struct ndmsg *)NLMSG_DATA(&m.nh))->ndm_flags = NTF_PROXY;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "proxy entry");
	m.nh.nlmsg_type = RTM_DELNEIGH;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "deletion: aging decides");

	/* an age beyond now does not wrap */
	ci.ndm_confirmed = 0xffffffff;
	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_STALE, 0);
	attr(&m, NDA_DST, a6, 16);
	attr(&m, NDA_LLADDR, mac, 6);
	attr(&m, NDA_CACHEINFO, &ci, sizeof(ci));
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, 1000, 100, addr, got, &seen), 1, "old entry");
	ok &= EXPECT_EQ(seen, 0, "clamped at 0");

	neigh(&m, RTM_NEWNEIGH, AF_INET, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_DST, v4, 4);
	attr(&m, NDA_LLADDR, mac, 6);
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 1, "IPv4 (ARP)");
	ok &= EXPECT_EQ(addr[10] == 0xff && addr[11] == 0xff && addr[12] == 192 && addr[15] == 10, 1, "v4-mapped");
	ok &= EXPECT_EQ(seen, now, "no cacheinfo: now");

	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_DST, a6, 16);
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "no lladdr");
	attr(&m, NDA_LLADDR, ib, 20);
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "20-byte lladdr");

	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_DST, v4, 4);
	attr(&m, NDA_LLADDR, mac, 6);
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), -EBADMSG, "IPv6 with 4-byte dst");

	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_DST, a6, 16);
	attr(&m, NDA_LLADDR, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, 6);
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "multicast lladdr");

	/* lengths that lie */
	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	m.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)) - 1;
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), -EBADMSG, "short ndmsg");
	neigh(&m, RTM_NEWNEIGH, AF_INET6, 7, NUD_REACHABLE, 0);
	attr(&m, NDA_LLADDR, mac, 6);
	attr(&m, NDA_DST, a6, 16);
	m.nh.nlmsg_len -= 4; /* the dst attribute now runs past the message: not walked */
	ok &= EXPECT_EQ(probe_parse_neigh(&m.nh, 7, now, 100, addr, got, &seen), 0, "attribute past the end");
	return ok;
}

/* Requests: only unicast IPv6, once per interval per address; sent only after the rate allows. Needs root. */
static bool test_requests(void)
{
	struct probe_cfg cfg = { .ifname = "lo", .send = true, .interval_ns = 60 * NS_PER_SEC, .rate = 1, .burst = 1 };
	struct probe_stats st;
	struct catalog *cat;
	struct probe *p = NULL;
	uint8_t a[16], b[16], mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint64_t now = clock_wall_ns();
	bool ok = true;
	int err;

	catalog_new(&cat, 0, 100);
	cfg.cat = cat;
	err = probe_new(&p, &cfg);
	if (!err)
		err = probe_start(p);
	if (err == -EPERM) {
		fprintf(stderr, "  test_requests: SO_BINDTODEVICE needs CAP_NET_RAW; checked as root only\n");
		catalog_free(cat);
		return true;
	}
	ok &= EXPECT_EQ(err, 0, "probe_new and probe_start on lo");
	if (err) {
		probe_free(p);
		catalog_free(cat);
		return ok;
	}
	ok &= EXPECT_EQ(probe_start(p), 0, "started twice: nothing more");
	inet_pton(AF_INET6, "fe80::1:2", a);
	inet_pton(AF_INET6, "2001:db8::99", b);
	ok &= EXPECT_EQ(probe_request(p, a, now), 1, "queued");
	ok &= EXPECT_EQ(probe_request(p, a, now + NS_PER_SEC), 0, "again within the interval");
	ok &= EXPECT_EQ(probe_request(p, a, now + 61 * NS_PER_SEC), 1, "after the interval");
	catalog_learn(cat, b, mac, CATALOG_NDP, now);
	ok &= EXPECT_EQ(probe_request(p, b, now), 1, "queued (known by the time it is sent)");
	inet_pton(AF_INET6, "ff02::1", a);
	ok &= EXPECT_EQ(probe_request(p, a, now), 0, "multicast");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", a);
	ok &= EXPECT_EQ(probe_request(p, a, now), 0, "v4-mapped");
	inet_pton(AF_INET6, "::", a);
	ok &= EXPECT_EQ(probe_request(p, a, now), 0, "unspecified");
	usleep(1200 * 1000); /* rate 1/s, burst 1: two of the three sent by now, the third later */
	probe_stats(p, &st);
	ok &= EXPECT_EQ(st.requested, 7, "requested");
	ok &= EXPECT_EQ(st.too_soon, 1, "too soon");
	ok &= EXPECT_EQ(st.invalid, 3, "invalid");
	ok &= EXPECT_EQ(st.sent + st.send_errors + st.known, 2, "two handled in 1.2 s at 1/s with burst 1");
	probe_free(p);
	probe_free(NULL);
	ok &= EXPECT_EQ(probe_new(&p, &(struct probe_cfg){ .ifname = "nonexistent0", .cat = cat }), -ENODEV,
			"unknown interface");
	ok &= EXPECT_EQ(probe_new(&p, &(struct probe_cfg){ .ifname = "lo" }), -EINVAL, "no catalog");
	catalog_free(cat);
	return ok;
}

int main(void)
{
	RUN(test_bucket);
	RUN(test_parse_neigh);
	RUN(test_requests);
	return test_failures != 0;
}
