/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_leases.c - libFuzzer target: device lines (--device / config form) and NAT port-range matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowtower/abi.h"
#include "ndp/leases.h"

/*
 * The input is lines, each given to leases_parse_line() on one table ("public ADDR" lines go
 * to leases_add_public()). Beyond sanitizer findings, abort() on a broken contract: a return
 * other than 0/-EINVAL/-EEXIST/-ENOSPC, an error text missing on failure or present on success
 * or not terminated, a line added on failure or more than one per call; a stored line that is
 * no valid device (name charset and length, unicast MAC, range order); two ranges that overlap;
 * a stored line that does not parse back to itself; and leases_match() disagreeing with a
 * linear reference on ports around every range edge.
 */

#define ERRLEN 96
#define CANARY 0x5a

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, LEASE_NAME_MAX);

	if (!n || n >= LEASE_NAME_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || strchr(",=\"\\#;", *s))
			return false;
	return true;
}

static void check_line(const struct lease *e)
{
	if (!name_ok(e->name) || (e->mac[0] & 1) || !(e->mac[0] | e->mac[1] | e->mac[2] | e->mac[3] | e->mac[4] | e->mac[5]))
		abort();
	if (e->port_lo > e->port_hi || (!e->port_lo && e->port_hi) || e->has_ipv4 > 1)
		abort();
}

/* The same line printed in the --device form parses to an identical line. */
static void round_trip(const struct lease *e)
{
	struct leases *l;
	char line[160], err[ERRLEN];
	const struct lease *b;
	int n;

	n = snprintf(line, sizeof(line), "%s,%02x:%02x:%02x:%02x:%02x:%02x,", e->name, e->mac[0], e->mac[1], e->mac[2],
		     e->mac[3], e->mac[4], e->mac[5]);
	if (e->has_ipv4)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%u.%u.%u.%u", e->ipv4[0], e->ipv4[1], e->ipv4[2],
			      e->ipv4[3]);
	if (e->port_lo)
		snprintf(line + n, sizeof(line) - (size_t)n, ",%u-%u", e->port_lo, e->port_hi);
	if (leases_new(&l))
		abort();
	if (leases_parse_line(l, line, err, sizeof(err)) || leases_count(l) != 1)
		abort();
	b = leases_get(l, 0);
	if (strcmp(b->name, e->name) || memcmp(b->mac, e->mac, 6) || b->has_ipv4 != e->has_ipv4 ||
	    (e->has_ipv4 && memcmp(b->ipv4, e->ipv4, 4)) || b->port_lo != e->port_lo || b->port_hi != e->port_hi)
		abort();
	leases_free(l);
}

static const struct lease *reference(const struct leases *l, uint16_t port)
{
	size_t i;

	for (i = 0; i < leases_count(l); i++) {
		const struct lease *e = leases_get(l, i);

		if (e->port_lo && port >= e->port_lo && port <= e->port_hi)
			return e;
	}
	return NULL;
}

static void check_match(const struct leases *l, uint16_t port)
{
	struct flow_key k = { .proto = 6, .ip_version = 4 };
	const struct lease *want = reference(l, port);
	const char *name = NULL;
	uint8_t mac[6];
	int rc;

	((uint8_t *)k.addr_a)[10] = ((uint8_t *)k.addr_a)[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.77", &k.addr_a[3]); /* public when no public address is set */
	k.port_a = htons(port);
	rc = leases_match(l, &k, SIDE_A, mac, &name);
	if (rc != 0 && rc != 1)
		abort();
	if (!want)
		return; /* a configured public address may exclude 203.0.113.77: only hits are compared */
	if (rc && (memcmp(mac, want->mac, 6) || strcmp(name, want->name)))
		abort();
}

static void check_table(const struct leases *l)
{
	size_t i, j, n = leases_count(l);

	for (i = 0; i < n; i++) {
		const struct lease *e = leases_get(l, i);

		check_line(e);
		round_trip(e);
		for (j = i + 1; j < n; j++) {
			const struct lease *o = leases_get(l, j);

			if (e->port_lo && o->port_lo && e->port_lo <= o->port_hi && o->port_lo <= e->port_hi)
				abort();
		}
		if (e->port_lo) {
			check_match(l, e->port_lo);
			check_match(l, e->port_hi);
			check_match(l, (uint16_t)(e->port_lo - 1));
			check_match(l, (uint16_t)(e->port_hi + 1));
		}
	}
	if (leases_get(l, n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct leases *l;
	char err[ERRLEN + 1];
	size_t off = 0;

	if (leases_new(&l))
		return 0;
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len + 1);
		size_t before = leases_count(l);
		int rc;

		memcpy(line, data + off, len);
		line[len] = '\0';
		off += len + 1;
		memset(err, CANARY, sizeof(err));
		if (!strncmp(line, "public ", 7))
			rc = leases_add_public(l, line + 7, err, ERRLEN);
		else
			rc = leases_parse_line(l, line, err, ERRLEN);
		free(line);
		if (rc != 0 && rc != -EINVAL && rc != -EEXIST && rc != -ENOSPC)
			abort();
		if (err[ERRLEN] != CANARY || !memchr(err, '\0', ERRLEN))
			abort(); /* wrote past errlen, or left it unterminated */
		if ((rc < 0) != (err[0] != '\0'))
			abort();
		if (leases_count(l) > before + 1 || (rc && leases_count(l) != before))
			abort();
	}
	check_table(l);
	leases_free(l);
	return 0;
}
