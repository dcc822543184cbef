/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tools/ftgen_app.h - ftgen's hostnames and their addresses, HTTP/1.1 (RFC 9112), DNS (RFC 1035), NDP (RFC 4861). */
#ifndef FTGEN_APP_H
#define FTGEN_APP_H

#include <stdio.h>
#include <stdlib.h>

#include "ftgen_wire.h"

#define HOST_NAME_MAX_ 96

/* A server name: the addresses its DNS answers give are the addresses its TLS/HTTP/QUIC flows go to. */
struct host {
	char name[HOST_NAME_MAX_];
	char cname[HOST_NAME_MAX_]; /* "" or the CDN name DNS answers through (a CNAME chain of one) */
	uint8_t addr4[4];
	uint8_t addr6[16];
	bool has_v6;
	uint8_t seen;		/* HOST_SEEN_*: how the capture shows it (for the truth's name lists) */
};

#define HOST_SEEN_SNI 0x01
#define HOST_SEEN_QUIC 0x02
#define HOST_SEEN_HTTP 0x04
#define HOST_SEEN_DNS 0x08

static const char *const host_prefix[] = { "www", "api", "cdn", "static", "img", "login", "mail", "m", "app",
					   "assets", "video", "edge", "media", "auth", "docs", "shop", "news",
					   "ws", "s3", "update", "telemetry", "push" };
static const char *const host_tld[] = { "com", "net", "org", "io", "de", "co.uk", "fr", "nl", "info",
					"app", "dev", "cloud", "jp", "com.br", "ch", "se", "tv" };
static const char *const host_cdn[] = { "edgekey.net", "cloudfront.net", "akamaiedge.net", "fastly.net",
					"azureedge.net", "cdn.cloudflare.net" };
static const char syl_c[] = "bcdfghklmnprstvwz";
static const char syl_v[] = "aeiou";

static inline void host_label(struct rng *r, char *out, size_t cap, int syllables)
{
	size_t n = 0;
	int i;

	for (i = 0; i < syllables && n + 3 < cap; i++) {
		out[n++] = syl_c[rng_below(r, sizeof(syl_c) - 1)];
		out[n++] = syl_v[rng_below(r, sizeof(syl_v) - 1)];
		if (rng_pct(r, 25))
			out[n++] = syl_c[rng_below(r, sizeof(syl_c) - 1)];
	}
	out[n] = 0;
}

/* First octets of ranges that are neither private, shared, multicast nor documentation. */
static const uint8_t public_v4[] = { 13,  18,  23,  31,  34,  35,  44,  52,  54,  63,  64,  66,  69,
				     72,  74,  93,  104, 108, 128, 131, 140, 142, 146, 151, 157, 162,
				     173, 176, 185, 195, 199, 204, 208, 209, 212, 216 };
static const uint16_t public_v6[][2] = { { 0x2a00, 0x1450 }, { 0x2606, 0x4700 }, { 0x2600, 0x9000 },
					 { 0x2a03, 0x2880 }, { 0x2620, 0x1ec },	 { 0x2a02, 0x26f0 },
					 { 0x2001, 0x4860 }, { 0x2604, 0xa880 } };

/*
 * 'n' distinct hostnames, addresses unique per name. Returns a malloc'd
 * array (the caller frees it) or NULL.
 */
