// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/config.c - command-line options: one getopt_long table per subcommand, range-checked values. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/config.h"
#include "ctl/web.h"
#include "ndp/leases.h"
#include "util/log.h"

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->pin_root = "/sys/fs/bpf/flowtower";
	c->auto_local = true;
	c->ipv6_widen = 60;
	c->mode = MODE_AUTO;
	c->skip_own = -1;
	c->dedup = true;
	c->promisc = true;
	c->kernel_flows = 262144;
	c->max_flows = 1000000;
	c->drain_ms = 2000;
	c->resolve_s = 300;
	c->log_level = LOG_LVL_INFO;
	c->steer = true;
	c->steer_done = true;
	c->probe = true;
	c->probe_interval_s = 300;
	c->probe_rate = 10;
	c->neighbor_age_s = 14400;
	c->umem_mb = 1024; /* 2^18 frames of 4 KiB: 3.2 s of a 1 Gbit/s link of full frames, all steered */
	c->dump_snaplen = 262144;
	c->dump_sample = 1;
	c->dump_rate = 100000;
	c->to_closed = 60;
	c->to_unsolicited = 60;
	c->to_udp = 120;
	c->to_tcp = 900;
	c->db_interval_s = 60;
	c->spool_max_mb = 1024;
	c->db_retry_max_s = 60;
}

const char *config_state_dir(const struct config *c, char *buf, size_t len)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_STATE_HOME");

	if (c->state_dir)
		return c->state_dir;
	if (geteuid() == 0)
		snprintf(buf, len, "/var/lib/flowtower");
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/flowtower", xdg);
	else
		snprintf(buf, len, "%s/.local/state/flowtower", home && *home ? home : ".");
	return buf;
}

const char *config_conninfo(const struct config *c)
{
	return c->db && strcmp(c->db, "embedded") ? c->db : NULL;
}

const char *config_sensor(const struct config *c, char *buf, size_t len)
{
	char host[256] = "";

	if (c->sensor)
		return c->sensor;
	if (gethostname(host, sizeof(host) - 1) || !*host)
		snprintf(host, sizeof(host), "localhost");
	if (c->cmd == CMD_RUN && c->iface)
		snprintf(buf, len, "%s-%s", host, c->iface);
	else
		snprintf(buf, len, "%s", host);
	return buf;
}

static const char usage_run[] =
	"usage: flowtower run -i IFACE [options]\n"
	"\n"
	"Attach the XDP sensor to IFACE, count every packet per flow in the kernel, and keep\n"
	"the totals under /sys/fs/bpf/flowtower/IFACE/ (a restart, even after kill -9, keeps\n"
	"them). Runs in the foreground until SIGINT/SIGTERM; the program stays attached after\n"
	"exit so counting goes on (flowtower detach removes it).\n"
	"\n"
	"  -i, --interface IFACE   interface to capture on (required)\n"
	"  -l, --local PREFIX      a local network, e.g. 192.0.2.0/24 or 2001:db8::/56 (repeatable);\n"
	"                          traffic from it is tx, to it rx\n"
	"      --local-name HOST   a DNS name of a local address (e.g. a DDNS record), resolved\n"
	"                          at start and every --resolve-interval seconds (repeatable)\n"
	"      --no-auto-local     do not take IFACE's own global addresses as local\n"
	"      --ipv6-widen N      widen IFACE's IPv6 addresses to /N as local prefixes (default 60)\n"
	"      --verdict pass|drop pass: the port is also this host's (default); drop: a dedicated\n"
	"                          mirror port, frames nobody needs are dropped after counting\n"
	"      --mode native|generic  XDP attach mode (default: native, falling back to generic)\n"
	"      --skip-own / --no-skip-own  leave out traffic to/from this host's own IPv4\n"
	"                          addresses (default: on in pass mode, off in drop mode)\n"
	"      --no-dedup          count IPv6 near-duplicates (the same packet seen again within 1 s\n"
	"                          with another MAC or hop limit) instead of skipping them\n"
	"      --no-promisc        leave the interface's promiscuous flag alone\n"
	"      --kernel-flows N    flows per kernel buffer (default 262144, 1024..16777216)\n"
	"      --max-flows N       flows in the userspace table (default 1000000)\n"
	"      --capture xdp|afpacket  xdp (default): XDP counts, AF_XDP sockets read the first\n"
	"                          packets; afpacket: where XDP cannot attach, TPACKET_V3 rings in a\n"
	"                          fanout group and the same accounting in userspace (nothing pinned)\n"
	"      --queues all|N      AF_XDP sockets on the first N RX queues (default all)\n"
	"      --umem-mb N         AF_XDP frame buffer for all queues (default 1024: 3.2 s of a fully\n"
	"                          steered 1 Gbit/s link in 4 KiB frames), 8..65536\n"
	"      --workers N         worker threads for steered frames (default: one per CPU, at\n"
	"                          most one per queue)\n"
	"      --no-steer-done     keep handing a flow's first packets to userspace after its name\n"
	"                          is known (tests that count what the steering rule selects)\n"
	"      --drain-interval MS how often kernel counters are merged (default 2000, 100..60000)\n"
	"      --resolve-interval S  re-resolve --local-name every S seconds (default 300)\n"
	"      --device NAME,MAC[,IPV4[,PORTLO-PORTHI]]  a device: flows on its private IPv4, or on\n"
	"                          the public IPv4 with a local port in its NAT range, take its MAC\n"
	"                          and name; IPv6 neighbors with its MAC take its name (repeatable;\n"
	"                          config file: NAME = MAC, IPV4, LO-HI lines in [devices])\n"
	"      --nat-public ADDR   the public IPv4 the NAT ranges are on (repeatable; default: any\n"
	"                          local IPv4 that is not private)\n"
	"      --no-probe          do not make the kernel resolve local IPv6 addresses seen without\n"
	"                          a MAC (probing is always off with --verdict drop)\n"
	"      --probe-interval S  probe an address at most every S seconds (default 300)\n"
	"      --probe-rate N      probes per second at most (default 10, 1..1000)\n"
	"      --neighbor-age S    forget a neighbor not seen for S seconds (default 14400)\n"
	"      --pin-root DIR      where pins live (default /sys/fs/bpf/flowtower)\n"
	"      --timeout-closed S  idle time after which a TCP flow with FIN or RST is over (60)\n"
	"      --timeout-unsolicited S  ... a flow seen one way only (60)\n"
	"      --timeout-udp S     ... UDP and other datagram flows (120)\n"
	"      --timeout-tcp S     ... an established TCP flow (900)\n"
	"      --user NAME         after attaching, run as NAME with no effective capabilities\n"
	"                          (default: flowtower, if that user exists)\n"
	"      --web ADDR:PORT     serve the live page and /metrics (off; a bare port means\n"
	"                          127.0.0.1)\n"
	"      --db URL|embedded|none  where flows, throughput per minute and neighbors are\n"
	"                          written: a libpq URL or keywords (password from PGPASSWORD or\n"
	"                          ~/.pgpass); embedded (the default): a private cluster in\n"
	"                          STATE-DIR/pg, Unix socket only, started and stopped with the\n"
	"                          daemon (if PostgreSQL is not installed, a warning and no store);\n"
	"                          none: no database\n"
	"      --db-interval S     a batch every S seconds (default 60, 5..3600)\n"
	"      --sensor NAME       the rows' sensor column (default HOSTNAME-IFACE)\n"
	"      --state-dir DIR     the write-ahead spool (and the embedded cluster); default\n"
	"                          /var/lib/flowtower as root\n"
	"      --spool-max-mb N    spool size limit: a warning at 80%, then the oldest batch is\n"
	"                          dropped, counted and logged (default 1024)\n"
	"      --retention-days N  drop flow partitions older than N days (default 0: keep)\n"
	"      --db-retry-max S    reconnect backoff ceiling, seconds (default 60)\n"
	"  -c, --config FILE       settings from an INI file ([sensor]: these option names,\n"
	"                          [timeouts]: closed, unsolicited, udp, tcp); the command line\n"
	"                          overrides it. SIGHUP reads it again.\n"
	"      --check-config      print the effective settings and exit\n"
	"  -v, --log-level L       error, warn, info (default) or debug\n"
	"  -h, --help              this text\n";

