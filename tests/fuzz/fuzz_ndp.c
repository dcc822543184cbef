/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_ndp.c - libFuzzer target: ndp_decode on hostile messages, checked against the RFC 4861 rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndp/ndp_decode.h"

/*
 * Input: a selector byte (bits 0-1 source, 2-3 destination from the tables below, bit 4 hop
 * limit from the next byte instead of 255, bit 5 checksum as given instead of fixed), the
 * hop-limit byte, then the ICMPv6 message. Fixing the checksum lets the fuzzer reach the
 * options and the per-type rules, which a wrong checksum would otherwise hide.
 */
static const uint8_t addrs[4][16] = {
	{ 0 },									     /* :: */
	{ 0xfe, 0x80, [15] = 1 },						     /* fe80::1 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },					     /* 2001:db8::1 */
	{ 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 },			     /* ff02::1:ff00:1 */
};
static const uint8_t dsts[4][16] = {
	{ 0xff, 0x02, [15] = 1 },						     /* ff02::1 */
	{ 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 1 },			     /* solicited-node */
	{ 0xfe, 0x80, [15] = 2 },						     /* fe80::2 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },					     /* 2001:db8::2 */
};

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

static uint16_t csum(const struct ndp_ip *ip, const uint8_t *p, size_t n)
{
	uint64_t sum = 58 + n;
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(ip->src[i] << 8 | ip->src[i + 1]) + (uint32_t)(ip->dst[i] << 8 | ip->dst[i + 1]);
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndp_ip ip;
	struct ndp_msg m;
	struct pkt_cursor c;
	uint8_t *msg, addr[16], mac[6];
	size_t n;
	int rc;

	if (size < 2)
		return 0;
	memcpy(ip.src, addrs[data[0] & 3], 16);
	memcpy(ip.dst, dsts[(data[0] >> 2) & 3], 16);
	ip.hop_limit = data[0] & 0x10 ? data[1] : 255;
	n = size - 2;
	msg = malloc(n ? n : 1); /* exactly sized: ASan sees any read past the message */
	memcpy(msg, data + 2, n);
	if (!(data[0] & 0x20) && n >= 4) {
		uint16_t c16;

		msg[2] = msg[3] = 0;
		c16 = csum(&ip, msg, n);
		msg[2] = (uint8_t)(c16 >> 8);
		msg[3] = (uint8_t)c16;
	}
	c = cur_make(msg, n);
	rc = ndp_decode(&c, &ip, &m);
	CHECK(rc == 0 || rc == -ENODATA || rc == -EBADMSG || rc == -EPROTONOSUPPORT);
	if (rc < 0)
		CHECK(c.pos == msg && c.end == msg + n);
	if (rc == -EPROTONOSUPPORT)
		CHECK(n && (msg[0] < 133 || msg[0] > 137));
	if (rc == 0) {
		CHECK(c.pos == msg + n);
		CHECK(m.type >= 133 && m.type <= 137 && m.type == msg[0]);
		CHECK(ip.hop_limit == 255 && msg[1] == 0);
		CHECK(csum(&ip, msg, n) == 0); /* the whole message sums to 0xffff */
		CHECK(m.n_prefixes <= NDP_MAX_PREFIXES);
		CHECK(!memcmp(m.src, ip.src, 16));
		rc = ndp_learned(&m, addr, mac);
		CHECK(rc == 0 || rc == 1);
		if (rc == 1)
			CHECK(!(mac[0] & 1) && addr[0] != 0xff);
	}
	free(msg);
	return 0;
}
