/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* decode/decode.h - frames of any capture link type -> struct pkt_info, via the shared parser. */
#ifndef FT_DECODE_H
#define FT_DECODE_H

#include <stdint.h>
#include "flowtower/parse.h"

/*
 * Link types (pcap DLT_* values) this decoder reads: Ethernet, raw IP
 * (DLT_RAW, LINKTYPE_IPV4/IPV6), BSD loopback (DLT_NULL, DLT_LOOP), Linux
 * cooked v1 and v2. decode_supported() says whether a capture can be read.
 */
int decode_supported(int dlt);

/*
 * Fill *pi (zeroed here) from one frame of caplen captured bytes (wirelen on the wire). Returns 0 for
 * an IP packet that belongs to a flow, else its enum ft_ctr fate (non-IP or
 * malformed by kind). Reads nothing outside [frame, frame + caplen).
 */
int decode_frame(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen, struct pkt_info *pi);

#endif /* FT_DECODE_H */
