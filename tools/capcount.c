// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/capcount.c - count, sum and digest what the capture modules deliver: the driver of tests/live/test_af*.sh. */
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/afpacket.h"
#include "capture/afxdp.h"
#include "capture/pcapfile.h"
#include "util/clock.h"
#include "util/log.h"

/*
 * capcount pcap FILE...      what tcpreplay will send: frames, bytes, digest
 * capcount afxdp -i IF [-p PROG.o] [-q N] [-u UMEM] [-f FRAME] [-z try|require|off] [-T S]
 * capcount afpacket -i IF [-n SOCKETS] [-b BLOCK] [-c BLOCKS] [-t MS] [-T S]
 *   -P (either mode): threads never drain, so the rings overflow and loss shows in the statistics
 *
 * Capture modes run one thread per queue or socket, as the daemon does, until
 * SIGTERM/SIGINT or -T seconds (default 120); SIGUSR1 prints a "stats" line,
 * exit a "final" one. The digest is the sum of a 64-bit FNV-1a hash of each
 * frame's bytes: equal digests mean the same multiset of frames, byte for byte.
 * With -p the tool loads and attaches that XDP program (tests/bpf/
 * xsk_redirect.bpf.c) and, when the interface goes away or comes back under a
 * new index, attaches it again and calls afxdp_reopen().
 */

#define MAX_Q 64
#define PAGE 4096u

struct qstate { /* written by one capture thread, read by main: relaxed atomics */
	uint64_t frames, bytes, digest, big, nometa, badlen, badq, ts_bad, ts_min, ts_max;
};

static struct {
	const char *mode, *ifname, *prog_path;
	unsigned int queues, sockets;
	uint64_t umem, block;
	uint32_t frame, blocks, tmo_ms;
	enum afxdp_zc zc;
	unsigned int seconds;
	bool pause; /* -P: never drain, so the rings overflow (loss statistics and warnings) */
} opt = { .seconds = 120 };

static struct qstate qs[MAX_Q];
static uint64_t t_start;
static volatile sig_atomic_t got_stop, got_usr1;
static volatile int stop_threads;
static int thread_err[MAX_Q];
static struct afxdp *xsk;
static struct afpacket *pkt;
static struct bpf_object *obj;
static int prog_fd = -1, prog_ifindex;

#define SET(f, v) __atomic_store_n(&(f), (v), __ATOMIC_RELAXED)
#define GET(f) __atomic_load_n(&(f), __ATOMIC_RELAXED)

