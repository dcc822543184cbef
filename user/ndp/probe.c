// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ndp/probe.c - the prober: rate-limited UDP/9 datagrams that make the kernel send an NS; rtnetlink neighbors. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ndp/catalog.h"
#include "ndp/probe.h"
#include "util/clock.h"
#include "util/htab.h"
#include "util/log.h"

#define QUEUE_MAX 1024	/* addresses waiting for a token */
#define LAST_MAX 65536	/* addresses remembered for the per-address interval */
#define NL_BUF 65536
#define PAYLOAD "flowtower neighbor probe" /* what an operator sees in a capture of the discard port */
#define OWN_EVERY_NS (60 * NS_PER_SEC)	     /* the interface's own addresses are re-read this often */

struct probe {
	struct probe_cfg cfg;
	int ifindex;
	int udp, nl, efd; /* -1 when not open */
	long hz;
	pthread_t thread;
	bool started;
	_Atomic int stop;
	pthread_mutex_t mu; /* guards what requests touch: last, queue, st */
	struct htab *last;  /* addr[16] -> wall ns of the last request queued */
	uint8_t queue[QUEUE_MAX][16];
	unsigned int qhead, qlen;
	struct probe_stats st;
	struct probe_bucket tb; /* thread only */
	uint32_t nl_seq;
	bool dumping, resync;	/* thread only */
	uint64_t next_own;	/* mono ns: own addresses due */
};

void probe_bucket_init(struct probe_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	b->cost = NS_PER_SEC / (rate ? rate : 1);
	b->cap = b->cost * (burst ? burst : 1);
	b->credit = b->cap;
	b->last = now;
}

static void refill(struct probe_bucket *b, uint64_t now)
{
	if (now > b->last) {
		uint64_t add = now - b->last;

		b->credit = add >= b->cap - b->credit ? b->cap : b->credit + add;
	}
	b->last = now > b->last ? now : b->last; /* a clock that stepped back earns nothing */
}

bool probe_bucket_take(struct probe_bucket *b, uint64_t now)
{
	refill(b, now);
	if (b->credit < b->cost)
		return false;
	b->credit -= b->cost;
	return true;
}

uint64_t probe_bucket_wait(const struct probe_bucket *b, uint64_t now)
{
	struct probe_bucket t = *b;

	refill(&t, now);
	return t.credit >= t.cost ? 0 : t.cost - t.credit;
}

int probe_parse_neigh(const struct nlmsghdr *nh, int ifindex, uint64_t now, long hz, uint8_t addr[16], uint8_t mac[6],
		      uint64_t *seen)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const __u16 valid = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;
	const struct nda_cacheinfo *ci = NULL;
	const struct ndmsg *ndm;
	const struct rtattr *rta;
	bool has_dst = false, has_ll = false;
	int len;

	if (nh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
		return -EBADMSG;
	ndm = NLMSG_DATA(nh);
	if (ndm->ndm_ifindex != ifindex || (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6) ||
	    !(ndm->ndm_state & valid) || (ndm->ndm_flags & NTF_PROXY))
		return 0;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm)));
	for (rta = (const struct rtattr *)((const char *)ndm + NLMSG_ALIGN(sizeof(*ndm))); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		size_t n = RTA_PAYLOAD(rta);

		if (rta->rta_type == NDA_DST) {
			if (n != (ndm->ndm_family == AF_INET ? 4u : 16u))
				return -EBADMSG;
			if (n == 4) {
				memcpy(addr, v4mapped, 12);
				memcpy(addr + 12, RTA_DATA(rta), 4);
			} else {
				memcpy(addr, RTA_DATA(rta), 16);
			}
			has_dst = true;
		} else if (rta->rta_type == NDA_LLADDR) {
			if (n != 6)
				return 0; /* not Ethernet */
			memcpy(mac, RTA_DATA(rta), 6);
			has_ll = true;
		} else if (rta->rta_type == NDA_CACHEINFO && n >= sizeof(*ci)) {
			ci = RTA_DATA(rta);
		}
	}
	if (!has_dst || !has_ll || (mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return 0;
	*seen = now;
	if (ci && hz > 0 && !(ndm->ndm_state & (NUD_PERMANENT | NUD_NOARP))) {
		uint64_t age = (uint64_t)ci->ndm_confirmed * (NS_PER_SEC / (uint64_t)hz);

		*seen = age < now ? now - age : 0;
	}
	return 1;
}

/* ---- netlink ---- */

static int nl_dump(struct probe *p)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = ++p->nl_seq },
		.ndm = { .ndm_family = AF_UNSPEC, .ndm_ifindex = p->ifindex },
	};

	if (send(p->nl, &req, sizeof(req), 0) < 0)
		return -errno;
	p->dumping = true;
	p->resync = false;
	return 0;
}

