// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/ftreplay.c - send every frame of a pcap/pcapng out of one interface as fast as the kernel takes them. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xdp/xsk.h>
/* pcap/bpf.h and linux/bpf.h (through xdp/xsk.h) both define struct bpf_insn; we need neither */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
struct bpf_program;
#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include "ftopt.h"

/*
 * Where the time goes (perf, kernel 6.18, veth with XDP on the peer): each
 * frame becomes an skb (alloc + copy), goes straight to veth_xmit()
 * (PACKET_QDISC_BYPASS, or xsk_generic_xmit() for AF_XDP in copy mode), and
 * the peer's XDP runs in our own softirq after copying the skb once more into
 * a page_pool page (skb_pp_cow_data: AF_PACKET leaves too little headroom).
 * System calls are a small part, so batching alone barely beats tcpreplay;
 * what scales is running one sender per CPU and TX queue. Frames are split
 * between the senders by a symmetric hash of their addresses and ports, so
 * both directions of a flow keep their order (as RSS on a NIC would).
 *
 * sendmmsg() reports the fate of every frame: a full device queue comes back
 * as ENOBUFS for exactly that frame, which is sent again, so nothing is lost
 * silently. A TPACKET TX ring cannot say which frame of a batch the device
 * refused (tpacket_snd() frees it and marks its slot available, like a sent
 * one). AF_XDP in copy mode retries a busy device itself (the descriptor goes
 * back on the ring), but its UMEM chunks hold at most a page, so it cannot
 * send jumbo frames, and one socket owns a queue.
 */

#define PROG "ftreplay"
#define BATCH_MAX 1024
#define THREADS_MAX 64
#define XSK_FRAMES 4096
#define XSK_FRAME_SIZE 4096u
#define STALL_NS (3ull * 1000000000ull) /* no progress this long: give up */

enum method { M_MMSG, M_XSK };

struct config {
	const char *ifname;
	const char *file;
	uint64_t loops;
	uint64_t pps; /* 0: top speed */
	unsigned int batch;
	unsigned int threads; /* 0: one per CPU and TX queue */
	enum method method;
};

/* Every frame of the file, back to back in one buffer: disk I/O is over before the clock starts. */
struct frames {
	uint8_t *data;
	size_t used, cap;
	uint64_t *off;
	uint32_t *len;
	size_t n, ncap;
	size_t snapped;		 /* captured shorter than on the wire: the captured part is sent */
	size_t oversize;	 /* longer than the MTU allows: reported, not sent */
	uint64_t oversize_bytes;
};

struct stats {
	uint64_t pkts, bytes;
	uint64_t errors;  /* frames the kernel refused for good */
	uint64_t retries; /* device queue full: the same frames again */
	int first_errno;
};

struct xsk_tx {
	void *area;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq;
	uint64_t free_addr[XSK_FRAMES];
	uint32_t len_at[XSK_FRAMES]; /* frame length by chunk, counted when completed */
	unsigned int nfree;
};

/* Senders set up, then wait for the word: 1 send, -1 stop (another sender failed). */
struct gate {
	int ready;
	int word;
};

