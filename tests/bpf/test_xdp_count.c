// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bpf/test_xdp_count.c - the XDP program packet by packet (BPF_PROG_TEST_RUN): fates, flows, verdicts. */
#include <errno.h>
#include <linux/if_link.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"
#include "decode/decode.h"
#include "flow/acct.h"
#include "flow/names.h"
#include "flow/table.h"
#include "flowtower/account.h"
#include "kern/maps.h"
#include "pktbuild.h"
#include "test.h"
#include "util/clock.h"

TEST_MAIN_DEFINE;

static struct sensor *skel_new(int verdict, int skip_own, int dedup)
{
	struct sensor *s = sensor__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL); /* tests never pin */
	s->rodata->cfg_verdict = verdict;
	s->rodata->cfg_skip_own = skip_own;
	s->rodata->cfg_dedup = dedup;
	if (sensor__load(s)) {
		sensor__destroy(s);
		return NULL;
	}
	s->bss->wall_offset_ns = clock_boot_to_wall_ns();
	return s;
}

static int run(struct sensor *s, const void *pkt, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (__u32)len, .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(s->progs.sensor_xdp), &opts);

	return err ? -1 : (int)opts.retval;
}

static void stats(struct sensor *s, uint64_t out[CTR_MAX])
{
	maps_read_stats(bpf_map__fd(s->maps.stats), out);
}

/* Which fate counter moved between two snapshots (-1: none, -2: more than one). */
static int fate_of(const uint64_t *a, const uint64_t *b)
{
	int i, f = -1;

	for (i = 0; i < CTR_MAX; i++) {
		if (!ft_ctr_is_fate(i) || a[i] == b[i])
			continue;
		if (f >= 0 || b[i] - a[i] != 1)
			return -2;
		f = i;
	}
	return f;
}

/* This flow's counters in the buffer XDP writes, summed over CPUs. */
static bool flow_sum(struct sensor *s, const struct flow_key *k, struct flow_total *t)
{
	int ncpu = maps_ncpu(), c;
	struct flow_ctr v[ncpu];

	memset(t, 0, sizeof(*t));
	if (bpf_map_lookup_elem(bpf_map__fd(s->maps.flows_a), k, v))
		return false;
	for (c = 0; c < ncpu; c++)
		flow_total_merge(t, &v[c]);
	return true;
}

/* The key a packet (saddr:sport -> daddr:dport) must land in, built without the parser. */
static struct flow_key key_of(int v, uint8_t proto, const char *sa, uint16_t sp, const char *da, uint16_t dp,
			      int *side)
{
	struct pkt_info pi = { .ip_version = (uint8_t)v, .proto = proto };
	struct flow_key k;

	if (v == 4) {
		pi.saddr[2] = pi.daddr[2] = htonl(0xffff);
		inet_pton(AF_INET, sa, &pi.saddr[3]);
		inet_pton(AF_INET, da, &pi.daddr[3]);
	} else {
		inet_pton(AF_INET6, sa, pi.saddr);
		inet_pton(AF_INET6, da, pi.daddr);
	}
	pi.sport = htons(sp);
	pi.dport = htons(dp);
	*side = ft_flow_key(&pi, &k);
	return k;
}

/* ---- the vectors: one builder per rule ---------------------------------- */

static void v4_tcp_syn(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv4(p, "192.0.2.1", "198.51.100.7", 6);
	pb_tcp(p, 40000, 443, FT_TCP_SYN, 8);
	pb_done(p, 0);
}

static void v4_tcp_data(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv4(p, "198.51.100.7", "192.0.2.1", 6);
	pb_tcp(p, 443, 40000, FT_TCP_ACK | 0x08, 5);
	pb_payload(p, 100, 'x');
	pb_done(p, 0);
}

static void v6_udp(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::1", "2001:db8::2", 17, 64);
	pb_udp(p, 5353, 53);
	pb_payload(p, 30, 'q');
	pb_done(p, 0);
}

static void qinq_udp(struct pb *p)
{
	pb_eth(p, 1);
	pb_vlan(p, 0x88a8, 100);
	pb_vlan(p, 0x8100, 200);
	pb_ipv4(p, "10.0.0.1", "10.0.0.2", 17);
	pb_udp(p, 1000, 2000);
	pb_payload(p, 10, 0);
	pb_done(p, 0);
}

