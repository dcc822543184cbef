/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kern/netif.h - interface plumbing: promiscuous mode, offloads, addresses, name resolution. */
#ifndef FT_NETIF_H
#define FT_NETIF_H

#include <stdbool.h>
#include <stdint.h>
#include "flow/prefix.h"

/* The interface's MAC address. 0 or -errno. */
int netif_get_mac(const char *ifname, uint8_t mac[6]);
/* Promiscuous flag: get (0/1 or -errno) and set (0 or -errno). */
int netif_get_promisc(const char *ifname);
int netif_set_promisc(const char *ifname, bool on);

/*
 * Turn off receive offloads that merge frames (GRO, LRO, hardware GRO, GRO
 * list): XDP in generic mode and AF_PACKET would see merged super-frames,
 * not what was on the wire. Returns the bitmask of NETIF_OFF_* it turned off
 * (to restore later), or -errno. Logs a warning for each one it could not.
 */
#define NETIF_OFF_GRO 0x1
#define NETIF_OFF_LRO 0x2
#define NETIF_OFF_GRO_HW 0x4
#define NETIF_OFF_GRO_LIST 0x8
int netif_offloads_off(const char *ifname);
int netif_offloads_restore(const char *ifname, int mask);

/* The interface's global addresses as local prefixes: IPv4 as /32, IPv6 widened to /widen. */
int netif_local_prefixes(const char *ifname, unsigned int widen, struct prefix_set *out);
/* Every IPv4 address of this host but loopback, as host prefixes (for --skip-own). */
int netif_own_ipv4(struct prefix_set *out);
/* A DNS name's addresses as host prefixes (appended). 0 or -errno (logged). */
int netif_resolve(const char *name, struct prefix_set *out);

#endif /* FT_NETIF_H */