/* One sender: its own socket, CPU and TX queue, and the frames of its share of the flows. */
struct worker {
	pthread_t th;
	unsigned int id, queue;
	int cpu;		/* -1: not pinned */
	uint32_t *send;		/* frame indices, in file order */
	size_t nsend;
	uint64_t pps;		/* this worker's share of --pps; 0: top speed */
	const struct frames *f;
	const struct config *c;
	int ifindex;
	int fd;
	struct xsk_tx *x;
	struct gate *gate;
	struct stats st;
	uint64_t t_end;
	int err;		/* setup failed: -errno */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " -i IFACE [--loop N] [--pps RATE | --topspeed] [--threads N] [--batch N]\n"
		"                [--method mmsg|xsk] FILE\n"
		"\n"
		"Reads every frame of FILE (pcap or pcapng, Ethernet) into memory, then sends them out of\n"
		"IFACE, ignoring the capture's timestamps. With several senders, each flow (both directions)\n"
		"stays with one sender, in file order; flows interleave differently than in the file.\n"
		"\n"
		"  -i, --interface IFACE  where to send (root or CAP_NET_RAW)\n"
		"  -l, --loop N           send the file N times (1..1000000, default 1)\n"
		"  -p, --pps RATE         at most RATE packets per second in all (1..100000000; k/M suffixes)\n"
		"  -t, --topspeed         as fast as possible (the default)\n"
		"  -T, --threads N        senders, each pinned to a CPU and a TX queue (1..%d; default: as\n"
		"                         many as there are both CPUs and TX queues); 1 keeps file order\n"
		"  -b, --batch N          frames per system call (1..%d, default 256)\n"
		"  -m, --method M         mmsg: AF_PACKET + PACKET_QDISC_BYPASS + sendmmsg (default);\n"
		"                         xsk: AF_XDP sockets in copy mode, one per TX queue (frames <= 4 KiB)\n"
		"  -h, --help             this text\n"
		"\n"
		"Frames longer than the interface MTU (+14, +18 if VLAN-tagged) are counted and not sent.\n"
		"A full device queue is waited out and the frame sent again. The last line is key=value\n"
		"figures for scripts. Exit status: 0 when every frame was sent every time, 1 when any was\n"
		"not (too long, refused by the kernel), 2 on bad usage or a setup failure.\n",
		THREADS_MAX, BATCH_MAX);
}

