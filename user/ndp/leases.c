// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ndp/leases.c - configured IPv4 devices: the line parser, conflict checks and the per-flow match. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowtower/abi.h"
#include "flowtower/parse.h"
#include "ndp/leases.h"

#define LINE_MAX_LEN 512
#define PUBLIC_MAX 64

struct leases {
	struct lease *v; /* in the order configured */
	size_t n, cap;
	uint32_t *by_port; /* indices of lines with a range, sorted by port_lo (ranges never overlap) */
	size_t n_port;
	uint32_t *by_ip; /* indices of lines with an IPv4 address, sorted by address */
	size_t n_ip;
	uint8_t pub[PUBLIC_MAX][4];
	size_t n_pub;
};

int leases_new(struct leases **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void leases_free(struct leases *l)
{
	if (!l)
		return;
	free(l->v);
	free(l->by_port);
	free(l->by_ip);
	free(l);
}

size_t leases_count(const struct leases *l)
{
	return l ? l->n : 0;
}

const struct lease *leases_get(const struct leases *l, size_t i)
{
	return l && i < l->n ? &l->v[i] : NULL;
}

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Names end up in JSON, SQL and terminals: printable ASCII only, none of the separators or quotes. */
static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= LEASE_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(" ._-+@'()/:&", *s))
			return false;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", one separator throughout. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	char sep;
	int i;

	if (strlen(s) != 17)
		return -EINVAL;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[3 * i]), lo = hexval(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != sep))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;
	size_t n = strlen(s), i;

	if (!n || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int parse_range(char *s, uint16_t *lo, uint16_t *hi)
{
	char *dash = strchr(s, '-');

	if (!dash)
		return parse_port(s, lo) ? -EINVAL : (*hi = *lo, 0);
	*dash = '\0';
	if (parse_port(trim(s), lo) || parse_port(trim(dash + 1), hi) || *lo > *hi)
		return -EINVAL;
	return 0;
}

static bool ipv4_private(const uint8_t a[4])
{
	return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254);
}

