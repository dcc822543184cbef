/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_truth.h - ftgen's truth file: every flow as written, totals, names and neighbors, in JSON. */
#ifndef FTGEN_TRUTH_H
#define FTGEN_TRUTH_H

/* Included by ftgen.c after struct ctx: it reads the generator's state. */

static const char truth_definitions[] =
	"\"definitions\":{"
	"\"flow\":\"one 5-tuple (addresses, ports, protocol), unique in the capture; orig = the side that sent "
	"first (the client; for NDP the router's solicitation, then the client's advertisement as a flow of its own)\","
	"\"pkts\":\"frames each way\","
	"\"bytes\":\"IP-layer bytes each way: IPv4 total length, IPv6 40 + payload length (no Ethernet, VLAN tag or "
	"padding)\","
	"\"icmpv6_ports\":\"for ICMPv6, orig_port is the type with replies folded onto their request (NA 136 -> 135) "
	"and resp_port the code, as flowtower keys them\","
	"\"names\":\"sni/http_host/dns_query are set only when the whole ClientHello, request head or query is in the "
	"capture; hostname/hostname_source repeat the one name the flow carries\","
	"\"state\":\"fin, rst or done (UDP/ICMPv6 exchange complete) when the flow ended inside the capture, open when "
	"the capture ended first\","
	"\"times\":\"RFC 3339 UTC, as stored in the file (microseconds unless --nsec)\"},\n";

static void truth_time(const struct ctx *c, char *out, size_t cap, uint64_t ns)
{
	time_t s = (time_t)(ns / 1000000000ull);
	uint64_t sub = ns % 1000000000ull;
	struct tm tm;

	if (!c->g.nsec)
		sub -= sub % 1000;
	gmtime_r(&s, &tm);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sub);
}

static void truth_addr(char *out, int ipv, const uint8_t *a)
{
	inet_ntop(ipv == 4 ? AF_INET : AF_INET6, a, out, INET6_ADDRSTRLEN);
}

static void truth_mac(char *out, const uint8_t *m)
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void truth_str(FILE *t, const char *key, const char *v)
{
	if (v)
		fprintf(t, ",\"%s\":\"%s\"", key, v); /* names are [a-z0-9.-]: nothing to escape */
	else
		fprintf(t, ",\"%s\":null", key);
}

/* One record: 'side' s of the flow as the originator when 'one_way' (NDP's two messages), else both. */
static void truth_record(struct ctx *c, const struct flow *f, int o, bool one_way, bool done)
{
	static const char *const src[APP_MAX] = { "tls_sni", "http_host", "quic_sni", "dns", NULL };
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], ma[18], mb[18], t0[64], t1[64];
	const char *name = f->name_sent && f->host >= 0 && !f->no_sni ? c->g.hosts[f->host].name : NULL;
	const uint8_t *raddr = one_way ? f->dst_addr[o] : f->ep[!o].addr;
	const uint8_t *rmac = one_way ? f->dst_mac[o] : f->ep[!o].mac;
	uint64_t rp = one_way ? 0 : f->pkts[!o], rb = one_way ? 0 : f->bytes[!o];
	FILE *t = c->truth;

	truth_addr(a, f->ipv, f->ep[o].addr);
	truth_addr(b, f->ipv, raddr);
	truth_mac(ma, f->ep[o].mac);
	truth_mac(mb, rmac);
	truth_time(c, t0, sizeof(t0), one_way && o ? f->last_ns : f->first_ns);
	truth_time(c, t1, sizeof(t1), one_way && !o ? f->first_ns : f->last_ns);
	fprintf(t, "%s{\"id\":%" PRIu64 "%s,\"app\":\"%s\",\"ip_version\":%d,\"proto\":%d", c->first_flow ? "" : ",\n",
		f->id, one_way ? (o ? ".2" : ".1") : "", app_name[f->app], f->ipv, f->proto);
	c->first_flow = false;
	if (f->vlan)
		fprintf(t, ",\"vlan\":%u", f->vlan);
	else
		fprintf(t, ",\"vlan\":null");
	fprintf(t,
		",\"orig_addr\":\"%s\",\"orig_port\":%u,\"resp_addr\":\"%s\",\"resp_port\":%u,\"orig_mac\":\"%s\","
		"\"resp_mac\":\"%s\",\"orig_pkts\":%" PRIu64 ",\"resp_pkts\":%" PRIu64 ",\"orig_bytes\":%" PRIu64
		",\"resp_bytes\":%" PRIu64 ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"state\":\"%s\"",
		a, f->app == APP_NDP ? 135 : f->ep[o].port, b, f->app == APP_NDP ? 0 : f->ep[!o].port, ma, mb,
		f->pkts[o], rp, f->bytes[o], rb, t0, t1, done ? close_name[f->close] : "open");
	truth_str(t, "hostname", name);
	fprintf(t, ",\"hostname_source\":%s%s%s", name ? "\"" : "", name ? src[f->app] : "null", name ? "\"" : "");
	truth_str(t, "sni", f->app == APP_TLS || f->app == APP_QUIC ? name : NULL);
	truth_str(t, "http_host", f->app == APP_HTTP ? name : NULL);
	truth_str(t, "dns_query", f->app == APP_DNS ? name : NULL);
	if (f->app == APP_TLS || f->app == APP_QUIC) {
		const char *const *al = flow_alpn(f);

		fprintf(t, ",\"tls_profile\":\"%s\",\"alpn\":[", tls_profile_name[f->tls_prof]);
		for (; *al; al++)
			fprintf(t, "\"%s\"%s", *al, al[1] ? "," : "");
		fprintf(t, "],\"split\":%s", f->split ? "true" : "false");
	} else if (f->app == APP_HTTP) {
		fprintf(t, ",\"split\":%s", f->split ? "true" : "false");
	} else if (f->app == APP_DNS) {
		fprintf(t, ",\"dns_qtypes\":[1%s]", f->queries == 2 ? ",28" : "");
	} else {
		fprintf(t, ",\"ndp\":\"%s\",\"target\":\"%s\"", o ? "na" : "ns", o ? a : b);
	}
	fputc('}', t);
}