static void three_tags(struct pb *p)
{
	pb_eth(p, 1);
	pb_vlan(p, 0x8100, 30);
	pb_vlan(p, 0x8100, 20);
	pb_vlan(p, 0x8100, 10);
	pb_ipv4(p, "10.0.0.1", "10.0.0.2", 17);
	pb_udp(p, 1000, 2000);
	pb_done(p, 0);
}

static void nine_tags(struct pb *p) /* more tags than FT_MAX_L2_LAYERS: counted as malformed */
{
	int i;

	pb_eth(p, 1);
	for (i = 0; i < 9; i++)
		pb_vlan(p, 0x8100, (uint16_t)i);
	pb_ipv4(p, "10.0.0.1", "10.0.0.2", 17);
	pb_udp(p, 1000, 2000);
	pb_done(p, 0);
}

static void mpls_v4(struct pb *p)
{
	pb_eth(p, 1);
	pb_mpls(p, 16, 0);
	pb_mpls(p, 17, 1);
	p->next16 = NULL;
	p->l3 = (int)p->n;
	p->ipv = 4;
	pb_u8(p, 0x45), pb_u8(p, 0), pb_u16(p, 0), pb_u16(p, 1), pb_u16(p, 0), pb_u8(p, 64), pb_u8(p, 1);
	pb_u16(p, 0), pb_u32(p, 0x0a000001), pb_u32(p, 0x0a000002);
	pb_icmp(p, 8, 0);
	pb_done(p, 0);
}

static void pppoe_v6(struct pb *p)
{
	pb_eth(p, 1);
	pb_pppoe(p, 0x0057);
	p->next16 = NULL;
	p->l3 = (int)p->n;
	p->ipv = 6;
	pb_u32(p, 0x60000000), pb_u16(p, 0), pb_u8(p, 17), pb_u8(p, 64);
	pb_payload(p, 15, 0), pb_u8(p, 1), pb_payload(p, 15, 0), pb_u8(p, 2);
	p->next8 = NULL;
	pb_udp(p, 1, 2);
	pb_done(p, 0);
}

static void pppoe_lcp(struct pb *p)
{
	pb_eth(p, 1);
	pb_pppoe(p, 0xc021);
	pb_payload(p, 10, 0);
}

static void llc_stp(struct pb *p)
{
	pb_eth(p, 1);
	pb_type(p, 38); /* an 802.3 length */
	pb_u8(p, 0x42), pb_u8(p, 0x42), pb_u8(p, 3);
	pb_payload(p, 35, 0);
}

static void arp(struct pb *p)
{
	pb_eth(p, 1);
	pb_type(p, 0x0806);
	pb_payload(p, 28, 0);
}

static void ihl4(struct pb *p)
{
	v4_tcp_syn(p);
	p->b[14] = 0x44;
}

static void tot_short(struct pb *p)
{
	v4_tcp_syn(p);
	pb_set16(p->b + 16, 19);
}

static void tcp_doff3(struct pb *p) /* ports known: counted, and noted */
{
	pb_eth(p, 1);
	pb_ipv4(p, "192.0.2.1", "198.51.100.7", 6);
	pb_tcp(p, 40000, 443, FT_TCP_SYN, 5);
	p->b[p->n - 8] = 0x30;
	pb_done(p, 0);
}

static void v6_ext_chain(struct pb *p) /* hop-by-hop, routing, destination options, then TCP */
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::1", "2001:db8::2", 0, 64);
	pb_ext6(p, 0, 0, 43);
	pb_ext6(p, 43, 2, 60);
	pb_ext6(p, 60, 1, 6);
	pb_tcp(p, 80, 36951, FT_TCP_SYN | FT_TCP_ACK, 5);
	pb_done(p, 0);
}

static void v6_ext_too_many(struct pb *p)
{
	int i;

	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::1", "2001:db8::2", 60, 64);
	for (i = 0; i < 9; i++)
		pb_ext6(p, 60, 0, 60);
	pb_udp(p, 1, 2);
	pb_done(p, 0);
}

static void v6_ext_lying(struct pb *p) /* hop-by-hop claims 2 KiB */
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::1", "2001:db8::2", 0, 64);
	pb_ext6(p, 0, 0, 17);
	p->b[p->n - 7] = 255;
	pb_udp(p, 1, 2);
	pb_done(p, 0);
}

