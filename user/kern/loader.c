// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kern/loader.c - skeleton load with pinned-map reuse, ABI checks, XDP link attach and detach. */
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sensor.skel.h"
#include "kern/loader.h"
#include "kern/maps.h"
#include "kern/netif.h"
#include "util/log.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Refuse maps whose layout is not the one our structs describe (suricata checks this too). */
static int check_map(const struct bpf_map *m, size_t key, size_t val)
{
	if (bpf_map__key_size(m) == key && bpf_map__value_size(m) == val)
		return 0;
	pr_err("map %s: key/value size %u/%u, expected %zu/%zu: the BPF object and this binary disagree\n",
	       bpf_map__name(m), bpf_map__key_size(m), bpf_map__value_size(m), key, val);
	return -EPROTO;
}

static int check_abi(struct sensor *s)
{
	int err = 0;

	err = err ?: check_map(s->maps.flows_a, sizeof(struct flow_key), sizeof(struct flow_ctr));
	err = err ?: check_map(s->maps.flows_b, sizeof(struct flow_key), sizeof(struct flow_ctr));
	err = err ?: check_map(s->maps.flows, sizeof(struct flow_key), sizeof(struct flow_total));
	err = err ?: check_map(s->maps.stats, sizeof(__u32), sizeof(__u64));
	err = err ?: check_map(s->maps.tput, sizeof(__u32), sizeof(struct tput_slot));
	err = err ?: check_map(s->maps.ctl, sizeof(__u32), sizeof(struct ft_ctl));
	err = err ?: check_map(s->maps.frags, sizeof(struct frag_key), sizeof(struct frag_val));
	err = err ?: check_map(s->maps.dedup, sizeof(struct dedup_key), sizeof(struct dedup_val));
	err = err ?: check_map(s->maps.local_nets, sizeof(struct lpm_key), sizeof(__u32));
	err = err ?: check_map(s->maps.dump_ctl, sizeof(__u32), sizeof(struct dump_ctl));
	err = err ?: check_map(s->maps.preamble, sizeof(struct flow_key), sizeof(struct steer_val));
	return err;
}

static void set_sizes(struct sensor *s, const struct config *cfg)
{
	bpf_map__set_max_entries(s->maps.flows_a, cfg->kernel_flows);
	bpf_map__set_max_entries(s->maps.flows_b, cfg->kernel_flows);
	bpf_map__set_max_entries(s->maps.flows, cfg->max_flows);
}

/* First start on this interface (ctl empty): record the state detach restores. */
static int init_ctl(struct loader *ld, const struct config *cfg)
{
	__u32 zero = 0;
	int err, p;

	err = bpf_map_lookup_elem(ld->fd_ctl, &zero, &ld->ctl);
	if (err)
		return -errno;
	if (ld->ctl.abi_version && ld->ctl.abi_version != FT_ABI_VERSION) {
		pr_err("%s holds state of flowtower ABI %u, this is ABI %u: run `flowtower detach -i %s` first "
		       "(this discards its counters)\n", ld->dir, ld->ctl.abi_version, FT_ABI_VERSION, cfg->iface);
		return -EPROTO;
	}
	ld->fresh = !ld->ctl.abi_version;
	if (ld->fresh) {
		memset(&ld->ctl, 0, sizeof(ld->ctl));
		ld->ctl.abi_version = FT_ABI_VERSION;
		p = netif_get_promisc(cfg->iface);
		ld->ctl.orig_promisc = p > 0;
		if (bpf_map_update_elem(ld->fd_ctl, &zero, &ld->ctl, BPF_ANY))
			return -errno;
	}
	/* the new program writes the buffer the pinned state says is active */
	ld->skel->bss->active_buf = ld->ctl.active & 1;
	return 0;
}