static void truth_flow(struct ctx *c, struct slot *s, bool done)
{
	struct flow *f = &s->f;
	struct host *h = f->host >= 0 ? &c->g.hosts[f->host] : NULL;
	uint64_t n = f->pkts[0] + f->pkts[1];

	if (!c->first_ns || f->first_ns < c->first_ns)
		c->first_ns = f->first_ns;
	if (f->last_ns > c->last_ns)
		c->last_ns = f->last_ns;
	c->pkts_by_app[f->app] += n;
	c->flows_by_app[f->app]++;
	c->flows_v[f->ipv == 6]++;
	c->flows_by_proto[f->proto == IPPROTO_TCP_ ? 0 : f->proto == IPPROTO_UDP_ ? 1 : 2]++;
	if (f->app == APP_NDP && f->pkts[1]) { /* the NA is a flow of its own */
		c->flows_by_app[f->app]++;
		c->flows_v[1]++;
		c->flows_by_proto[2]++;
		c->clients[s->client].na_sent = true;
	}
	if (f->split && f->name_sent)
		c->splits++;
	if (h && f->name_sent && !f->no_sni)
		h->seen |= f->app == APP_TLS ? HOST_SEEN_SNI : f->app == APP_QUIC ? HOST_SEEN_QUIC :
			   f->app == APP_HTTP ? HOST_SEEN_HTTP : HOST_SEEN_DNS;
	if (!c->truth)
		return;
	if (f->app != APP_NDP) {
		truth_record(c, f, 0, false, done);
		return;
	}
	truth_record(c, f, 0, true, done || f->pkts[1]);
	if (f->pkts[1])
		truth_record(c, f, 1, true, done);
}

static int truth_open(struct ctx *c, const char *path, const struct opts *o)
{
	c->truth = fopen(path, "w");
	if (!c->truth) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -errno;
	}
	setvbuf(c->truth, NULL, _IOFBF, 1 << 20);
	fprintf(c->truth,
		"{\"generator\":\"ftgen\",\"version\":1,\"seed\":%" PRIu64 ",\"packets_requested\":%" PRIu64
		",\"concurrent_flows\":%" PRIu64 ",\"timestamps\":\"%s\",\n",
		o->seed, o->packets, o->flows, o->nsec ? "nsec" : "usec");
	fputs(truth_definitions, c->truth);
	fputs("\"flows\":[\n", c->truth);
	c->first_flow = true;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "key":["name",...] of the hosts seen with 'bit', sorted. */