static const char usage_read[] =
	"usage: flowtower read FILE [options]\n"
	"\n"
	"Run the same accounting the kernel runs over a pcap or pcapng file (\"-\" for stdin),\n"
	"without root, and print the flows. Link types: Ethernet, raw IP, BSD loopback,\n"
	"Linux cooked v1/v2.\n"
	"\n"
	"      --json              typed JSON lines: flow, neighbor, throughput, stats (DESIGN.md)\n"
	"  -l, --local PREFIX      a local network (repeatable): sets local_side and tx/rx\n"
	"      --device LINE       a device, as `run --device` (repeatable)\n"
	"      --nat-public ADDR   as `run --nat-public`\n"
	"      --neighbor-age S    as `run --neighbor-age`, in capture time\n"
	"      --no-dedup          count IPv6 near-duplicates\n"
	"      --max-flows N       flows kept at once (default 1000000)\n"
	"      --no-steer-done     as `run --no-steer-done`: the parsers see each flow's whole preamble\n"
	"      --dump-streams DIR  write each TCP flow's reassembled client and server prefixes to\n"
	"                          DIR/<client>_<port>-<server>_<port>.client|.server\n"
	"      --db URL|embedded   also write the flows, throughput and neighbors to PostgreSQL\n"
	"                          (as `run --db`; throughput adds to rows already there)\n"
	"      --sensor NAME       the rows' sensor column (default: the hostname)\n"
	"      --state-dir DIR     as `run --state-dir` (default ~/.local/state/flowtower)\n"
	"  -v, --log-level L       error, warn, info (default) or debug\n"
	"  -h, --help              this text\n";

static const char usage_status[] =
	"usage: flowtower status -i IFACE [--json]\n"
	"\n"
	"Print the totals and the flows from the pinned maps of IFACE, while `run` is running\n"
	"or not. Counts not yet merged by the daemon are added in, so the numbers are current.\n"
	"\n"
	"  -i, --interface IFACE\n"
	"      --json              typed JSON lines: flow, throughput, stats\n"
	"      --pin-root DIR      where pins live (default /sys/fs/bpf/flowtower)\n"
	"  -h, --help              this text\n";

static const char usage_detach[] =
	"usage: flowtower detach -i IFACE\n"
	"\n"
	"Remove the XDP program from IFACE and delete its pins (the counters with them), and\n"
	"restore the promiscuous flag the interface had before `run`.\n"
	"\n"
	"  -i, --interface IFACE\n"
	"      --pin-root DIR      where pins live (default /sys/fs/bpf/flowtower)\n"
	"  -h, --help              this text\n";

