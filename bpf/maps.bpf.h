/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.bpf.h - the sensor's maps: who writes each, who reads it. */
#ifndef FT_MAPS_BPF_H
#define FT_MAPS_BPF_H

/*
 * Pinned maps (LIBBPF_PIN_BY_NAME under /sys/fs/bpf/flowtower/<iface>/) are
 * the ones whose contents must survive a daemon restart or a kill -9. Sizes
 * marked "set at load" are changed by user/kern/loader.c before loading.
 */

/*
 * Per-flow counters since the last drain, per CPU, in two buffers. XDP writes
 * the one .bss 'active_buf' names; the daemon flips active_buf, makes the
 * kernel wait for every program that may still use the old buffer (see
 * sync_outer), then reads and deletes the quiet buffer at leisure. No packet
 * can land between the daemon's read and its delete, so nothing is lost or
 * counted twice. Max entries set at load.
 */
struct flow_buf {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, FT_DEFAULT_FLOWS);
	__type(key, struct flow_key);
	__type(value, struct flow_ctr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
};

struct flow_buf flows_a SEC(".maps");
struct flow_buf flows_b SEC(".maps");

/*
 * Entries XDP created in each buffer (key: 0 flows_a, 1 flows_b), per CPU. The LRU evicts
 * silently when more flows arrive within a drain interval than a buffer holds; a drain compares
 * what was created since the buffer's last drain with the entries it finds, and counts the rest.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} created SEC(".maps");

/*
 * Never read by XDP. Updating a map-in-map makes the bpf() syscall return
 * only after synchronize_rcu() (kernel/bpf/syscall.c maybe_wait_bpf_programs,
 * since 5.x), i.e. after every XDP program that started before the update
 * has finished: the barrier the buffer flip needs. (An ARRAY_OF_MAPS holding
 * the active buffer would give the same barrier, but libbpf 1.1 crashes
 * resizing an inner-map template, and --kernel-flows must resize it.)
 */
struct sync_inner_def {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct sync_inner_def sync_inner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct sync_inner_def);
} sync_outer SEC(".maps");

/*
 * Cumulative totals per flow, the sum of every drained generation. Written by
 * the daemon only (never by XDP); read by `status` and by operators with
 * bpftool. Not preallocated: it holds only live flows. Max entries set at load.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1000000);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct flow_key);
	__type(value, struct flow_total);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

/* Totals by enum ft_ctr, per CPU, never cleared. Written by XDP, read by the daemon and `status`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CTR_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/* Throughput per minute, per CPU, a ring of FT_TPUT_SLOTS minutes. Written by XDP, read by the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FT_TPUT_SLOTS);
	__type(key, __u32);
	__type(value, struct tput_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tput SEC(".maps");

/* Daemon state (drain generation, active buffer). Written and read by the daemon only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ctl SEC(".maps");

/* Ports of fragmented datagrams, from their first fragment. Written and read by XDP. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct frag_key);
	__type(value, struct frag_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} frags SEC(".maps");

/* Recently seen IPv6 packets, to spot near-duplicates. Written and read by XDP. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct dedup_key);
	__type(value, struct dedup_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dedup SEC(".maps");

/* Local prefixes (IPv4 v4-mapped). Filled by the daemon at start and on change, read by XDP. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} local_nets SEC(".maps");

/* The analyzer's own IPv4 addresses (--skip-own). Filled by the daemon, read by XDP. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __be32);
	__type(value, __u32);
} own_addrs SEC(".maps");

/*
 * Preamble steering: how many packets each way a flow has shown, and whether
 * userspace is done with it. Written by XDP (counts) and the daemon (done);
 * LRU: an evicted flow just starts its preamble again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct flow_key);
	__type(value, struct steer_val);
} preamble SEC(".maps");

/* Copies of frames that must also reach the host (NDP, its own preamble frames). XDP writes, the daemon reads. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} copy_ring SEC(".maps");

/* `flowtower dump` control and counters. Written by dump (and XDP's counters), read by XDP. Pinned: dump finds it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dump_ctl);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dump_ctl SEC(".maps");

/* The dump's per-CPU sampling and rate window. XDP only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dump_rl);
} dump_rl SEC(".maps");

/* Frames for `flowtower dump` (copy_rec layout). XDP writes, dump reads. Pinned: dump finds it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} dump_ring SEC(".maps");

/* One AF_XDP socket per RX queue; entries written by user/capture/afxdp.c, read by XDP's redirect. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, FT_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsk_by_queue SEC(".maps");

#endif /* FT_MAPS_BPF_H */
