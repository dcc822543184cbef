/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp/probe.h - make the kernel resolve local IPv6 addresses (RFC 4861 7.2.2), and read its neighbor table. */
#ifndef FT_PROBE_H
#define FT_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct catalog;
struct nlmsghdr;

struct probe_cfg {
	const char *ifname;    /* the capture interface */
	struct catalog *cat;   /* learns the kernel's neighbors; told of each probe sent */
	bool send;	       /* UDP probes: off in --verdict drop mode (no host traffic there) or by option */
	bool netlink;	       /* RTM_GETNEIGH dump, then RTNLGRP_NEIGH notifications */
	uint64_t interval_ns;  /* one probe per address per this at most (0: 300 s) */
	uint32_t rate, burst;  /* probes per second overall and the bucket's depth (0: 10, 20) */
};

struct probe_stats {
	uint64_t requested, sent, send_errors, known;  /* known: learned between request and send */
	uint64_t too_soon, queue_full, invalid;	       /* requests refused */
	uint64_t nl_msgs, nl_learned, nl_resyncs;      /* resync: a dump after the socket overflowed */
};

struct probe;

/* Opens the sockets (root: SO_BINDTODEVICE) and learns the interface's own addresses. */
int probe_new(struct probe **out, const struct probe_cfg *cfg);
/* Starts the one thread that sends probes and reads netlink (needs no privilege: may follow a drop). */
int probe_start(struct probe *p);
void probe_free(struct probe *p); /* stops and joins the thread; NULL-safe */
/* A local IPv6 address seen in a flow without a MAC (now: wall ns). Thread-safe. 1 queued, 0 not. */
int probe_request(struct probe *p, const uint8_t addr[16], uint64_t now);
void probe_stats(struct probe *p, struct probe_stats *out);

/* The overall limit, a token bucket (pure, for tests): starts full; cost 1/rate s, depth burst. */
struct probe_bucket { uint64_t credit, cost, cap, last; };
void probe_bucket_init(struct probe_bucket *b, uint32_t rate, uint32_t burst, uint64_t now);
bool probe_bucket_take(struct probe_bucket *b, uint64_t now);
uint64_t probe_bucket_wait(const struct probe_bucket *b, uint64_t now); /* ns until take() succeeds */
/* An RTM_NEWNEIGH on ifindex with a 6-byte lladdr in a valid state: 1 with addr (IPv4 v4-mapped), mac and
 * *seen = now minus the age of its last confirmation; 0 when it is not such; -EBADMSG. hz: clock_t ticks. */
int probe_parse_neigh(const struct nlmsghdr *nh, int ifindex, uint64_t now, long hz, uint8_t addr[16], uint8_t mac[6],
		      uint64_t *seen);

#endif /* FT_PROBE_H */
