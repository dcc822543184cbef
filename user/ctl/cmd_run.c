// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_run.c - `flowtower run`: attach, read steered frames, drain the kernel's counters, expire flows. */
#include <errno.h>
#include <fcntl.h>
#include <pcap/dlt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl/cmds.h"
#include "ctl/daemon.h"
#include "flow/expire.h"
#include "kern/netif.h"
#include "util/clock.h"
#include "util/log.h"

static volatile sig_atomic_t stop_sig, hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop_sig = sig;
}

/* One daemon per interface: a second one would drain the same buffers. */
static int take_lock(const char *iface)
{
	char path[128];
	int fd;

	mkdir("/run/flowtower", 0755);
	snprintf(path, sizeof(path), "/run/flowtower/%s.lock", iface);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_err("%s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pr_err("another `flowtower run` is active on %s (%s is locked)\n", iface, path);
		close(fd);
		return -EBUSY;
	}
	return fd;
}

static void wait_tick(const struct daemon *d)
{
	uint64_t until = clock_mono_ns() + (uint64_t)d->cfg->drain_ms * 1000000ULL;

	while (!stop_sig && !hup) {
		uint64_t now = clock_mono_ns();
		struct timespec ts;

		if (now >= until)
			break;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)((until - now) > 100000000ULL ? 100000000ULL : until - now);
		nanosleep(&ts, NULL);
	}
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_run(const struct config *c)
{
	struct daemon d = { .cfg = c };
	int lock, rc = 0;

	if (c->check_config) {
		config_dump(c, stdout);
		return 0;
	}
	lock = take_lock(c->iface);
	if (lock < 0)
		return 1;
	install_signals();
	if (daemon_start(&d)) {
		rc = 1;
		goto out;
	}
	pr_info("%s: counting (verdict %s, drain every %u ms)\n", c->iface, c->verdict_drop ? "drop" : "pass",
		c->drain_ms);
	while (!stop_sig) {
		wait_tick(&d);
		if (hup) {
			hup = 0;
			pr_info("SIGHUP: reading the configuration again\n");
			daemon_reload(&d);
		}
		daemon_tick(&d);
	}
	pr_info("signal %d: final drain; the program stays attached and keeps counting "
		"(`flowtower detach -i %s` removes it)\n", (int)stop_sig, c->iface);
	if (daemon_final(&d))
		rc = 1;
out:
	daemon_stop(&d);
	close(lock);
	return rc;
}