static void take_fds(struct loader *ld)
{
	struct sensor *s = ld->skel;

	ld->fd_flows = bpf_map__fd(s->maps.flows);
	ld->fd_buf[0] = bpf_map__fd(s->maps.flows_a);
	ld->fd_buf[1] = bpf_map__fd(s->maps.flows_b);
	ld->fd_preamble = bpf_map__fd(s->maps.preamble);
	ld->fd_xsk = bpf_map__fd(s->maps.xsk_by_queue);
	ld->fd_copy_ring = bpf_map__fd(s->maps.copy_ring);
	ld->fd_sync_outer = bpf_map__fd(s->maps.sync_outer);
	ld->fd_sync_inner = bpf_map__fd(s->maps.sync_inner);
	ld->fd_stats = bpf_map__fd(s->maps.stats);
	ld->fd_tput = bpf_map__fd(s->maps.tput);
	ld->fd_ctl = bpf_map__fd(s->maps.ctl);
	ld->fd_created = bpf_map__fd(s->maps.created);
	/* evictions are counted from now on: what a previous run created is its business */
	maps_read_percpu_u64(ld->fd_created, 0, &ld->created_base[0]);
	maps_read_percpu_u64(ld->fd_created, 1, &ld->created_base[1]);
	ld->fd_local = bpf_map__fd(s->maps.local_nets);
	ld->fd_own = bpf_map__fd(s->maps.own_addrs);
}

int loader_open(struct loader *ld, const struct config *cfg)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	int err;

	memset(ld, 0, sizeof(*ld));
	ld->link_fd = -1;
	ld->ifindex = (int)if_nametoindex(cfg->iface);
	if (!ld->ifindex) {
		pr_err("interface %s: %s\n", cfg->iface, strerror(errno));
		return -ENODEV;
	}
	snprintf(ld->dir, sizeof(ld->dir), "%s/%s", cfg->pin_root, cfg->iface);
	err = mkdir_p(ld->dir, 0700); /* only root may reach the pins */
	if (err) {
		pr_err("%s: %s (is bpffs mounted? mount -t bpf bpf /sys/fs/bpf)\n", ld->dir, strerror(-err));
		return err;
	}
	opts.pin_root_path = ld->dir;
	ld->skel = sensor__open_opts(&opts);
	if (!ld->skel) {
		err = -errno;
		pr_err("opening the BPF object: %s\n", strerror(-err));
		return err;
	}
	ld->skel->rodata->cfg_verdict = cfg->verdict_drop ? XDP_DROP : XDP_PASS;
	ld->skel->rodata->cfg_skip_own = cfg->skip_own > 0;
	ld->skel->rodata->cfg_dedup = cfg->dedup;
	ld->skel->rodata->cfg_steer = cfg->steer;
	if (cfg->steer && netif_get_mac(cfg->iface, (uint8_t *)ld->skel->rodata->cfg_own_mac))
		pr_warn("%s: no MAC address: in pass mode, frames to this host are told apart by group bit only\n",
			cfg->iface);
	set_sizes(ld->skel, cfg);
	err = sensor__load(ld->skel);
	if (err) {
		pr_err("loading the BPF program: %s%s\n", strerror(-err),
		       err == -EINVAL ? " (pinned maps from a run with other sizes or another version? "
					"`flowtower detach` removes them)" : "");
		goto err_destroy;
	}
	err = check_abi(ld->skel);
	if (err)
		goto err_destroy;
	take_fds(ld);
	err = init_ctl(ld, cfg);
	if (err)
		goto err_destroy;
	return 0;

err_destroy:
	sensor__destroy(ld->skel);
	ld->skel = NULL;
	return err;
}

static int update_lpm(int fd, const struct prefix_set *set)
{
	struct lpm_key k, next;
	__u32 one = 1;
	unsigned int i;
	int err = 0;

	/* remove what is no longer wanted, then add: a prefix in both stays in place throughout */
	if (!bpf_map_get_next_key(fd, NULL, &k)) {
		for (;;) {
			int more = !bpf_map_get_next_key(fd, &k, &next);
			bool keep = false;

			for (i = 0; set && i < set->n; i++)
				if (set->p[i].len == k.prefixlen && !memcmp(set->p[i].addr, k.addr, 16))
					keep = true;
			if (!keep)
				bpf_map_delete_elem(fd, &k);
			if (!more)
				break;
			k = next;
		}
	}
	for (i = 0; set && i < set->n; i++) {
		k.prefixlen = set->p[i].len;
		memcpy(k.addr, set->p[i].addr, 16);
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			err = -errno;
	}
	return err;
}

