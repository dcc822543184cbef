// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* decode/decode.c - link-layer dispatch in front of the shared parser (include/flowtower/parse.h). */
#include <pcap/dlt.h>
#include <string.h>

#include "decode/decode.h"
#include "util/cursor.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define LINKTYPE_IPV4 228
#define LINKTYPE_IPV6 229

int decode_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

/* Raw IP: the version nibble says which. */
static int ethertype_of_ip(const uint8_t *p, uint32_t len)
{
	if (len < 1)
		return -CTR_BAD_IPV4_TRUNC;
	switch (p[0] >> 4) {
	case 4:
		return FT_ETH_P_IP;
	case 6:
		return FT_ETH_P_IPV6;
	default:
		return -CTR_BAD_IP_VERSION;
	}
}

/*
 * BSD loopback: a 4-byte address family in the writer's byte order (DLT_NULL)
 * or network order (DLT_LOOP). IPv6 has three values across the BSDs (24, 28,
 * 30); we accept either byte order and go by the IP version nibble.
 */
static int ethertype_of_null(const uint8_t *p, uint32_t len, uint32_t *hdr)
{
	*hdr = 4;
	if (len < 4)
		return -CTR_BAD_ETH;
	return ethertype_of_ip(p + 4, len - 4);
}

/* Linux cooked capture: protocol at 14 (v1, 16-byte header) or 0 (v2, 20 bytes). */
static int ethertype_of_sll(const uint8_t *p, uint32_t len, int v2, uint32_t *hdr)
{
	uint16_t proto;

	*hdr = v2 ? 20 : 16;
	if (len < *hdr)
		return -CTR_BAD_ETH;
	proto = rd_be16(p + (v2 ? 0 : 14));
	if (proto == FT_ETH_P_IP || proto == FT_ETH_P_IPV6)
		return proto;
	if (proto == FT_ETH_P_ARP)
		return -CTR_NONIP_ARP;
	if (proto == 0x0004) /* ETH_P_802_2: an LLC frame */
		return -CTR_NONIP_LLC;
	return -CTR_NONIP_OTHER;
}

int decode_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct pkt_info *pi)
{
	void *start = (void *)frame, *end = (void *)(frame + caplen);
	struct hdr_cursor nh = { .pos = start };
	uint32_t hdr = 0;
	int proto;

	memset(pi, 0, sizeof(*pi));
	pi->frame_len = wirelen;
	if (dlt == DLT_EN10MB)
		return ft_parse_frame(&nh, end, pi);
	pi->mac_off = 0xffff;
	switch (dlt) {
	case DLT_RAW:
	case LINKTYPE_IPV4:
	case LINKTYPE_IPV6:
		proto = ethertype_of_ip(frame, caplen);
		break;
	case DLT_NULL:
	case DLT_LOOP:
		proto = ethertype_of_null(frame, caplen, &hdr);
		break;
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		proto = ethertype_of_sll(frame, caplen, dlt == DLT_LINUX_SLL2, &hdr);
		break;
	default:
		return CTR_NONIP_OTHER;
	}
	if (proto < 0)
		return -proto;
	nh.pos = (uint8_t *)start + hdr;
	return ft_parse_ip(&nh, end, start, proto, pi);
}