static int parse_args(int argc, char **argv, struct config *c)
{
	static const struct option opts[] = {
		{ "interface", required_argument, NULL, 'i' }, { "loop", required_argument, NULL, 'l' },
		{ "pps", required_argument, NULL, 'p' },       { "topspeed", no_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'T' },   { "batch", required_argument, NULL, 'b' },
		{ "method", required_argument, NULL, 'm' },    { "help", no_argument, NULL, 'h' },
		{}
	};
	bool pps = false, top = false;
	uint64_t v;
	int o;

	*c = (struct config){ .loops = 1, .batch = 256, .method = M_MMSG };
	while ((o = getopt_long(argc, argv, "i:l:p:tT:b:m:h", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			c->ifname = optarg;
			break;
		case 'l':
			if (opt_u64(PROG, "loop", optarg, 1, 1000000, &c->loops))
				return -EINVAL;
			break;
		case 'p':
			if (opt_u64(PROG, "pps", optarg, 1, 100000000, &c->pps))
				return -EINVAL;
			pps = true;
			break;
		case 't':
			top = true;
			break;
		case 'T':
			if (opt_u64(PROG, "threads", optarg, 1, THREADS_MAX, &v))
				return -EINVAL;
			c->threads = (unsigned int)v;
			break;
		case 'b':
			if (opt_u64(PROG, "batch", optarg, 1, BATCH_MAX, &v))
				return -EINVAL;
			c->batch = (unsigned int)v;
			break;
		case 'm':
			if (!strcmp(optarg, "mmsg")) {
				c->method = M_MMSG;
			} else if (!strcmp(optarg, "xsk")) {
				c->method = M_XSK;
			} else {
				fprintf(stderr, PROG ": --method is mmsg or xsk, not '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (pps && top) {
		fprintf(stderr, PROG ": --pps and --topspeed exclude each other\n");
		return -EINVAL;
	}
	if (!c->ifname || optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	}
	c->file = argv[optind];
	if (strlen(c->ifname) >= IFNAMSIZ) {
		fprintf(stderr, PROG ": interface name '%s' is too long\n", c->ifname);
		return -EINVAL;
	}
	return 0;
}

static int frames_add(struct frames *f, const uint8_t *p, uint32_t len)
{
	if (f->n == f->ncap) {
		size_t nc = f->ncap ? f->ncap * 2 : 65536;
		uint64_t *off = realloc(f->off, nc * sizeof(*off));
		uint32_t *l;

		if (!off)
			return -ENOMEM;
		f->off = off;
		l = realloc(f->len, nc * sizeof(*l));
		if (!l)
			return -ENOMEM;
		f->len = l;
		f->ncap = nc;
	}
	if (f->used + len > f->cap) {
		size_t nc = f->cap ? f->cap * 2 : (size_t)16 << 20;
		uint8_t *d;

		while (nc < f->used + len)
			nc *= 2;
		d = realloc(f->data, nc);
		if (!d)
			return -ENOMEM;
		f->data = d;
		f->cap = nc;
	}
	memcpy(f->data + f->used, p, len);
	f->off[f->n] = f->used;
	f->len[f->n] = len;
	f->used += len;
	f->n++;
	return 0;
}

/* libpcap reads both pcap and pcapng. Only Ethernet: other link types would go out as garbage. */
static int frames_load(struct frames *f, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	pcap_t *pc;
	int r, err = 0;

	pc = pcap_open_offline(path, errbuf);
	if (!pc) {
		fprintf(stderr, PROG ": %s\n", errbuf);
		return -ENOENT;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, PROG ": %s: link type %s is not Ethernet (tools/pcap2eth converts)\n", path,
			pcap_datalink_val_to_name(pcap_datalink(pc)) ?: "?");
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	while ((r = pcap_next_ex(pc, &h, &p)) == 1) {
		if (h->caplen < h->len)
			f->snapped++;
		err = frames_add(f, p, h->caplen);
		if (err) {
			fprintf(stderr, PROG ": %s: out of memory at frame %zu\n", path, f->n + 1);
			break;
		}
	}
	if (!err && r == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s\n", path, pcap_geterr(pc));
		err = -EIO;
	}
	pcap_close(pc);
	return err;
}

static void frames_free(struct frames *f)
{
	free(f->data);
	free(f->off);
	free(f->len);
	memset(f, 0, sizeof(*f));
}

static bool ethertype_is_vlan(const uint8_t *p)
{
	return (p[0] == 0x81 && p[1] == 0x00) || (p[0] == 0x88 && p[1] == 0xa8);
}

/* The kernel takes MTU + Ethernet header, and 4 more when the frame carries a VLAN tag (af_packet.c). */
static bool frame_fits(const uint8_t *p, uint32_t len, unsigned int mtu, uint32_t method_max)
{
	uint32_t max = mtu + ETH_HLEN;

	if (len >= ETH_HLEN && ethertype_is_vlan(p + 12))
		max += 4;
	return len <= max && len <= method_max;
}

static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	return h ^ (h >> 16);
}

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/*
 * Which sender a frame goes to: a hash of its IP addresses and TCP/UDP ports
 * that is the same both ways (the two endpoint hashes are added). VLAN tags
 * are skipped; non-IP frames and non-first fragments hash on addresses only.
 */
static uint32_t frame_flow_hash(const uint8_t *p, uint32_t len)
{
	uint32_t off = 12, l4 = 0, alen = 0, saddr = 0, daddr = 0;
	int proto = -1;
	uint16_t et;

	while (off + 2 <= len && ethertype_is_vlan(p + off))
		off += 4;
	if (off + 2 > len)
		return 0;
	et = (uint16_t)(p[off] << 8 | p[off + 1]);
	off += 2;
	if (et == 0x0800 && off + 20 <= len) {
		saddr = off + 12, daddr = off + 16, alen = 4;
		if (!(p[off + 6] & 0x1f) && !p[off + 7]) /* first fragment or none */
			proto = p[off + 9];
		l4 = off + (p[off] & 0x0f) * 4u;
	} else if (et == 0x86dd && off + 40 <= len) {
		saddr = off + 8, daddr = off + 24, alen = 16;
		proto = p[off + 6];
		l4 = off + 40;
	} else {
		return mix32(et);
	}
	if ((proto == 6 || proto == 17) && l4 + 4 <= len)
		return mix32(hash_bytes(p + saddr, alen) ^ hash_bytes(p + l4, 2)) +
		       mix32(hash_bytes(p + daddr, alen) ^ hash_bytes(p + l4 + 2, 2));
	return mix32(hash_bytes(p + saddr, alen)) + mix32(hash_bytes(p + daddr, alen));
}

/* Give each worker the frames of its flows; count and report those the interface cannot take. */
static int frames_split(struct frames *f, struct worker *w, unsigned int nw, unsigned int mtu,
			uint32_t method_max)
{
	size_t i;
	unsigned int k;

	for (k = 0; k < nw; k++) {
		w[k].send = malloc((f->n ? f->n : 1) * sizeof(*w[k].send));
		if (!w[k].send)
			return -ENOMEM;
	}
	for (i = 0; i < f->n; i++) {
		const uint8_t *p = f->data + f->off[i];

		if (!frame_fits(p, f->len[i], mtu, method_max)) {
			if (f->oversize < 5)
				fprintf(stderr, PROG ": frame %zu: %u bytes, too long for MTU %u: not sent\n", i + 1,
					f->len[i], mtu);
			f->oversize++;
			f->oversize_bytes += f->len[i];
			continue;
		}
		k = nw > 1 ? frame_flow_hash(p, f->len[i]) % nw : 0;
		w[k].send[w[k].nsend++] = (uint32_t)i;
	}
	if (f->oversize)
		fprintf(stderr, PROG ": %zu frames (%" PRIu64 " bytes) too long, not sent\n", f->oversize,
			f->oversize_bytes);
	return 0;
}

/* Sleep until packet 'pos' is due at 'pps' packets per second from 'start'. */
static void pace(uint64_t start, uint64_t pos, uint64_t pps)
{
	uint64_t due = start + (uint64_t)((unsigned __int128)pos * 1000000000u / pps);
	struct timespec ts = { .tv_sec = (time_t)(due / 1000000000u), .tv_nsec = (long)(due % 1000000000u) };

	if (now_ns() < due)
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static unsigned int batch_for(const struct worker *w)
{
	uint64_t b = w->c->batch;

	if (w->pps && b > w->pps / 10000 + 1) /* paced: keep each burst under ~100 us of the rate */
		b = w->pps / 10000 + 1;
	return (unsigned int)b;
}

static void note_error(struct stats *st, int err)
{
	if (!st->errors)
		st->first_errno = err;
	st->errors++;
}

static bool retryable(int err)
{
	return err == ENOBUFS || err == EAGAIN || err == EINTR;
}

static int mmsg_open(struct worker *w)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = w->ifindex };
	int fd, one = 1, sndbuf = 4 << 20, err;

	/* protocol 0: this socket only sends, it never receives a copy of anything */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, PROG ": AF_PACKET socket: %s\n", strerror(-err));
		return err;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		fprintf(stderr, PROG ": PACKET_QDISC_BYPASS: %s (sending through the qdisc)\n", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		fprintf(stderr, PROG ": bind to %s: %s\n", w->c->ifname, strerror(-err));
		close(fd);
		return err;
	}
	w->fd = fd;
	return 0;
}

/* AF_PACKET: one sendmmsg() per batch; each refused frame is known by its position. */
static void send_mmsg(struct worker *w)
{
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	const struct frames *f = w->f;
	uint64_t total = (uint64_t)w->nsend * w->c->loops, pos = 0, start, stalled = 0;
	unsigned int batch = batch_for(w), k, refused = 0;
	struct stats *st = &w->st;
	size_t cur = 0; /* index into w->send of frame 'pos' */

	start = now_ns();
	while (pos < total) {
		unsigned int b = total - pos < batch ? (unsigned int)(total - pos) : batch;
		size_t j = cur;
		int r;

		if (w->pps)
			pace(start, pos, w->pps);
		for (k = 0; k < b; k++) {
			uint32_t i = w->send[j];

			iov[k].iov_base = f->data + f->off[i];
			iov[k].iov_len = f->len[i];
			msgs[k].msg_hdr = (struct msghdr){ .msg_iov = &iov[k], .msg_iovlen = 1 };
			if (++j == w->nsend)
				j = 0;
		}
		r = sendmmsg(w->fd, msgs, b, 0);
		if (r > 0) {
			for (k = 0; k < (unsigned int)r; k++)
				st->bytes += iov[k].iov_len;
			st->pkts += (unsigned int)r;
			pos += (unsigned int)r;
			cur = (cur + (unsigned int)r) % w->nsend;
			refused = 0;
			stalled = 0;
			continue;
		}
		if (r < 0 && retryable(errno)) {
			st->retries++;
			if (!stalled) {
				stalled = now_ns();
			} else if ((st->retries & 1023) == 0 && now_ns() - stalled > STALL_NS) {
				fprintf(stderr, PROG ": the device took nothing for %llu s: giving up\n",
					STALL_NS / 1000000000ull);
				break;
			}
			continue;
		}
		/* a frame the kernel will not take: count it, go on with the next */
		note_error(st, r < 0 ? errno : EIO);
		pos++;
		cur = (cur + 1) % w->nsend;
		if (++refused >= 1000) {
			fprintf(stderr, PROG ": 1000 frames refused in a row: giving up\n");
			break;
		}
	}
}

static void xsk_tx_close(struct xsk_tx *x)
{
	if (!x)
		return;
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, (size_t)XSK_FRAMES * XSK_FRAME_SIZE);
	free(x);
}

