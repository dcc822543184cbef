// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/web_metrics.c - the daemon's `stats` object as Prometheus text exposition format 0.0.4. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/web.h"
#include "flow/names.h"

/*
 * The input is one flat JSON object: the kernel counters under their
 * ft_ctr_names[] and the `state` fields (daemon, AF_XDP/AF_PACKET rings,
 * pipeline, L7). Only its top-level numbers and strings are read; nested
 * values are skipped. A series whose key is absent is left out, never
 * shown as 0 (absent values are not guessed); the store's gauges are the
 * exception: NaN until the daemon reports them (its writer is not wired in).
 */
#define MAX_FIELDS 512

struct field {
	const char *key, *val;
	size_t klen, vlen;
	char kind; /* 'n' number, 's' string */
};

struct fields {
	struct field f[MAX_FIELDS];
	unsigned int n;
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* p at the opening quote; returns past the closing one, or NULL (RFC 8259 7). */
static const char *scan_string(const char *p)
{
	for (p++; *p; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p == '\\' && !*++p)
			return NULL;
	}
	return NULL;
}

/* RFC 8259 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static const char *scan_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *scan_value(const char *p, int depth)
{
	char close;

	p = skip_ws(p);
	if (*p == '"')
		return scan_string(p);
	if (*p == '-' || (*p >= '0' && *p <= '9'))
		return scan_number(p);
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if ((*p != '{' && *p != '[') || depth > 32)
		return NULL;
	close = *p == '{' ? '}' : ']';
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = *p == '"' ? scan_string(p) : NULL;
			if (!p || *(p = skip_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = scan_value(p, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
}

/* The top-level members of one object (text after it must be whitespace). 0 or -EBADMSG. */
static int parse_fields(const char *s, struct fields *o)
{
	const char *p = skip_ws(s);

	o->n = 0;
	if (*p++ != '{')
		return -EBADMSG;
	p = skip_ws(p);
	if (*p == '}')
		return *skip_ws(p + 1) ? -EBADMSG : 0;
	for (;;) {
		struct field fl = { .key = p + 1 };
		const char *v;

		p = *p == '"' ? scan_string(p) : NULL;
		if (!p)
			return -EBADMSG;
		fl.klen = (size_t)(p - 1 - fl.key);
		p = skip_ws(p);
		if (*p++ != ':')
			return -EBADMSG;
		v = skip_ws(p);
		p = scan_value(v, 0);
		if (!p)
			return -EBADMSG;
		fl.kind = *v == '"' ? 's' : (*v == '-' || (*v >= '0' && *v <= '9')) ? 'n' : 0;
		fl.val = fl.kind == 's' ? v + 1 : v;
		fl.vlen = (size_t)(p - v) - (fl.kind == 's' ? 2 : 0);
		if (fl.kind && o->n < MAX_FIELDS)
			o->f[o->n++] = fl;
		p = skip_ws(p);
		if (*p == '}')
			return *skip_ws(p + 1) ? -EBADMSG : 0;
		if (*p++ != ',')
			return -EBADMSG;
		p = skip_ws(p);
	}
}

static const struct field *get(const struct fields *o, const char *key, char kind)
{
	size_t n = strlen(key);
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (o->f[i].klen == n && !memcmp(o->f[i].key, key, n))
			return o->f[i].kind == kind ? &o->f[i] : NULL;
	return NULL;
}

/* A counter's value: a non-negative integer, as the daemon wrote it (exact past 2^53). */
static bool is_count(const struct field *f)
{
	size_t i;

	for (i = 0; i < f->vlen; i++)
		if (f->val[i] < '0' || f->val[i] > '9')
			return false;
	return f->vlen > 0;
}

/* A JSON string's text as a label value: escapes decoded, then \\ \" \n escaped (0.0.4). */
static void put_label_value(FILE *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 'n') {
				c = '\n';
			} else if (c == 'u') { /* not in interface or mode names: shown, not decoded */
				c = '?';
				i += i + 4 < n ? 4 : n - 1 - i;
			} else if (c != '\\' && c != '"' && c != '/') {
				c = '?'; /* \b \f \r \t */
			}
		}
		if (c == '\\' || c == '"')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else
			fputc(c, out);
	}
}

enum { F_USEC = 1 }; /* the field holds microseconds, the metric seconds */

struct series {
	const char *labels, *key;
};

struct family {
	const char *name, *type, *help;
	unsigned int flags;
	struct series s[16]; /* ends at key NULL */
};