static const char usage_dump[] =
	"usage: flowtower dump -i IFACE [options] [FILTER]\n"
	"\n"
	"XDP runs before the kernel's packet taps, so tcpdump on a sensor's interface no longer\n"
	"sees what the sensor drops or steers. dump gives that back: while it runs, the XDP\n"
	"program copies frames into a ring buffer and dump writes the ones that match FILTER (a\n"
	"pcap filter expression, as tcpdump takes) as pcapng with the kernel's ns timestamps.\n"
	"Copying stops when dump exits; when no dump runs it costs one map lookup per frame.\n"
	"\n"
	"  -i, --interface IFACE   interface the sensor is attached to (required)\n"
	"  -w, --write FILE        pcapng output, - for stdout (required when stdout is a terminal)\n"
	"  -c, --count N           stop after N frames\n"
	"      --snaplen N         bytes of each frame (default and most 4096)\n"
	"      --sample N          copy one frame in N (default 1)\n"
	"      --rate PPS          at most PPS frames a second per CPU (default 100000, 0: no limit)\n"
	"      --pin-root DIR      where pins live (default /sys/fs/bpf/flowtower)\n"
	"  -h, --help              this text\n";

static const char usage_neighbors[] =
	"usage: flowtower neighbors -i IFACE [--json]\n"
	"\n"
	"List the neighbor catalog (address, MAC, first and last seen, source, device) of\n"
	"`flowtower run -i IFACE`: asked from the running daemon, or as it last saved it.\n"
	"\n"
	"  -i, --interface IFACE\n"
	"      --json              neighbor JSON lines\n"
	"  -h, --help              this text\n";

static const char usage_migrate[] =
	"usage: flowtower migrate [--db URL] [--state-dir DIR]\n"
	"\n"
	"Apply the schema (sql/, built into the binary) to the database: each file once, in\n"
	"order, recorded in flowtower.schema_version. `run --db` and `read --db` do this too.\n"
	"\n"
	"      --db URL            a libpq URL or keywords (default: the embedded cluster)\n"
	"      --state-dir DIR     where the embedded cluster lives (default /var/lib/flowtower as\n"
	"                          root, else ~/.local/state/flowtower)\n"
	"  -h, --help              this text\n";

static const char usage_psql[] =
	"usage: flowtower psql [--db URL] [--state-dir DIR]\n"
	"\n"
	"psql on the store's database with search_path flowtower (the embedded cluster is\n"
	"started for it when it is not running). See README.md for the questions to ask.\n"
	"\n"
	"      --db URL            a libpq URL or keywords (default: the embedded cluster)\n"
	"      --state-dir DIR     as `migrate --state-dir`\n"
	"  -h, --help              this text\n";

static const char usage_top[] =
	"usage: flowtower COMMAND [options]   (flowtower COMMAND --help for each)\n"
	"\n"
	"A passive network traffic sensor: XDP counts every packet per flow in the kernel.\n"
	"\n"
	"  run -i IFACE      attach to an interface and count (root)\n"
	"  read FILE         the same accounting over a pcap/pcapng file (no root)\n"
	"  status -i IFACE   totals and flows from the pinned maps\n"
	"  detach -i IFACE   remove the program and its pins\n"
	"  neighbors -i IFACE  the devices (IPv6/IPv4 -> MAC) the daemon learned\n"
	"  dump -i IFACE     what the interface receives, as pcapng, with a pcap filter\n"
	"  migrate           apply the database schema\n"
	"  psql              psql on the database\n"
	"  version           print the version\n";

void config_usage(FILE *f, enum ft_cmd cmd)
{
	switch (cmd) {
	case CMD_RUN: fputs(usage_run, f); break;
	case CMD_READ: fputs(usage_read, f); break;
	case CMD_STATUS: fputs(usage_status, f); break;
	case CMD_DETACH: fputs(usage_detach, f); break;
	case CMD_NEIGHBORS: fputs(usage_neighbors, f); break;
	case CMD_DUMP: fputs(usage_dump, f); break;
	case CMD_MIGRATE: fputs(usage_migrate, f); break;
	case CMD_PSQL: fputs(usage_psql, f); break;
	default: fputs(usage_top, f); break;
	}
}

