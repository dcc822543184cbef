/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flowtower/abi.h - every byte layout that crosses the BPF/user boundary. */
#ifndef FT_ABI_H
#define FT_ABI_H

#ifndef __bpf__ /* BPF side gets __u32/__be32 from vmlinux.h */
#include <linux/types.h>
#endif

#define FT_ABI_VERSION 2 /* bump on any layout change below (2: the 'created' map) */

#define FT_MAX_QUEUES 64	/* XSKMAP size: RX queues we can bind */
#define FT_TPUT_SLOTS 64	/* per-minute throughput ring, minutes */
#define FT_PREAMBLE_PKTS 32	/* TCP packets each way steered to userspace */
#define FT_UDP_PREAMBLE_PKTS 8	/* UDP/443 and UDP/53 datagrams each way */
#define FT_DEFAULT_FLOWS 262144 /* kernel flow map entries (per buffer) */
#define FT_DEDUP_WINDOW_NS 1000000000ULL /* IPv6 near-duplicate window */

/*
 * Counters indexed into the per-CPU 'stats' array. Names (ft_ctr_names[] in
 * user/kern/names.c) are part of the JSON, status and database interface:
 * append only.
 */
enum ft_ctr {
	CTR_RX_FRAMES,		/* every frame the program saw */
	CTR_RX_FRAME_BYTES,	/* their wire bytes (incl. link layer) */
	CTR_FLOW_PKTS,		/* IP packets counted into a flow */
	CTR_NONIP_ARP,
	CTR_NONIP_LLC,		/* 802.3 length field: LLC/SNAP, STP, IS-IS ... */
	CTR_NONIP_OTHER,	/* any other ethertype */
	CTR_SKIPPED_OWN,	/* to/from the analyzer's own IPv4 addresses */
	CTR_DUPLICATES,		/* IPv6 near-duplicates not counted */
	CTR_FRAG_LATER,		/* non-first fragments (counted into flows) */
	CTR_FRAG_NOFIRST,	/* ... whose first fragment was not seen: ports 0 */
	CTR_BAD_ETH,		/* malformed by kind from here on */
	CTR_BAD_VLAN,		/* tag cut short, or more tags than we walk */
	CTR_BAD_MPLS,
	CTR_BAD_PPPOE,
	CTR_BAD_IPV4_TRUNC,	/* fewer than 20 bytes, or ihl*4 bytes, captured */
	CTR_BAD_IPV4_IHL,	/* ihl < 5 */
	CTR_BAD_IPV4_LEN,	/* total length < header length */
	CTR_BAD_IP_VERSION,	/* version nibble disagrees with the ethertype */
	CTR_BAD_IPV6_TRUNC,
	CTR_BAD_IPV6_EXT,	/* extension header cut short or lying length */
	CTR_BAD_IPV6_CHAIN,	/* more extension headers than we walk */
	CTR_BAD_L4_TRUNC,	/* ports (or ICMP type/code) not captured: no flow */
	CTR_BAD_TCP_DOFF,	/* data offset < 5 or past the IP payload */
	CTR_L4_SNAPPED,		/* L4 header cut by the capture, ports known */
	CTR_TX_PKTS4, CTR_TX_BYTES4, CTR_RX_PKTS4, CTR_RX_BYTES4,
	CTR_OTHER_PKTS4, CTR_OTHER_BYTES4,
	CTR_TX_PKTS6, CTR_TX_BYTES6, CTR_RX_PKTS6, CTR_RX_BYTES6,
	CTR_OTHER_PKTS6, CTR_OTHER_BYTES6,
	CTR_NO_FLOW_MAP,	/* flow slot empty: counted here, not in a flow */
	CTR_FLOW_NOMEM,		/* flow map insert failed: counted here only */
	CTR_TS_REPLACED,	/* packet timestamp far from the wall clock */
	CTR_STEER_XSK,		/* redirected to an AF_XDP socket */
	CTR_STEER_COPY,		/* copied to the ring buffer (NDP, own traffic) */
	CTR_STEER_COPY_FAIL,	/* ring buffer full */
	CTR_STEER_NO_XSK,	/* no socket bound on this queue */
	CTR_MAX
};

/*
 * A flow key is canonical: the lower (address, port) endpoint is 'a', so both
 * directions of a flow land in one entry. IPv4 addresses are stored v4-mapped
 * (::ffff:a.b.c.d). For ICMP/ICMPv6 the ports hold the type (replies folded
 * onto their request type) and code, and are not swapped with the addresses.
 * Hashed bytewise: no implicit padding.
 */