#define DIRS(what)                                                                                \
	{ { "direction=\"tx\",ip_version=\"4\"", "tx_" what "_ipv4" },                            \
	  { "direction=\"rx\",ip_version=\"4\"", "rx_" what "_ipv4" },                            \
	  { "direction=\"other\",ip_version=\"4\"", "other_" what "_ipv4" },                      \
	  { "direction=\"tx\",ip_version=\"6\"", "tx_" what "_ipv6" },                            \
	  { "direction=\"rx\",ip_version=\"6\"", "rx_" what "_ipv6" },                            \
	  { "direction=\"other\",ip_version=\"6\"", "other_" what "_ipv6" } }

static const struct family families[] = {
	{ "flowtower_packets_total", "counter",
	  "IP packets counted into flows, by direction (tx: from a local prefix, rx: to one, other: neither) and IP version.",
	  0, DIRS("packets") },
	{ "flowtower_bytes_total", "counter",
	  "IP-layer bytes (IPv4 total length, IPv6 40 + payload length), by direction and IP version.", 0,
	  DIRS("bytes") },
	{ "flowtower_frames_total", "counter", "Frames the sensor saw, whatever became of them.", 0,
	  { { "", "rx_frames" } } },
	{ "flowtower_frame_bytes_total", "counter", "Wire bytes of those frames, link layer included.", 0,
	  { { "", "rx_frame_bytes" } } },
	{ "flowtower_flow_packets_total", "counter", "IP packets counted into a flow (one fate of a frame).", 0,
	  { { "", "flow_packets" } } },
	{ "flowtower_nonip_frames_total", "counter", "Frames that carry no IP, by kind (one fate of a frame).", 0,
	  { { "kind=\"arp\"", "nonip_arp" }, { "kind=\"llc\"", "nonip_llc" }, { "kind=\"other\"", "nonip_other" } } },
	{ "flowtower_skipped_frames_total", "counter",
	  "Frames left out of the counts: to or from the sensor's own IPv4 addresses, IPv6 near-duplicates.", 0,
	  { { "reason=\"own_address\"", "skipped_own" }, { "reason=\"ipv6_duplicate\"", "duplicates" } } },
	{ "flowtower_fragment_packets_total", "counter", "Non-first IP fragments, counted into their datagram's flow.",
	  0, { { "", "frag_later" } } },
	{ "flowtower_orphan_fragment_packets_total", "counter",
	  "Non-first IP fragments whose first fragment was not seen (flow with ports 0).", 0,
	  { { "", "frag_nofirst" } } },
	{ "flowtower_l4_snapped_packets_total", "counter", "Packets whose L4 header the capture cut (ports known).", 0,
	  { { "", "l4_snapped" } } },
	{ "flowtower_timestamps_replaced_total", "counter", "Packet timestamps far from the wall clock, replaced.", 0,
	  { { "", "ts_replaced" } } },
	{ "flowtower_steered_frames_total", "counter", "Frames handed to userspace, by path.", 0,
	  { { "to=\"af_xdp\"", "steer_xsk" }, { "to=\"copy_ring\"", "steer_copy" } } },
	{ "flowtower_drops_total", "counter",
	  "Frames lost, or their per-flow counting or L7 reading lost, by stage and reason (0 is healthy).", 0,
	  { { "stage=\"kernel\",reason=\"no_flow_map\"", "no_flow_map" },
	    { "stage=\"kernel\",reason=\"flow_nomem\"", "flow_nomem" },
	    { "stage=\"kernel\",reason=\"flow_evicted\"", "flows_evicted_kernel" },
	    { "stage=\"kernel\",reason=\"copy_ring_full\"", "steer_copy_fail" },
	    { "stage=\"kernel\",reason=\"no_xsk_socket\"", "steer_no_xsk" },
	    { "stage=\"af_xdp\",reason=\"rx_dropped\"", "xsk_rx_dropped" },
	    { "stage=\"af_xdp\",reason=\"rx_ring_full\"", "xsk_rx_ring_full" },
	    { "stage=\"af_xdp\",reason=\"fill_ring_empty\"", "xsk_fill_ring_empty" },
	    { "stage=\"af_xdp\",reason=\"invalid_descs\"", "xsk_invalid_descs" },
	    { "stage=\"af_packet\",reason=\"socket\"", "afpacket_drops" },
	    { "stage=\"workers\",reason=\"queue_full\"", "worker_queue_drops" },
	    { "stage=\"userspace\",reason=\"flow_table_full\"", "userspace_table_full" },
	    { "stage=\"userspace\",reason=\"reassembly_nomem\"", "reasm_nomem" } } },
	{ "flowtower_xsk_frames_total", "counter", "Frames the AF_XDP sockets delivered.", 0,
	  { { "", "xsk_frames" } } },
	{ "flowtower_xsk_bytes_total", "counter", "Bytes the AF_XDP sockets delivered.", 0, { { "", "xsk_bytes" } } },
	{ "flowtower_xsk_frame_events_total", "counter",
	  "AF_XDP frames out of the ordinary: in several descriptors, cut at the frame size, without metadata.", 0,
	  { { "kind=\"multibuf\"", "xsk_multibuf" }, { "kind=\"truncated\"", "xsk_truncated" },
	    { "kind=\"no_meta\"", "xsk_no_meta" } } },
	{ "flowtower_afpacket_packets_total", "counter", "Packets the AF_PACKET sockets saw (drops included).", 0,
	  { { "", "afpacket_packets" } } },
	{ "flowtower_afpacket_frames_total", "counter", "Frames the AF_PACKET rings delivered.", 0,
	  { { "", "afpacket_frames" } } },
	{ "flowtower_afpacket_bytes_total", "counter", "Bytes the AF_PACKET rings delivered.", 0,
	  { { "", "afpacket_bytes" } } },
	{ "flowtower_afpacket_queue_freezes_total", "counter", "AF_PACKET ring freezes (the kernel's count).", 0,
	  { { "", "afpacket_freezes" } } },
	{ "flowtower_userspace_frames_total", "counter", "Frames the userspace pipeline read.", 0,
	  { { "", "userspace_frames" } } },
	{ "flowtower_userspace_bytes_total", "counter", "Bytes the userspace pipeline read.", 0,
	  { { "", "userspace_bytes" } } },
	{ "flowtower_userspace_skipped_frames_total", "counter",
	  "Frames the pipeline read and set aside: undecodable, or of a flow already done.", 0,
	  { { "reason=\"undecodable\"", "userspace_undecodable" }, { "reason=\"late\"", "userspace_late" } } },
	{ "flowtower_ndp_frames_total", "counter", "IPv6 neighbor discovery frames read.", 0,
	  { { "", "ndp_frames" } } },
	{ "flowtower_l7_messages_total", "counter", "Application messages read, by kind.", 0,
	  { { "kind=\"tls_client_hello\"", "tls_client_hellos" },
	    { "kind=\"tls_server_hello\"", "tls_server_hellos" },
	    { "kind=\"http_request\"", "http_requests" },
	    { "kind=\"quic_client_hello\"", "quic_client_hellos" },
	    { "kind=\"dns_response\"", "dns_responses" } } },
	{ "flowtower_dns_answers_total", "counter", "DNS answer records read into the name cache.", 0,
	  { { "", "dns_answers" } } },
	{ "flowtower_parse_errors_total", "counter", "Application messages that did not parse, by protocol.", 0,
	  { { "protocol=\"tls\"", "tls_errors" },
	    { "protocol=\"http\"", "http_errors" },
	    { "protocol=\"quic\"", "quic_errors" },
	    { "protocol=\"dns\"", "dns_errors" } } },
	{ "flowtower_flows_open", "gauge", "Flows in the userspace flow table now.", 0, { { "", "flows_open" } } },
	{ "flowtower_flows_expired_total", "counter", "Flows that went idle and left the table.", 0,
	  { { "", "flows_expired" } } },
	{ "flowtower_flows_evicted_early_total", "counter",
	  "Flows expired before their idle timeout because the table was nearly full.", 0,
	  { { "", "flows_evicted_early" } } },
	{ "flowtower_flows_lost_total", "counter", "Flows a drain could not put into the userspace table.", 0,
	  { { "", "flows_lost" } } },
	{ "flowtower_drains_total", "counter", "Merges of the kernel's counters into the flow table.", 0,
	  { { "", "drains" } } },
	{ "flowtower_drain_duration_seconds", "gauge", "How long the last drain took.", F_USEC,
	  { { "", "drain_last_us" } } },
	{ "flowtower_capture_queues", "gauge", "RX queues read (an AF_XDP socket or AF_PACKET ring each).", 0,
	  { { "", "queues" } } },
	{ "flowtower_workers", "gauge", "Worker threads of the pipeline.", 0, { { "", "workers" } } },
	{ "flowtower_store_rows_written_total", "counter", "Rows the store wrote to PostgreSQL.", 0,
	  { { "", "store_rows_written" } } },
	{ "flowtower_store_batches_written_total", "counter", "Batches the store wrote to PostgreSQL.", 0,
	  { { "", "store_batches_written" } } },
	{ "flowtower_store_dropped_total", "counter", "What the store dropped, the spool being full.", 0,
	  { { "unit=\"batch\"", "store_batches_dropped" }, { "unit=\"line\"", "store_lines_dropped" } } },
	{ "flowtower_store_errors_total", "counter", "Database errors the store met.", 0,
	  { { "", "store_errors" } } },
};

