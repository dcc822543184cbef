/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/config.h - everything the command line (and later the config file) sets, validated. */
#ifndef FT_CONFIG_H
#define FT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "flow/prefix.h"

enum ft_cmd { CMD_NONE, CMD_RUN, CMD_READ, CMD_STATUS, CMD_DETACH, CMD_VERSION, CMD_DUMP, CMD_MIGRATE, CMD_PSQL, CMD_NEIGHBORS };
enum ft_attach_mode { MODE_NATIVE, MODE_GENERIC, MODE_AUTO };

#define CFG_MAX_NAMES 16

struct leases;

struct config {
	enum ft_cmd cmd;
	const char *iface;
	const char *file;	  /* read: the capture */
	const char *pin_root;	  /* default /sys/fs/bpf/flowtower */
	struct prefix_set local;  /* --local */
	const char *local_names[CFG_MAX_NAMES]; /* --local-name, resolved at start and periodically */
	unsigned int n_local_names;
	bool auto_local;	  /* the interface's own global addresses (default on) */
	unsigned int ipv6_widen;  /* prefix length the interface's IPv6 addresses widen to */
	bool verdict_drop;	  /* --verdict drop|pass */
	enum ft_attach_mode mode; /* --mode native|generic (auto: native, fall back) */
	int skip_own;		  /* -1: default (on in pass mode) */
	bool dedup;		  /* IPv6 near-duplicates */
	bool promisc;		  /* put the interface in promiscuous mode */
	bool json;
	bool steer;		  /* hand each flow's first packets to userspace (default on) */
	bool steer_done;	  /* stop steering a flow as soon as its L7 is known (default on) */
	unsigned int queues;	  /* AF_XDP sockets: 0 = every RX queue */
	unsigned int workers;	  /* worker threads: 0 = one per CPU, at most the queues */
	uint32_t umem_mb;	  /* AF_XDP buffer for all queues, MiB */
	bool afpacket;		  /* --capture afpacket: no XDP; AF_PACKET rings, counted in userspace */
	uint32_t kernel_flows;	  /* entries per kernel flow buffer */
	uint32_t max_flows;	  /* userspace flow table */
	uint32_t drain_ms;	  /* how often kernel counters are merged */
	uint32_t resolve_s;	  /* how often --local-name is re-resolved */
	int log_level;
	const char *dump_dir;	  /* read --dump-streams: reassembled TCP prefixes */
	struct leases *leases;	  /* --device, --nat-public, [devices] (ndp/leases.h); NULL when none */
	bool probe;		  /* active IPv6 neighbor probing (default on; always off with --verdict drop) */
	uint32_t probe_interval_s; /* one probe per address per this (default 300) */
	uint32_t probe_rate;	  /* probes per second overall (default 10) */
	uint32_t neighbor_age_s;  /* catalog entries not seen for this long go (default 14400) */
	const char *config_file;  /* --config: read first, the command line overrides it */
	bool check_config;	  /* --check-config: print the effective settings and exit */
	const char *user;	  /* --user: drop to this user after attaching (default "flowtower" if it exists) */
	const char *web;	  /* --web ADDR:PORT */
	const char *db;		  /* --db URL or "embedded"; NULL: none (run: embedded unless --db none) */
	bool db_none;		  /* --db none */
	bool db_default;	  /* run chose the embedded cluster itself: a failure to start it is not fatal */
	const char *state_dir;	  /* --state-dir: the spool and the embedded cluster (NULL: the default) */
	const char *sensor;	  /* --sensor: every row's sensor column (NULL: hostname[-iface]) */
	uint32_t db_interval_s;	  /* a batch every this many seconds (default 60) */
	uint32_t spool_max_mb;	  /* the spool's size limit (default 1024) */
	uint32_t retention_days;  /* flow partitions older than this are dropped (0: kept) */
	uint32_t db_retry_max_s;  /* reconnect backoff ceiling (default 60) */
	uint32_t to_closed, to_unsolicited, to_udp, to_tcp; /* idle timeouts, seconds */
	const char *dump_out;	  /* dump -w FILE ("-": stdout) */
	uint32_t dump_count;	  /* dump -c N: stop after N frames (0: until interrupted) */
	uint32_t dump_snaplen, dump_sample, dump_rate;
	char *dump_filter;	  /* the pcap filter expression, words joined */
	int argc;		  /* the subcommand's arguments, to read everything again on SIGHUP */
	char **argv;
	char *owned[256];	  /* strings read from the config file */
	unsigned int n_owned;
};

void config_defaults(struct config *c);
/* Parse argv for the subcommand named in argv[0]. 0, 1 (help printed: exit 0), or -EINVAL (message printed). */
int config_parse(struct config *c, int argc, char **argv);
int config_validate(struct config *c);
/* One setting from a config file ("FILE:LINE" names it in errors). 0 or -EINVAL (message printed). */
int config_set(struct config *c, const char *section, const char *key, const char *value, const char *where);
/* Read an INI file: [sensor] (keys as the long options), [timeouts] closed/unsolicited/udp/tcp. */
int config_read_file(struct config *c, const char *path);
/* The effective settings, in the config file's format. */
void config_dump(const struct config *c, FILE *f);
void config_free(struct config *c); /* the strings it owns */
void config_usage(FILE *f, enum ft_cmd cmd);
/* The state directory: --state-dir, else /var/lib/flowtower (root), $XDG_STATE_HOME/flowtower or ~/.local/state/flowtower. */
const char *config_state_dir(const struct config *c, char *buf, size_t len);
/* --db as libpq takes it: NULL for the embedded cluster (and for none). */
const char *config_conninfo(const struct config *c);
/* The sensor name: --sensor, else the hostname, with "-IFACE" for run. */
const char *config_sensor(const struct config *c, char *buf, size_t len);

#endif /* FT_CONFIG_H */
