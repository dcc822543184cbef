/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/afpacket.h - AF_PACKET TPACKET_V3 rings in one PACKET_FANOUT_HASH group: where XDP cannot attach. */
#ifndef FT_AFPACKET_H
#define FT_AFPACKET_H

#include <stdbool.h>
#include <stdint.h>

struct afpacket_cfg {
	const char *ifname;
	unsigned int sockets;	   /* fanout members, one per capture thread; 0: 1 */
	uint32_t block_size;	   /* power of two, >= a page; 0: 1 MiB (the largest frame a block holds) */
	uint32_t block_count;	   /* 0: 64, i.e. 64 MiB per socket */
	uint32_t frame_size;	   /* V3 packs frames; the ring only checks it. 0: 2048 */
	uint32_t block_timeout_ms; /* a block not yet full is handed over after this; 0: 100 */
	bool no_promisc;	   /* default: PACKET_MR_PROMISC (dropped by the kernel when we close) */
};

struct afpacket_stats {
	uint64_t packets, drops, freeze_q_cnt; /* PACKET_STATISTICS, summed over reads; packets include drops */
	uint64_t frames, bytes;		       /* delivered (caplen, a re-inserted tag included) */
	uint64_t vlan, truncated;	       /* outer tag re-inserted; caplen < wirelen */
};

/*
 * One frame, valid only during the call. The kernel strips the outer VLAN tag
 * into tp_vlan_tci; it is put back (TPID from tp_vlan_tpid, else 0x8100) so
 * the parser sees the frame as it was on the wire, and both lengths count it.
 */
typedef void (*afpacket_frame_fn)(void *arg, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
				  uint64_t ts_ns, unsigned int sock);
struct afpacket;

int afpacket_open(struct afpacket **out, const struct afpacket_cfg *cfg);
unsigned int afpacket_count(const struct afpacket *p);
int afpacket_fd(const struct afpacket *p, unsigned int i); /* for poll(POLLIN) by socket i's thread */
/* Up to budget frames of socket i to fn, blocks back to the kernel as they empty: count or -errno. */
int afpacket_drain(struct afpacket *p, unsigned int i, unsigned int budget, afpacket_frame_fn fn, void *arg);
int afpacket_stats(struct afpacket *p, int i, struct afpacket_stats *out); /* i < 0: summed; one caller thread */
void afpacket_warn_loss(struct afpacket *p); /* pr_warn with the numbers when frames were lost, at most hourly */
void afpacket_close(struct afpacket **pp);   /* NULL-safe, idempotent: *pp = NULL */

#endif /* FT_AFPACKET_H */