/* Gauges a scraper can alert on before the store exists: NaN until `stats` carries them. */
static const struct family store_gauges[] = {
	{ "flowtower_store_queue_batches", "gauge", "Batches waiting in the store's memory queue", 0,
	  { { "", "store_queued" } } },
	{ "flowtower_store_spool_batches", "gauge", "Batches waiting in the disk spool (database unreachable)", 0,
	  { { "", "store_spooled_batches" } } },
	{ "flowtower_store_spool_bytes", "gauge", "Bytes in the disk spool", 0, { { "", "store_spooled_bytes" } } },
	{ "flowtower_store_db_up", "gauge", "1 when the store's database connection is up", 0,
	  { { "", "store_db_up" } } },
};

static void header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *out, const char *name, const char *labels, const struct field *v, unsigned int flags)
{
	fputs(name, out);
	if (labels && *labels)
		fprintf(out, "{%s}", labels);
	if (flags & F_USEC)
		fprintf(out, " %.6f\n", strtod(v->val, NULL) / 1e6);
	else
		fprintf(out, " %.*s\n", (int)v->vlen, v->val);
}

static bool usable(const struct family *f, const struct field *v)
{
	return v && (strcmp(f->type, "counter") || is_count(v));
}

static void put_family(FILE *out, const struct family *f, const struct fields *o)
{
	const struct series *s;
	bool any = false;

	for (s = f->s; s->key && !any; s++)
		any = usable(f, get(o, s->key, 'n'));
	if (!any)
		return;
	header(out, f->name, f->type, f->help);
	for (s = f->s; s->key; s++) {
		const struct field *v = get(o, s->key, 'n');

		if (usable(f, v))
			sample(out, f->name, s->labels, v, f->flags);
	}
}