struct flow_key {
	__be32 addr_a[4];
	__be32 addr_b[4];
	__be16 port_a;
	__be16 port_b;
	__u8 proto;
	__u8 ip_version; /* 4 or 6 */
	__u8 pad[2];
};

/* Which side of a flow: index into per-direction arrays. */
enum ft_side { SIDE_A = 0, SIDE_B = 1 };

/* Counters for packets sent by one side. */
struct flow_dir {
	__u64 pkts;
	__u64 bytes;	     /* IP layer: IPv4 total length, IPv6 40 + payload length */
	__u64 l4_bytes;	     /* bytes after the IP header(s) */
	__u64 payload_bytes; /* bytes after the TCP/UDP/ICMP header */
};

/* Originator hints, strongest wins: a pure SYN names its sender, a SYN-ACK its receiver. */
enum ft_hint { HINT_NONE, HINT_FIRST, HINT_SYNACK, HINT_SYN };

/* flow_ctr.flags */
#define FLOW_F_LOCAL_A 0x01 /* side a is inside a local prefix */
#define FLOW_F_LOCAL_B 0x02
#define FLOW_F_SKIP 0x04    /* touches our own IPv4 address: counted in CTR_SKIPPED_OWN */
#define FLOW_F_INIT 0x80    /* flags above computed (per CPU: other CPUs' copies start zeroed) */

/*
 * Per-CPU counters of one flow since the buffer was last drained (kernel
 * flows_a/flows_b), or of one flow in the offline accounting table. Written by
 * ft_account() in account.h on both sides.
 */
#define STEER_ALL 1
#define STEER_SIDE(side) (2 << ((side) & 1))

struct flow_ctr {
	struct flow_dir dir[2];
	__u64 first_ns; /* wall clock, ns */
	__u64 last_ns;
	__u64 hint_ns;	/* when the hint below was set */
	__u32 dups;	/* IPv6 near-duplicates skipped */
	__u8 tcp_flags[2];
	__u8 hint;	/* enum ft_hint */
	__u8 hint_orig; /* side the hint names as originator */
	__u8 flags;	/* FLOW_F_* */
	__u8 steer_done; /* cached, this CPU and buffer: STEER_ALL preamble complete, STEER_SIDE(s) s is past it */
	__u8 pad[6];
};

/*
 * Cumulative totals of one flow, written only by userspace (the pinned
 * 'flows' map): the drained sum of every flow_ctr generation, plus the
 * flow's identity. applied_gen makes a drain idempotent across a crash.
 */
struct flow_total {
	struct flow_dir dir[2];
	__u64 first_ns;
	__u64 last_ns;
	__u64 hint_ns;
	__u64 dups;
	__u64 applied_gen; /* last drain generation added in */
	__u8 uuid[16];	   /* UUIDv7, assigned when the flow is first drained */
	__u8 tcp_flags[2];
	__u8 hint;
	__u8 hint_orig;
	__u8 flags;
	__u8 pad[3];
};

/* Per-minute throughput, per direction relative to the local prefixes. */
enum ft_tdir { TDIR_TX = 0, TDIR_RX = 1, TDIR_OTHER = 2, TDIR_MAX };

struct tput_cell {
	__u64 pkts;
	__u64 bytes; /* IP layer */
};

/* One minute of one CPU's throughput: slot = minute % FT_TPUT_SLOTS. */
struct tput_slot {
	__u64 minute; /* wall-clock minutes since the epoch; 0 = never used */
	struct tput_cell cell[TDIR_MAX][2]; /* [direction][0: IPv4, 1: IPv6] */
};

/*
 * Daemon state that must survive a restart (pinned 'ctl', one entry).
 * Written by userspace only.
 */
enum ft_drain_state { DRAIN_IDLE = 0, DRAIN_BUSY = 1 };

struct ft_ctl {
	__u32 abi_version;   /* FT_ABI_VERSION of the daemon that created the pins */
	__u32 active;	     /* flow buffer XDP writes (.bss active_buf): 0 = a, 1 = b */
	__u64 gen;	     /* drain generation, incremented per drain */
	__u32 drain_state;   /* DRAIN_BUSY while buffer 'draining' is merged */
	__u32 draining;	     /* index of the buffer being merged */
	__u32 orig_promisc;  /* interface was promiscuous before we attached (restored by detach) */
	__u32 offloads_off;  /* NETIF_OFF_* we turned off (restored by detach) */
};

/* Key of the fragment map: (addresses, IP id, protocol) of one datagram. */
struct frag_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__u32 id; /* IPv4: 16-bit id; IPv6: fragment header identification */
	__u8 proto;
	__u8 ip_version;
	__u8 pad[2];
};

