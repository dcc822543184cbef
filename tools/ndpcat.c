// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/ndpcat.c - what the neighbor catalog learns from the NDP frames of captures, as neighbor JSON lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/pcapfile.h"
#include "decode/decode.h"
#include "flowtower/account.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "ndp/probe.h"
#include "util/clock.h"
#include "util/json.h"

/*
 * ndpcat [--device LINE]... [--max-age SECONDS] FILE...
 * ndpcat [--device LINE]... --probe IFACE [--wait SECONDS] [--no-send] ADDR...
 *
 * Every frame goes through decode_frame(); those the kernel would copy as NDP
 * (ft_is_ndp) go to catalog_ndp_frame() with their capture time, as the
 * daemon's pipeline hands them over. The catalog (aged at the last frame's
 * time) is printed sorted, one neighbor line each, then a stats line on stderr.
 *
 * --probe runs the prober on IFACE (root) for --wait seconds (default 3) with
 * a request for each ADDR, while libpcap stands in for XDP's copies: inbound
 * frames of IFACE go through the same decode -> catalog_ndp_frame() path. No
 * XDP program is needed, so the prober is checked on its own.
 */

struct ctx {
	struct catalog *cat;
	uint64_t last_ts;
};

static int on_frame(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts)
{
	struct ctx *x = arg;
	struct pkt_info pi;

	if (ts > x->last_ts)
		x->last_ts = ts;
	if (decode_frame(dlt, data, caplen, wirelen, &pi) || !ft_is_ndp(&pi))
		return 0;
	catalog_ndp_frame(x->cat, data, caplen, &pi, ts);
	return 0;
}

struct out {
	struct jw w;
	const struct leases *l;
};

static int print(void *arg, const struct catalog_entry *e)
{
	struct out *o = arg;

	catalog_json(&o->w, e, leases_name(o->l, e->mac));
	return 0;
}

static int run_probe(struct ctx *x, const char *ifname, bool send, unsigned int wait_s, char **addrs, int n)
{
	struct probe_cfg pc = { .ifname = ifname, .cat = x->cat, .send = send, .netlink = true, .rate = 50,
				.burst = 50 };
	char errbuf[PCAP_ERRBUF_SIZE];
	struct probe_stats st;
	struct probe *p = NULL;
	uint64_t until;
	pcap_t *cap;
	int i, err;

	cap = pcap_create(ifname, errbuf);
	if (!cap || pcap_set_snaplen(cap, 4096) || pcap_set_timeout(cap, 100) || pcap_set_immediate_mode(cap, 1) ||
	    pcap_activate(cap) < 0 || pcap_setdirection(cap, PCAP_D_IN) || pcap_setnonblock(cap, 1, errbuf)) {
		fprintf(stderr, "ndpcat: capturing on %s: %s\n", ifname, cap ? pcap_geterr(cap) : errbuf);
		return 1;
	}
	err = probe_new(&p, &pc);
	if (!err)
		err = probe_start(p);
	if (err) {
		fprintf(stderr, "ndpcat: probe on %s: %s\n", ifname, strerror(-err));
		pcap_close(cap);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint8_t a[16];

		if (inet_pton(AF_INET6, addrs[i], a) != 1) {
			fprintf(stderr, "ndpcat: '%s' is not an IPv6 address\n", addrs[i]);
			continue;
		}
		probe_request(p, a, clock_wall_ns());
	}
	until = clock_mono_ns() + (uint64_t)wait_s * NS_PER_SEC;
	while (clock_mono_ns() < until) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int r = pcap_next_ex(cap, &h, &d);

		if (r == 1)
			on_frame(x, pcap_datalink(cap), d, h->caplen, h->len,
				 (uint64_t)h->ts.tv_sec * NS_PER_SEC + (uint64_t)h->ts.tv_usec * 1000);
		else if (r == 0)
			usleep(10000);
		else
			break;
	}
	probe_stats(p, &st);
	fprintf(stderr, "ndpcat: probe: %llu requested, %llu sent, %llu send errors; netlink: %llu messages, %llu learned\n",
		(unsigned long long)st.requested, (unsigned long long)st.sent, (unsigned long long)st.send_errors,
		(unsigned long long)st.nl_msgs, (unsigned long long)st.nl_learned);
	probe_free(p);
	pcap_close(cap);
	x->last_ts = clock_wall_ns();
	return 0;
}

int main(int argc, char **argv)
{
	const char *probe_if = NULL;
	unsigned int wait_s = 3;
	bool send = true;
	struct ctx x = {};
	struct leases *l = NULL;
	struct catalog_stats st;
	struct out o;
	uint64_t max_age = 0, since = 0;
	char err[160];
	int i, rc = 0;

	if (leases_new(&l))
		return 1;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			if (leases_parse_line(l, argv[++i], err, sizeof(err))) {
				fprintf(stderr, "ndpcat: --device '%s': %s\n", argv[i], err);
				return 2;
			}
		} else if (!strcmp(argv[i], "--max-age") && i + 1 < argc) {
			max_age = strtoull(argv[++i], NULL, 10) * 1000000000ULL;
		} else if (!strcmp(argv[i], "--probe") && i + 1 < argc) {
			probe_if = argv[++i];
		} else if (!strcmp(argv[i], "--wait") && i + 1 < argc) {
			wait_s = (unsigned int)strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--no-send")) {
			send = false;
		} else {
			fprintf(stderr, "usage: ndpcat [--device NAME,MAC[,IPV4[,LO-HI]]]... [--max-age S] FILE...\n"
					"       ndpcat [--device ...]... --probe IFACE [--wait S] [--no-send] ADDR...\n");
			return 2;
		}
	}
	if (catalog_new(&x.cat, max_age, 1 << 20))
		return 1;
	if (probe_if)
		rc = run_probe(&x, probe_if, send, wait_s, argv + i, argc - i);
	for (; i < argc && !probe_if; i++)
		if (pcapfile_read(argv[i], on_frame, &x))
			rc = 1;
	catalog_expire(x.cat, x.last_ts);
	o.l = l;
	jw_init(&o.w, stdout);
	catalog_changed(x.cat, &since, print, &o);
	catalog_stats(x.cat, &st);
	fprintf(stderr, "ndpcat: %llu ndp frames, %llu invalid, %llu teaching nothing, %llu entries, %llu MAC changes\n",
		(unsigned long long)st.ndp_frames, (unsigned long long)st.ndp_invalid,
		(unsigned long long)st.ndp_silent, (unsigned long long)st.added, (unsigned long long)st.mac_changes);
	catalog_free(x.cat);
	leases_free(l);
	return rc;
}