enum {
	OPT_LOCAL_NAME = 256, OPT_NO_AUTO_LOCAL, OPT_IPV6_WIDEN, OPT_VERDICT, OPT_MODE, OPT_SKIP_OWN,
	OPT_NO_SKIP_OWN, OPT_NO_DEDUP, OPT_NO_PROMISC, OPT_KERNEL_FLOWS, OPT_MAX_FLOWS, OPT_DRAIN,
	OPT_RESOLVE, OPT_PIN_ROOT, OPT_JSON, OPT_NO_STEER_DONE, OPT_QUEUES, OPT_WORKERS, OPT_DUMP_STREAMS, OPT_UMEM, OPT_CAPTURE, OPT_CONFIG, OPT_CHECK_CONFIG, OPT_USER, OPT_WEB,
	OPT_TO_CLOSED, OPT_TO_UNSOLICITED, OPT_TO_UDP, OPT_TO_TCP, OPT_WRITE, OPT_COUNT, OPT_SNAPLEN, OPT_SAMPLE,
	OPT_RATE, OPT_DB, OPT_STATE_DIR, OPT_SENSOR, OPT_DB_INTERVAL, OPT_SPOOL_MAX, OPT_RETENTION, OPT_DB_RETRY,
	OPT_DEVICE, OPT_NAT_PUBLIC, OPT_NO_PROBE, OPT_PROBE_INTERVAL, OPT_PROBE_RATE, OPT_NEIGHBOR_AGE,
};

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "local", required_argument, NULL, 'l' },
	{ "local-name", required_argument, NULL, OPT_LOCAL_NAME },
	{ "no-auto-local", no_argument, NULL, OPT_NO_AUTO_LOCAL },
	{ "ipv6-widen", required_argument, NULL, OPT_IPV6_WIDEN },
	{ "verdict", required_argument, NULL, OPT_VERDICT },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "skip-own", no_argument, NULL, OPT_SKIP_OWN },
	{ "no-skip-own", no_argument, NULL, OPT_NO_SKIP_OWN },
	{ "no-dedup", no_argument, NULL, OPT_NO_DEDUP },
	{ "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
	{ "kernel-flows", required_argument, NULL, OPT_KERNEL_FLOWS },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "drain-interval", required_argument, NULL, OPT_DRAIN },
	{ "resolve-interval", required_argument, NULL, OPT_RESOLVE },
	{ "pin-root", required_argument, NULL, OPT_PIN_ROOT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-steer-done", no_argument, NULL, OPT_NO_STEER_DONE },
	{ "dump-streams", required_argument, NULL, OPT_DUMP_STREAMS },
	{ "umem-mb", required_argument, NULL, OPT_UMEM },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "nat-public", required_argument, NULL, OPT_NAT_PUBLIC },
	{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
	{ "probe-interval", required_argument, NULL, OPT_PROBE_INTERVAL },
	{ "probe-rate", required_argument, NULL, OPT_PROBE_RATE },
	{ "neighbor-age", required_argument, NULL, OPT_NEIGHBOR_AGE },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
	{ "user", required_argument, NULL, OPT_USER },
	{ "web", required_argument, NULL, OPT_WEB },
	{ "timeout-closed", required_argument, NULL, OPT_TO_CLOSED },
	{ "timeout-unsolicited", required_argument, NULL, OPT_TO_UNSOLICITED },
	{ "timeout-udp", required_argument, NULL, OPT_TO_UDP },
	{ "timeout-tcp", required_argument, NULL, OPT_TO_TCP },
	{ "write", required_argument, NULL, OPT_WRITE },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "sample", required_argument, NULL, OPT_SAMPLE },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "db", required_argument, NULL, OPT_DB },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "sensor", required_argument, NULL, OPT_SENSOR },
	{ "db-interval", required_argument, NULL, OPT_DB_INTERVAL },
	{ "spool-max-mb", required_argument, NULL, OPT_SPOOL_MAX },
	{ "retention-days", required_argument, NULL, OPT_RETENTION },
	{ "db-retry-max", required_argument, NULL, OPT_DB_RETRY },
	{ "log-level", required_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Which options each subcommand accepts (by getopt return value). */
static bool allowed(enum ft_cmd cmd, int opt)
{
	switch (opt) {
	case 'h':
	case 'v':
		return true;
	case 'i':
		return cmd == CMD_RUN || cmd == CMD_STATUS || cmd == CMD_DETACH || cmd == CMD_DUMP || cmd == CMD_NEIGHBORS;
	case OPT_PIN_ROOT:
		return cmd == CMD_RUN || cmd == CMD_STATUS || cmd == CMD_DETACH || cmd == CMD_DUMP;
	case OPT_WRITE:
	case OPT_COUNT:
	case OPT_SNAPLEN:
	case OPT_SAMPLE:
	case OPT_RATE:
		return cmd == CMD_DUMP;
	case 'l':
	case OPT_NO_DEDUP:
	case OPT_MAX_FLOWS:
	case OPT_NO_STEER_DONE:
	case OPT_DEVICE:
	case OPT_NAT_PUBLIC:
	case OPT_NEIGHBOR_AGE:
		return cmd == CMD_RUN || cmd == CMD_READ;
	case OPT_JSON:
		return cmd == CMD_READ || cmd == CMD_STATUS || cmd == CMD_NEIGHBORS;
	case OPT_DUMP_STREAMS:
		return cmd == CMD_READ;
	case OPT_DB:
	case OPT_STATE_DIR:
		return cmd == CMD_RUN || cmd == CMD_READ || cmd == CMD_MIGRATE || cmd == CMD_PSQL;
	case OPT_SENSOR:
		return cmd == CMD_RUN || cmd == CMD_READ;
	case OPT_CONFIG:
		return cmd == CMD_RUN;
	default:
		return cmd == CMD_RUN;
	}
}

/* "--local" on the command line, "FILE:LINE: local" in a config file: how errors name the setting. */
static const char *label = "";

static int parse_u32(const char *name, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v < lo || v > hi) {
		pr_err("%s: '%s' is not a number in %u..%u\n", label, s, lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	(void)name;
	return 0;
}

static int add_local(struct config *c, const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p)) {
		pr_err("%s: '%s' is not a prefix (e.g. 192.0.2.0/24, 2001:db8::/56)\n", label, s);
		return -EINVAL;
	}
	if (prefix_set_add(&c->local, &p)) {
		pr_err("%s: more than %d prefixes\n", label, PREFIX_MAX);
		return -EINVAL;
	}
	return 0;
}