static int xsk_tx_open(struct worker *w)
{
	struct xsk_umem_config ucfg = { .fill_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
					.comp_size = XSK_FRAMES,
					.frame_size = XSK_FRAME_SIZE };
	/* no XDP program: a transmit-only socket needs none (and must not replace the sensor's) */
	struct xsk_socket_config scfg = { .tx_size = XSK_FRAMES,
					  .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
					  .bind_flags = XDP_COPY };
	struct xsk_tx *x;
	unsigned int i;
	int err;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->area = mmap(NULL, (size_t)XSK_FRAMES * XSK_FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		err = -ENOMEM;
		goto err_close;
	}
	err = xsk_umem__create(&x->umem, x->area, (__u64)XSK_FRAMES * XSK_FRAME_SIZE, &x->fq, &x->cq, &ucfg);
	if (err) {
		x->umem = NULL;
		fprintf(stderr, PROG ": AF_XDP umem: %s\n", strerror(-err));
		goto err_close;
	}
	/* a socket closed a moment ago (the last run) may still hold the queue: EBUSY for a while */
	for (i = 0; i < 40; i++) {
		err = xsk_socket__create(&x->xsk, w->c->ifname, w->queue, x->umem, NULL, &x->tx, &scfg);
		if (err != -EBUSY)
			break;
		usleep(50000);
	}
	if (err) {
		x->xsk = NULL;
		fprintf(stderr, PROG ": AF_XDP socket on %s queue %u: %s\n", w->c->ifname, w->queue, strerror(-err));
		goto err_close;
	}
	for (i = 0; i < XSK_FRAMES; i++)
		x->free_addr[i] = (uint64_t)i * XSK_FRAME_SIZE;
	x->nfree = XSK_FRAMES;
	w->x = x;
	return 0;

err_close:
	xsk_tx_close(x);
	return err;
}