static void v6_ah(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::1", "2001:db8::2", 51, 64);
	pb_ext6(p, 51, 4, 17); /* (4 + 2) * 4 = 24 bytes */
	pb_udp(p, 500, 500);
	pb_done(p, 0);
}

static void frag4_first(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv4(p, "203.0.113.5", "192.0.2.9", 17);
	pb_udp(p, 53, 3333);
	pb_payload(p, 64, 'a');
	pb_frag4(p, 0, 1, 0x4242);
	pb_done(p, 0);
}

static void frag4_later(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv4(p, "203.0.113.5", "192.0.2.9", 17);
	pb_payload(p, 40, 'b');
	pb_frag4(p, 9, 0, 0x4242);
	pb_done(p, 0);
}

static void frag4_orphan(struct pb *p) /* first fragment never seen: ports 0 */
{
	pb_eth(p, 1);
	pb_ipv4(p, "203.0.113.5", "192.0.2.9", 17);
	pb_payload(p, 40, 'c');
	pb_frag4(p, 9, 0, 0x7777);
	pb_done(p, 0);
}

static void frag6_first(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::53", "2001:db8::99", 44, 64);
	pb_frag6(p, 17, 0, 1, 99);
	pb_udp(p, 53, 4444);
	pb_payload(p, 48, 'd');
	pb_done(p, 0);
}

static void frag6_later(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv6(p, "2001:db8::53", "2001:db8::99", 44, 64);
	pb_frag6(p, 17, 7, 0, 99);
	pb_payload(p, 100, 'e');
	pb_done(p, 0);
}

static void icmp_echo(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv4(p, "10.9.9.9", "10.1.1.1", 1);
	pb_icmp(p, 8, 0);
	pb_payload(p, 56, 0);
	pb_done(p, 0);
}

static void icmp_reply(struct pb *p) /* the reply shares the request's flow */
{
	pb_eth(p, 1);
	pb_ipv4(p, "10.1.1.1", "10.9.9.9", 1);
	pb_icmp(p, 0, 0);
	pb_payload(p, 56, 0);
	pb_done(p, 0);
}

static void tso_zero_len(struct pb *p) /* total length 0: a sender's TSO frame */
{
	v4_tcp_data(p);
	pb_set16(p->b + 16, 0);
}

static void gre(struct pb *p) /* no ports: a flow of the two addresses */
{
	pb_eth(p, 1);
	pb_ipv4(p, "10.2.2.2", "10.3.3.3", 47);
	pb_payload(p, 24, 0);
	pb_done(p, 0);
}

struct vcase {
	const char *name;
	void (*build)(struct pb *p);
	int fate; /* CTR_FLOW_PKTS: counted in the flow below */
	int v;
	uint8_t proto;
	const char *sa, *da;
	uint16_t sp, dp;
	uint32_t l3, l4, payload;
};

