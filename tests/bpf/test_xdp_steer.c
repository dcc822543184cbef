// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bpf/test_xdp_steer.c - which packets XDP hands to userspace, packet by packet (BPF_PROG_TEST_RUN). */
#include <linux/if_link.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"
#include "flowtower/account.h"
#include "kern/maps.h"
#include "pktbuild.h"
#include "test.h"
#include "util/clock.h"

TEST_MAIN_DEFINE;

static const uint8_t own_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 }; /* pktbuild's destination */

static struct sensor *skel_new(int verdict, int steer, int own_mac_set, int skip_own)
{
	struct sensor *s = sensor__open();
	struct bpf_map *m;

	if (!s)
		return NULL;
	bpf_object__for_each_map(m, s->obj)
		bpf_map__set_pin_path(m, NULL);
	s->rodata->cfg_verdict = verdict;
	s->rodata->cfg_steer = steer;
	s->rodata->cfg_skip_own = skip_own;
	if (own_mac_set)
		memcpy((void *)s->rodata->cfg_own_mac, own_mac, 6);
	if (sensor__load(s)) {
		sensor__destroy(s);
		return NULL;
	}
	s->bss->wall_offset_ns = clock_boot_to_wall_ns();
	return s;
}

static int run(struct sensor *s, const struct pb *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = (__u32)p->n, .repeat = 1);

	return bpf_prog_test_run_opts(bpf_program__fd(s->progs.sensor_xdp), &o) ? -1 : (int)o.retval;
}

static uint64_t ctr(struct sensor *s, int i)
{
	uint64_t v[CTR_MAX];

	maps_read_stats(bpf_map__fd(s->maps.stats), v);
	return v[i];
}

/* "Steered" here: a redirect was attempted (no socket is bound in a test run, so it falls back and counts). */
static uint64_t steered(struct sensor *s)
{
	return ctr(s, CTR_STEER_XSK) + ctr(s, CTR_STEER_NO_XSK);
}

static void tcp_pkt(struct pb *p, int reverse, uint8_t flags, uint8_t dst_last)
{
	pb_eth(p, 1);
	p->b[5] = dst_last;
	if (!reverse) {
		pb_ipv4(p, "192.0.2.1", "198.51.100.7", 6);
		pb_tcp(p, 40000, 443, flags, 5);
	} else {
		pb_ipv4(p, "198.51.100.7", "192.0.2.1", 6);
		pb_tcp(p, 443, 40000, flags, 5);
	}
	pb_payload(p, 10, 'z');
	pb_done(p, 0);
}

static void udp_pkt(struct pb *p, int reverse, uint16_t port)
{
	pb_eth(p, 1);
	p->b[5] = 0x09; /* not this host: eligible for the socket */
	if (!reverse) {
		pb_ipv6(p, "2001:db8::1", "2001:db8::2", 17, 64);
		pb_udp(p, 50000, port);
	} else {
		pb_ipv6(p, "2001:db8::2", "2001:db8::1", 17, 64);
		pb_udp(p, port, 50000);
	}
	pb_payload(p, 20 + (size_t)(p->n % 7), 'u'); /* differ, so they are not near-duplicates */
	pb_done(p, 0);
}

/* TCP: the first 32 packets each way are steered, then nothing. */
static bool test_tcp_preamble_32_each_way(void)
{
	struct sensor *s = skel_new(XDP_DROP, 1, 0, 0);
	bool ok = EXPECT_TRUE(s, "skeleton loads");
	struct pb p;
	int i;

	for (i = 0; s && i < 40; i++) {
		tcp_pkt(&p, 0, i ? FT_TCP_ACK : FT_TCP_SYN, 9);
		ok &= EXPECT_EQ(run(s, &p), XDP_DROP, "verdict drop (no socket bound)");
	}
	ok &= EXPECT_EQ(steered(s), 32, "client side: 32 of 40");
	for (i = 0; s && i < 35; i++) {
		tcp_pkt(&p, 1, FT_TCP_ACK, 9);
		run(s, &p);
	}
	ok &= EXPECT_EQ(steered(s), 64, "server side: 32 of 35 more");
	ok &= EXPECT_EQ(ctr(s, CTR_FLOW_PKTS), 75, "every packet counted all the same");
	sensor__destroy(s);
	return ok;
}