/* AF_XDP: copy frames into UMEM chunks, post them on the TX ring, kick, take chunks back from completions. */
static void send_xsk(struct worker *w)
{
	uint64_t total = (uint64_t)w->nsend * w->c->loops, queued = 0, done = 0, start, stalled = 0;
	unsigned int batch = batch_for(w), k, n;
	int fd = xsk_socket__fd(w->x->xsk);
	const struct frames *f = w->f;
	struct xsk_tx *x = w->x;
	struct stats *st = &w->st;
	size_t cur = 0;
	__u32 idx;

	start = now_ns();
	while (done < total) {
		n = xsk_ring_cons__peek(&x->cq, XSK_FRAMES, &idx);
		for (k = 0; k < n; k++) {
			uint64_t a = *xsk_ring_cons__comp_addr(&x->cq, idx + k);

			st->bytes += x->len_at[a / XSK_FRAME_SIZE];
			x->free_addr[x->nfree++] = a;
		}
		if (n) {
			xsk_ring_cons__release(&x->cq, n);
			done += n;
			stalled = 0;
		}
		n = batch;
		if (n > total - queued)
			n = (unsigned int)(total - queued);
		if (n > x->nfree)
			n = x->nfree;
		if (n && w->pps)
			pace(start, queued, w->pps);
		if (n)
			n = xsk_ring_prod__reserve(&x->tx, n, &idx);
		for (k = 0; k < n; k++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&x->tx, idx + k);
			uint32_t i = w->send[cur];

			d->addr = x->free_addr[--x->nfree];
			d->len = f->len[i];
			memcpy(xsk_umem__get_data(x->area, d->addr), f->data + f->off[i], f->len[i]);
			x->len_at[d->addr / XSK_FRAME_SIZE] = f->len[i];
			if (++cur == w->nsend)
				cur = 0;
		}
		if (n) {
			xsk_ring_prod__submit(&x->tx, n);
			queued += n;
		}
		if (sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			if (errno == EBUSY) /* NET_XMIT_DROP: the frame was completed, not sent */
				note_error(st, errno);
			else if (retryable(errno))
				st->retries++;
			else
				note_error(st, errno);
		}
		if (n) {
			continue;
		} else if (!stalled) {
			stalled = now_ns();
		} else if ((++st->retries & 1023) == 0 && now_ns() - stalled > STALL_NS) {
			fprintf(stderr, PROG ": AF_XDP completions stopped: giving up\n");
			break;
		}
	}
	/* completed = sent, except frames dropped (EBUSY) or found invalid by the socket */
	st->pkts = done;
	{
		struct xdp_statistics xs;
		socklen_t len = sizeof(xs);

		if (!getsockopt(fd, SOL_XDP, XDP_STATISTICS, &xs, &len) && xs.tx_invalid_descs) {
			if (!st->errors)
				st->first_errno = EMSGSIZE;
			st->errors += xs.tx_invalid_descs;
		}
	}
	st->pkts -= st->errors < st->pkts ? st->errors : st->pkts;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	w->err = w->c->method == M_XSK ? xsk_tx_open(w) : mmsg_open(w);
	__atomic_add_fetch(&w->gate->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&w->gate->word, __ATOMIC_ACQUIRE))
		usleep(100);
	if (__atomic_load_n(&w->gate->word, __ATOMIC_ACQUIRE) > 0 && !w->err && w->nsend) {
		if (w->c->method == M_XSK)
			send_xsk(w);
		else
			send_mmsg(w);
	}
	w->t_end = now_ns();
	return NULL;
}