/* --device, --nat-public and [devices] lines: one table, each line checked as given (ndp/leases.h). */
static int add_device(struct config *c, int opt, const char *arg, const char *where)
{
	char err[160];
	int rc;

	if (!c->leases && leases_new(&c->leases))
		return -ENOMEM;
	rc = opt == OPT_NAT_PUBLIC ? leases_add_public(c->leases, arg, err, sizeof(err))
				   : leases_parse_line(c->leases, arg, err, sizeof(err));
	if (rc && where)
		pr_err("%s: %s\n", where, err);
	else if (rc)
		pr_err("--%s '%s': %s\n", opt == OPT_NAT_PUBLIC ? "nat-public" : "device", arg, err);
	return rc;
}

/* "password=" in keywords, or "scheme://user:password@host" in a URL */
static bool db_has_password(const char *s)
{
	const char *u = strstr(s, "://"), *end;
	size_t n;

	if (strstr(s, "password="))
		return true;
	if (!u)
		return false;
	u += 3;
	end = strpbrk(u, "/?#");
	n = end ? (size_t)(end - u) : strlen(u); /* the authority: [user[:password]@]host[:port] */
	end = memchr(u, '@', n);
	return end && memchr(u, ':', (size_t)(end - u));
}

static int parse_one(struct config *c, int opt, const char *arg)
{
	uint32_t v;
	int lvl;

	switch (opt) {
	case 'i':
		c->iface = arg;
		return 0;
	case 'l':
		return add_local(c, arg);
	case OPT_LOCAL_NAME:
		if (c->n_local_names >= CFG_MAX_NAMES) {
			pr_err("%s: at most %d names\n", label, CFG_MAX_NAMES);
			return -EINVAL;
		}
		c->local_names[c->n_local_names++] = arg;
		return 0;
	case OPT_NO_AUTO_LOCAL:
		c->auto_local = false;
		return 0;
	case OPT_IPV6_WIDEN:
		if (parse_u32("ipv6-widen", arg, 1, 128, &v))
			return -EINVAL;
		c->ipv6_widen = v;
		return 0;
	case OPT_VERDICT:
		if (strcmp(arg, "pass") && strcmp(arg, "drop")) {
			pr_err("%s: '%s': accepted values are pass, drop\n", label, arg);
			return -EINVAL;
		}
		c->verdict_drop = !strcmp(arg, "drop");
		return 0;
	case OPT_MODE:
		if (strcmp(arg, "native") && strcmp(arg, "generic")) {
			pr_err("%s: '%s': accepted values are native, generic\n", label, arg);
			return -EINVAL;
		}
		c->mode = !strcmp(arg, "native") ? MODE_NATIVE : MODE_GENERIC;
		return 0;
	case OPT_SKIP_OWN:
	case OPT_NO_SKIP_OWN:
		c->skip_own = opt == OPT_SKIP_OWN;
		return 0;
	case OPT_NO_DEDUP:
		c->dedup = false;
		return 0;
	case OPT_NO_PROMISC:
		c->promisc = false;
		return 0;
	case OPT_KERNEL_FLOWS:
		return parse_u32("kernel-flows", arg, 1024, 16777216, &c->kernel_flows);
	case OPT_MAX_FLOWS:
		return parse_u32("max-flows", arg, 1024, 100000000, &c->max_flows);
	case OPT_DRAIN:
		return parse_u32("drain-interval", arg, 100, 60000, &c->drain_ms);
	case OPT_RESOLVE:
		return parse_u32("resolve-interval", arg, 10, 86400, &c->resolve_s);
	case OPT_PIN_ROOT:
		c->pin_root = arg;
		return 0;
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_NO_STEER_DONE:
		c->steer_done = false;
		return 0;
	case OPT_DEVICE:
	case OPT_NAT_PUBLIC:
		return add_device(c, opt, arg, NULL);
	case OPT_NO_PROBE:
		c->probe = false;
		return 0;
	case OPT_PROBE_INTERVAL:
		return parse_u32("probe-interval", arg, 1, 86400, &c->probe_interval_s);
	case OPT_PROBE_RATE:
		return parse_u32("probe-rate", arg, 1, 1000, &c->probe_rate);
	case OPT_NEIGHBOR_AGE:
		return parse_u32("neighbor-age", arg, 60, 31536000, &c->neighbor_age_s);
	case OPT_DUMP_STREAMS:
		c->dump_dir = arg;
		return 0;
	case OPT_QUEUES:
		if (!strcmp(arg, "all")) {
			c->queues = 0;
			return 0;
		}
		return parse_u32("queues", arg, 1, 64, &c->queues);
	case OPT_WORKERS:
		return parse_u32("workers", arg, 1, 64, &c->workers);
	case OPT_UMEM:
		return parse_u32("umem-mb", arg, 8, 65536, &c->umem_mb);
	case OPT_CONFIG:
		c->config_file = arg; /* read by config_parse before the rest of the command line */
		return 0;
	case OPT_CHECK_CONFIG:
		c->check_config = true;
		return 0;
	case OPT_USER:
		c->user = arg;
		return 0;
	case OPT_DB:
		if (!*arg) {
			pr_err("%s: a libpq URL (postgresql://...), keywords (host=... dbname=...), 'embedded' or 'none'\n",
			       label);
			return -EINVAL;
		}
		if (db_has_password(arg)) {
			pr_err("%s: no password here (it would show in ps and logs): use PGPASSWORD, ~/.pgpass or "
			       "PGPASSFILE\n", label);
			return -EINVAL;
		}
		c->db_none = !strcmp(arg, "none");
		c->db = c->db_none ? NULL : arg;
		c->db_default = false;
		return 0;
	case OPT_STATE_DIR:
		if (*arg != '/') {
			pr_err("%s: '%s' is not an absolute path\n", label, arg);
			return -EINVAL;
		}
		c->state_dir = arg;
		return 0;
	case OPT_SENSOR:
		if (!*arg || strlen(arg) > 63) {
			pr_err("%s: '%s': a sensor name is 1 to 63 characters\n", label, arg);
			return -EINVAL;
		}
		c->sensor = arg;
		return 0;
	case OPT_DB_INTERVAL:
		return parse_u32("db-interval", arg, 5, 3600, &c->db_interval_s);
	case OPT_SPOOL_MAX:
		return parse_u32("spool-max-mb", arg, 1, 1048576, &c->spool_max_mb);
	case OPT_RETENTION:
		return parse_u32("retention-days", arg, 0, 36500, &c->retention_days);
	case OPT_DB_RETRY:
		return parse_u32("db-retry-max", arg, 1, 3600, &c->db_retry_max_s);
	case OPT_WEB:
		c->web = arg;
		return 0;
	case OPT_WRITE:
		c->dump_out = arg;
		return 0;
	case OPT_COUNT:
		return parse_u32("count", arg, 1, 4000000000u, &c->dump_count);
	case OPT_SNAPLEN:
		return parse_u32("snaplen", arg, 60, 262144, &c->dump_snaplen);
	case OPT_SAMPLE:
		return parse_u32("sample", arg, 1, 1000000, &c->dump_sample);
	case OPT_RATE:
		return parse_u32("rate", arg, 0, 100000000, &c->dump_rate);
	case OPT_TO_CLOSED:
		return parse_u32("timeout-closed", arg, 1, 86400, &c->to_closed);
	case OPT_TO_UNSOLICITED:
		return parse_u32("timeout-unsolicited", arg, 1, 86400, &c->to_unsolicited);
	case OPT_TO_UDP:
		return parse_u32("timeout-udp", arg, 1, 86400, &c->to_udp);
	case OPT_TO_TCP:
		return parse_u32("timeout-tcp", arg, 1, 7 * 86400, &c->to_tcp);
	case OPT_CAPTURE:
		if (strcmp(arg, "xdp") && strcmp(arg, "afpacket")) {
			pr_err("%s: '%s': accepted values are xdp, afpacket\n", label, arg);
			return -EINVAL;
		}
		c->afpacket = !strcmp(arg, "afpacket");
		return 0;
	case 'v':
		lvl = log_level_parse(arg);
		if (lvl < 0) {
			pr_err("%s: '%s': accepted values are error, warn, info, debug\n", label, arg);
			return -EINVAL;
		}
		c->log_level = lvl;
		log_set_level(lvl);
		return 0;
	}
	return -EINVAL;
}

