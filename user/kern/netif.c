// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kern/netif.c - promiscuous mode, ethtool offloads, interface addresses and --local-name lookups. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kern/netif.h"
#include "util/log.h"

static int ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, req, ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

int netif_get_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int err = ifreq_ioctl(ifname, SIOCGIFHWADDR, &ifr);

	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return err;
}

int netif_get_promisc(const char *ifname)
{
	struct ifreq ifr = {};
	int err = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	return err ? err : !!(ifr.ifr_flags & IFF_PROMISC);
}

int netif_set_promisc(const char *ifname, bool on)
{
	struct ifreq ifr = {};
	int err = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (err)
		return err;
	if (!!(ifr.ifr_flags & IFF_PROMISC) == on)
		return 0;
	ifr.ifr_flags = on ? ifr.ifr_flags | IFF_PROMISC : ifr.ifr_flags & ~IFF_PROMISC;
	return ifreq_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

static const char *const offload_names[] = { "rx-gro", "rx-lro", "rx-gro-hw", "rx-gro-list" };
#define N_OFFLOADS 4

/* Indices of our feature names in the kernel's ETH_SS_FEATURES string set; -1 when absent. */
static int feature_indices(const char *ifname, int idx[N_OFFLOADS], unsigned int *nfeat)
{
	/* the header and its one data word: one string set asked for, one length back */
	__u64 sset_buf[(sizeof(struct ethtool_sset_info) + sizeof(__u32) + 7) / 8] = {};
	struct ethtool_sset_info *sset = (struct ethtool_sset_info *)sset_buf;
	struct ethtool_gstrings *gs;
	struct ifreq ifr = {};
	unsigned int i, j, n;
	int err;

	sset->cmd = ETHTOOL_GSSET_INFO;
	sset->sset_mask = 1ULL << ETH_SS_FEATURES;
	ifr.ifr_data = (void *)sset;
	err = ifreq_ioctl(ifname, SIOCETHTOOL, &ifr);
	if (err)
		return err;
	n = sset->data[0];
	gs = calloc(1, sizeof(*gs) + (size_t)n * ETH_GSTRING_LEN);
	if (!gs)
		return -ENOMEM;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = n;
	ifr.ifr_data = (void *)gs;
	err = ifreq_ioctl(ifname, SIOCETHTOOL, &ifr);
	for (j = 0; j < N_OFFLOADS; j++) {
		idx[j] = -1;
		for (i = 0; !err && i < n; i++)
			if (!strncmp((char *)gs->data + i * ETH_GSTRING_LEN, offload_names[j], ETH_GSTRING_LEN))
				idx[j] = (int)i;
	}
	free(gs);
	*nfeat = n;
	return err;
}

/* Read the active feature bits, or set 'want' for the features in 'mask' (1 bit per offload). */
static int features_io(const char *ifname, const int idx[N_OFFLOADS], unsigned int nfeat, int set, int mask,
		       int want, int *active)
{
	unsigned int blocks = (nfeat + 31) / 32, j;
	struct ethtool_gfeatures *g;
	struct ethtool_sfeatures *s;
	struct ifreq ifr = {};
	int err;

	g = calloc(1, sizeof(*g) + blocks * sizeof(g->features[0]));
	s = calloc(1, sizeof(*s) + blocks * sizeof(s->features[0]));
	if (!g || !s) {
		free(g);
		free(s);
		return -ENOMEM;
	}
	if (set) {
		s->cmd = ETHTOOL_SFEATURES;
		s->size = blocks;
		for (j = 0; j < N_OFFLOADS; j++) {
			if (idx[j] < 0 || !(mask & (1 << j)))
				continue;
			s->features[idx[j] / 32].valid |= 1u << (idx[j] % 32);
			if (want & (1 << j))
				s->features[idx[j] / 32].requested |= 1u << (idx[j] % 32);
		}
		ifr.ifr_data = (void *)s;
		ifreq_ioctl(ifname, SIOCETHTOOL, &ifr); /* partial success is normal: read back */
	}
	g->cmd = ETHTOOL_GFEATURES;
	g->size = blocks;
	ifr.ifr_data = (void *)g;
	err = ifreq_ioctl(ifname, SIOCETHTOOL, &ifr);
	*active = 0;
	for (j = 0; !err && j < N_OFFLOADS; j++)
		if (idx[j] >= 0 && (g->features[idx[j] / 32].active & (1u << (idx[j] % 32))))
			*active |= 1 << j;
	free(g);
	free(s);
	return err;
}

int netif_offloads_off(const char *ifname)
{
	int idx[N_OFFLOADS], before, after, err, j;
	unsigned int nfeat;

	err = feature_indices(ifname, idx, &nfeat);
	if (!err)
		err = features_io(ifname, idx, nfeat, 0, 0, 0, &before);
	if (!err && before)
		err = features_io(ifname, idx, nfeat, 1, before, 0, &after);
	else
		after = 0;
	if (err) {
		pr_warn("%s: cannot read or change offloads (%s): merged frames may be counted as one\n", ifname,
			strerror(-err));
		return err;
	}
	for (j = 0; j < N_OFFLOADS; j++)
		if (after & (1 << j))
			pr_warn("%s: cannot turn off %s: merged frames may be counted as one\n", ifname,
				offload_names[j]);
	return before & ~after;
}

int netif_offloads_restore(const char *ifname, int mask)
{
	int idx[N_OFFLOADS], active, err;
	unsigned int nfeat;

	if (!mask)
		return 0;
	err = feature_indices(ifname, idx, &nfeat);
	if (!err)
		err = features_io(ifname, idx, nfeat, 1, mask, mask, &active);
	return err;
}

static void add_prefix(struct prefix_set *out, const __be32 addr[4], unsigned int len)
{
	struct prefix p = { .len = (uint8_t)len };
	char a[64];

	memcpy(p.addr, addr, 16);
	if (prefix_parse(prefix_format(&p, a, sizeof(a)), &p) == 0) /* masks the host bits */
		prefix_set_add(out, &p);
}

static bool v6_global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_SITELOCAL(a);
}