static void nl_msg(struct probe *p, const struct nlmsghdr *nh)
{
	uint8_t addr[16], mac[6];
	uint64_t seen;

	if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
		if (nh->nlmsg_seq == p->nl_seq)
			p->dumping = false;
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->st.nl_msgs++;
	pthread_mutex_unlock(&p->mu);
	if (probe_parse_neigh(nh, p->ifindex, clock_wall_ns(), p->hz, addr, mac, &seen) != 1)
		return;
	if (catalog_learn(p->cfg.cat, addr, mac, CATALOG_NETLINK, seen) >= 0) {
		pthread_mutex_lock(&p->mu);
		p->st.nl_learned++;
		pthread_mutex_unlock(&p->mu);
	}
}

static void nl_read(struct probe *p)
{
	static _Thread_local char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(p->nl, buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nh;
		int len;

		if (n < 0) {
			if (errno == ENOBUFS) { /* notifications were lost: read the whole table again */
				p->resync = true;
				p->dumping = false;
				pthread_mutex_lock(&p->mu);
				p->st.nl_resyncs++;
				pthread_mutex_unlock(&p->mu);
				continue;
			}
			return; /* EAGAIN, or nothing more to do about it */
		}
		/* NLMSG_OK/NEXT by hand: the macros mix signed and unsigned lengths */
		for (len = (int)n, nh = (const struct nlmsghdr *)buf;
		     len >= (int)sizeof(*nh) && nh->nlmsg_len >= sizeof(*nh) && (int)nh->nlmsg_len <= len;
		     len -= (int)NLMSG_ALIGN(nh->nlmsg_len), nh = (const struct nlmsghdr *)((const char *)nh +
											NLMSG_ALIGN(nh->nlmsg_len)))
			nl_msg(p, nh);
	}
}

/* ---- probes ---- */

static bool pop(struct probe *p, uint8_t addr[16])
{
	bool got = false;

	pthread_mutex_lock(&p->mu);
	if (p->qlen) {
		memcpy(addr, p->queue[p->qhead], 16);
		p->qhead = (p->qhead + 1) % QUEUE_MAX;
		p->qlen--;
		got = true;
	}
	pthread_mutex_unlock(&p->mu);
	return got;
}

static void send_one(struct probe *p, const uint8_t addr[16])
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	uint64_t now = clock_wall_ns();
	uint8_t mac[6];
	ssize_t n;

	if (catalog_lookup(p->cfg.cat, addr, now, mac)) {
		pthread_mutex_lock(&p->mu);
		p->st.known++;
		pthread_mutex_unlock(&p->mu);
		return;
	}
	memcpy(&sa.sin6_addr, addr, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&sa.sin6_addr))
		sa.sin6_scope_id = (uint32_t)p->ifindex;
	catalog_probing(p->cfg.cat, addr, now);
	n = sendto(p->udp, PAYLOAD, sizeof(PAYLOAD) - 1, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
	pthread_mutex_lock(&p->mu);
	if (n < 0)
		p->st.send_errors++; /* EHOSTUNREACH once the kernel gave up on it, ENETUNREACH off-link */
	else
		p->st.sent++;
	pthread_mutex_unlock(&p->mu);
}

