/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp/ndp_decode.h - IPv6 neighbor discovery messages and their options, validated (RFC 4861 4, 6.1, 7.1, 8.1). */
#ifndef FT_NDP_DECODE_H
#define FT_NDP_DECODE_H

#include <stdint.h>

#include "util/cursor.h"

#define NDP_MAX_PREFIXES 8

enum ndp_type { NDP_RS = 133, NDP_RA = 134, NDP_NS = 135, NDP_NA = 136, NDP_REDIRECT = 137 };

/* ndp_msg.flags: NA R|S|O (RFC 4861 4.4, reserved bits cleared) or the RA flag byte as sent (4.2, RFC 4191/5175 bits kept). */
#define NDP_NA_ROUTER 0x80
#define NDP_NA_SOLICITED 0x40
#define NDP_NA_OVERRIDE 0x20
#define NDP_RA_MANAGED 0x80
#define NDP_RA_OTHER 0x40
#define NDP_PFX_ONLINK 0x80 /* ndp_prefix.flags: L and A (4.6.2) */
#define NDP_PFX_AUTO 0x40

/* From the IPv6 header, which the caller parsed. */
struct ndp_ip {
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t hop_limit;
};

struct ndp_prefix {
	uint8_t prefix[16]; /* as sent, bits past len included */
	uint8_t len;	    /* 0..128 */
	uint8_t flags;
	uint32_t valid;	    /* seconds; 0xffffffff is infinity */
	uint32_t preferred;
};

/* Fields a type does not carry are zero. LLAs are kept only when 6 bytes long (Ethernet). */
struct ndp_msg {
	uint8_t type;		  /* enum ndp_type */
	uint8_t flags;		  /* NA R/S/O or RA M/O/..., see above */
	uint8_t cur_hop_limit;	  /* RA */
	uint16_t router_lifetime; /* RA, seconds */
	uint32_t reachable_time;  /* RA, milliseconds */
	uint32_t retrans_timer;	  /* RA, milliseconds */
	uint8_t src[16];	  /* the IPv6 source, copied from struct ndp_ip */
	uint8_t target[16];	  /* NS, NA, Redirect */
	uint8_t dest[16];	  /* Redirect: the destination being redirected */
	uint8_t src_lla[6];	  /* first Source Link-Layer Address option */
	uint8_t tgt_lla[6];	  /* first Target Link-Layer Address option */
	uint8_t has_src_lla;
	uint8_t has_tgt_lla;
	uint8_t has_mtu;
	uint8_t has_redirected;	  /* Redirect carried a Redirected Header option */
	uint32_t mtu;		  /* RA MTU option */
	uint8_t n_prefixes;
	uint8_t prefixes_dropped; /* Prefix Information options past NDP_MAX_PREFIXES */
	uint8_t opts_ignored;	  /* unknown, not for this type, or of an unusable length (saturates) */
	struct ndp_prefix prefixes[NDP_MAX_PREFIXES];
};

/*
 * c covers exactly one ICMPv6 message. Returns 0 with *out filled and c at the end;
 * -EPROTONOSUPPORT for other ICMPv6 types; -ENODATA when shorter than its type's minimum or an
 * option runs past the end; -EBADMSG when RFC 4861 validation fails (hop limit, code, option
 * length 0, checksum, per-type address rules). On error c is not moved and *out is not useful.
 */
int ndp_decode(struct pkt_cursor *c, const struct ndp_ip *ip, struct ndp_msg *out);
/*
 * The (IPv6 address, MAC) pair m teaches: NA and Redirect (target, target LLA) (7.2.5, 8.3);
 * NS, RS, RA (IP source, source LLA) (7.2.3, 6.2.6, 6.3.4). Returns 1 with addr/mac set, or 0
 * when it teaches none (no LLA, unspecified or multicast address, multicast or zero MAC).
 */
int ndp_learned(const struct ndp_msg *m, uint8_t addr[16], uint8_t mac[6]);

#endif /* FT_NDP_DECODE_H */
