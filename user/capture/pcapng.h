/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/pcapng.h - a minimal pcapng writer: one section, one Ethernet interface, ns timestamps. */
#ifndef FT_PCAPNG_H
#define FT_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

/*
 * draft-ietf-opsawg-pcapng: Section Header Block, an Interface Description
 * Block (LINKTYPE_ETHERNET, if_tsresol 9 = nanoseconds, the interface's name),
 * then one Enhanced Packet Block per frame. libpcap 1.10 writes pcap only.
 */
int pcapng_begin(FILE *f, const char *ifname, uint32_t snaplen);
int pcapng_packet(FILE *f, uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len);

#endif /* FT_PCAPNG_H */