struct frag_val {
	__be16 sport;
	__be16 dport;
	__u32 pad;
};

/* Key of the IPv6 near-duplicate map: what a router does not change. */
struct dedup_key {
	__be32 saddr[4];
	__be32 daddr[4];
	__be32 flow_lbl; /* version/class/flow label word with the version masked */
	__be16 plen;
	__u8 nexthdr;	 /* first next-header in the fixed header */
	__u8 pad;
	__u32 l4_word[2]; /* first 8 bytes after the IPv6 header (ports, checksums) */
};

struct dedup_val {
	__u64 ts_ns;
	__u8 mac[6];
	__u8 hop_limit;
	__u8 pad;
};

/*
 * Metadata XDP puts in front of every frame it hands to userspace: an AF_XDP
 * frame's data is preceded by it in the UMEM (bpf_xdp_adjust_meta; copy and
 * zero-copy mode alike), a copy-ring record starts with it. 'magic' tells a
 * real header from whatever was in the headroom when a driver has no room
 * for metadata.
 */
#define XMETA_MAGIC 0x46544d31 /* "FTM1" */
#define XMETA_F_COPY 0x1       /* a copy: the original went on to the host (NDP, host's own frames) */
#define XMETA_F_TRUNC 0x2      /* copy shorter than the frame (caplen < len) */

struct xdp_meta {
	__u64 ts_ns;   /* wall clock, ns, as the flow counters use */
	__u32 len;     /* frame length on the wire */
	__u32 caplen;  /* bytes that follow (copies may be truncated) */
	__u16 flags;   /* XMETA_F_* */
	__u16 rx_queue;
	__u32 magic;   /* XMETA_MAGIC */
};

#define FT_COPY_MAX 4096 /* bytes of a frame the copy ring carries */

/* A copy-ring record: metadata, then caplen bytes of the frame (the rest of data[] unused). */
struct copy_rec {
	struct xdp_meta meta;
	__u8 data[FT_COPY_MAX];
};

/*
 * `flowtower dump`: while 'on', XDP copies frames (1 in 'sample', at most
 * 'rate_pps' a second per CPU, 'snaplen' bytes) into the pinned dump ring,
 * the copy-ring record layout. Written by `flowtower dump`, read by XDP; the
 * counters written by XDP (approximate: plain adds from several CPUs).
 */
struct dump_ctl {
	__u32 on;
	__u32 sample;	/* 1: every frame */
	__u32 rate_pps; /* per CPU; 0: no limit */
	__u32 snaplen;	/* <= FT_COPY_MAX */
	__u64 copied;
	__u64 ring_full;
	__u64 rate_limited;
};

/* Per-CPU rate window of the dump. */
struct dump_rl {
	__u64 window_ns;
	__u64 seen;  /* frames since the dump started, for sampling */
	__u32 count; /* copies in this one-second window */
	__u32 pad;
};

/* Preamble steering state of one flow, shared by all CPUs. */
struct steer_val {
	__u32 seen[2]; /* packets each way counted towards the preamble */
	__u32 done;    /* set by userspace (or when both ways are past it): stop steering */
	__u32 pad;
};

/* Local-prefix LPM trie key: IPv4 prefixes stored v4-mapped (prefixlen + 96). */
struct lpm_key {
	__u32 prefixlen;
	__be32 addr[4];
};

#ifndef __bpf__
_Static_assert(sizeof(struct flow_key) == 40, "flow_key is ABI");
_Static_assert(sizeof(struct flow_dir) == 32, "flow_dir is ABI");
_Static_assert(sizeof(struct flow_ctr) == 104, "flow_ctr is ABI");
_Static_assert(sizeof(struct flow_total) == 128, "flow_total is ABI");
_Static_assert(sizeof(struct tput_slot) == 8 + 6 * 16, "tput_slot is ABI");
_Static_assert(sizeof(struct ft_ctl) == 32, "ft_ctl is ABI");
_Static_assert(sizeof(struct frag_key) == 40, "frag_key is ABI");
_Static_assert(sizeof(struct dedup_key) == 48, "dedup_key is ABI");
_Static_assert(sizeof(struct dedup_val) == 16, "dedup_val is ABI");
_Static_assert(sizeof(struct lpm_key) == 20, "lpm_key is ABI");
_Static_assert(sizeof(struct xdp_meta) == 24, "xdp_meta is ABI");
_Static_assert(sizeof(struct steer_val) == 16, "steer_val is ABI");
_Static_assert(sizeof(struct dump_ctl) == 40, "dump_ctl is ABI");
#endif

#endif /* FT_ABI_H */
