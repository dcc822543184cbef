// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* capture/afpacket.c - TPACKET_V3 block rings, one socket per capture thread, joined by a flow-hash fanout. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture/afpacket.h"
#include "util/clock.h"
#include "util/log.h"

#define AFPACKET_MAX_SOCKETS 64
#define AFPACKET_WARN_NS (3600ULL * NS_PER_SEC)
#define VLAN_TAG_LEN 4

struct afpacket_sock {
	int fd;
	unsigned int id;
	uint8_t *ring;
	size_t ring_len;
	uint32_t block_size, nblocks;
	uint32_t cur;			/* block being read */
	uint32_t left;			/* its packets not yet delivered */
	struct tpacket3_hdr *pkt;	/* next one, NULL between blocks */
	uint8_t *vbuf;			/* a frame with its VLAN tag put back */
	struct afpacket_stats ctr;	/* frames..truncated: this socket's thread; the rest: afpacket_stats() */
} __attribute__((aligned(64)));

struct afpacket {
	char ifname[IF_NAMESIZE];
	unsigned int n;
	struct afpacket_sock *s[AFPACKET_MAX_SOCKETS];
	uint64_t warn_ns, warned_lost;
};

#define ctr_add(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define ctr_get(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static struct tpacket_block_desc *block(const struct afpacket_sock *s, uint32_t i)
{
	return (struct tpacket_block_desc *)(s->ring + (size_t)i * s->block_size);
}

static int sockopt(int fd, int level, int name, const void *v, socklen_t len, const char *what)
{
	int err;

	if (!setsockopt(fd, level, name, v, len))
		return 0;
	err = -errno;
	pr_warn("AF_PACKET %s: %s\n", what, strerror(-err));
	return err;
}

/*
 * Until a socket has joined the fanout group it would see every frame of the
 * interface, which the sockets already in the group also see: a drop-all
 * filter (cBPF "ret #0", run before the ring and its statistics) covers the
 * gap between bind() and PACKET_FANOUT, and goes once the socket is a member.
 */
static int drop_all(int fd, bool on)
{
	struct sock_filter ret0 = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &ret0 };
	int dummy = 0;

	if (on)
		return sockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog), "drop-all filter");
	return sockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy), "filter removal");
}

static int ring_setup(struct afpacket_sock *s, const struct afpacket_cfg *c)
{
	struct tpacket_req3 req = {
		.tp_block_size = c->block_size,
		.tp_block_nr = c->block_count,
		.tp_frame_size = c->frame_size,
		.tp_frame_nr = c->block_size / c->frame_size * c->block_count,
		.tp_retire_blk_tov = c->block_timeout_ms,
	};
	int v = TPACKET_V3, err;

	err = sockopt(s->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v), "TPACKET_V3");
	if (!err)
		err = sockopt(s->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req), "RX ring");
	if (err)
		return err;
	s->block_size = c->block_size;
	s->nblocks = c->block_count;
	s->ring_len = (size_t)c->block_size * c->block_count;
	s->ring = mmap(NULL, s->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, 0);
	if (s->ring == MAP_FAILED) {
		s->ring = NULL;
		return -errno;
	}
	return 0;
}

static int join(struct afpacket_sock *s, int ifindex, int *fanout_id, bool promisc)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex };
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_PROMISC };
	int one = 1, val, err;
	socklen_t len = sizeof(val);

	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	if (promisc) {
		err = sockopt(s->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr), "promiscuous mode");
		if (err)
			return err;
	}
	/* XDP sees received frames only; so does this twin (4.20+, else the host's own frames too) */
	setsockopt(s->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* the first member asks for an unused group id, the others join that one */
	val = PACKET_FANOUT_HASH << 16;
	val |= *fanout_id < 0 ? PACKET_FANOUT_FLAG_UNIQUEID << 16 : *fanout_id;
	err = sockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &val, sizeof(val), "fanout");
	if (err)
		return err;
	if (*fanout_id < 0) {
		if (getsockopt(s->fd, SOL_PACKET, PACKET_FANOUT, &val, &len))
			return -errno;
		*fanout_id = val & 0xffff;
	}
	return drop_all(s->fd, false);
}

static void sock_free(struct afpacket_sock *s)
{
	if (!s)
		return;
	if (s->ring)
		munmap(s->ring, s->ring_len);
	if (s->fd >= 0)
		close(s->fd); /* leaves the group, drops its promiscuous reference */
	free(s->vbuf);
	free(s);
}

