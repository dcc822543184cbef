/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/prefix.h - sets of IPv4/IPv6 prefixes (local networks), parsed from text. */
#ifndef FT_PREFIX_H
#define FT_PREFIX_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#define PREFIX_MAX 1024

/* One prefix, IPv4 stored v4-mapped with len + 96, as the kernel's LPM key. */
struct prefix {
	__be32 addr[4];
	uint8_t len; /* 0..128 */
};

struct prefix_set {
	struct prefix p[PREFIX_MAX];
	unsigned int n;
};

/* "192.0.2.0/24", "2001:db8::/48", or a bare address (a host prefix). 0 or -EINVAL. */
int prefix_parse(const char *s, struct prefix *out);
/* Add, ignoring exact duplicates. 0, or -ENOSPC. */
int prefix_set_add(struct prefix_set *s, const struct prefix *p);
bool prefix_set_match(const struct prefix_set *s, const __be32 addr[4]);
/* Text form ("192.0.2.0/24"); buf of at least 64 bytes. */
char *prefix_format(const struct prefix *p, char *buf, unsigned int len);
/* Address text form, v4-mapped shown as IPv4; buf of at least 46 bytes. */
char *addr_format(const __be32 addr[4], char *buf, unsigned int len);
bool addr_is_v4mapped(const __be32 addr[4]);

#endif /* FT_PREFIX_H */