/* Send what the bucket allows; returns the poll timeout in ms (-1: nothing waits). */
static int send_due(struct probe *p)
{
	uint8_t addr[16];
	uint64_t wait;

	for (;;) {
		bool queued;

		pthread_mutex_lock(&p->mu);
		queued = p->qlen > 0;
		pthread_mutex_unlock(&p->mu);
		if (!queued)
			return -1;
		wait = probe_bucket_wait(&p->tb, clock_mono_ns());
		if (wait)
			return (int)(wait / 1000000 + 1);
		probe_bucket_take(&p->tb, clock_mono_ns());
		if (pop(p, addr))
			send_one(p, addr);
	}
}

/*
 * The interface's own addresses with its own MAC, from the kernel (getifaddrs: RTM_GETADDR and
 * RTM_GETLINK): flows of the sensor host itself get a MAC too, and they are never probed (a
 * datagram to an own address goes to loopback and teaches nothing).
 */
static void learn_own(struct probe *p)
{
	struct ifaddrs *ifa, *i;
	uint8_t mac[6], addr[16];
	uint64_t now = clock_wall_ns();
	bool has_mac = false;

	p->next_own = clock_mono_ns() + OWN_EVERY_NS;
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_ll *ll = (const void *)i->ifa_addr;

		if (ll && ll->sll_family == AF_PACKET && !strcmp(i->ifa_name, p->cfg.ifname) && ll->sll_halen == 6) {
			memcpy(mac, ll->sll_addr, 6);
			has_mac = true;
		}
	}
	for (i = ifa; i && has_mac; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, p->cfg.ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(addr, &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr, 16);
		} else if (i->ifa_addr->sa_family == AF_INET) {
			memset(addr, 0, 10);
			addr[10] = addr[11] = 0xff;
			memcpy(addr + 12, &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr, 4);
		} else {
			continue;
		}
		catalog_learn(p->cfg.cat, addr, mac, CATALOG_NETLINK, now);
	}
	freeifaddrs(ifa);
}