static int sock_new(unsigned int id, const struct afpacket_cfg *c, int ifindex, int *fanout_id,
		    struct afpacket_sock **out)
{
	struct afpacket_sock *s;
	int err;

	if (posix_memalign((void **)&s, 64, sizeof(*s)))
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: nothing arrives before bind */
	if (s->fd < 0) {
		err = -errno;
		goto err_free;
	}
	s->vbuf = malloc(c->block_size + VLAN_TAG_LEN);
	if (!s->vbuf) {
		err = -ENOMEM;
		goto err_free;
	}
	err = drop_all(s->fd, true);
	if (!err)
		err = ring_setup(s, c);
	if (!err)
		err = join(s, ifindex, fanout_id, !c->no_promisc);
	if (err)
		goto err_free;
	*out = s;
	return 0;

err_free:
	sock_free(s);
	return err;
}

static int cfg_fill(struct afpacket_cfg *c, const struct afpacket_cfg *in)
{
	long page = sysconf(_SC_PAGESIZE);

	*c = *in;
	c->sockets = c->sockets ? c->sockets : 1;
	c->block_size = c->block_size ? c->block_size : 1u << 20;
	c->block_count = c->block_count ? c->block_count : 64;
	c->frame_size = c->frame_size ? c->frame_size : 2048;
	c->block_timeout_ms = c->block_timeout_ms ? c->block_timeout_ms : 100;
	if (!c->ifname || c->sockets > AFPACKET_MAX_SOCKETS)
		return -EINVAL;
	/* the kernel's rules: blocks of whole pages, frames 16-byte aligned and at least a header */
	if ((c->block_size & (c->block_size - 1)) || c->block_size < (uint32_t)page)
		return -EINVAL;
	if (c->frame_size % TPACKET_ALIGNMENT || c->frame_size < TPACKET3_HDRLEN || c->frame_size > c->block_size)
		return -EINVAL;
	return 0;
}