static uint64_t fnv1a(const uint8_t *p, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static void count(struct qstate *s, const uint8_t *f, uint32_t len, uint64_t ts, bool has_ts)
{
	uint64_t now = clock_wall_ns();

	SET(s->frames, s->frames + 1);
	SET(s->bytes, s->bytes + len);
	SET(s->digest, s->digest + fnv1a(f, len));
	if (len > PAGE)
		SET(s->big, s->big + 1);
	if (!has_ts)
		return;
	if (ts < t_start || ts > now)
		SET(s->ts_bad, s->ts_bad + 1);
	if (!s->ts_min || ts < s->ts_min)
		SET(s->ts_min, ts);
	if (ts > s->ts_max)
		SET(s->ts_max, ts);
}

static void on_xdp(void *arg, const uint8_t *f, uint32_t len, const struct xdp_meta *m, unsigned int q)
{
	struct qstate *s = &qs[q];

	count(s, f, len, m ? m->ts_ns : 0, m != NULL);
	if (!m)
		SET(s->nometa, s->nometa + 1);
	else if (m->len != len)
		SET(s->badlen, s->badlen + 1);
	if (m && m->rx_queue != q)
		SET(s->badq, s->badq + 1);
}

static void on_pkt(void *arg, const uint8_t *f, uint32_t caplen, uint32_t wirelen, uint64_t ts, unsigned int i)
{
	struct qstate *s = &qs[i];

	count(s, f, caplen, ts, true);
	if (wirelen != caplen)
		SET(s->badlen, s->badlen + 1);
}

static void *capture_thread(void *arg)
{
	unsigned int q = (unsigned int)(uintptr_t)arg;
	struct pollfd pfd = { .fd = xsk ? afxdp_queue_fd(xsk, q) : afpacket_fd(pkt, q), .events = POLLIN };
	int n;

	while (!stop_threads) {
		poll(&pfd, 1, 50);
		if (opt.pause) {
			usleep(50000);
			continue;
		}
		do {
			n = xsk ? afxdp_drain(xsk, q, 256, on_xdp, NULL) : afpacket_drain(pkt, q, 256, on_pkt, NULL);
		} while (n > 0 && !stop_threads);
		if (n < 0 && n != -EAGAIN) {
			thread_err[q] = n;
			break;
		}
	}
	return NULL;
}

static pthread_t threads[MAX_Q];
static unsigned int nthreads;

static int threads_start(void)
{
	unsigned int i, n = xsk ? afxdp_queue_count(xsk) : afpacket_count(pkt);

	stop_threads = 0;
	for (i = 0; i < n && i < MAX_Q; i++) {
		thread_err[i] = 0;
		if (pthread_create(&threads[i], NULL, capture_thread, (void *)(uintptr_t)i))
			break;
		nthreads = i + 1;
	}
	return nthreads == n ? 0 : -EAGAIN;
}

static void threads_stop(void)
{
	unsigned int i;

	stop_threads = 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

static void print_stats(const char *tag, unsigned int reopens)
{
	uint64_t f = 0, b = 0, d = 0, big = 0, nm = 0, bl = 0, bq = 0, tb = 0, tmin = 0, tmax = 0;
	char qlist[MAX_Q * 12] = "";
	unsigned int i, n = 0;

	for (i = 0; i < MAX_Q; i++) {
		struct qstate *s = &qs[i];
		uint64_t lo = GET(s->ts_min), hi = GET(s->ts_max);

		f += GET(s->frames);
		b += GET(s->bytes);
		d += GET(s->digest);
		big += GET(s->big);
		nm += GET(s->nometa);
		bl += GET(s->badlen);
		bq += GET(s->badq);
		tb += GET(s->ts_bad);
		if (lo && (!tmin || lo < tmin))
			tmin = lo;
		if (hi > tmax)
			tmax = hi;
		if (GET(s->frames) || i < (xsk ? afxdp_queue_count(xsk) : afpacket_count(pkt)))
			n += snprintf(qlist + n, sizeof(qlist) - n, "%s%llu", n ? "," : "",
				      (unsigned long long)GET(s->frames));
	}
	printf("%s frames=%llu bytes=%llu digest=%016llx big=%llu per_queue=%s nometa=%llu badlen=%llu badq=%llu "
	       "ts_bad=%llu ts_min=%llu ts_max=%llu reopens=%u", tag, (unsigned long long)f, (unsigned long long)b,
	       (unsigned long long)d, (unsigned long long)big, qlist, (unsigned long long)nm, (unsigned long long)bl,
	       (unsigned long long)bq, (unsigned long long)tb, (unsigned long long)tmin, (unsigned long long)tmax,
	       reopens);
	if (xsk) {
		struct afxdp_stats st;

		afxdp_stats(xsk, -1, &st);
		printf(" mode=%s rx_dropped=%llu rx_ring_full=%llu fill_empty=%llu rx_invalid=%llu tx_invalid=%llu "
		       "multibuf=%llu truncated=%llu mod_frames=%llu mod_nometa=%llu", afxdp_mode(xsk),
		       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_ring_full,
		       (unsigned long long)st.rx_fill_ring_empty_descs, (unsigned long long)st.rx_invalid_descs,
		       (unsigned long long)st.tx_invalid_descs, (unsigned long long)st.multibuf,
		       (unsigned long long)st.truncated, (unsigned long long)st.frames,
		       (unsigned long long)st.no_meta);
	} else if (pkt) {
		struct afpacket_stats st;

		afpacket_stats(pkt, -1, &st);
		printf(" tp_packets=%llu tp_drops=%llu tp_freeze_q_cnt=%llu vlan=%llu truncated=%llu mod_frames=%llu",
		       (unsigned long long)st.packets, (unsigned long long)st.drops,
		       (unsigned long long)st.freeze_q_cnt, (unsigned long long)st.vlan,
		       (unsigned long long)st.truncated, (unsigned long long)st.frames);
	}
	printf("\n");
	fflush(stdout);
}

static int on_record(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts)
{
	count(&qs[0], data, caplen, 0, false);
	return 0;
}

static int pcap_sum(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (pcapfile_read(argv[i], on_record, NULL))
			return 1;
	printf("pcap frames=%llu bytes=%llu digest=%016llx big=%llu\n", (unsigned long long)qs[0].frames,
	       (unsigned long long)qs[0].bytes, (unsigned long long)qs[0].digest, (unsigned long long)qs[0].big);
	return 0;
}

/* Load the test XDP program once; (re)attach it in native mode to the interface's current index. */
static int prog_attach(void)
{
	struct bpf_map *m;
	int ifindex = (int)if_nametoindex(opt.ifname), err;

	if (!ifindex)
		return -ENODEV;
	if (!obj) {
		obj = bpf_object__open_file(opt.prog_path, NULL);
		if (!obj)
			return -errno;
		bpf_object__for_each_map(m, obj) {
			size_t sz;
			int64_t *bss = (int64_t *)bpf_map__initial_value(m, &sz);
			const char *name = bpf_map__name(m);

			if (bss && strlen(name) >= 4 && !strcmp(name + strlen(name) - 4, ".bss"))
				bss[0] = clock_boot_to_wall_ns(); /* wall_offset_ns is the first .bss variable */
		}
		err = bpf_object__load(obj);
		if (err)
			return err;
		prog_fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
	}
	err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		prog_ifindex = ifindex;
	return err;
}

static void prog_detach(void)
{
	uint32_t id = 0;
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (prog_ifindex && !bpf_xdp_query_id(prog_ifindex, XDP_FLAGS_DRV_MODE, &id) &&
	    !bpf_obj_get_info_by_fd(prog_fd, &info, &len) && id == info.id)
		bpf_xdp_detach(prog_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);
}

static int xskmap_fd(void)
{
	return bpf_map__fd(bpf_object__find_map_by_name(obj, "xsk_by_queue"));
}

/* The interface went away or came back: stop the threads, attach again, reopen until it works. */
static int recover(uint64_t deadline, unsigned int *reopens)
{
	int err = -ENODEV;

	threads_stop();
	while (!got_stop && clock_mono_ns() < deadline) {
		err = opt.prog_path ? prog_attach() : 0;
		if (!err)
			err = afxdp_reopen(xsk, -1);
		if (!err) {
			(*reopens)++;
			printf("reopened ifindex=%u mode=%s queues=%u\n", if_nametoindex(opt.ifname), afxdp_mode(xsk),
			       afxdp_queue_count(xsk));
			fflush(stdout);
			return threads_start();
		}
		usleep(100000);
	}
	return err;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_stop = 1;
}

static int run(void)
{
	uint64_t deadline = clock_mono_ns() + opt.seconds * NS_PER_SEC;
	unsigned int reopens = 0, i;
	int err;

	while (!got_stop && clock_mono_ns() < deadline) {
		usleep(50000);
		if (got_usr1) {
			got_usr1 = 0;
			print_stats("stats", reopens);
		}
		if (pkt) {
			afpacket_warn_loss(pkt);
			continue;
		}
		afxdp_warn_loss(xsk);
		err = afxdp_check(xsk);
		for (i = 0; !err && i < nthreads; i++)
			err = thread_err[i];
		if (err) {
			printf("flap %s\n", strerror(-err));
			fflush(stdout);
			err = recover(deadline, &reopens);
			if (err)
				return err;
		}
	}
	threads_stop();
	print_stats("final", reopens);
	return 0;
}

static int parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "i:p:q:u:f:z:n:b:c:t:T:P")) != -1) {
		switch (c) {
		case 'i': opt.ifname = optarg; break;
		case 'p': opt.prog_path = optarg; break;
		case 'q': opt.queues = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'u': opt.umem = strtoull(optarg, NULL, 0); break;
		case 'f': opt.frame = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'n': opt.sockets = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'b': opt.block = strtoull(optarg, NULL, 0); break;
		case 'c': opt.blocks = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': opt.tmo_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'P': opt.pause = true; break;
		case 'T': opt.seconds = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'z':
			opt.zc = !strcmp(optarg, "require") ? AFXDP_ZC_REQUIRE :
				 !strcmp(optarg, "off") ? AFXDP_ZC_OFF : AFXDP_ZC_TRY;
			break;
		default: return -EINVAL;
		}
	}
	if (!opt.ifname || opt.queues > MAX_Q || opt.sockets > MAX_Q || !opt.seconds) {
		fprintf(stderr, "usage: capcount pcap FILE... | afxdp -i IF [-p PROG.o] [-q N] [-u UMEM] [-f FRAME] "
				"[-z try|require|off] [-T S] [-P] | afpacket -i IF [-n N] [-b BLOCK] [-c BLOCKS] [-t MS] [-T S] [-P]\n");
		return -EINVAL;
	}
	return 0;
}

