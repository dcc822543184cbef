/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kern/loader.h - load the XDP object (reusing pinned state), attach it, pin it, detach it. */
#ifndef FT_LOADER_H
#define FT_LOADER_H

#include <limits.h>
#include <stdbool.h>
#include "ctl/config.h"
#include "flowtower/abi.h"

struct sensor; /* the skeleton, only loader.c sees it */

struct loader {
	struct sensor *skel;
	char dir[PATH_MAX]; /* <pin root>/<iface> */
	int ifindex;
	int link_fd;
	bool fresh;	    /* no pinned state existed: counting starts now */
	struct ft_ctl ctl;  /* as found (or created) at open */
	/* map fds for the drain and the rest of the daemon */
	int fd_flows, fd_buf[2], fd_stats, fd_tput, fd_ctl, fd_local, fd_own, fd_sync_outer, fd_sync_inner;
	int fd_preamble, fd_xsk, fd_copy_ring, fd_created;
	uint64_t created_base[2]; /* 'created' per buffer at its last drain (or at open) */
};

/*
 * Open the BPF object with runtime config from cfg, reusing the maps pinned
 * under <pin root>/<iface>/ (so counts survive a restart), check every map's
 * layout against our structs and the pinned ABI version, and initialise
 * fresh state. 0 or -errno, with the reason logged.
 */
int loader_open(struct loader *ld, const struct config *cfg);
/*
 * Attach: replace the program in the pinned XDP link atomically if there is
 * one, else create and pin a link (native mode, generic as fallback when
 * cfg->mode allows). Puts the interface in promiscuous mode and turns off
 * merging offloads (remembered in ctl for detach).
 */
int loader_attach(struct loader *ld, const struct config *cfg);
/*
 * Is the program still attached to cfg->iface? 0 yes, 1 the interface was recreated (another
 * index) or the link lost it, -ENODEV the interface is gone. Needs no privileges.
 */
int loader_link_check(struct loader *ld, const struct config *cfg);
/* After loader_link_check() said 1: a new link on the interface's index now, pinned if we may. */
int loader_reattach(struct loader *ld, const struct config *cfg);
/* Replace the local prefixes / own addresses the program sees. */
int loader_set_prefixes(struct loader *ld, const struct prefix_set *local, const struct prefix_set *own);
/*
 * Make XDP write flow buffer 'active' (0: flows_a, 1: flows_b) and return
 * only when no program can still be writing the other one. 0 or -errno.
 */
int loader_flip(struct loader *ld, unsigned int active);
/* Refresh the boot-to-wall clock offset the program adds to packet times. */
void loader_set_wall_offset(struct loader *ld, int64_t off);
/* Close everything we hold; the pinned link keeps the program attached. NULL-safe, idempotent. */
void loader_close(struct loader *ld);
/* Detach from iface and remove its pins (and counters); restores promiscuous mode and offloads. */
int loader_detach(const char *pin_root, const char *iface);
/* "native", "generic" or "none" for what is attached to ifindex now. */
const char *loader_attach_mode(int ifindex);

#endif /* FT_LOADER_H */