static int min_timeout(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	int timeout = -1;

	if (p->nl >= 0 && nl_dump(p))
		p->resync = true;
	while (!atomic_load(&p->stop)) {
		struct pollfd fds[3] = { { p->efd, POLLIN, 0 }, { p->nl, POLLIN, 0 }, { p->udp, POLLIN, 0 } };
		uint64_t v, mono = clock_mono_ns();
		char junk[512];

		if (p->resync && !p->dumping)
			timeout = min_timeout(timeout, 1000); /* the dump is retried below; don't spin */
		if (p->cfg.netlink)
			timeout = min_timeout(timeout, p->next_own > mono ? (int)((p->next_own - mono) / 1000000 + 1) : 0);
		if (poll(fds, 3, timeout) < 0 && errno != EINTR)
			break;
		if (fds[0].revents & POLLIN && read(p->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			break;
		if (fds[1].revents & POLLIN)
			nl_read(p);
		if (fds[2].revents & POLLIN) /* a datagram to our port: not ours to read */
			while (recv(p->udp, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
				;
		if (p->nl >= 0 && p->resync && !p->dumping)
			nl_dump(p);
		if (p->cfg.netlink && clock_mono_ns() >= p->next_own)
			learn_own(p);
		timeout = p->udp >= 0 ? send_due(p) : -1;
	}
	return NULL;
}

static int open_udp(struct probe *p)
{
	int hops = 1; /* a probe is for on-link neighbors: it must not travel further */

	p->udp = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p->udp < 0)
		return -errno;
	if (setsockopt(p->udp, SOL_SOCKET, SO_BINDTODEVICE, p->cfg.ifname, (socklen_t)strlen(p->cfg.ifname)) ||
	    setsockopt(p->udp, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)))
		return -errno;
	return 0;
}

static int open_nl(struct probe *p)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (RTNLGRP_NEIGH - 1) };
	int rcvbuf = 1 << 20;

	p->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (p->nl < 0)
		return -errno;
	setsockopt(p->nl, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)); /* best effort: resyncs cover it */
	if (bind(p->nl, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

int probe_new(struct probe **out, const struct probe_cfg *cfg)
{
	struct probe *p;
	int err;

	if (!cfg->ifname || !cfg->cat)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->udp = p->nl = p->efd = -1;
	pthread_mutex_init(&p->mu, NULL);
	p->cfg = *cfg;
	if (!p->cfg.interval_ns)
		p->cfg.interval_ns = 300 * NS_PER_SEC;
	probe_bucket_init(&p->tb, cfg->rate ? cfg->rate : 10, cfg->burst ? cfg->burst : 20, clock_mono_ns());
	p->hz = sysconf(_SC_CLK_TCK);
	p->ifindex = (int)if_nametoindex(cfg->ifname);
	err = p->ifindex ? 0 : -ENODEV;
	if (!err)
		err = htab_new(&p->last, 16, sizeof(uint64_t), LAST_MAX);
	if (!err) {
		p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		err = p->efd < 0 ? -errno : 0;
	}
	if (!err && cfg->send) {
		err = open_udp(p);
		if (err)
			pr_warn("probe: UDP socket on %s: %s\n", cfg->ifname, strerror(-err));
	}
	if (!err && cfg->netlink) {
		err = open_nl(p);
		if (err)
			pr_warn("probe: rtnetlink: %s\n", strerror(-err));
	}
	if (!err && cfg->netlink)
		learn_own(p); /* before the first request can ask for one of them */
	if (err) {
		probe_free(p);
		return err;
	}
	*out = p;
	return 0;
}

int probe_start(struct probe *p)
{
	int err;

	if (!p || p->started)
		return p ? 0 : -EINVAL;
	err = -pthread_create(&p->thread, NULL, probe_main, p);
	p->started = !err;
	return err;
}

void probe_free(struct probe *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	if (p->started) {
		atomic_store(&p->stop, 1);
		if (write(p->efd, &one, sizeof(one)) < 0)
			pr_warn("probe: waking the thread: %s\n", strerror(errno));
		pthread_join(p->thread, NULL);
	}
	if (p->udp >= 0)
		close(p->udp);
	if (p->nl >= 0)
		close(p->nl);
	if (p->efd >= 0)
		close(p->efd);
	htab_free(p->last);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Global or link-local unicast: not v4-mapped, multicast, unspecified or loopback. */
static bool probeable(const uint8_t a[16])
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[15];

	return a[0] != 0xff && memcmp(a, v4mapped, 12) && !(!memcmp(a, zero, 15) && a[15] <= 1);
}

struct prune_ctx {
	uint64_t now, interval;
};

static bool stale(void *arg, const void *key, void *val)
{
	const struct prune_ctx *c = arg;
	uint64_t t;

	memcpy(&t, val, sizeof(t));
	return c->now >= t + c->interval || t > c->now;
}

int probe_request(struct probe *p, const uint8_t addr[16], uint64_t now)
{
	uint64_t hash = htab_hash(addr, 16), one = 1, *last;
	struct prune_ctx pc;
	bool created;
	int rc = 0;

	if (!p || p->udp < 0)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->st.requested++;
	if (!probeable(addr)) {
		p->st.invalid++;
		goto out;
	}
	last = htab_lookup(p->last, addr, hash);
	if (last && now < *last + p->cfg.interval_ns && now >= *last) {
		p->st.too_soon++;
		goto out;
	}
	if (p->qlen == QUEUE_MAX) {
		p->st.queue_full++;
		goto out;
	}
	last = htab_upsert(p->last, addr, hash, &created);
	if (!last) {
		pc = (struct prune_ctx){ now, p->cfg.interval_ns };
		htab_delete_if(p->last, stale, &pc);
		last = htab_upsert(p->last, addr, hash, &created);
	}
	if (!last) {
		p->st.queue_full++;
		goto out;
	}
	*last = now;
	memcpy(p->queue[(p->qhead + p->qlen) % QUEUE_MAX], addr, 16);
	p->qlen++;
	rc = 1;
out:
	pthread_mutex_unlock(&p->mu);
	if (rc && write(p->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		pr_debug("probe: waking the thread: %s\n", strerror(errno));
	return rc;
}

void probe_stats(struct probe *p, struct probe_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	*out = p->st;
	pthread_mutex_unlock(&p->mu);
}