static inline struct host *hosts_new(struct rng *r, size_t n)
{
	struct host *h = calloc(n, sizeof(*h));
	size_t i, j, cap = 1;
	uint64_t *seen;

	while (cap < n * 4)
		cap <<= 1;
	seen = calloc(cap, sizeof(*seen));
	if (!h || !seen) {
		free(h);
		free(seen);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct host *x = &h[i];
		char a[40], b[40];
		uint64_t hash;

		do {
			host_label(r, a, sizeof(a), (int)rng_range(r, 2, rng_pct(r, 5) ? 9 : 4));
			if (rng_pct(r, 30))
				host_label(r, b, sizeof(b), (int)rng_range(r, 1, 3));
			else
				b[0] = 0;
			snprintf(x->name, sizeof(x->name), "%s.%s%s%s.%s",
				 host_prefix[rng_below(r, sizeof(host_prefix) / sizeof(*host_prefix))], a,
				 b[0] ? "-" : "", b, host_tld[rng_below(r, sizeof(host_tld) / sizeof(*host_tld))]);
			hash = 1469598103934665603ull;
			for (j = 0; x->name[j]; j++)
				hash = (hash ^ (uint8_t)x->name[j]) * 1099511628211ull;
			hash |= 1;
			for (j = hash & (cap - 1); seen[j] && seen[j] != hash; j = (j + 1) & (cap - 1))
				;
		} while (seen[j]);
		seen[j] = hash;
		if (rng_pct(r, 30)) {
			snprintf(b, sizeof(b), "e%u", rng_range(r, 1000, 99999));
			snprintf(x->cname, sizeof(x->cname), "%s.%s", b,
				 host_cdn[rng_below(r, sizeof(host_cdn) / sizeof(*host_cdn))]);
		}
		/* addresses from the index, so no two names share one */
		x->addr4[0] = public_v4[rng_below(r, sizeof(public_v4))];
		x->addr4[1] = (uint8_t)(i >> 16);
		x->addr4[2] = (uint8_t)(i >> 8);
		x->addr4[3] = (uint8_t)i;
		x->addr4[1] ^= (uint8_t)(rng_below(r, 64) << 2); /* keeps i's bits: the high 6 bits of byte 1 vary */
		{
			const uint16_t *p = public_v6[rng_below(r, 8)];

			put16(x->addr6, p[0]);
			put16(x->addr6 + 2, p[1]);
			rng_fill(r, x->addr6 + 4, 8);
			put32(x->addr6 + 12, (uint32_t)i);
		}
		x->has_v6 = rng_pct(r, 70);
	}
	free(seen);
	return h;
}

/* A popularity-skewed pick: a few names get most flows, as on a real network. */
static inline uint32_t host_pick(struct rng *r, size_t n)
{
	double u = ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;

	return (uint32_t)((double)n * u * u * u);
}

/* ---- HTTP/1.1 ---- */

static const char *const http_ua[] = {
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
	"Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
	"curl/7.88.1",
	"Debian APT-HTTP/1.3 (2.6.1)",
	"Microsoft-CryptoAPI/10.0",
};

/*
 * A GET request; *host_at is where the Host value starts, for splitting
 * the request inside it. Writes at most 512 bytes.
 */
static inline size_t http_request(char *out, struct rng *r, const char *host, size_t *host_at)
{
	static const char *const paths[] = { "/", "/index.html", "/favicon.ico", "/static/app.%x.js",
					     "/images/%u.png", "/api/v1/items?id=%u", "/debian/dists/bookworm/InRelease",
					     "/msdownload/update/v3/static/trustedr/en/disallowedcertstl.cab" };
	char path[96];
	int n;

	snprintf(path, sizeof(path), paths[rng_below(r, 8)], rng_range(r, 1, 0xfffffff));
	n = snprintf(out, 512, "GET %s HTTP/1.1\r\nHost: ", path);
	*host_at = (size_t)n;
	n += snprintf(out + n, 512 - (size_t)n,
		      "%s\r\nUser-Agent: %s\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.9\r\n"
		      "Connection: keep-alive\r\n\r\n",
		      host, http_ua[rng_below(r, 5)]);
	return (size_t)n;
}

/* A response header for a body of 'body' bytes (text when 'text'). Writes at most 320 bytes. */
static inline size_t http_response(char *out, struct rng *r, uint64_t body, bool text, bool redirect,
				   const char *host)
{
	if (redirect)
		return (size_t)snprintf(out, 320,
					"HTTP/1.1 301 Moved Permanently\r\nServer: nginx\r\nLocation: https://%s/\r\n"
					"Content-Length: 0\r\nConnection: keep-alive\r\n\r\n",
					host);
	return (size_t)snprintf(out, 320,
				"HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n"
				"Cache-Control: max-age=%u\r\nConnection: keep-alive\r\n\r\n",
				rng_pct(r, 50) ? "nginx" : "Apache",
				text ? "text/plain; charset=utf-8" : "application/octet-stream",
				(unsigned long long)body, rng_range(r, 60, 86400));
}