static int iface_info(const char *ifname, unsigned int *mtu, unsigned int *txq)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		err = -errno;
	else
		*mtu = (unsigned int)ifr.ifr_mtu;
	*txq = 1; /* a driver that cannot tell has one, as far as we care */
	ifr.ifr_data = (void *)&ch;
	if (!err && !ioctl(fd, SIOCETHTOOL, &ifr) && ch.tx_count + ch.combined_count > 1)
		*txq = ch.tx_count + ch.combined_count;
	close(fd);
	return err;
}

/* The CPUs we may run on, in order; returns how many. */
static unsigned int allowed_cpus(int *cpus, unsigned int max)
{
	cpu_set_t set;
	unsigned int n = 0;
	int i;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE && n < max; i++)
		if (CPU_ISSET(i, &set))
			cpus[n++] = i;
	return n;
}

static void report(const struct config *c, const struct frames *f, const struct worker *w, unsigned int nw,
		   double secs, unsigned int mtu)
{
	struct stats t = {};
	uint64_t want = (uint64_t)f->n * c->loops;
	unsigned int k;

	for (k = 0; k < nw; k++) {
		t.pkts += w[k].st.pkts;
		t.bytes += w[k].st.bytes;
		t.errors += w[k].st.errors;
		t.retries += w[k].st.retries;
		if (!t.first_errno)
			t.first_errno = w[k].st.first_errno;
	}
	printf("%s: sent %" PRIu64 " of %" PRIu64 " packets (%" PRIu64 " bytes) in %.3f s: %.0f packets/s, "
	       "%.1f Mbit/s, %u sender%s (%s)\n",
	       c->ifname, t.pkts, want, t.bytes, secs, secs > 0 ? (double)t.pkts / secs : 0.0,
	       secs > 0 ? (double)t.bytes * 8 / secs / 1e6 : 0.0, nw, nw == 1 ? "" : "s",
	       c->method == M_XSK ? "AF_XDP" : "AF_PACKET sendmmsg");
	if (t.errors)
		printf("send errors: %" PRIu64 " (first: %s)\n", t.errors, strerror(t.first_errno));
	if (f->oversize)
		printf("too long for MTU %u: %zu frames per loop, not sent\n", mtu, f->oversize);
	printf("packets=%" PRIu64 " bytes=%" PRIu64 " seconds=%.6f pps=%.0f errors=%" PRIu64 " oversize=%" PRIu64
	       " retries=%" PRIu64 " threads=%u method=%s\n",
	       t.pkts, t.bytes, secs, secs > 0 ? (double)t.pkts / secs : 0.0, t.errors,
	       (uint64_t)f->oversize * c->loops, t.retries, nw, c->method == M_XSK ? "xsk" : "mmsg");
}