static void truth_names(struct ctx *c, const char *key, uint8_t bit, uint64_t *count)
{
	const char **v = malloc(c->g.nhosts * sizeof(*v));
	size_t i, n = 0;

	for (i = 0; v && i < c->g.nhosts; i++)
		if (c->g.hosts[i].seen & bit)
			v[n++] = c->g.hosts[i].name;
	if (v)
		qsort(v, n, sizeof(*v), cmp_str);
	fprintf(c->truth, "\"%s\":[", key);
	for (i = 0; i < n; i++)
		fprintf(c->truth, "%s\"%s\"", i ? "," : "", v[i]);
	fputs("]", c->truth);
	*count = n;
	free(v);
}

static int truth_close(struct ctx *c)
{
	FILE *t = c->truth;
	char a[INET6_ADDRSTRLEN], m[18], t0[64], t1[64];
	uint64_t nn[4], flows = 0;
	uint32_t i;
	bool first = true;
	int k, err = 0;

	fputs("\n],\n\"neighbors\":[", t);
	for (i = 0; i < c->nclients; i++) {
		if (!c->clients[i].na_sent)
			continue;
		truth_addr(a, 6, c->clients[i].v6);
		truth_mac(m, c->clients[i].mac);
		fprintf(t, "%s{\"addr\":\"%s\",\"mac\":\"%s\"}", first ? "" : ",", a, m);
		first = false;
	}
	fputs("],\n\"names\":{", t);
	truth_names(c, "sni", HOST_SEEN_SNI, &nn[0]);
	fputc(',', t);
	truth_names(c, "quic_sni", HOST_SEEN_QUIC, &nn[1]);
	fputc(',', t);
	truth_names(c, "http_host", HOST_SEEN_HTTP, &nn[2]);
	fputc(',', t);
	truth_names(c, "dns_query", HOST_SEEN_DNS, &nn[3]);
	for (k = 0; k < APP_MAX; k++)
		flows += c->flows_by_app[k];
	truth_time(c, t0, sizeof(t0), c->first_ns);
	truth_time(c, t1, sizeof(t1), c->last_ns);
	fprintf(t,
		"},\n\"totals\":{\"packets\":%" PRIu64 ",\"frame_bytes\":%" PRIu64 ",\"ip_bytes\":%" PRIu64
		",\"vlan_frames\":%" PRIu64 ",\"flows\":%" PRIu64 ",\"ipv4_flows\":%" PRIu64 ",\"ipv6_flows\":%" PRIu64
		",\"flows_by_proto\":{\"tcp\":%" PRIu64 ",\"udp\":%" PRIu64 ",\"icmpv6\":%" PRIu64 "}",
		c->g.pkts, c->g.frame_bytes, c->g.ip_bytes, c->g.vlan_frames, flows, c->flows_v[0], c->flows_v[1],
		c->flows_by_proto[0], c->flows_by_proto[1], c->flows_by_proto[2]);
	fputs(",\"flows_by_app\":{", t);
	for (k = 0; k < APP_MAX; k++)
		fprintf(t, "%s\"%s\":%" PRIu64, k ? "," : "", app_name[k], c->flows_by_app[k]);
	fputs("},\"packets_by_app\":{", t);
	for (k = 0; k < APP_MAX; k++)
		fprintf(t, "%s\"%s\":%" PRIu64, k ? "," : "", app_name[k], c->pkts_by_app[k]);
	fprintf(t,
		"},\"snis\":%" PRIu64 ",\"quic_snis\":%" PRIu64 ",\"http_hosts\":%" PRIu64 ",\"dns_names\":%" PRIu64
		",\"split_names\":%" PRIu64 ",\"peak_open_flows\":%" PRIu64
		",\"first_seen\":\"%s\",\"last_seen\":\"%s\"}}\n",
		nn[0], nn[1], nn[2], nn[3], c->splits, c->peak_open, t0, t1);
	if (fflush(t) || ferror(t))
		err = -EIO;
	if (fclose(t))
		err = -EIO;
	c->truth = NULL;
	if (err)
		fprintf(stderr, PROG ": writing the truth file failed\n");
	return err;
}

#endif /* FTGEN_TRUTH_H */
