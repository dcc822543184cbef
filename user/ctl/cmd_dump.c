// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ctl/cmd_dump.c - `flowtower dump`: frames copied by XDP, filtered with libpcap, written as pcapng. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/pcapng.h"
#include "capture/pfilter.h"
#include "ctl/cmds.h"
#include "flowtower/abi.h"
#include "util/log.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct dump {
	FILE *out;
	struct pfilter *filter;
	uint64_t seen, written, limit;
	int err;
};

static int on_rec(void *arg, void *data, size_t size)
{
	struct dump *d = arg;
	const struct copy_rec *r = data;

	if (size < sizeof(r->meta) || r->meta.magic != XMETA_MAGIC || r->meta.caplen > FT_COPY_MAX ||
	    (d->limit && d->written >= d->limit))
		return 0;
	d->seen++;
	if (!pfilter_match(d->filter, r->data, r->meta.caplen, r->meta.len))
		return 0;
	if (pcapng_packet(d->out, r->meta.ts_ns, r->data, r->meta.caplen, r->meta.len)) {
		d->err = -EIO;
		return -EIO;
	}
	d->written++;
	return 0;
}

static int open_pin(const struct config *c, const char *name)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", c->pin_root, c->iface, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		pr_err("%s: %s (is `flowtower run -i %s` attached?)\n", path, strerror(errno), c->iface);
	return fd;
}

static int set_on(int fd, const struct config *c, int on, struct dump_ctl *after)
{
	struct dump_ctl dc;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &dc))
		return -errno;
	dc.on = on;
	dc.sample = c->dump_sample;
	dc.rate_pps = c->dump_rate;
	dc.snaplen = c->dump_snaplen < FT_COPY_MAX ? c->dump_snaplen : FT_COPY_MAX;
	if (bpf_map_update_elem(fd, &zero, &dc, BPF_ANY))
		return -errno;
	if (after)
		*after = dc;
	return 0;
}

static int one_dump_at_a_time(const char *iface)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/flowtower/%s.dump.lock", iface);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		pr_err("another `flowtower dump` is running on %s\n", iface);
		close(fd);
		return -EBUSY;
	}
	return fd; /* no /run/flowtower (no daemon ever ran): proceed without the lock */
}

int cmd_dump(const struct config *c)
{
	struct dump d = { .limit = c->dump_count };
	struct dump_ctl before, after;
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int ctl = -1, ring = -1, lock = -1, rc = 1;

	if ((!c->dump_out || !strcmp(c->dump_out, "-")) && isatty(STDOUT_FILENO)) {
		pr_err("dump writes pcapng: name a file with -w FILE, or pipe it (-w - | tcpdump -r -)\n");
		return 2;
	}
	if (pfilter_new(&d.filter, c->dump_filter, c->dump_snaplen))
		return 2;
	ctl = open_pin(c, "dump_ctl");
	ring = ctl < 0 ? -1 : open_pin(c, "dump_ring");
	if (ring < 0)
		goto out;
	lock = one_dump_at_a_time(c->iface);
	if (lock == -EBUSY)
		goto out;
	d.out = !c->dump_out || !strcmp(c->dump_out, "-") ? stdout : fopen(c->dump_out, "w");
	if (!d.out) {
		pr_err("%s: %s\n", c->dump_out, strerror(errno));
		goto out;
	}
	if (pcapng_begin(d.out, c->iface, c->dump_snaplen))
		goto out;
	rb = ring_buffer__new(ring, on_rec, &d, NULL);
	if (!rb || set_on(ctl, c, 1, &before)) {
		pr_err("starting the dump: %s\n", strerror(errno));
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!stop && !d.err && !(d.limit && d.written >= d.limit)) {
		int n = ring_buffer__poll(rb, 100);

		if (n < 0 && n != -EINTR)
			break;
		if (n > 0)
			fflush(d.out);
	}
	set_on(ctl, c, 0, &after);
	ring_buffer__consume(rb); /* what was copied before 'off' took effect */
	pr_info("%llu frames written (%llu copied; ring full %llu, rate limited %llu)\n",
		(unsigned long long)d.written, (unsigned long long)(after.copied - before.copied),
		(unsigned long long)(after.ring_full - before.ring_full),
		(unsigned long long)(after.rate_limited - before.rate_limited));
	rc = d.err ? 1 : 0;
out:
	ring_buffer__free(rb);
	if (d.out && d.out != stdout)
		fclose(d.out);
	else if (d.out)
		fflush(d.out);
	pfilter_free(d.filter);
	if (ring >= 0)
		close(ring);
	if (ctl >= 0)
		close(ctl);
	if (lock >= 0)
		close(lock);
	return rc;
}