static enum ft_cmd cmd_of(const char *s)
{
	static const struct { const char *name; enum ft_cmd cmd; } cmds[] = {
		{ "run", CMD_RUN }, { "read", CMD_READ }, { "status", CMD_STATUS },
		{ "detach", CMD_DETACH }, { "neighbors", CMD_NEIGHBORS }, { "version", CMD_VERSION }, { "--version", CMD_VERSION },
		{ "dump", CMD_DUMP }, { "migrate", CMD_MIGRATE }, { "psql", CMD_PSQL },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(s, cmds[i].name))
			return cmds[i].cmd;
	return CMD_NONE;
}

/* The command line may name a config file anywhere: read it before the options that override it. */
static int prescan_config(struct config *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc)
			c->config_file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			c->config_file = argv[i] + 9;
	}
	return c->config_file && c->cmd == CMD_RUN ? config_read_file(c, c->config_file) : 0;
}

int config_parse(struct config *c, int argc, char **argv)
{
	bool cli_local = false;
	char lbuf[64];
	int opt, idx;

	if (argc < 1)
		return -EINVAL;
	c->argc = argc;
	c->argv = argv;
	c->cmd = cmd_of(argv[0]);
	if (c->cmd == CMD_NONE) {
		if (strcmp(argv[0], "help") && strcmp(argv[0], "--help") && strcmp(argv[0], "-h")) {
			pr_err("unknown command '%s'\n", argv[0]);
			config_usage(stderr, CMD_NONE);
			return -EINVAL;
		}
		config_usage(stdout, CMD_NONE);
		return 1;
	}
	if (c->cmd == CMD_VERSION)
		return 0;
	if (prescan_config(c, argc, argv))
		return -EINVAL;
	optind = 1;
	while ((idx = -1, opt = getopt_long(argc, argv, c->cmd == CMD_DUMP ? "i:v:hw:c:" : "i:l:v:hc:", long_opts,
					    &idx)) != -1) {
		int ch = opt; /* the letter, before -c and -w become long options */

		if (opt == 'c')
			opt = c->cmd == CMD_DUMP ? OPT_COUNT : OPT_CONFIG;
		if (opt == 'w')
			opt = OPT_WRITE;
		if (opt == '?') {
			config_usage(stderr, c->cmd);
			return -EINVAL;
		}
		if (!allowed(c->cmd, opt)) {
			pr_err("%s: option '%s' does not apply here\n", argv[0], argv[optind - 1]);
			return -EINVAL;
		}
		if (opt == 'h') {
			config_usage(stdout, c->cmd);
			return 1;
		}
		if (opt == 'l' && !cli_local) { /* the command line's prefixes replace the file's */
			c->local.n = 0;
			cli_local = true;
		}
		/* the option's name, never its value (which may be anything, e.g. a URL) */
		if (idx >= 0)
			snprintf(lbuf, sizeof(lbuf), "--%s", long_opts[idx].name);
		else
			snprintf(lbuf, sizeof(lbuf), "-%c", ch);
		label = lbuf;
		if (parse_one(c, opt, optarg))
			return -EINVAL;
	}
	if (c->cmd == CMD_DUMP) {
		size_t len = 1;
		int i;

		for (i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		c->dump_filter = calloc(1, len);
		if (!c->dump_filter || c->n_owned >= sizeof(c->owned) / sizeof(c->owned[0]))
			return -ENOMEM;
		c->owned[c->n_owned++] = c->dump_filter;
		for (i = optind; i < argc; i++) {
			strcat(c->dump_filter, argv[i]);
			if (i + 1 < argc)
				strcat(c->dump_filter, " ");
		}
	} else if (c->cmd == CMD_READ) {
		if (optind != argc - 1) {
			pr_err("read: exactly one capture file expected\n");
			config_usage(stderr, c->cmd);
			return -EINVAL;
		}
		c->file = argv[optind];
	} else if (optind != argc) {
		pr_err("%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -EINVAL;
	}
	return config_validate(c);
}

int config_validate(struct config *c)
{
	if ((c->cmd == CMD_RUN || c->cmd == CMD_STATUS || c->cmd == CMD_DETACH || c->cmd == CMD_DUMP ||
	     c->cmd == CMD_NEIGHBORS) && !c->iface) {
		pr_err("-i IFACE is required\n");
		return -EINVAL;
	}
	if (c->iface && (strlen(c->iface) >= IF_NAMESIZE || strchr(c->iface, '/') || c->iface[0] == '.')) {
		pr_err("-i: '%s' is not an interface name\n", c->iface);
		return -EINVAL;
	}
	if (c->web) { /* a typo fails here, before anything is attached */
		char host[64];
		unsigned int port;

		if (web_parse_listen(c->web, host, sizeof(host), &port))
			return -EINVAL;
	}
	if (c->skip_own < 0)
		c->skip_own = !c->verdict_drop;
	if (c->cmd == CMD_RUN && !c->db && !c->db_none) { /* a newcomer gets a database to query */
		c->db = "embedded";
		c->db_default = true;
	}
	return 0;
}

/* Keys that are on/off switches in a config file, and the field each sets. */
static int set_bool(struct config *c, const char *key, const char *v)
{
	static const char *const keys[] = { "dedup", "promisc", "auto-local", "skip-own", "steer", "steer-done", "probe" };
	unsigned int i;
	int on;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[i]); i++)
		;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return -ENOENT;
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		on = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		on = 0;
	else
		return -EINVAL;
	if (!strcmp(key, "dedup"))
		c->dedup = on;
	else if (!strcmp(key, "promisc"))
		c->promisc = on;
	else if (!strcmp(key, "auto-local"))
		c->auto_local = on;
	else if (!strcmp(key, "skip-own"))
		c->skip_own = on;
	else if (!strcmp(key, "steer"))
		c->steer = on;
	else if (!strcmp(key, "steer-done"))
		c->steer_done = on;
	else if (!strcmp(key, "probe"))
		c->probe = on;
	else
		return -ENOENT;
	return 0;
}