int loader_set_prefixes(struct loader *ld, const struct prefix_set *local, const struct prefix_set *own)
{
	__u32 one = 1;
	unsigned int i;
	int err = update_lpm(ld->fd_local, local);

	for (i = 0; own && i < own->n; i++)
		if (bpf_map_update_elem(ld->fd_own, &own->p[i].addr[3], &one, BPF_ANY))
			err = -errno;
	return err;
}

int loader_flip(struct loader *ld, unsigned int active)
{
	__u32 zero = 0;

	ld->skel->bss->active_buf = active & 1;
	/* a map-in-map update returns after synchronize_rcu(): see sync_outer in maps.bpf.h */
	if (bpf_map_update_elem(ld->fd_sync_outer, &zero, &ld->fd_sync_inner, BPF_ANY))
		return -errno;
	return 0;
}

void loader_set_wall_offset(struct loader *ld, int64_t off)
{
	if (ld->skel)
		ld->skel->bss->wall_offset_ns = off;
}

const char *loader_attach_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return "none";
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV: return "native";
	case XDP_ATTACHED_SKB: return "generic";
	case XDP_ATTACHED_HW: return "offload";
	case XDP_ATTACHED_MULTI: return "multi";
	default: return "none";
	}
}

/* A pinned link still attached to our interface, or -1 (stale pins are removed). */
static int reuse_link(struct loader *ld, const char *path)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_LINK_TYPE_XDP ||
	    (int)info.xdp.ifindex != ld->ifindex) {
		pr_info("removing a stale XDP link pin (interface gone or recreated)\n");
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int create_link(struct loader *ld, const struct config *cfg, int prog_fd)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	int fd;

	if (cfg->mode != MODE_GENERIC) {
		lo.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog_fd, ld->ifindex, BPF_XDP, &lo);
		if (fd >= 0 || cfg->mode == MODE_NATIVE || errno == EBUSY || errno == EEXIST)
			return fd < 0 ? -errno : fd;
		pr_warn("%s: native XDP not available (%s), falling back to generic mode: slower, and it sees "
			"frames after GRO\n", cfg->iface, strerror(errno));
	}
	lo.flags = XDP_FLAGS_SKB_MODE;
	fd = bpf_link_create(prog_fd, ld->ifindex, BPF_XDP, &lo);
	return fd < 0 ? -errno : fd;
}

static void pin_prog(struct loader *ld)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/prog", ld->dir);
	unlink(path);
	if (bpf_program__pin(ld->skel->progs.sensor_xdp, path))
		pr_warn("pinning the program at %s: %s\n", path, strerror(errno));
}

static void prepare_iface(struct loader *ld, const struct config *cfg)
{
	__u32 zero = 0;
	int off;

	if (cfg->promisc) {
		int err = netif_set_promisc(cfg->iface, true);

		if (err)
			pr_warn("%s: cannot set promiscuous mode: %s\n", cfg->iface, strerror(-err));
	}
	off = netif_offloads_off(cfg->iface);
	if (off > 0) {
		ld->ctl.offloads_off |= (__u32)off;
		if (bpf_map_lookup_elem(ld->fd_ctl, &zero, &ld->ctl) == 0) {
			ld->ctl.offloads_off |= (__u32)off;
			bpf_map_update_elem(ld->fd_ctl, &zero, &ld->ctl, BPF_ANY);
		}
	}
}

