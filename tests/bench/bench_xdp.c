// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/bench/bench_xdp.c - ns per packet of the sensor's XDP program against a drop and a minimal program (BPF_PROG_TEST_RUN). */
#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"
#include "flowtower/account.h"
#include "pktbuild.h"
#include "util/clock.h"

#define NFLOWS 65536

static unsigned long hot_repeat = 1000000;

/* A frame of 'len' bytes: Ethernet, IPv4, TCP ACK; flow 'i' sets the source address and port. */
static void frame(uint8_t *out, size_t len, uint32_t i)
{
	struct pb p = { 0 };

	pb_eth(&p, 1);
	pb_ipv4(&p, "192.0.2.1", "198.51.100.7", 6);
	pb_tcp(&p, 40000, 443, 0x10, 5);
	pb_payload(&p, len - p.n, 0xab);
	pb_done(&p, 0);
	p.b[14 + 12 + 1] = (uint8_t)(i >> 16);
	p.b[14 + 12 + 2] = (uint8_t)(i >> 8);
	p.b[14 + 12 + 3] = (uint8_t)i;
	p.b[34] = (uint8_t)((1024 + (i & 0x3fff)) >> 8);
	p.b[35] = (uint8_t)(1024 + (i & 0x3fff));
	memcpy(out, p.b, len);
}

/* Average ns per run of 'fd' over 'repeat' runs of one frame (the kernel's own timer). */
static double run_ns(int fd, const uint8_t *pkt, size_t len, unsigned long repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (__u32)len, .repeat = (int)repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -1;
	return (double)o.duration;
}

/* Hot flow: the best of three runs of hot_repeat repeats of one frame (flow created first). */
static double hot(int fd, size_t len)
{
	uint8_t pkt[1514];
	double best = 1e18, ns;
	int t;

	frame(pkt, len, 0xfffff0);
	run_ns(fd, pkt, len, 64); /* past creation and the preamble */
	for (t = 0; t < 3; t++) {
		ns = run_ns(fd, pkt, len, hot_repeat);
		if (ns >= 0 && ns < best)
			best = ns;
	}
	return best;
}

/*
 * Many flows: NFLOWS distinct frames, one run each in a loop (repeat 1: every packet a
 * different flow than the one before, as on a busy link). base picks a fresh range of flows;
 * with fresh=1 each run is the flow's first packet (a map insert), else flows exist already.
 */
static double many(int fd, size_t len, uint32_t base, int passes)
{
	static uint8_t pkts[NFLOWS][1514];
	double sum = 0;
	long n = 0;
	int pass;
	uint32_t i;

	for (i = 0; i < NFLOWS; i++)
		frame(pkts[i], len, base + i);
	for (pass = 0; pass < passes; pass++)
		for (i = 0; i < NFLOWS; i++) {
			double ns = run_ns(fd, pkts[i], len, 1);

			if (ns < 0)
				return -1;
			if (passes == 1 || pass > 0) { /* pass 0 of a warm measure creates the flows */
				sum += ns;
				n++;
			}
		}
	return n ? sum / (double)n : -1;
}

struct subject {
	const char *name;
	int fd;
	struct sensor *skel;
	struct bpf_object *obj;
};

static int load_obj(struct subject *s, const char *name, const char *path)
{
	struct bpf_program *p;

	s->name = name;
	s->obj = bpf_object__open_file(path, NULL);
	if (!s->obj || bpf_object__load(s->obj)) {
		fprintf(stderr, "bench_xdp: cannot load %s\n", path);
		return -1;
	}
	p = bpf_object__next_program(s->obj, NULL);
	s->fd = bpf_program__fd(p);
	return 0;
}

/* The sensor exactly as the tests load it: skeleton, no pins, verdict drop; steering on or off. */
static int load_sensor(struct subject *s, const char *name, int steer)
{
	struct bpf_map *m;

	s->name = name;
	s->skel = sensor__open();
	if (!s->skel)
		return -1;
	bpf_object__for_each_map(m, s->skel->obj)
		bpf_map__set_pin_path(m, NULL);
	s->skel->rodata->cfg_verdict = XDP_DROP;
	s->skel->rodata->cfg_steer = (__u8)steer;
	if (sensor__load(s->skel)) {
		fprintf(stderr, "bench_xdp: cannot load the sensor (steer %d)\n", steer);
		return -1;
	}
	s->skel->bss->wall_offset_ns = clock_boot_to_wall_ns();
	s->fd = bpf_program__fd(s->skel->progs.sensor_xdp);
	return 0;
}

int main(int argc, char **argv)
{
	struct subject s[4] = { 0 };
	static const size_t sizes[2] = { 64, 1514 };
	int i, z, n = 4;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_xdp DROP.bpf.o MINIMAL.bpf.o [HOT_REPEAT]\n");
		return 2;
	}
	if (argc > 3)
		hot_repeat = strtoul(argv[3], NULL, 0);
	libbpf_set_print(NULL);
	if (load_obj(&s[0], "drop", argv[1]) || load_obj(&s[1], "minimal", argv[2]) ||
	    load_sensor(&s[2], "flowtower_steer_off", 0) || load_sensor(&s[3], "flowtower_steer_on", 1))
		return 1;
	printf("{\"hot_repeat\": %lu, \"many_flows\": %d, \"programs\": {", hot_repeat, NFLOWS);
	for (i = 0; i < n; i++) {
		printf("%s\n \"%s\": {", i ? "," : "", s[i].name);
		for (z = 0; z < 2; z++) {
			/* frame sizes: 64 and 1514 bytes (a 1500-byte IP packet) */
			double h = hot(s[i].fd, sizes[z]);
			double nw = many(s[i].fd, sizes[z], (uint32_t)(z + 1) << 20, 1);
			double w = many(s[i].fd, sizes[z], (uint32_t)(z + 3) << 20, 2);

			printf("%s\"%zu\": {\"hot_ns\": %.1f, \"new_flow_ns\": %.1f, \"many_flows_ns\": %.1f}",
			       z ? ", " : "", sizes[z], h, nw, w);
			fflush(stdout);
		}
		printf("}");
	}
	printf("}}\n");
	for (i = 0; i < n; i++) {
		if (s[i].skel)
			sensor__destroy(s[i].skel);
		if (s[i].obj)
			bpf_object__close(s[i].obj);
	}
	return 0;
}