/* Userspace marking a flow done stops steering at once. */
static bool test_marked_done_stops_at_once(void)
{
	struct sensor *s = skel_new(XDP_DROP, 1, 0, 0);
	struct steer_val sv;
	struct flow_key k;
	bool ok = EXPECT_TRUE(s, "skeleton loads");
	struct pb p;
	int i, fd;

	if (!s)
		return false;
	fd = bpf_map__fd(s->maps.preamble);
	tcp_pkt(&p, 0, FT_TCP_SYN, 9);
	run(s, &p);
	ok &= EXPECT_EQ(bpf_map_get_next_key(fd, NULL, &k), 0, "preamble entry exists");
	bpf_map_lookup_elem(fd, &k, &sv);
	ok &= EXPECT_EQ(sv.seen[0] + sv.seen[1], 1, "one packet seen");
	sv.done = 1;
	bpf_map_update_elem(fd, &k, &sv, BPF_EXIST);
	for (i = 0; i < 5; i++) {
		tcp_pkt(&p, i & 1, FT_TCP_ACK, 9);
		run(s, &p);
	}
	ok &= EXPECT_EQ(steered(s), 1, "only the packet before 'done'");
	sensor__destroy(s);
	return ok;
}

/* UDP/443 (QUIC Initials) and UDP/53 (DNS): 8 datagrams each way; other UDP: none. */
static bool test_udp_quic_dns_other(void)
{
	struct sensor *s = skel_new(XDP_DROP, 1, 0, 0);
	bool ok = EXPECT_TRUE(s, "skeleton loads");
	static const uint16_t ports[] = { 443, 53, 5353 };
	static const uint64_t want[] = { 16, 32, 32 };
	struct pb p;
	unsigned int j;
	int i;

	for (j = 0; s && j < 3; j++) {
		for (i = 0; i < 12; i++) {
			udp_pkt(&p, 0, ports[j]);
			run(s, &p);
			udp_pkt(&p, 1, ports[j]);
			run(s, &p);
		}
		ok &= EXPECT_EQ(steered(s), want[j], "8 each way for 443 and 53, none for 5353");
	}
	sensor__destroy(s);
	return ok;
}

struct ring_ctx {
	int n;
	struct xdp_meta last;
	uint8_t first_bytes[64];
};

static int on_copy(void *arg, void *data, size_t size)
{
	struct ring_ctx *r = arg;
	const struct copy_rec *rec = data;

	r->n++;
	r->last = rec->meta;
	memcpy(r->first_bytes, rec->data, sizeof(r->first_bytes));
	return 0;
}

static void ndp_ns(struct pb *p)
{
	pb_eth(p, 1);
	pb_ipv6(p, "fe80::1", "ff02::1:ff00:2", 58, 255);
	pb_icmp(p, 135, 0);
	pb_payload(p, 16, 0);
	pb_done(p, 0);
}

/* NDP is copied to the ring and the original keeps its verdict: PASS in pass mode. */
static bool test_ndp_copy_and_pass(void)
{
	struct sensor *pass = skel_new(XDP_PASS, 1, 1, 0), *drop = skel_new(XDP_DROP, 1, 0, 0);
	struct ring_ctx rc = {};
	struct ring_buffer *rb;
	uint64_t t0 = clock_wall_ns();
	bool ok = EXPECT_TRUE(pass && drop, "skeletons load");
	struct pb p;

	if (!ok)
		return false;
	ndp_ns(&p);
	ok &= EXPECT_EQ(run(pass, &p), XDP_PASS, "NS reaches the host in pass mode");
	ok &= EXPECT_EQ(run(drop, &p), XDP_DROP, "and follows the verdict on a dedicated port");
	rb = ring_buffer__new(bpf_map__fd(pass->maps.copy_ring), on_copy, &rc, NULL);
	ring_buffer__poll(rb, 0);
	ok &= EXPECT_EQ(rc.n, 1, "one copy");
	ok &= EXPECT_EQ(rc.last.magic, XMETA_MAGIC, "metadata magic");
	ok &= EXPECT_EQ(rc.last.len, p.n, "wire length");
	ok &= EXPECT_EQ(rc.last.caplen, p.n, "copied length");
	ok &= EXPECT_EQ(rc.last.flags, XMETA_F_COPY, "marked as a copy");
	ok &= EXPECT_TRUE(rc.last.ts_ns >= t0 - 1000000 && rc.last.ts_ns <= clock_wall_ns() + 1000000, "timestamp");
	ok &= EXPECT_MEM(rc.first_bytes, p.b, 64, "frame bytes");
	ok &= EXPECT_EQ(steered(pass), 0, "not redirected");
	ring_buffer__free(rb);
	sensor__destroy(pass);
	sensor__destroy(drop);
	return ok;
}

