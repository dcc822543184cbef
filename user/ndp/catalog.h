/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ndp/catalog.h - the neighbor catalog: (address, MAC) pairs with first/last seen; a new MAC is a new entry. */
#ifndef FT_CATALOG_H
#define FT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CATALOG_PATH_FMT "/run/flowtower/%s.neighbors.jsonl" /* catalog_save() of `run -i IF` */

struct jw;
struct leases;
struct pkt_info;
struct flow_key;

enum catalog_src { CATALOG_NDP, CATALOG_PROBE, CATALOG_NETLINK, CATALOG_LEASE, CATALOG_SRC_MAX };

struct catalog_entry {
	uint8_t addr[16];		/* IPv6, or IPv4 v4-mapped as in struct flow_key */
	uint8_t mac[6];
	uint8_t source;			/* enum catalog_src that first taught the pair (lease entries never age) */
	uint8_t current;		/* the address's latest MAC; older ones are history */
	uint64_t first_seen, last_seen; /* wall clock, ns */
};

struct catalog_stats {
	uint64_t ndp_frames, ndp_invalid, ndp_silent; /* frames; refused by ndp_decode(); teaching no pair */
	uint64_t learned, added, mac_changes, expired, full;
};

struct catalog;

/* Thread-safe (one internal mutex). max_age_ns: entries not seen for longer go (0: never). */
int catalog_new(struct catalog **out, uint64_t max_age_ns, size_t max_entries);
void catalog_free(struct catalog *cat); /* NULL-safe */
/* Learn (addr, mac) seen at ts (wall ns). 1: a new entry, 0: refreshed, -EINVAL, -ENOSPC. */
int catalog_learn(struct catalog *cat, const uint8_t addr[16], const uint8_t mac[6], enum catalog_src src, uint64_t ts);
/* A pipeline ndp frame (RFC 4861 7.2.3-7.2.5): decoded and learned. 1, 0 as above, or ndp_decode()'s error. */
int catalog_ndp_frame(struct catalog *cat, const uint8_t *frame, uint32_t caplen, const struct pkt_info *pi,
		      uint64_t ts);
/* The leases' private IPv4 addresses as static entries (source lease, never aged). Entries added or -errno. */
int catalog_add_leases(struct catalog *cat, const struct leases *l, uint64_t now);
/* The prober asked the kernel to resolve addr: what answers within seconds is learned as 'probe'. */
void catalog_probing(struct catalog *cat, const uint8_t addr[16], uint64_t now);
/* The current MAC of addr unless aged out at now. 1 with mac set, or 0. */
int catalog_lookup(struct catalog *cat, const uint8_t addr[16], uint64_t now, uint8_t mac[6]);
/* A flow side's MAC: IPv4 from the leases first, else the catalog; *device: its configured name or NULL. */
int catalog_flow_side(struct catalog *cat, const struct leases *l, const struct flow_key *k, int side, uint64_t now,
		      uint8_t mac[6], const char **device);
size_t catalog_expire(struct catalog *cat, uint64_t now); /* entries removed */
/* fn for each entry changed after *since (0: all), sorted, from a snapshot; then *since advances. Count or -errno. */
typedef int (*catalog_fn)(void *arg, const struct catalog_entry *e);
int catalog_changed(struct catalog *cat, uint64_t *since, catalog_fn fn, void *arg);
/* {"type":"neighbor","addr","mac","first_seen","last_seen","source","device"} (device null when unknown). */
void catalog_json(struct jw *w, const struct catalog_entry *e, const char *device);
/* Every entry as neighbor lines to f (the daemon's answer to `neighbors`). Lines written, or -errno. */
int catalog_write(struct catalog *cat, FILE *f, const struct leases *l);
/* Write every entry to path (temp + rename) when changed since the last save, or force. 1 written, 0, -errno. */
int catalog_save(struct catalog *cat, const char *path, const struct leases *l, bool force);
/* Add the entries of a file catalog_save() wrote (a restart resumes). Entries added, or -errno. */
int catalog_load(struct catalog *cat, const char *path);
/* One line catalog_save() wrote; device gets its "device" ("" for null). 0, -EBADMSG, -EPROTONOSUPPORT. */
int catalog_parse_line(const char *line, struct catalog_entry *e, char *device, size_t devlen);
void catalog_stats(struct catalog *cat, struct catalog_stats *out);

#endif /* FT_CATALOG_H */
