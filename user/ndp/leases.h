/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp/leases.h - configured devices (name, MAC, private IPv4, NAT port range) and the flows they own. */
#ifndef FT_LEASES_H
#define FT_LEASES_H

#include <stddef.h>
#include <stdint.h>

#define LEASES_MAX 4096	 /* lines (one port range each) */
#define LEASE_NAME_MAX 32 /* with the NUL */

struct flow_key;

/* One configured line. A device with several port ranges has several, with one name and MAC. */
struct lease {
	char name[LEASE_NAME_MAX];
	uint8_t mac[6];
	uint8_t has_ipv4;
	uint8_t ipv4[4];	    /* private address, network order */
	uint16_t port_lo, port_hi; /* NAT source ports on the public address; 0-0 when none */
};

struct leases;

int leases_new(struct leases **out);
void leases_free(struct leases *l); /* NULL-safe */
/*
 * Add one device line: "NAME,MAC[,IPV4[,PORTLO-PORTHI|PORT]]" (the --device form) or
 * "NAME = MAC[, ...]" (a config file section line). Empty fields are absent; blank lines and
 * '#'/';' comments add nothing. 0, or -EINVAL/-EEXIST/-ENOSPC with err saying what is wrong.
 */
int leases_parse_line(struct leases *l, const char *s, char *err, size_t errlen);
/* A public IPv4 address the NAT maps the port ranges onto (repeatable). Without any, the port
 * ranges apply to every local IPv4 address that is not private (RFC 1918, 6598, 3927). */
int leases_add_public(struct leases *l, const char *addr, char *err, size_t errlen);
size_t leases_count(const struct leases *l);
const struct lease *leases_get(const struct leases *l, size_t i); /* NULL past the end */
const char *leases_name(const struct leases *l, const uint8_t mac[6]); /* configured name or NULL */
/*
 * The device of a flow's local side (enum ft_side): an IPv4 side whose address is a device's
 * private address, or a public address whose port (TCP, UDP, UDP-Lite, SCTP) is in a device's
 * range. 1 with mac (and *name, borrowed from l) set, or 0.
 */
int leases_match(const struct leases *l, const struct flow_key *k, int side, uint8_t mac[6], const char **name);

#endif /* FT_LEASES_H */
