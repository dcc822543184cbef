// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/config.c - command-line options: one getopt_long table per subcommand, range-checked values. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/config.h"
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
	c->umem_mb = 1024; /* 2^18 frames of 4 KiB: 3.2 s of a 1 Gbit/s link of full frames, all steered */
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
	"      --pin-root DIR      where pins live (default /sys/fs/bpf/flowtower)\n"
	"  -v, --log-level L       error, warn, info (default) or debug\n"
	"  -h, --help              this text\n";

static const char usage_read[] =
	"usage: flowtower read FILE [options]\n"
	"\n"
	"Run the same accounting the kernel runs over a pcap or pcapng file (\"-\" for stdin),\n"
	"without root, and print the flows. Link types: Ethernet, raw IP, BSD loopback,\n"
	"Linux cooked v1/v2.\n"
	"\n"
	"      --json              typed JSON lines: flow, throughput, stats (see DESIGN.md)\n"
	"  -l, --local PREFIX      a local network (repeatable): sets local_side and tx/rx\n"
	"      --no-dedup          count IPv6 near-duplicates\n"
	"      --max-flows N       flows kept at once (default 1000000)\n"
	"      --no-steer-done     as `run --no-steer-done`: the parsers see each flow's whole preamble\n"
	"      --dump-streams DIR  write each TCP flow's reassembled client and server prefixes to\n"
	"                          DIR/<client>_<port>-<server>_<port>.client|.server\n"
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

static const char usage_top[] =
	"usage: flowtower COMMAND [options]   (flowtower COMMAND --help for each)\n"
	"\n"
	"A passive network traffic sensor: XDP counts every packet per flow in the kernel.\n"
	"\n"
	"  run -i IFACE      attach to an interface and count (root)\n"
	"  read FILE         the same accounting over a pcap/pcapng file (no root)\n"
	"  status -i IFACE   totals and flows from the pinned maps\n"
	"  detach -i IFACE   remove the program and its pins\n"
	"  version           print the version\n";

void config_usage(FILE *f, enum ft_cmd cmd)
{
	switch (cmd) {
	case CMD_RUN: fputs(usage_run, f); break;
	case CMD_READ: fputs(usage_read, f); break;
	case CMD_STATUS: fputs(usage_status, f); break;
	case CMD_DETACH: fputs(usage_detach, f); break;
	default: fputs(usage_top, f); break;
	}
}

enum {
	OPT_LOCAL_NAME = 256, OPT_NO_AUTO_LOCAL, OPT_IPV6_WIDEN, OPT_VERDICT, OPT_MODE, OPT_SKIP_OWN,
	OPT_NO_SKIP_OWN, OPT_NO_DEDUP, OPT_NO_PROMISC, OPT_KERNEL_FLOWS, OPT_MAX_FLOWS, OPT_DRAIN,
	OPT_RESOLVE, OPT_PIN_ROOT, OPT_JSON, OPT_NO_STEER_DONE, OPT_QUEUES, OPT_WORKERS, OPT_DUMP_STREAMS, OPT_UMEM, OPT_CAPTURE,
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
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "workers", required_argument, NULL, OPT_WORKERS },
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
	case OPT_PIN_ROOT:
		return cmd == CMD_RUN || cmd == CMD_STATUS || cmd == CMD_DETACH;
	case 'l':
	case OPT_NO_DEDUP:
	case OPT_MAX_FLOWS:
	case OPT_NO_STEER_DONE:
		return cmd == CMD_RUN || cmd == CMD_READ;
	case OPT_JSON:
		return cmd == CMD_READ || cmd == CMD_STATUS;
	case OPT_DUMP_STREAMS:
		return cmd == CMD_READ;
	default:
		return cmd == CMD_RUN;
	}
}

static int parse_u32(const char *name, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v < lo || v > hi) {
		pr_err("--%s: '%s' is not a number in %u..%u\n", name, s, lo, hi);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int add_local(struct config *c, const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p)) {
		pr_err("--local: '%s' is not a prefix (e.g. 192.0.2.0/24, 2001:db8::/56)\n", s);
		return -EINVAL;
	}
	if (prefix_set_add(&c->local, &p)) {
		pr_err("--local: more than %d prefixes\n", PREFIX_MAX);
		return -EINVAL;
	}
	return 0;
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
			pr_err("--local-name: at most %d names\n", CFG_MAX_NAMES);
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
			pr_err("--verdict: '%s': accepted values are pass, drop\n", arg);
			return -EINVAL;
		}
		c->verdict_drop = !strcmp(arg, "drop");
		return 0;
	case OPT_MODE:
		if (strcmp(arg, "native") && strcmp(arg, "generic")) {
			pr_err("--mode: '%s': accepted values are native, generic\n", arg);
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
	case OPT_CAPTURE:
		if (strcmp(arg, "xdp") && strcmp(arg, "afpacket")) {
			pr_err("--capture: '%s': accepted values are xdp, afpacket\n", arg);
			return -EINVAL;
		}
		c->afpacket = !strcmp(arg, "afpacket");
		return 0;
	case 'v':
		lvl = log_level_parse(arg);
		if (lvl < 0) {
			pr_err("--log-level: '%s': accepted values are error, warn, info, debug\n", arg);
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
		{ "detach", CMD_DETACH }, { "version", CMD_VERSION }, { "--version", CMD_VERSION },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(s, cmds[i].name))
			return cmds[i].cmd;
	return CMD_NONE;
}

int config_parse(struct config *c, int argc, char **argv)
{
	int opt;

	if (argc < 1)
		return -EINVAL;
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
	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:l:v:h", long_opts, NULL)) != -1) {
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
		if (parse_one(c, opt, optarg))
			return -EINVAL;
	}
	if (c->cmd == CMD_READ) {
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
	if ((c->cmd == CMD_RUN || c->cmd == CMD_STATUS || c->cmd == CMD_DETACH) && !c->iface) {
		pr_err("-i IFACE is required\n");
		return -EINVAL;
	}
	if (c->iface && (strlen(c->iface) >= IF_NAMESIZE || strchr(c->iface, '/') || c->iface[0] == '.')) {
		pr_err("-i: '%s' is not an interface name\n", c->iface);
		return -EINVAL;
	}
	if (c->skip_own < 0)
		c->skip_own = !c->verdict_drop;
	return 0;
}