/* Pass mode: a preamble frame addressed to this host (its MAC, or broadcast) is copied, never stolen. */
static bool test_pass_mode_host_frames_are_copied(void)
{
	struct sensor *s = skel_new(XDP_PASS, 1, 1, 0);
	bool ok = EXPECT_TRUE(s, "skeleton loads");
	struct pb p;

	if (!s)
		return false;
	tcp_pkt(&p, 0, FT_TCP_SYN, 0x02); /* to own MAC */
	ok &= EXPECT_EQ(run(s, &p), XDP_PASS, "own frame passes");
	tcp_pkt(&p, 1, FT_TCP_SYN | FT_TCP_ACK, 0x09); /* someone else's: to the socket */
	run(s, &p);
	tcp_pkt(&p, 0, FT_TCP_ACK, 0x02);
	p.b[0] = 0xff; /* broadcast group bit */
	ok &= EXPECT_EQ(run(s, &p), XDP_PASS, "group frame passes");
	ok &= EXPECT_EQ(ctr(s, CTR_STEER_COPY), 2, "copied");
	ok &= EXPECT_EQ(steered(s), 1, "only the other host's frame redirected");
	sensor__destroy(s);
	return ok;
}

/* Not steered: later fragments, own-address flows, and anything when steering is off. */
static bool test_never_steered(void)
{
	struct sensor *s = skel_new(XDP_DROP, 1, 0, 1), *off = skel_new(XDP_DROP, 0, 0, 0);
	bool ok = EXPECT_TRUE(s && off, "skeletons load");
	__be32 own;
	__u32 one = 1;
	struct pb p;

	if (!ok)
		return false;
	pb_eth(&p, 1);
	pb_ipv4(&p, "203.0.113.5", "192.0.2.9", 6);
	pb_payload(&p, 40, 'b');
	pb_frag4(&p, 9, 0, 0x4242);
	pb_done(&p, 0);
	run(s, &p);
	ok &= EXPECT_EQ(steered(s), 0, "later fragment");
	pb_eth(&p, 1);
	p.b[5] = 9;
	pb_ipv4(&p, "203.0.113.5", "192.0.2.9", 6);
	pb_tcp(&p, 0, 0, FT_TCP_ACK, 5); /* ports 0: the flow the orphan fragment went to */
	pb_done(&p, 0);
	run(s, &p);
	ok &= EXPECT_EQ(steered(s), 1, "the fragment's flow is still steered afterwards");
	inet_pton(AF_INET, "192.0.2.1", &own);
	bpf_map_update_elem(bpf_map__fd(s->maps.own_addrs), &own, &one, BPF_ANY);
	tcp_pkt(&p, 0, FT_TCP_SYN, 9);
	run(s, &p);
	ok &= EXPECT_EQ(steered(s), 1, "own-address flow: nothing more");
	run(off, &p);
	ok &= EXPECT_EQ(steered(off) + ctr(off, CTR_STEER_COPY), 0, "steering off");
	ok &= EXPECT_EQ(ctr(off, CTR_FLOW_PKTS), 1, "counted all the same");
	sensor__destroy(s);
	sensor__destroy(off);
	return ok;
}

int main(void)
{
	if (geteuid()) {
		printf("FAIL: %s needs root (BPF_PROG_TEST_RUN)\n", __FILE__);
		return 1;
	}
	RUN(test_tcp_preamble_32_each_way);
	RUN(test_marked_done_stops_at_once);
	RUN(test_udp_quic_dns_other);
	RUN(test_ndp_copy_and_pass);
	RUN(test_pass_mode_host_frames_are_copied);
	RUN(test_never_steered);
	return test_failures != 0;
}
