/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/acct.h - the XDP program's accounting, run in userspace (offline reads, AF_PACKET). */
#ifndef FT_ACCT_H
#define FT_ACCT_H

#include <stdbool.h>
#include <stdint.h>
#include "flowtower/abi.h"
#include "flowtower/parse.h"
#include "flow/prefix.h"

/*
 * Same maps, same order of steps and the same account.h arithmetic as
 * bpf/sensor.bpf.c, with hash tables instead of BPF maps and one "CPU". The
 * per-minute throughput is kept per minute (not a 64-minute ring), so a
 * capture whose timestamps go back and forth still lands in the right minutes.
 */
struct acct_cfg {
	bool dedup;			/* IPv6 near-duplicates (cfg_dedup) */
	bool skip_own;			/* own addresses (cfg_skip_own) */
	const struct prefix_set *local; /* borrowed; NULL: none local */
	const struct prefix_set *own;	/* borrowed; own IPv4 addresses as host prefixes */
	uint32_t max_flows;		/* like the kernel buffer: past it, CTR_FLOW_NOMEM */
	uint32_t tcp_preamble;		/* steering (cfg_tcp_preamble); 0: FT_PREAMBLE_PKTS */
	uint32_t udp_preamble;		/* 0: FT_UDP_PREAMBLE_PKTS */
};

struct acct;

int acct_new(struct acct **out, const struct acct_cfg *cfg);
void acct_free(struct acct *a);

/*
 * Count one frame. 'fate' is decode_frame()'s result for it and *pi what it
 * filled in (ports of later fragments are filled in here). Returns 0 when the
 * packet was counted into a flow, with *key and *side set; otherwise the
 * enum ft_ctr it was counted under.
 */
int acct_frame(struct acct *a, int fate, struct pkt_info *pi, const uint8_t *frame, uint32_t caplen,
	       uint32_t wirelen, uint64_t ts_ns, struct flow_key *key, int *side);

/*
 * The steering decision sensor.bpf.c makes after accounting, on the same
 * rule (account.h): 1 when the frame goes to userspace. 'fate' is what
 * acct_frame returned (0: counted in its flow); 'parsed' whether the parser
 * accepted the frame at all (NDP is handed up even when not counted).
 */
int acct_steer(struct acct *a, int parsed, int fate, const struct pkt_info *pi, const struct flow_key *k, int side,
	       const uint8_t *frame, uint32_t caplen);
/* Userspace has what it needs from this flow's start: steer no more of it. */
void acct_mark_done(struct acct *a, const struct flow_key *k);

const uint64_t *acct_stats(const struct acct *a); /* [CTR_MAX] */
void acct_count(struct acct *a, int ctr, uint64_t n);

/* Hand every flow's counters to fn, then forget them: the userspace twin of a kernel drain. */
typedef void (*acct_flow_fn)(void *arg, const struct flow_key *k, const struct flow_ctr *c);
void acct_drain(struct acct *a, acct_flow_fn fn, void *arg);
size_t acct_nflows(const struct acct *a);

/* Every minute of throughput seen, in ascending order, then forget them. */
typedef void (*acct_tput_fn)(void *arg, const struct tput_slot *s);
void acct_tput_drain(struct acct *a, acct_tput_fn fn, void *arg);

#endif /* FT_ACCT_H */
