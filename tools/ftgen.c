// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/ftgen.c - write a realistic mixed-traffic capture of a given size, and a JSON truth file of what is in it. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ftgen_steps.h"
#include "ftopt.h"

/*
 * The model: a tap between a LAN and its router. Clients (dual-stack or
 * IPv4-only, some on 802.1Q VLANs) open TLS, HTTP and QUIC connections to
 * named servers, often after asking DNS for the name; the router resolves a
 * client's IPv6 address with neighbor discovery before the first IPv6 flow to
 * it. Every "slot" runs one such plan after another, so exactly -f flows are
 * open at any time once the first second has passed; each flow holds one
 * pending event in a time-ordered heap and sends one packet per event, so
 * flows interleave as they would on the wire. All randomness flows from the
 * seed, and nothing depends on the clock or the address of anything: the
 * same options give the same bytes.
 */

#define PROG "ftgen"
#define EPOCH_S 1714564800ull /* 2024-05-01T12:00:00Z */

struct client {
	uint8_t mac[6];
	uint8_t v4[4];
	uint8_t v6[16];
	bool has_v6, ndp_done, na_sent;
	uint16_t vlan;
	uint16_t next_port;
};

struct slot {
	struct flow f;
	bool live;
	uint8_t plan[3], nplan, iplan; /* apps still to run: [NDP] [DNS] APP */
	uint32_t client;
	int32_t host;
	bool v6;
};

struct heap_ent {
	uint64_t t, seq;
	uint32_t slot;
};

struct ctx {
	struct gen g;
	struct client *clients;
	uint32_t nclients;
	struct slot *slots;
	uint32_t nslots;
	struct heap_ent *heap;
	uint32_t nheap;
	uint64_t seq, next_id;
	uint64_t ramp_ns; /* the first flows start spread over this long */
	FILE *truth;
	bool first_flow;
	uint64_t flows_by_app[APP_MAX], pkts_by_app[APP_MAX], flows_by_proto[3], flows_v[2];
	uint64_t splits, first_ns, last_ns;
	uint64_t open, peak_open; /* flows that have sent a packet and not ended */
};

static const uint8_t router_mac[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x00, 0x01 };
static const uint8_t router_ll[16] = { 0xfe, 0x80, [15] = 0x01 };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -o OUT.pcap [-n PACKETS] [-f FLOWS] [-s SEED] [--truth OUT.json] [--nsec]\n"
		"\n"
		"Writes a capture (pcap, Ethernet) of mixed traffic as a tap next to a router sees it:\n"
		"IPv4 and IPv6 clients, some on 802.1Q VLANs; TCP with handshakes, TLS 1.3 ClientHellos\n"
		"with SNI and ALPN (browser- and curl-like, GREASE in some, some split over two segments),\n"
		"ServerHellos, HTTP/1.1 GETs (some with the Host line split), bulk data both ways, FIN and\n"
		"RST closes; DNS A/AAAA queries and answers for the names the flows use; QUIC v1 with real\n"
		"Initial protection (RFC 9001: SNIs decrypt as tshark does), then opaque packets; NDP.\n"
		"Checksums are correct and frames shorter than 60 bytes are padded, as on a mirror port.\n"
		"\n"
		"  -o, --output FILE   the capture to write\n"
		"  -n, --packets N     packets to write (1..1000000000, default 2000000; k/M suffixes)\n"
		"  -f, --flows N       flows open at once (1..1000000, default 40000)\n"
		"  -s, --seed N        seed (0..2^64-1, default 1): the same options give the same bytes\n"
		"  -t, --truth FILE    write what the capture holds, per flow and in total, as JSON\n"
		"      --nsec          nanosecond timestamps (default: microseconds)\n"
		"  -h, --help          this text\n");
}

struct opts {
	const char *out, *truth;
	uint64_t packets, flows, seed;
	bool nsec;
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = { { "output", required_argument, NULL, 'o' },
					    { "packets", required_argument, NULL, 'n' },
					    { "flows", required_argument, NULL, 'f' },
					    { "seed", required_argument, NULL, 's' },
					    { "truth", required_argument, NULL, 't' },
					    { "nsec", no_argument, NULL, 'N' },
					    { "help", no_argument, NULL, 'h' },
					    {} };
	int c;