static const struct vcase cases[] = {
	{ "IPv4 TCP SYN with options", v4_tcp_syn, CTR_FLOW_PKTS, 4, 6, "192.0.2.1", "198.51.100.7", 40000, 443, 52, 32, 0 },
	{ "IPv4 TCP data, other direction", v4_tcp_data, CTR_FLOW_PKTS, 4, 6, "198.51.100.7", "192.0.2.1", 443, 40000, 140, 120, 100 },
	{ "IPv6 UDP", v6_udp, CTR_FLOW_PKTS, 6, 17, "2001:db8::1", "2001:db8::2", 5353, 53, 78, 38, 30 },
	{ "802.1ad + 802.1Q", qinq_udp, CTR_FLOW_PKTS, 4, 17, "10.0.0.1", "10.0.0.2", 1000, 2000, 38, 18, 10 },
	{ "three stacked tags", three_tags, CTR_FLOW_PKTS, 4, 17, "10.0.0.1", "10.0.0.2", 1000, 2000, 28, 8, 0 },
	{ "nine tags: deeper than we walk", nine_tags, CTR_BAD_VLAN },
	{ "MPLS label stack, IPv4 inside", mpls_v4, CTR_FLOW_PKTS, 4, 1, "10.0.0.1", "10.0.0.2", 8, 0, 28, 8, 0 },
	{ "PPPoE session, IPv6 inside", pppoe_v6, CTR_FLOW_PKTS, 6, 17, "::1", "::2", 1, 2, 48, 8, 0 },
	{ "PPPoE LCP: not IP", pppoe_lcp, CTR_NONIP_OTHER },
	{ "802.3 length + LLC (STP)", llc_stp, CTR_NONIP_LLC },
	{ "ARP", arp, CTR_NONIP_ARP },
	{ "IPv4 ihl 4", ihl4, CTR_BAD_IPV4_IHL },
	{ "IPv4 total length below header", tot_short, CTR_BAD_IPV4_LEN },
	{ "TCP data offset 3: counted, noted", tcp_doff3, CTR_FLOW_PKTS, 4, 6, "192.0.2.1", "198.51.100.7", 40000, 443, 40, 20, 0 },
	{ "IPv6 HBH + routing + dstopts", v6_ext_chain, CTR_FLOW_PKTS, 6, 6, "2001:db8::1", "2001:db8::2", 80, 36951, 108, 20, 0 },
	{ "IPv6 ten extension headers", v6_ext_too_many, CTR_BAD_IPV6_CHAIN },
	{ "IPv6 hop-by-hop longer than the frame", v6_ext_lying, CTR_BAD_IPV6_EXT },
	{ "IPv6 AH", v6_ah, CTR_FLOW_PKTS, 6, 17, "2001:db8::1", "2001:db8::2", 500, 500, 72, 8, 0 },
	{ "IPv4 first fragment", frag4_first, CTR_FLOW_PKTS, 4, 17, "203.0.113.5", "192.0.2.9", 53, 3333, 92, 72, 64 },
	{ "IPv4 later fragment: ports of the first", frag4_later, CTR_FLOW_PKTS, 4, 17, "203.0.113.5", "192.0.2.9", 53, 3333, 60, 40, 40 },
	{ "IPv4 fragment without its first: ports 0", frag4_orphan, CTR_FLOW_PKTS, 4, 17, "203.0.113.5", "192.0.2.9", 0, 0, 60, 40, 40 },
	{ "IPv6 first fragment", frag6_first, CTR_FLOW_PKTS, 6, 17, "2001:db8::53", "2001:db8::99", 53, 4444, 104, 56, 48 },
	{ "IPv6 later fragment", frag6_later, CTR_FLOW_PKTS, 6, 17, "2001:db8::53", "2001:db8::99", 53, 4444, 148, 100, 100 },
	{ "ICMP echo request", icmp_echo, CTR_FLOW_PKTS, 4, 1, "10.9.9.9", "10.1.1.1", 8, 0, 84, 64, 56 },
	{ "ICMP echo reply: same flow", icmp_reply, CTR_FLOW_PKTS, 4, 1, "10.1.1.1", "10.9.9.9", 8, 0, 84, 64, 56 },
	{ "IPv4 total length 0 (TSO)", tso_zero_len, CTR_FLOW_PKTS, 4, 6, "198.51.100.7", "192.0.2.1", 443, 40000, 140, 120, 100 },
	{ "GRE: addresses only", gre, CTR_FLOW_PKTS, 4, 47, "10.2.2.2", "10.3.3.3", 0, 0, 44, 24, 24 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Every vector lands in its fate, and flow packets in the flow and direction named, with exact lengths. */
static bool test_vectors(void)
{
	struct sensor *s = skel_new(XDP_PASS, 0, 1);
	bool ok = EXPECT_TRUE(s, "skeleton loads");
	size_t i;

	for (i = 0; s && i < NCASES; i++) {
		const struct vcase *c = &cases[i];
		uint64_t a[CTR_MAX], b[CTR_MAX];
		struct flow_total before = {}, after = {};
		struct flow_key k;
		struct pb p;
		int side = 0;

		c->build(&p);
		if (c->fate == CTR_FLOW_PKTS) {
			k = key_of(c->v, c->proto, c->sa, c->sp, c->da, c->dp, &side);
			flow_sum(s, &k, &before);
		}
		stats(s, a);
		ok &= EXPECT_EQ(run(s, p.b, p.n), XDP_PASS, c->name);
		stats(s, b);
		if (!EXPECT_EQ(fate_of(a, b), c->fate, c->name)) {
			ok = false;
			continue;
		}
		ok &= EXPECT_EQ(b[CTR_RX_FRAMES] - a[CTR_RX_FRAMES], 1, "rx_frames");
		ok &= EXPECT_EQ(b[CTR_RX_FRAME_BYTES] - a[CTR_RX_FRAME_BYTES], p.n, "rx_frame_bytes");
		if (c->fate != CTR_FLOW_PKTS)
			continue;
		ok &= EXPECT_TRUE(flow_sum(s, &k, &after), c->name);
		ok &= EXPECT_EQ(after.dir[side].pkts - before.dir[side].pkts, 1, c->name);
		ok &= EXPECT_EQ(after.dir[side].bytes - before.dir[side].bytes, c->l3, "IP-layer bytes");
		ok &= EXPECT_EQ(after.dir[side].l4_bytes - before.dir[side].l4_bytes, c->l4, "L4 bytes");
		ok &= EXPECT_EQ(after.dir[side].payload_bytes - before.dir[side].payload_bytes, c->payload,
				"payload bytes");
		ok &= EXPECT_EQ(after.dir[!side].pkts, before.dir[!side].pkts, "other direction untouched");
	}
	sensor__destroy(s);
	return ok;
}

struct cmp_ctx {
	struct sensor *s;
	int bad, n;
};

static void cmp_flow(void *arg, const struct flow_key *k, const struct flow_ctr *c)
{
	struct cmp_ctx *m = arg;
	struct flow_total kt, ut = {};

	flow_total_merge(&ut, c);
	m->n++;
	if (!flow_sum(m->s, k, &kt) || memcmp(kt.dir, ut.dir, sizeof(kt.dir)) || memcmp(kt.tcp_flags, ut.tcp_flags, 2) ||
	    kt.hint_orig != ut.hint_orig || kt.dups != ut.dups)
		m->bad++;
}

/*
 * The userspace twin (flow/acct.c over decode.c) agrees with the kernel on
 * every prefix of every vector: same fate, and the same per-flow counters.
 * This is what makes `flowtower read` a faithful stand-in for the live path.
 */
static bool test_truncation_sweep_matches_userspace(void)
{
	struct sensor *s = skel_new(XDP_PASS, 0, 1);
	struct acct_cfg ac = { .dedup = true, .max_flows = 1 << 20 };
	struct acct *a = NULL;
	bool ok = EXPECT_TRUE(s, "skeleton loads") && EXPECT_EQ(acct_new(&a, &ac), 0, "acct_new");
	int runs = 0, mismatches = 0;
	size_t i, len;

	for (i = 0; ok && i < NCASES; i++) {
		struct pb p;

		cases[i].build(&p);
		for (len = 14; len <= p.n; len++) {
			uint64_t x[CTR_MAX], y[CTR_MAX];
			struct pkt_info pi;
			struct flow_key k;
			int side, kfate, ufate;

			stats(s, x);
			if (run(s, p.b, len) != XDP_PASS)
				mismatches++;
			stats(s, y);
			kfate = fate_of(x, y);
			ufate = decode_frame(1, p.b, (uint32_t)len, (uint32_t)len, &pi);
			ufate = acct_frame(a, ufate, &pi, p.b, (uint32_t)len, (uint32_t)len, clock_wall_ns(), &k, &side);
			if (kfate != (ufate ? ufate : CTR_FLOW_PKTS)) {
				if (mismatches++ < 5)
					fprintf(stderr, "  %s, %zu of %zu bytes: kernel fate %d, userspace %d\n",
						cases[i].name, len, p.n, kfate, ufate);
			}
			runs++;
		}
	}
	ok &= EXPECT_EQ(mismatches, 0, "kernel and userspace fates differ");
	ok &= EXPECT_TRUE(runs > 1000, "prefixes tried");
	{
		/* and the flows they built are the same, counter for counter */
		struct cmp_ctx cmp = { s, 0, 0 };

		if (a)
			acct_drain(a, cmp_flow, &cmp);
		ok &= EXPECT_EQ(cmp.bad, 0, "flows that differ between kernel and userspace");
		ok &= EXPECT_TRUE(cmp.n > 10, "flows compared");
	}
	acct_free(a);
	sensor__destroy(s);
	return ok;
}

/* Drop mode drops what nobody reads; pass mode never takes a frame from the host, malformed or not. */
static bool test_verdicts(void)
{
	struct sensor *pass = skel_new(XDP_PASS, 0, 1), *drop = skel_new(XDP_DROP, 0, 1);
	bool ok = EXPECT_TRUE(pass && drop, "skeletons load");
	size_t i;

	for (i = 0; ok && i < NCASES; i++) {
		struct pb p;

		cases[i].build(&p);
		ok &= EXPECT_EQ(run(pass, p.b, p.n), XDP_PASS, cases[i].name);
		ok &= EXPECT_EQ(run(drop, p.b, p.n), XDP_DROP, cases[i].name);
	}
	sensor__destroy(pass);
	sensor__destroy(drop);
	return ok;
}

/* Packets to or from an own IPv4 address are skipped, counted, and make no flow counts. */
static bool test_skip_own(void)
{
	struct sensor *s = skel_new(XDP_PASS, 1, 1);
	uint64_t a[CTR_MAX], b[CTR_MAX];
	struct flow_total t;
	struct flow_key k;
	__be32 own;
	__u32 one = 1;
	struct pb p;
	int side;
	bool ok = EXPECT_TRUE(s, "skeleton loads");

	if (!s)
		return false;
	inet_pton(AF_INET, "192.0.2.1", &own);
	bpf_map_update_elem(bpf_map__fd(s->maps.own_addrs), &own, &one, BPF_ANY);
	v4_tcp_syn(&p);
	stats(s, a);
	run(s, p.b, p.n);
	run(s, p.b, p.n);
	v6_udp(&p);
	run(s, p.b, p.n);
	stats(s, b);
	ok &= EXPECT_EQ(b[CTR_SKIPPED_OWN] - a[CTR_SKIPPED_OWN], 2, "skipped_own");
	ok &= EXPECT_EQ(b[CTR_FLOW_PKTS] - a[CTR_FLOW_PKTS], 1, "the IPv6 packet still counts");
	k = key_of(4, 6, "192.0.2.1", 40000, "198.51.100.7", 443, &side);
	flow_sum(s, &k, &t);
	ok &= EXPECT_EQ(t.dir[0].pkts + t.dir[1].pkts, 0, "no packets in the own flow");
	sensor__destroy(s);
	return ok;
}

/*
 * IPv6 near-duplicates: the same packet again within 1 s with another source
 * MAC or hop limit (a router forwarding it past the tap) is not counted; the
 * same MAC and hop limit again is a true retransmission and is.
 */
static bool test_ipv6_near_duplicates(void)
{
	struct sensor *s = skel_new(XDP_PASS, 0, 1);
	uint64_t a[CTR_MAX], b[CTR_MAX];
	struct flow_total t;
	struct flow_key k;
	struct pb p;
	int side;
	bool ok = EXPECT_TRUE(s, "skeleton loads");

	if (!s)
		return false;
	stats(s, a);
	v6_udp(&p);
	run(s, p.b, p.n);
	run(s, p.b, p.n); /* retransmission: counted */
	p.b[11] = 9;	  /* another MAC */
	run(s, p.b, p.n);
	p.b[11] = 1;
	p.b[14 + 7] = 63; /* another hop limit */
	run(s, p.b, p.n);
	stats(s, b);
	ok &= EXPECT_EQ(b[CTR_FLOW_PKTS] - a[CTR_FLOW_PKTS], 2, "counted");
	ok &= EXPECT_EQ(b[CTR_DUPLICATES] - a[CTR_DUPLICATES], 2, "near-duplicates");
	k = key_of(6, 17, "2001:db8::1", 5353, "2001:db8::2", 53, &side);
	ok &= EXPECT_TRUE(flow_sum(s, &k, &t), "flow exists");
	ok &= EXPECT_EQ(t.dir[side].pkts, 2, "flow packets");
	ok &= EXPECT_EQ(t.dups, 2, "flow duplicates");
	sensor__destroy(s);
	return ok;
}

/* Local prefixes make directions: from local is tx, to local rx; the flow is marked on its local side. */
static bool test_local_prefix_directions(void)
{
	struct sensor *s = skel_new(XDP_PASS, 0, 1);
	struct lpm_key lk = { .prefixlen = 96 + 24 };
	uint64_t a[CTR_MAX], b[CTR_MAX];
	struct flow_total t;
	struct flow_key k;
	__u32 one = 1;
	struct pb p;
	int side;
	bool ok = EXPECT_TRUE(s, "skeleton loads");

	if (!s)
		return false;
	lk.addr[2] = htonl(0xffff);
	inet_pton(AF_INET, "192.0.2.0", &lk.addr[3]);
	bpf_map_update_elem(bpf_map__fd(s->maps.local_nets), &lk, &one, BPF_ANY);
	stats(s, a);
	v4_tcp_syn(&p); /* 192.0.2.1 -> out */
	run(s, p.b, p.n);
	v4_tcp_data(&p); /* back in */
	run(s, p.b, p.n);
	stats(s, b);
	ok &= EXPECT_EQ(b[CTR_TX_PKTS4] - a[CTR_TX_PKTS4], 1, "tx packets");
	ok &= EXPECT_EQ(b[CTR_TX_BYTES4] - a[CTR_TX_BYTES4], 52, "tx bytes");
	ok &= EXPECT_EQ(b[CTR_RX_PKTS4] - a[CTR_RX_PKTS4], 1, "rx packets");
	ok &= EXPECT_EQ(b[CTR_RX_BYTES4] - a[CTR_RX_BYTES4], 140, "rx bytes");
	k = key_of(4, 6, "192.0.2.1", 40000, "198.51.100.7", 443, &side);
	flow_sum(s, &k, &t);
	ok &= EXPECT_TRUE(t.flags & (side ? FLOW_F_LOCAL_B : FLOW_F_LOCAL_A), "local side marked");
	ok &= EXPECT_EQ(t.hint, HINT_SYN, "SYN names the originator");
	ok &= EXPECT_EQ(t.hint_orig, side, "originator is the SYN sender");
	sensor__destroy(s);
	return ok;
}

/* Timestamps are wall-clock ns, and the packet's minute of throughput is counted. */
static bool test_time_and_throughput(void)
{
	struct sensor *s = skel_new(XDP_PASS, 0, 1);
	struct tput_slot slots[FT_TPUT_SLOTS * 4];
	uint64_t t0, t1, pk = 0, by = 0;
	struct flow_total t;
	struct flow_key k;
	size_t n, i;
	struct pb p;
	int side;
	bool ok = EXPECT_TRUE(s, "skeleton loads");

	if (!s)
		return false;
	t0 = clock_wall_ns();
	v6_udp(&p);
	run(s, p.b, p.n);
	t1 = clock_wall_ns();
	k = key_of(6, 17, "2001:db8::1", 5353, "2001:db8::2", 53, &side);
	flow_sum(s, &k, &t);
	/* the boot-to-wall offset is sampled to well under a millisecond */
	ok &= EXPECT_TRUE(t.first_ns + 1000000 >= t0 && t.first_ns <= t1 + 1000000, "first_ns is wall time");
	maps_read_tput(bpf_map__fd(s->maps.tput), slots, sizeof(slots) / sizeof(slots[0]), &n);
	for (i = 0; i < n; i++) {
		pk += slots[i].cell[TDIR_OTHER][1].pkts;
		by += slots[i].cell[TDIR_OTHER][1].bytes;
		ok &= EXPECT_TRUE(slots[i].minute >= t0 / FT_NS_PER_MIN && slots[i].minute <= t1 / FT_NS_PER_MIN,
				  "minute of the packet");
	}
	ok &= EXPECT_EQ(pk, 1, "throughput packets");
	ok &= EXPECT_EQ(by, 78, "throughput bytes");
	sensor__destroy(s);
	return ok;
}

int main(void)
{
	if (geteuid()) {
		printf("FAIL: %s needs root (BPF_PROG_TEST_RUN)\n", __FILE__);
		return 1;
	}
	RUN(test_vectors);
	RUN(test_truncation_sweep_matches_userspace);
	RUN(test_verdicts);
	RUN(test_skip_own);
	RUN(test_ipv6_near_duplicates);
	RUN(test_local_prefix_directions);
	RUN(test_time_and_throughput);
	return test_failures != 0;
}