static int collect(const char *ifname, unsigned int widen, bool v4_only, struct prefix_set *out)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		__be32 a[4] = { 0, 0, htonl(0xffff), 0 };

		if (!i->ifa_addr || (ifname && strcmp(i->ifa_name, ifname)) || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			a[3] = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
			add_prefix(out, a, 128);
		} else if (!v4_only && i->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *v6 = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (!v6_global(v6))
				continue;
			memcpy(a, v6, 16);
			add_prefix(out, a, widen);
		}
	}
	freeifaddrs(ifa);
	return 0;
}

int netif_local_prefixes(const char *ifname, unsigned int widen, struct prefix_set *out)
{
	return collect(ifname, widen, false, out);
}

int netif_own_ipv4(struct prefix_set *out)
{
	return collect(NULL, 128, true, out);
}

int netif_resolve(const char *name, struct prefix_set *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res, *r;
	int rc = getaddrinfo(name, NULL, &hints, &res);

	if (rc) {
		pr_warn("--local-name %s: %s\n", name, gai_strerror(rc));
		return -ENOENT;
	}
	for (r = res; r; r = r->ai_next) {
		__be32 a[4] = { 0, 0, htonl(0xffff), 0 };

		if (r->ai_family == AF_INET) {
			a[3] = ((struct sockaddr_in *)r->ai_addr)->sin_addr.s_addr;
			add_prefix(out, a, 128);
		} else if (r->ai_family == AF_INET6) {
			memcpy(a, &((struct sockaddr_in6 *)r->ai_addr)->sin6_addr, 16);
			add_prefix(out, a, 128);
		}
	}
	freeaddrinfo(res);
	return 0;
}