int main(int argc, char **argv)
{
	int cpus[THREADS_MAX], ifindex, err, rc = 2;
	struct worker w[THREADS_MAX] = {};
	unsigned int mtu = 0, txq = 1, ncpu, nw, k, started = 0;
	uint64_t t0, t1 = 0, sent = 0;
	struct frames f = {};
	struct gate gate = {};
	struct config c;
	bool failed = false;

	if (parse_args(argc, argv, &c))
		return 2;
	ifindex = (int)if_nametoindex(c.ifname);
	if (!ifindex) {
		fprintf(stderr, PROG ": interface %s: %s\n", c.ifname, strerror(errno));
		return 2;
	}
	err = iface_info(c.ifname, &mtu, &txq);
	if (err) {
		fprintf(stderr, PROG ": MTU of %s: %s\n", c.ifname, strerror(-err));
		return 2;
	}
	ncpu = allowed_cpus(cpus, THREADS_MAX);
	nw = c.threads ? c.threads : (ncpu < txq ? ncpu : txq);
	if (!nw)
		nw = 1;
	if (c.method == M_XSK && nw > txq) {
		fprintf(stderr, PROG ": %s has %u TX queue%s: at most that many AF_XDP senders\n", c.ifname, txq,
			txq == 1 ? "" : "s");
		return 2;
	}
	if (frames_load(&f, c.file))
		goto out_free;
	for (k = 0; k < nw; k++)
		w[k] = (struct worker){ .id = k, .queue = k % txq, .cpu = nw > 1 && ncpu ? cpus[k % ncpu] : -1,
					.f = &f, .c = &c, .ifindex = ifindex, .fd = -1, .gate = &gate };
	if (frames_split(&f, w, nw, mtu, c.method == M_XSK ? XSK_FRAME_SIZE : UINT32_MAX))
		goto out_free;
	if (f.snapped)
		fprintf(stderr, PROG ": %zu frames were cut short by the capture's snaplen; their captured part is sent\n",
			f.snapped);
	for (k = 0; k < nw; k++) /* each sender gets the rate of its share of the frames */
		if (c.pps && f.n)
			w[k].pps = (c.pps * w[k].nsend + f.n - 1) / f.n ?: 1;

	for (k = 0; k < nw; k++) {
		if (pthread_create(&w[k].th, NULL, worker_main, &w[k])) {
			fprintf(stderr, PROG ": cannot start sender threads\n");
			failed = true;
			break;
		}
		started++;
	}
	while (__atomic_load_n(&gate.ready, __ATOMIC_ACQUIRE) < (int)started)
		usleep(100);
	for (k = 0; k < started; k++)
		failed |= w[k].err != 0; /* a partial run would not be what was asked */
	t0 = now_ns();
	__atomic_store_n(&gate.word, failed ? -1 : 1, __ATOMIC_RELEASE);
	for (k = 0; k < started; k++) {
		pthread_join(w[k].th, NULL);
		if (w[k].t_end > t1)
			t1 = w[k].t_end;
		sent += w[k].st.pkts;
	}
	if (!failed) {
		report(&c, &f, w, nw, (double)(t1 - t0) / 1e9, mtu);
		rc = sent == (uint64_t)f.n * c.loops ? 0 : 1;
	}

out_free:
	for (k = 0; k < nw; k++) {
		if (w[k].fd >= 0)
			close(w[k].fd);
		xsk_tx_close(w[k].x);
		free(w[k].send);
	}
	frames_free(&f);
	return rc;
}
