// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/prefix.c - prefix parsing and longest-match-free membership tests for local networks. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/prefix.h"

bool addr_is_v4mapped(const __be32 addr[4])
{
	return addr[0] == 0 && addr[1] == 0 && addr[2] == htonl(0xffff);
}

/* Zero the bits past len, so "10.1.2.3/8" and "10.0.0.0/8" are the same prefix. */
static void mask_bits(__be32 addr[4], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		unsigned int keep = len > 32 * i ? len - 32 * i : 0;

		if (keep >= 32)
			continue;
		addr[i] = keep ? addr[i] & htonl(~0u << (32 - keep)) : 0;
	}
}

int prefix_parse(const char *s, struct prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct in_addr a4;
	long len = -1;
	bool v4;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1 || len < 0)
			return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	v4 = inet_pton(AF_INET, buf, &a4) == 1;
	if (v4) {
		if (len > 32)
			return -EINVAL;
		out->addr[2] = htonl(0xffff);
		out->addr[3] = a4.s_addr;
		out->len = (uint8_t)((len < 0 ? 32 : len) + 96);
	} else {
		if (inet_pton(AF_INET6, buf, out->addr) != 1 || len > 128)
			return -EINVAL;
		out->len = (uint8_t)(len < 0 ? 128 : len);
	}
	mask_bits(out->addr, out->len);
	return 0;
}

int prefix_set_add(struct prefix_set *s, const struct prefix *p)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].len == p->len && !memcmp(s->p[i].addr, p->addr, 16))
			return 0;
	if (s->n >= PREFIX_MAX)
		return -ENOSPC;
	s->p[s->n++] = *p;
	return 0;
}

bool prefix_set_match(const struct prefix_set *s, const __be32 addr[4])
{
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		__be32 a[4];

		memcpy(a, addr, 16);
		mask_bits(a, s->p[i].len);
		if (!memcmp(a, s->p[i].addr, 16))
			return true;
	}
	return false;
}

/* IPv4 by hand: glibc's inet_ntop goes through sprintf, a fifth of flow output's cost. */
static char *v4_format(const uint8_t *a, char *buf)
{
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return buf;
}

char *addr_format(const __be32 addr[4], char *buf, unsigned int len)
{
	if (addr_is_v4mapped(addr) && len >= 16)
		return v4_format((const uint8_t *)&addr[3], buf);
	if (addr_is_v4mapped(addr))
		inet_ntop(AF_INET, &addr[3], buf, len);
	else
		inet_ntop(AF_INET6, addr, buf, len);
	return buf;
}

char *prefix_format(const struct prefix *p, char *buf, unsigned int len)
{
	char a[INET6_ADDRSTRLEN];
	bool v4 = addr_is_v4mapped(p->addr) && p->len >= 96;

	addr_format(p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, v4 ? p->len - 96 : p->len);
	return buf;
}