static const char *const bool_keys = "dedup, promisc, auto-local, skip-own, steer, steer-done, probe";

static void list_keys(void)
{
	const struct option *o;

	fprintf(stderr, "  accepted in [sensor]: %s", bool_keys);
	for (o = long_opts; o->name; o++)
		if (o->has_arg == required_argument && allowed(CMD_RUN, o->val) && o->val != OPT_CONFIG &&
		    strncmp(o->name, "timeout-", 8))
			fprintf(stderr, ", %s", o->name);
	fprintf(stderr, "\n  accepted in [timeouts]: closed, unsolicited, udp, tcp (seconds)\n");
}

int config_set(struct config *c, const char *section, const char *key, const char *value, const char *where)
{
	char lbuf[300], name[64];
	const struct option *o;
	char *v;
	int rc;

	snprintf(lbuf, sizeof(lbuf), "%s: %s", where, key);
	label = lbuf;
	if (!strcmp(section, "devices")) { /* NAME = MAC, IPV4, LO-HI */
		char line[600];

		snprintf(line, sizeof(line), "%s = %s", key, value);
		return add_device(c, OPT_DEVICE, line, lbuf) ? -EINVAL : 0;
	}
	if (!strcmp(section, "timeouts")) {
		snprintf(name, sizeof(name), "timeout-%s", key);
		key = name;
	} else if (strcmp(section, "sensor") && *section) {
		pr_err("%s: unknown section [%s]; accepted: [sensor], [timeouts], [devices]\n", where, section);
		return -EINVAL;
	}
	rc = set_bool(c, key, value);
	if (rc == -EINVAL) {
		pr_err("%s: '%s' is not yes or no\n", lbuf, value);
		return -EINVAL;
	}
	if (!rc)
		return 0;
	for (o = long_opts; o->name; o++)
		if (!strcmp(o->name, key) && o->has_arg == required_argument && o->val != OPT_CONFIG &&
		    allowed(CMD_RUN, o->val))
			break;
	if (!o->name) {
		pr_err("%s: unknown key '%s'\n", where, key);
		list_keys();
		return -EINVAL;
	}
	if (c->n_owned >= sizeof(c->owned) / sizeof(c->owned[0])) {
		pr_err("%s: more than %zu settings with values in one file\n", where,
		       sizeof(c->owned) / sizeof(c->owned[0]));
		return -EINVAL;
	}
	if (!(v = strdup(value)))
		return -ENOMEM;
	c->owned[c->n_owned++] = v;
	return parse_one(c, o->val, v) ? -EINVAL : 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/*
 * INI: "[section]", "key = value", comments from '#' or ';' at the start of a
 * line, blank lines. Repeating a key repeats the option (local, local-name).
 * Every error names the file and line; the first one ends the reading.
 */
int config_read_file(struct config *c, const char *path)
{
	char section[32] = "sensor", where[PATH_MAX + 16], *line = NULL, *s, *eq;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		pr_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (!rc && getline(&line, &cap, f) > 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (!end || end[1] || end - s - 1 >= (long)sizeof(section) || end == s + 1) {
				pr_err("%s: a section is [name]\n", where);
				rc = -EINVAL;
				break;
			}
			*end = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			pr_err("%s: expected 'key = value'\n", where);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		rc = config_set(c, section, trim(s), trim(eq + 1), where);
	}
	free(line);
	fclose(f);
	return rc;
}

void config_dump(const struct config *c, FILE *f)
{
	char buf[64];
	unsigned int i;

	fprintf(f, "[sensor]\ninterface = %s\n", c->iface ? c->iface : "");
	for (i = 0; i < c->local.n; i++)
		fprintf(f, "local = %s\n", prefix_format(&c->local.p[i], buf, sizeof(buf)));
	for (i = 0; i < c->n_local_names; i++)
		fprintf(f, "local-name = %s\n", c->local_names[i]);
	fprintf(f, "auto-local = %s\nipv6-widen = %u\nverdict = %s\nmode = %s\ncapture = %s\n",
		c->auto_local ? "yes" : "no", c->ipv6_widen, c->verdict_drop ? "drop" : "pass",
		c->mode == MODE_GENERIC ? "generic" : c->mode == MODE_NATIVE ? "native" : "native (generic fallback)",
		c->afpacket ? "afpacket" : "xdp");
	fprintf(f, "skip-own = %s\ndedup = %s\npromisc = %s\nsteer = %s\nsteer-done = %s\n",
		c->skip_own > 0 ? "yes" : "no", c->dedup ? "yes" : "no", c->promisc ? "yes" : "no",
		c->steer ? "yes" : "no", c->steer_done ? "yes" : "no");
	fprintf(f, "kernel-flows = %u\nmax-flows = %u\ndrain-interval = %u\nresolve-interval = %u\n",
		c->kernel_flows, c->max_flows, c->drain_ms, c->resolve_s);
	fprintf(f, "queues = %s\nworkers = %u\numem-mb = %u\npin-root = %s\n", c->queues ? "" : "all",
		c->workers, c->umem_mb, c->pin_root);
	if (c->queues)
		fprintf(f, "# queues = %u\n", c->queues);
	fprintf(f, "user = %s\nweb = %s\nlog-level = %s\n", c->user ? c->user : "(flowtower if it exists)",
		c->web ? c->web : "(off)", (const char *[]){ "error", "warn", "info", "debug" }[c->log_level & 3]);
	fprintf(f, "db = %s\ndb-interval = %u\nsensor = %s\nstate-dir = %s\nspool-max-mb = %u\n"
		"retention-days = %u\ndb-retry-max = %u\n", c->db ? c->db : "none", c->db_interval_s,
		c->sensor ? c->sensor : "(HOSTNAME-IFACE)", c->state_dir ? c->state_dir : "(/var/lib/flowtower)",
		c->spool_max_mb, c->retention_days, c->db_retry_max_s);
	fprintf(f, "probe = %s\nprobe-interval = %u\nprobe-rate = %u\nneighbor-age = %u\n", c->probe ? "yes" : "no",
		c->probe_interval_s, c->probe_rate, c->neighbor_age_s);
	fprintf(f, "\n[timeouts]\nclosed = %u\nunsolicited = %u\nudp = %u\ntcp = %u\n", c->to_closed,
		c->to_unsolicited, c->to_udp, c->to_tcp);
	if (leases_count(c->leases))
		fprintf(f, "\n[devices]\n");
	for (i = 0; i < leases_count(c->leases); i++) {
		const struct lease *e = leases_get(c->leases, i);

		fprintf(f, "%s = %02x:%02x:%02x:%02x:%02x:%02x", e->name, e->mac[0], e->mac[1], e->mac[2],
			e->mac[3], e->mac[4], e->mac[5]);
		if (e->has_ipv4 || e->port_lo)
			fprintf(f, ", ");
		if (e->has_ipv4)
			fprintf(f, "%u.%u.%u.%u", e->ipv4[0], e->ipv4[1], e->ipv4[2], e->ipv4[3]);
		if (e->port_lo)
			fprintf(f, ", %u-%u", e->port_lo, e->port_hi);
		fprintf(f, "\n");
	}
}

void config_free(struct config *c)
{
	leases_free(c->leases);
	c->leases = NULL;
	while (c->n_owned)
		free(c->owned[--c->n_owned]);
}