int afpacket_open(struct afpacket **out, const struct afpacket_cfg *cfg)
{
	struct afpacket_cfg c;
	struct afpacket *p;
	int ifindex, fanout_id = -1, err;
	unsigned int i;

	*out = NULL;
	err = cfg_fill(&c, cfg);
	if (err) {
		pr_warn("AF_PACKET: invalid configuration (sockets <= %d, block a power of two >= a page)\n",
			AFPACKET_MAX_SOCKETS);
		return err;
	}
	ifindex = (int)if_nametoindex(c.ifname);
	if (!ifindex) {
		pr_warn("AF_PACKET: interface %s: %s\n", c.ifname, strerror(errno));
		return -ENODEV;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	snprintf(p->ifname, sizeof(p->ifname), "%s", c.ifname);
	for (i = 0; i < c.sockets; i++) {
		err = sock_new(i, &c, ifindex, &fanout_id, &p->s[i]);
		if (err) {
			pr_warn("%s: AF_PACKET socket %u: %s\n", p->ifname, i, strerror(-err));
			goto err_close;
		}
		p->n = i + 1;
	}
	pr_info("%s: %u AF_PACKET TPACKET_V3 sockets in fanout group %d (hash), %u blocks of %u bytes each\n",
		p->ifname, p->n, fanout_id, c.block_count, c.block_size);
	*out = p;
	return 0;

err_close:
	afpacket_close(&p);
	return err;
}

unsigned int afpacket_count(const struct afpacket *p)
{
	return p ? p->n : 0;
}

int afpacket_fd(const struct afpacket *p, unsigned int i)
{
	return p && i < p->n ? p->s[i]->fd : -EINVAL;
}

static uint64_t deliver(struct afpacket_sock *s, const struct tpacket3_hdr *h, afpacket_frame_fn fn, void *arg)
{
	const uint8_t *frame = (const uint8_t *)h + h->tp_mac;
	uint32_t caplen = h->tp_snaplen, wirelen = h->tp_len;
	uint64_t ts = (uint64_t)h->tp_sec * NS_PER_SEC + h->tp_nsec;

	if ((h->tp_status & TP_STATUS_VLAN_VALID) && caplen >= 12) {
		uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid ?
					h->hv1.tp_vlan_tpid : ETH_P_8021Q;
		uint8_t *b = s->vbuf;

		memcpy(b, frame, 12); /* destination and source MAC, then the tag where it was */
		b[12] = (uint8_t)(tpid >> 8);
		b[13] = (uint8_t)tpid;
		b[14] = (uint8_t)(h->hv1.tp_vlan_tci >> 8);
		b[15] = (uint8_t)h->hv1.tp_vlan_tci;
		memcpy(b + 16, frame + 12, caplen - 12);
		frame = b;
		caplen += VLAN_TAG_LEN;
		wirelen += VLAN_TAG_LEN;
		ctr_add(s->ctr.vlan, 1);
	}
	if (caplen < wirelen)
		ctr_add(s->ctr.truncated, 1);
	fn(arg, frame, caplen, wirelen, ts, s->id);
	return caplen;
}

/*
 * Blocks are handed over whole (full, or retired by the timeout); frames are
 * delivered until the budget is spent, and a block goes back to the kernel as
 * soon as its last frame was read. A partly read block is resumed next call.
 */
int afpacket_drain(struct afpacket *p, unsigned int i, unsigned int budget, afpacket_frame_fn fn, void *arg)
{
	struct tpacket_block_desc *bd;
	struct afpacket_sock *s;
	uint64_t bytes = 0;
	unsigned int n = 0;

	if (!p || i >= p->n || !fn)
		return -EINVAL;
	s = p->s[i];
	budget = budget ? budget : 64;
	while (n < budget) {
		bd = block(s, s->cur);
		if (!s->pkt) {
			if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
				break;
			s->left = bd->hdr.bh1.num_pkts;
			s->pkt = (struct tpacket3_hdr *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		}
		for (; s->left && n < budget; s->left--, n++) {
			bytes += deliver(s, s->pkt, fn, arg);
			s->pkt = (struct tpacket3_hdr *)((uint8_t *)s->pkt + s->pkt->tp_next_offset);
		}
		if (s->left)
			break;
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		s->pkt = NULL;
		s->cur = (s->cur + 1) % s->nblocks;
	}
	ctr_add(s->ctr.frames, n);
	ctr_add(s->ctr.bytes, bytes);
	return (int)n;
}

/* PACKET_STATISTICS resets the kernel's counters on every read: they are summed here. */
static int sock_stats(struct afpacket_sock *s, struct afpacket_stats *out)
{
	struct tpacket_stats_v3 st = {};
	socklen_t len = sizeof(st);

	if (getsockopt(s->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return -errno;
	s->ctr.packets += st.tp_packets;
	s->ctr.drops += st.tp_drops;
	s->ctr.freeze_q_cnt += st.tp_freeze_q_cnt;
	out->packets = s->ctr.packets;
	out->drops = s->ctr.drops;
	out->freeze_q_cnt = s->ctr.freeze_q_cnt;
	out->frames = ctr_get(s->ctr.frames);
	out->bytes = ctr_get(s->ctr.bytes);
	out->vlan = ctr_get(s->ctr.vlan);
	out->truncated = ctr_get(s->ctr.truncated);
	return 0;
}

int afpacket_stats(struct afpacket *p, int i, struct afpacket_stats *out)
{
	struct afpacket_stats s;
	unsigned int k;
	int err;

	memset(out, 0, sizeof(*out));
	if (!p || i >= (int)p->n)
		return -EINVAL;
	if (i >= 0)
		return sock_stats(p->s[i], out);
	for (k = 0; k < p->n; k++) {
		err = sock_stats(p->s[k], &s);
		if (err)
			return err;
		out->packets += s.packets;
		out->drops += s.drops;
		out->freeze_q_cnt += s.freeze_q_cnt;
		out->frames += s.frames;
		out->bytes += s.bytes;
		out->vlan += s.vlan;
		out->truncated += s.truncated;
	}
	return 0;
}

void afpacket_warn_loss(struct afpacket *p)
{
	uint64_t now = clock_mono_ns();
	struct afpacket_stats s;

	if (!p || afpacket_stats(p, -1, &s))
		return;
	if (s.drops <= p->warned_lost || (p->warn_ns && now - p->warn_ns < AFPACKET_WARN_NS))
		return;
	pr_warn("%s: AF_PACKET lost %llu frames%s (%llu of %llu in all; ring frozen %llu times): capture threads "
		"fall behind, more or larger blocks would help\n", p->ifname,
		(unsigned long long)(s.drops - p->warned_lost), p->warn_ns ? " in the last hour or more" : "",
		(unsigned long long)s.drops, (unsigned long long)s.packets, (unsigned long long)s.freeze_q_cnt);
	p->warn_ns = now;
	p->warned_lost = s.drops;
}

void afpacket_close(struct afpacket **pp)
{
	struct afpacket *p = pp ? *pp : NULL;
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		sock_free(p->s[i]);
	free(p);
	*pp = NULL;
}