/* ---- DNS ---- */

static inline size_t dns_name(uint8_t *out, const char *name)
{
	size_t n = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		out[n++] = (uint8_t)l;
		memcpy(out + n, name, l);
		n += l;
		name += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return n;
}

/* A recursive query (RD), with an EDNS(0) OPT record when 'edns' (RFC 6891). Writes at most 128 bytes. */
static inline size_t dns_query(uint8_t *out, uint16_t id, const char *name, uint16_t qtype, bool edns)
{
	size_t n = 12;

	put16(out, id);
	put16(out + 2, 0x0100);
	put16(out + 4, 1);
	put16(out + 6, 0);
	put16(out + 8, 0);
	put16(out + 10, edns ? 1 : 0);
	n += dns_name(out + n, name);
	put16(out + n, qtype);
	put16(out + n + 2, 1);
	n += 4;
	if (edns) {
		static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 }; /* root, OPT, 1232 */

		memcpy(out + n, opt, sizeof(opt));
		n += sizeof(opt);
	}
	return n;
}

/*
 * The answer to dns_query() for host 'h': through its CNAME if it has one,
 * then one A or AAAA record; an AAAA query for a name without IPv6 gets
 * NOERROR with no answer. Writes at most 300 bytes.
 */
static inline size_t dns_response(uint8_t *out, const uint8_t *query, size_t qlen, const struct host *h,
				  uint16_t qtype, bool edns, struct rng *r)
{
	size_t n = qlen - (edns ? 11 : 0), owner = 12;
	uint16_t an = 0;
	uint32_t ttl = rng_range(r, 30, 3600);

	memcpy(out, query, n);
	put16(out + 2, 0x8180);
	if (h->cname[0]) {
		put16(out + n, 0xc00c);
		put16(out + n + 2, 5);
		put16(out + n + 4, 1);
		put32(out + n + 6, ttl);
		owner = n + 12;
		put16(out + n + 10, (uint16_t)dns_name(out + n + 12, h->cname));
		n += 12 + dns_name(out + n + 12, h->cname);
		an++;
	}
	if (qtype == 1 || h->has_v6) {
		put16(out + n, (uint16_t)(0xc000 | owner));
		put16(out + n + 2, qtype);
		put16(out + n + 4, 1);
		put32(out + n + 6, ttl);
		put16(out + n + 10, qtype == 1 ? 4 : 16);
		memcpy(out + n + 12, qtype == 1 ? h->addr4 : h->addr6, qtype == 1 ? 4 : 16);
		n += 12 + (qtype == 1 ? 4 : 16);
		an++;
	}
	if (!h->has_v6 && qtype == 28)
		an = h->cname[0] ? 1 : 0;
	put16(out + 6, an);
	if (edns) {
		static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };

		memcpy(out + n, opt, sizeof(opt));
		n += sizeof(opt);
	}
	return n;
}

/* ---- Neighbor discovery: the ICMPv6 body after type/code/checksum ---- */

/* NS (135) or NA (136, flags S|O) for 'target', with a source or target link-layer address option. */
static inline size_t ndp_body(uint8_t *out, uint8_t type, const uint8_t target[16], const uint8_t mac[6],
			      bool solicited)
{
	out[0] = type;
	out[1] = 0;
	out[2] = out[3] = 0;
	put32(out + 4, type == 136 ? (solicited ? 0x60000000u : 0x20000000u) : 0);
	memcpy(out + 8, target, 16);
	out[24] = type == 135 ? 1 : 2; /* RFC 4861 4.6.1 */
	out[25] = 1;		       /* in units of 8 bytes */
	memcpy(out + 26, mac, 6);
	return 32;
}

#endif /* FTGEN_APP_H */