/* A host's unicast address: not 0/8, loopback, multicast, reserved or broadcast. */
static bool ipv4_unicast(const uint8_t a[4])
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static const char *mac_str(const uint8_t m[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

/* Refuse what would make a flow's device ambiguous; 1 when the line is already there. */
static int conflicts(const struct leases *l, const struct lease *e, char *err, size_t errlen)
{
	char mb[18];
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct lease *o = &l->v[i];
		bool same_dev = !strcmp(o->name, e->name) && !memcmp(o->mac, e->mac, 6);

		if (!strcmp(o->name, e->name) && !same_dev)
			return fail(err, errlen, -EEXIST, "device '%s' is already configured with MAC %s", e->name,
				    mac_str(o->mac, mb));
		if (!memcmp(o->mac, e->mac, 6) && !same_dev)
			return fail(err, errlen, -EEXIST, "MAC %s already belongs to device '%s'", mac_str(e->mac, mb),
				    o->name);
		if (same_dev && o->has_ipv4 == e->has_ipv4 && !memcmp(o->ipv4, e->ipv4, 4) &&
		    o->port_lo == e->port_lo && o->port_hi == e->port_hi)
			return 1;
		if (e->has_ipv4 && o->has_ipv4 && !memcmp(o->ipv4, e->ipv4, 4) && !same_dev)
			return fail(err, errlen, -EEXIST, "address %u.%u.%u.%u already belongs to device '%s'",
				    e->ipv4[0], e->ipv4[1], e->ipv4[2], e->ipv4[3], o->name);
		if (e->port_lo && o->port_lo && e->port_lo <= o->port_hi && o->port_lo <= e->port_hi)
			return fail(err, errlen, -EEXIST, "ports %u-%u overlap %u-%u of device '%s'", e->port_lo,
				    e->port_hi, o->port_lo, o->port_hi, o->name);
	}
	return 0;
}

static int port_cmp(const struct leases *l, uint32_t a, uint32_t b)
{
	return (int)l->v[a].port_lo - (int)l->v[b].port_lo;
}

static int ip_cmp(const struct leases *l, uint32_t a, uint32_t b)
{
	return memcmp(l->v[a].ipv4, l->v[b].ipv4, 4);
}

/* Insert index i into a sorted index array (with room for it). */
static void index_insert(const struct leases *l, uint32_t *idx, size_t *n, uint32_t i,
			 int (*cmp)(const struct leases *, uint32_t, uint32_t))
{
	size_t j = *n;

	while (j > 0 && cmp(l, idx[j - 1], i) > 0) {
		idx[j] = idx[j - 1];
		j--;
	}
	idx[j] = i;
	(*n)++;
}

static int grow(struct leases *l)
{
	size_t cap = l->cap ? l->cap * 2 : 16;
	struct lease *v;
	uint32_t *bp, *bi;

	if (cap > LEASES_MAX)
		cap = LEASES_MAX;
	v = realloc(l->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	bp = realloc(l->by_port, cap * sizeof(*bp));
	if (!bp)
		return -ENOMEM;
	l->by_port = bp;
	bi = realloc(l->by_ip, cap * sizeof(*bi));
	if (!bi)
		return -ENOMEM;
	l->by_ip = bi;
	l->cap = cap;
	return 0;
}

static int add(struct leases *l, const struct lease *e, char *err, size_t errlen)
{
	int rc = conflicts(l, e, err, errlen);

	if (rc)
		return rc < 0 ? rc : 0;
	if (l->n == LEASES_MAX)
		return fail(err, errlen, -ENOSPC, "more than %d device lines", LEASES_MAX);
	if (l->n == l->cap && grow(l))
		return fail(err, errlen, -ENOMEM, "out of memory");
	l->v[l->n] = *e;
	if (e->port_lo)
		index_insert(l, l->by_port, &l->n_port, (uint32_t)l->n, port_cmp);
	if (e->has_ipv4)
		index_insert(l, l->by_ip, &l->n_ip, (uint32_t)l->n, ip_cmp);
	l->n++;
	return 0;
}

/* Split the fields after the name; empty fields stay empty strings. */
static int fields(char *rest, char *f[3], char *err, size_t errlen)
{
	int n = 0;

	while (rest) {
		char *c = strchr(rest, ',');

		if (c)
			*c = '\0';
		if (n == 3)
			return fail(err, errlen, -EINVAL, "too many fields (NAME,MAC,IPV4,PORTLO-PORTHI)");
		f[n++] = trim(rest);
		rest = c ? c + 1 : NULL;
	}
	return n;
}

int leases_parse_line(struct leases *l, const char *s, char *err, size_t errlen)
{
	char buf[LINE_MAX_LEN], *line, *sep, *f[3] = { "", "", "" };
	struct lease e = {};
	int n;

	if (err && errlen)
		err[0] = '\0';
	if (!l || !s)
		return fail(err, errlen, -EINVAL, "no line");
	if (strlen(s) >= sizeof(buf))
		return fail(err, errlen, -EINVAL, "line longer than %d bytes", LINE_MAX_LEN - 1);
	strcpy(buf, s);
	line = trim(buf);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	sep = line + strcspn(line, ",=");
	if (!*sep)
		return fail(err, errlen, -EINVAL, "expected NAME,MAC[,IPV4[,PORTLO-PORTHI]] or NAME = MAC[,...]");
	*sep = '\0';
	if (!name_ok(trim(line)))
		return fail(err, errlen, -EINVAL, "name '%.40s': 1 to %d of letters, digits, space and ._-+@'()/:&",
			    trim(line), LEASE_NAME_MAX - 1);
	strcpy(e.name, trim(line));
	n = fields(sep + 1, f, err, errlen);
	if (n < 0)
		return n;
	if (parse_mac(f[0], e.mac))
		return fail(err, errlen, -EINVAL, "MAC '%.40s': expected six hex pairs like 02:00:5e:10:00:01", f[0]);
	if ((e.mac[0] & 1) || !(e.mac[0] | e.mac[1] | e.mac[2] | e.mac[3] | e.mac[4] | e.mac[5]))
		return fail(err, errlen, -EINVAL, "MAC %s: not a unicast address", f[0]);
	if (*f[1]) {
		if (inet_pton(AF_INET, f[1], e.ipv4) != 1)
			return fail(err, errlen, -EINVAL, "IPv4 '%.40s': expected a dotted quad", f[1]);
		if (!ipv4_unicast(e.ipv4))
			return fail(err, errlen, -EINVAL, "IPv4 %s: not a host's unicast address", f[1]);
		e.has_ipv4 = 1;
	}
	if (*f[2] && parse_range(f[2], &e.port_lo, &e.port_hi))
		return fail(err, errlen, -EINVAL, "port range '%.40s': expected LO-HI or PORT within 1..65535, LO <= HI",
			    f[2]);
	return add(l, &e, err, errlen);
}

int leases_add_public(struct leases *l, const char *addr, char *err, size_t errlen)
{
	uint8_t a[4];
	size_t i;

	if (err && errlen)
		err[0] = '\0';
	if (!l || !addr || inet_pton(AF_INET, addr, a) != 1 || !ipv4_unicast(a))
		return fail(err, errlen, -EINVAL, "public address '%.40s': expected a unicast IPv4 address",
			    addr ? addr : "");
	for (i = 0; i < l->n_pub; i++)
		if (!memcmp(l->pub[i], a, 4))
			return 0;
	if (l->n_pub == PUBLIC_MAX)
		return fail(err, errlen, -ENOSPC, "more than %d public addresses", PUBLIC_MAX);
	memcpy(l->pub[l->n_pub++], a, 4);
	return 0;
}

const char *leases_name(const struct leases *l, const uint8_t mac[6])
{
	size_t i;

	if (!l)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (!memcmp(l->v[i].mac, mac, 6))
			return l->v[i].name;
	return NULL;
}

static const struct lease *by_ip(const struct leases *l, const uint8_t a[4])
{
	size_t lo = 0, hi = l->n_ip;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(l->v[l->by_ip[mid]].ipv4, a, 4);

		if (!c)
			return &l->v[l->by_ip[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The line whose range holds port: the last one starting at or below it. */
static const struct lease *by_port(const struct leases *l, uint16_t port)
{
	size_t lo = 0, hi = l->n_port;
	const struct lease *e;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[l->by_port[mid]].port_lo <= port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &l->v[l->by_port[lo - 1]];
	return port <= e->port_hi ? e : NULL;
}

static bool on_public(const struct leases *l, const uint8_t a[4])
{
	size_t i;

	if (!l->n_pub)
		return !ipv4_private(a);
	for (i = 0; i < l->n_pub; i++)
		if (!memcmp(l->pub[i], a, 4))
			return true;
	return false;
}

int leases_match(const struct leases *l, const struct flow_key *k, int side, uint8_t mac[6], const char **name)
{
	const struct lease *e = NULL;
	const uint8_t *a;
	uint16_t port;

	if (!l || !k || k->ip_version != 4 || (side != SIDE_A && side != SIDE_B))
		return 0;
	a = (const uint8_t *)&(side == SIDE_A ? k->addr_a : k->addr_b)[3];
	port = ntohs(side == SIDE_A ? k->port_a : k->port_b);
	e = by_ip(l, a);
	if (!e && (k->proto == FT_IPPROTO_TCP || k->proto == FT_IPPROTO_UDP || k->proto == FT_IPPROTO_UDPLITE ||
		   k->proto == FT_IPPROTO_SCTP) && port && on_public(l, a))
		e = by_port(l, port);
	if (!e)
		return 0;
	memcpy(mac, e->mac, 6);
	if (name)
		*name = e->name;
	return 1;
}