int loader_attach(struct loader *ld, const struct config *cfg)
{
	int prog_fd = bpf_program__fd(ld->skel->progs.sensor_xdp);
	char path[PATH_MAX + 16];
	int fd, err;

	snprintf(path, sizeof(path), "%s/link", ld->dir);
	prepare_iface(ld, cfg);
	fd = reuse_link(ld, path);
	if (fd >= 0) {
		if (bpf_link_update(fd, prog_fd, NULL)) {
			err = -errno;
			pr_err("%s: replacing the program in the pinned link: %s\n", cfg->iface, strerror(-err));
			close(fd);
			return err;
		}
		pr_info("%s: program replaced in place (%s mode); pinned counters kept\n", cfg->iface,
			loader_attach_mode(ld->ifindex));
	} else {
		fd = create_link(ld, cfg, prog_fd);
		if (fd < 0) {
			err = fd;
			if (err == -EBUSY || err == -EEXIST)
				pr_err("%s: another XDP program is attached (`ip link set dev %s xdp off` removes "
				       "it)\n", cfg->iface, cfg->iface);
			else
				pr_err("%s: attaching XDP: %s\n", cfg->iface, strerror(-err));
			return err;
		}
		if (bpf_obj_pin(fd, path)) {
			err = -errno;
			pr_err("pinning the XDP link at %s: %s\n", path, strerror(-err));
			bpf_link_detach(fd);
			close(fd);
			return err;
		}
		pr_info("%s: attached in %s mode\n", cfg->iface, loader_attach_mode(ld->ifindex));
	}
	ld->link_fd = fd;
	pin_prog(ld);
	return 0;
}

int loader_link_check(struct loader *ld, const struct config *cfg)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int idx = (int)if_nametoindex(cfg->iface);

	if (!idx)
		return -ENODEV;
	if (idx == ld->ifindex && ld->link_fd >= 0 && !bpf_obj_get_info_by_fd(ld->link_fd, &info, &len) &&
	    (int)info.xdp.ifindex == idx)
		return 0;
	return 1;
}

int loader_reattach(struct loader *ld, const struct config *cfg)
{
	int prog_fd = bpf_program__fd(ld->skel->progs.sensor_xdp);
	int idx = (int)if_nametoindex(cfg->iface), fd;
	char path[PATH_MAX + 16];

	if (!idx)
		return -ENODEV;
	pr_warn("%s: the interface was recreated (index %d, was %d): attaching again\n", cfg->iface, idx,
		ld->ifindex);
	ld->ifindex = idx;
	if (ld->link_fd >= 0)
		close(ld->link_fd); /* its interface is gone: the link is defunct */
	ld->link_fd = -1;
	prepare_iface(ld, cfg);
	fd = create_link(ld, cfg, prog_fd);
	if (fd < 0) {
		pr_err("%s: attaching XDP again: %s\n", cfg->iface, strerror(-fd));
		return fd;
	}
	ld->link_fd = fd;
	snprintf(path, sizeof(path), "%s/link", ld->dir);
	unlink(path);
	if (bpf_obj_pin(fd, path))
		pr_warn("%s: the new link is not pinned (%s): the program stays attached while this daemon runs; "
			"a restart pins it\n", cfg->iface, strerror(errno));
	pr_info("%s: attached again in %s mode\n", cfg->iface, loader_attach_mode(idx));
	return 0;
}

void loader_close(struct loader *ld)
{
	if (ld->link_fd >= 0)
		close(ld->link_fd);
	ld->link_fd = -1;
	sensor__destroy(ld->skel);
	ld->skel = NULL;
}

static void restore_iface(const char *dir, const char *iface)
{
	char path[PATH_MAX + 16];
	struct ft_ctl ctl;
	__u32 zero = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/ctl", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (!bpf_map_lookup_elem(fd, &zero, &ctl) && ctl.abi_version) {
		if (!ctl.orig_promisc)
			netif_set_promisc(iface, false);
		netif_offloads_restore(iface, (int)ctl.offloads_off);
	}
	close(fd);
}

int loader_detach(const char *pin_root, const char *iface)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	int fd, found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", pin_root, iface);
	snprintf(path, sizeof(path), "%s/link", dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (bpf_link_detach(fd) && errno != ENOLINK)
			pr_warn("%s: detaching: %s\n", iface, strerror(errno));
		close(fd);
		found = 1;
	}
	restore_iface(dir, iface);
	d = opendir(dir);
	if (!d) {
		if (!found) {
			pr_err("%s: nothing attached by flowtower (no %s)\n", iface, dir);
			return -ENOENT;
		}
		return 0;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			pr_warn("removing %s: %s\n", path, strerror(errno));
	}
	closedir(d);
	if (rmdir(dir))
		pr_warn("removing %s: %s\n", dir, strerror(errno));
	rmdir(pin_root); /* only when empty: other interfaces keep theirs */
	return 0;
}