static int open_capture(void)
{
	if (!strcmp(opt.mode, "afpacket")) {
		struct afpacket_cfg c = { .ifname = opt.ifname, .sockets = opt.sockets, .block_size = (uint32_t)opt.block,
					  .block_count = opt.blocks, .block_timeout_ms = opt.tmo_ms };

		return afpacket_open(&pkt, &c);
	}
	struct afxdp_cfg c = { .ifname = opt.ifname, .queues = opt.queues, .umem_bytes = opt.umem,
			       .frame_size = opt.frame, .zc = opt.zc, .xskmap_fd = -1 };
	int err;

	if (opt.prog_path) {
		err = prog_attach();
		if (err) {
			fprintf(stderr, "capcount: XDP program %s on %s: %s\n", opt.prog_path, opt.ifname, strerror(-err));
			return err;
		}
		c.xskmap_fd = xskmap_fd();
	}
	return afxdp_open(&xsk, &c);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	if (argc >= 2 && !strcmp(argv[1], "pcap"))
		return pcap_sum(argc - 2, argv + 2);
	if (argc < 2 || (strcmp(argv[1], "afxdp") && strcmp(argv[1], "afpacket"))) {
		fprintf(stderr, "usage: capcount pcap|afxdp|afpacket ...\n");
		return 2;
	}
	opt.mode = argv[1];
	if (parse(argc - 1, argv + 1))
		return 2;
	log_hook_libbpf();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	t_start = clock_wall_ns();
	err = open_capture();
	if (err) {
		fprintf(stderr, "capcount: %s on %s: %s\n", opt.mode, opt.ifname, strerror(-err));
		printf("error %s\n", strerror(-err));
		prog_detach();
		return 1;
	}
	err = threads_start();
	if (!err) {
		printf("ready mode=%s queues=%u ifindex=%u\n", xsk ? afxdp_mode(xsk) : "afpacket",
		       xsk ? afxdp_queue_count(xsk) : afpacket_count(pkt), if_nametoindex(opt.ifname));
		fflush(stdout);
		err = run();
	}
	threads_stop();
	afxdp_close(&xsk);
	afxdp_close(&xsk); /* idempotent */
	afpacket_close(&pkt);
	prog_detach();
	if (err)
		fprintf(stderr, "capcount: %s\n", strerror(-err));
	return err ? 1 : 0;
}