static bool mapped(const char *key)
{
	const struct series *s;
	size_t i;

	if (!strncmp(key, "bad_", 4))
		return true;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		for (s = families[i].s; s->key; s++)
			if (!strcmp(s->key, key))
				return true;
	return false;
}

/* Kernel counters by name prefix or, for one not mapped above (a newer kernel side), by name. */
static void put_kernel_by_name(FILE *out, const struct fields *o, const char *name, const char *help, bool bad)
{
	bool started = false;
	int c;

	for (c = 0; c < CTR_MAX; c++) {
		const char *key = ft_ctr_names[c];
		const struct field *v = key ? get(o, key, 'n') : NULL;

		if (!v || !is_count(v) || (bad ? strncmp(key, "bad_", 4) : mapped(key)))
			continue;
		if (!started)
			header(out, name, "counter", help);
		started = true;
		fprintf(out, "%s{%s=\"%s\"} %.*s\n", name, bad ? "kind" : "counter", bad ? key + 4 : key, (int)v->vlen,
			v->val);
	}
}

static void put_info(FILE *out, const struct fields *o)
{
	static const char *const keys[] = { "interface", "capture", "xsk_mode" };
	bool first = true;
	size_t i;

	header(out, "flowtower_info", "gauge", "The sensor's interface and capture path (value always 1).");
	fputs("flowtower_info", out);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct field *v = get(o, keys[i], 's');

		if (!v)
			continue;
		fprintf(out, "%s%s=\"", first ? "{" : ",", keys[i]);
		put_label_value(out, v->val, v->vlen);
		fputc('"', out);
		first = false;
	}
	fputs(first ? " 1\n" : "} 1\n", out);
}

int web_metrics(FILE *out, const char *stats_json)
{
	struct fields *o = malloc(sizeof(*o));
	size_t i;

	if (!o)
		return -ENOMEM;
	if (parse_fields(stats_json, o)) {
		free(o);
		return -EBADMSG;
	}
	put_info(out, o);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		put_family(out, &families[i], o);
		if (!strcmp(families[i].name, "flowtower_flow_packets_total"))
			put_kernel_by_name(out, o, "flowtower_malformed_frames_total",
					   "Malformed frames by kind (one fate of a frame).", true);
	}
	put_kernel_by_name(out, o, "flowtower_kernel_events_total",
			   "Kernel counters without a metric of their own, by name.", false);
	for (i = 0; i < sizeof(store_gauges) / sizeof(store_gauges[0]); i++) {
		const struct family *f = &store_gauges[i];
		const struct field *v = get(o, f->s[0].key, 'n');

		if (v) {
			fprintf(out, "# HELP %s %s.\n# TYPE %s gauge\n", f->name, f->help, f->name);
			sample(out, f->name, NULL, v, 0);
		} else {
			fprintf(out, "# HELP %s %s (NaN: no database writer in this daemon yet).\n# TYPE %s gauge\n%s NaN\n",
				f->name, f->help, f->name, f->name);
		}
	}
	free(o);
	return 0;
}