	*o = (struct opts){ .packets = 2000000, .flows = 40000, .seed = 1 };
	while ((c = getopt_long(argc, argv, "o:n:f:s:t:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			if (opt_u64(PROG, "packets", optarg, 1, 1000000000, &o->packets))
				return -EINVAL;
			break;
		case 'f':
			if (opt_u64(PROG, "flows", optarg, 1, 1000000, &o->flows))
				return -EINVAL;
			break;
		case 's':
			if (opt_u64(PROG, "seed", optarg, 0, UINT64_MAX, &o->seed))
				return -EINVAL;
			break;
		case 't':
			o->truth = optarg;
			break;
		case 'N':
			o->nsec = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (!o->out || optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* ---- the event heap: earliest time first, ties in insertion order ---- */

static bool heap_less(const struct heap_ent *a, const struct heap_ent *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void heap_push(struct ctx *c, uint64_t t, uint32_t slot)
{
	struct heap_ent e = { t, c->seq++, slot };
	uint32_t i = c->nheap++;

	while (i && heap_less(&e, &c->heap[(i - 1) / 2])) {
		c->heap[i] = c->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	c->heap[i] = e;
}

static struct heap_ent heap_pop(struct ctx *c)
{
	struct heap_ent top = c->heap[0], e = c->heap[--c->nheap];
	uint32_t i = 0, k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= c->nheap)
			break;
		if (k + 1 < c->nheap && heap_less(&c->heap[k + 1], &c->heap[k]))
			k++;
		if (!heap_less(&c->heap[k], &e))
			break;
		c->heap[i] = c->heap[k];
		i = k;
	}
	c->heap[i] = e;
	return top;
}

/* ---- clients and flows ---- */

static int clients_init(struct ctx *c, uint32_t n)
{
	static const uint8_t oui[][3] = { { 0xf0, 0x18, 0x98 }, { 0x18, 0x66, 0xda }, { 0x3c, 0xfd, 0xfe },
					  { 0x8c, 0xf5, 0xa3 }, { 0xdc, 0xa6, 0x32 }, { 0xa4, 0x83, 0xe7 } };
	static const uint16_t vlans[] = { 10, 20, 30, 110 };
	uint32_t i;

	c->clients = calloc(n, sizeof(*c->clients));
	if (!c->clients)
		return -ENOMEM;
	c->nclients = n;
	for (i = 0; i < n; i++) {
		struct client *cl = &c->clients[i];
		struct rng *r = &c->g.r;

		memcpy(cl->mac, oui[rng_below(r, 6)], 3);
		cl->mac[3] = (uint8_t)(i >> 16);
		cl->mac[4] = (uint8_t)(i >> 8);
		cl->mac[5] = (uint8_t)i;
		cl->vlan = rng_pct(r, 12) ? vlans[rng_below(r, 4)] : 0;
		cl->v4[0] = 10;
		cl->v4[1] = (uint8_t)(cl->vlan ? cl->vlan : 1);
		cl->v4[2] = (uint8_t)(i >> 8);
		cl->v4[3] = (uint8_t)(i & 0xff);
		cl->has_v6 = rng_pct(r, 50);
		put32(cl->v6, 0x20010db8);
		put16(cl->v6 + 4, 0x0100);
		put16(cl->v6 + 6, cl->vlan ? cl->vlan : 1);
		rng_fill(r, cl->v6 + 8, 6); /* a random interface id; the index keeps it unique */
		put16(cl->v6 + 14, (uint16_t)i);
		cl->next_port = (uint16_t)rng_range(r, 32768, 60999);
	}
	return 0;
}

static uint16_t client_port(struct client *cl)
{
	uint16_t p = cl->next_port;

	cl->next_port = cl->next_port >= 60999 ? 32768 : cl->next_port + 1;
	return p;
}

/* Common to every flow: ids, sides, addresses; the app's own fields are set by the caller. */
static void flow_base(struct ctx *c, struct flow *f, enum app app, struct client *cl, bool v6)
{
	struct rng *r = &c->g.r;

	memset(f, 0, sizeof(*f));
	f->id = ++c->next_id;
	f->r.s = rng_next(r);
	f->app = (uint8_t)app;
	f->ipv = v6 ? 6 : 4;
	f->vlan = cl->vlan;
	f->host = -1;
	memcpy(f->ep[0].mac, cl->mac, 6);
	memcpy(f->ep[0].addr, v6 ? cl->v6 : cl->v4, v6 ? 16 : 4);
	memcpy(f->ep[1].mac, router_mac, 6);
	memcpy(f->dst_mac[0], router_mac, 6);
	memcpy(f->dst_mac[1], cl->mac, 6);
	memcpy(f->dst_addr[1], f->ep[0].addr, 16);
	f->ipid[0] = (uint16_t)rng_next(&f->r);
	f->ipid[1] = (uint16_t)rng_next(&f->r);
	f->flowlabel = (uint32_t)rng_next(&f->r) & 0xfffff;
	f->rate_mbps = rng_range(&f->r, 20, 1000);
	f->first_ns = c->g.now;
}

static void flow_set_server(struct flow *f, const uint8_t *addr, uint16_t port)
{
	memcpy(f->ep[1].addr, addr, f->ipv == 6 ? 16 : 4);
	memcpy(f->dst_addr[0], addr, 16);
	f->ep[1].port = port;
}

static void flow_new_app(struct ctx *c, struct slot *s, enum app app)
{
	struct client *cl = &c->clients[s->client];
	struct host *h = &c->g.hosts[s->host];
	struct flow *f = &s->f;
	uint32_t u;

	flow_base(c, f, app, cl, s->v6);
	f->host = s->host;
	flow_set_server(f, s->v6 ? h->addr6 : h->addr4, app == APP_HTTP ? 80 : 443);
	f->proto = app == APP_QUIC ? IPPROTO_UDP_ : IPPROTO_TCP_;
	f->ep[0].port = client_port(cl);
	f->tsopt = rng_pct(&f->r, 75); /* Linux, macOS, Android; the rest Windows-like */
	f->ep[0].ttl = f->tsopt ? 64 : 128;
	f->ep[1].ttl = (uint8_t)rng_range(&f->r, 44, 60);
	f->mss = (uint16_t)(rng_pct(&f->r, 4) ? (s->v6 ? 1220 : 536) : (s->v6 ? 1440 : 1460));
	f->mss -= f->tsopt ? 12 : 0;
	f->isn[0] = f->nxt[0] = (uint32_t)rng_next(&f->r);
	f->isn[1] = f->nxt[1] = (uint32_t)rng_next(&f->r);
	f->tsbase[0] = (uint32_t)rng_next(&f->r);
	f->tsbase[1] = (uint32_t)rng_next(&f->r);
	/* the tap is near the client: the RTT is the server's distance, a property of the name */
	f->rtt = (uint32_t)((5 + (h->addr4[3] * 7 + h->addr4[2] * 3) % 140) * MS + rng_below(&f->r, 2000) * US);
	u = rng_below(&f->r, 100);
	f->tls_prof = u < 35 ? TLS_CHROME : u < 60 ? TLS_CHROME_PQ : u < 80 ? TLS_FIREFOX : TLS_CURL;
	if (app == APP_QUIC && f->tls_prof == TLS_CURL)
		f->tls_prof = TLS_CHROME;
	f->split = (app == APP_TLS && rng_pct(&f->r, 8)) || (app == APP_HTTP && rng_pct(&f->r, 20));
	f->close = rng_pct(&f->r, 15) ? CLOSE_RST : CLOSE_FIN;
	f->rounds = (uint8_t)(rng_pct(&f->r, app == APP_HTTP ? 30 : 45) ? rng_range(&f->r, 1, 3) : 0);
	f->http_redirect = app == APP_HTTP && rng_pct(&f->r, 15);
	f->no_sni = app == APP_TLS && rng_pct(&f->r, 2); /* connects by address */
	rng_fill(&f->r, f->dcid, 8);
	rng_fill(&f->r, f->scid, 8);
	f->stage = app == APP_QUIC ? Q_INIT1 : ST_SYN;
}

static void flow_new_dns(struct ctx *c, struct slot *s)
{
	static const uint8_t v4res[][4] = { { 10, 0, 0, 53 }, { 8, 8, 8, 8 }, { 1, 1, 1, 1 } };
	static const uint8_t v6res[][16] = { { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 1, [15] = 0x53 },
					     { 0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [15] = 0x88, [14] = 0x88 },
					     { 0x26, 0x06, 0x47, 0x00, 0x47, 0x00, [15] = 0x11, [14] = 0x11 } };
	struct client *cl = &c->clients[s->client];
	struct flow *f = &s->f;
	bool v6 = cl->has_v6 && rng_pct(&c->g.r, 50);
	uint32_t which = rng_pct(&c->g.r, 60) ? 0 : rng_range(&c->g.r, 1, 2);

	flow_base(c, f, APP_DNS, cl, v6);
	f->host = s->host;
	flow_set_server(f, v6 ? v6res[which] : v4res[which], 53);
	f->proto = IPPROTO_UDP_;
	f->ep[0].port = client_port(cl);
	f->ep[0].ttl = 64;
	f->ep[1].ttl = which ? (uint8_t)rng_range(&f->r, 52, 120) : 64;
	f->rtt = (uint32_t)(which ? rng_range(&f->r, 8000, 30000) : rng_range(&f->r, 200, 2000)) * (uint32_t)US;
	f->queries = cl->has_v6 ? 2 : 1;
	f->dns_id[0] = (uint16_t)rng_next(&f->r);
	f->dns_id[1] = (uint16_t)rng_next(&f->r);
	f->edns = rng_pct(&f->r, 70);
	f->stage = D_Q1;
}

static void flow_new_ndp(struct ctx *c, struct slot *s)
{
	struct client *cl = &c->clients[s->client];
	struct flow *f = &s->f;
	static const uint8_t snm[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	flow_base(c, f, APP_NDP, cl, true);
	/* side 0 is the router asking, side 1 the client answering */
	memcpy(f->ep[1].mac, cl->mac, 6);
	memcpy(f->ep[1].addr, cl->v6, 16);
	memcpy(f->ep[0].mac, router_mac, 6);
	memcpy(f->ep[0].addr, router_ll, 16);
	f->ep[0].ttl = f->ep[1].ttl = 255; /* RFC 4861: hop limit 255 or the message is ignored */
	memcpy(f->dst_addr[0], snm, 16);   /* solicited-node multicast ff02::1:ffXX:XXXX */
	memcpy(f->dst_addr[0] + 13, cl->v6 + 13, 3);
	f->dst_mac[0][0] = f->dst_mac[0][1] = 0x33;
	memcpy(f->dst_mac[0] + 2, f->dst_addr[0] + 12, 4);
	memcpy(f->dst_mac[1], router_mac, 6);
	memcpy(f->dst_addr[1], router_ll, 16);
	f->proto = IPPROTO_ICMPV6_;
	f->stage = N_NS;
}

/* A new plan for a slot: an app flow (often after DNS, and NDP the first time over IPv6) or DNS alone. */
static void slot_plan(struct ctx *c, struct slot *s)
{
	struct rng *r = &c->g.r;
	uint32_t u = rng_below(r, 100);
	struct client *cl;
	uint8_t app;

	s->client = rng_below(r, c->nclients);
	s->host = (int32_t)host_pick(r, c->g.nhosts);
	cl = &c->clients[s->client];
	app = u < 44 ? APP_TLS : u < 56 ? APP_HTTP : u < 70 ? APP_QUIC : APP_DNS;
	s->v6 = cl->has_v6 && c->g.hosts[s->host].has_v6;
	s->nplan = s->iplan = 0;
	if (app != APP_DNS && s->v6 && !cl->ndp_done) {
		s->plan[s->nplan++] = APP_NDP;
		cl->ndp_done = true; /* once per client, even if other slots plan IPv6 flows before it runs */
	}
	if (app != APP_DNS && rng_pct(r, 45))
		s->plan[s->nplan++] = APP_DNS;
	s->plan[s->nplan++] = app;
}

static void slot_start_next(struct ctx *c, struct slot *s)
{
	uint8_t app = s->plan[s->iplan++];

	if (app == APP_NDP)
		flow_new_ndp(c, s);
	else if (app == APP_DNS)
		flow_new_dns(c, s);
	else
		flow_new_app(c, s, (enum app)app);
	s->live = true;
}

#include "ftgen_truth.h"

static void flow_finished(struct ctx *c, struct slot *s, bool done)
{
	struct flow *f = &s->f;

	if (f->pkts[0] + f->pkts[1])
		truth_flow(c, s, done);
	free(f->x.msg);
	f->x.msg = NULL;
	s->live = false;
}

static int run(struct ctx *c)
{
	struct gen *g = &c->g;
	uint32_t i;

	for (i = 0; i < c->nslots; i++) {
		slot_plan(c, &c->slots[i]);
		heap_push(c, g->now + rng_next(&g->r) % c->ramp_ns, i);
	}
	while (g->pkts < g->limit && c->nheap) {
		struct heap_ent e = heap_pop(c);
		struct slot *s = &c->slots[e.slot];
		uint64_t d;

		g->now = e.t;
		if (!s->live)
			slot_start_next(c, s);
		if (!s->f.pkts[0] && !s->f.pkts[1] && ++c->open > c->peak_open)
			c->peak_open = c->open;
		d = flow_step(g, &s->f);
		if (d != STEP_DONE) {
			heap_push(c, g->now + d, e.slot);
			continue;
		}
		flow_finished(c, s, true);
		c->open--;
		if (s->iplan < s->nplan) /* the name is resolved: connect right away */
			d = rng_range(&s->f.r, 50, 2000) * US;
		else {
			slot_plan(c, s);
			d = rng_exp(&g->r, 20 * MS) + 1;
		}
		heap_push(c, g->now + d, e.slot);
	}
	for (i = 0; i < c->nslots; i++)
		if (c->slots[i].live)
			flow_finished(c, &c->slots[i], false);
	return 0;
}

/* Random bytes for opaque payloads, and lowercase words for text bodies. */
static int pools_init(struct gen *g)
{
	size_t i;

	g->pool = malloc(POOL_SIZE);
	g->text = malloc(POOL_SIZE);
	if (!g->pool || !g->text)
		return -ENOMEM;
	rng_fill(&g->r, g->pool, POOL_SIZE);
	for (i = 0; i < POOL_SIZE; i++) {
		uint32_t v = rng_below(&g->r, 32);

		g->text[i] = v < 26 ? (uint8_t)('a' + v) : v < 31 ? ' ' : '\n';
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = {};
	struct opts o;
	pcap_t *dead = NULL;
	struct timespec t0, t1;
	double secs;
	int err = 1;

	if (parse_args(argc, argv, &o))
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c.g.r.s = o.seed ^ 0x66746765ull;
	c.g.limit = o.packets;
	c.g.nsec = o.nsec;
	c.g.now = EPOCH_S * 1000000000ull;
	c.g.max_flow_pkts = o.packets / 1000 > 300 ? o.packets / 1000 : 300;
	c.g.nhosts = o.flows / 8 < 500 ? 500 : o.flows / 8 > 60000 ? 60000 : o.flows / 8;
	c.nslots = (uint32_t)o.flows;
	c.ramp_ns = (o.flows / 40000 + 1) * 1000 * MS; /* about 40000 new flows a second at first */
	c.slots = calloc(c.nslots, sizeof(*c.slots));
	c.heap = calloc(c.nslots, sizeof(*c.heap));
	c.g.hosts = hosts_new(&c.g.r, c.g.nhosts);
	c.g.cx = EVP_CIPHER_CTX_new();
	if (!c.slots || !c.heap || !c.g.hosts || !c.g.cx || pools_init(&c.g) ||
	    clients_init(&c, c.nslots / 20 < 256 ? 256 : c.nslots / 20)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
						    o.nsec ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	c.g.pd = dead ? pcap_dump_open(dead, o.out) : NULL;
	if (!c.g.pd) {
		fprintf(stderr, PROG ": %s: %s\n", o.out, dead ? pcap_geterr(dead) : "pcap_open_dead failed");
		goto out_dead;
	}
	setvbuf(pcap_dump_file(c.g.pd), NULL, _IOFBF, 1 << 20);
	if (o.truth && truth_open(&c, o.truth, &o))
		goto out_dump;
	run(&c);
	if (c.truth && truth_close(&c))
		goto out_dump;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr,
		PROG ": %" PRIu64 " packets, %" PRIu64 " flows (at most %" PRIu64 " open at once), %.1f s of traffic; "
		     "written in %.2f s (%.2f M packets/s)\n",
		c.g.pkts, c.next_id, c.peak_open, (double)(c.last_ns - c.first_ns) / 1e9, secs,
		(double)c.g.pkts / secs / 1e6);
	err = 0;

out_dump:
	if (pcap_dump_flush(c.g.pd) && !err) {
		fprintf(stderr, PROG ": %s: write failed\n", o.out);
		err = 1;
	}
	pcap_dump_close(c.g.pd);
out_dead:
	if (dead)
		pcap_close(dead);
out:
	free(c.slots);
	free(c.heap);
	free(c.clients);
	free(c.g.hosts);
	free(c.g.pool);
	free(c.g.text);
	EVP_CIPHER_CTX_free(c.g.cx);
	return err;
}
