/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/afxdp_frame.h - UMEM arithmetic and multi-buffer reassembly for afxdp.c: pure, unit-tested. */
#ifndef FT_AFXDP_FRAME_H
#define FT_AFXDP_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "flowtower/abi.h"

/*
 * Where the kernel puts a packet inside a UMEM frame (aligned mode, no UMEM
 * headroom of ours): XDP_PACKET_HEADROOM bytes in, in copy and zero-copy mode
 * alike, so one frame holds frame_size - 256 bytes of packet and the 24 bytes
 * of struct xdp_meta fit in front of it.
 */
#define AFXDP_XDP_HEADROOM 256u
#define AFXDP_MIN_FRAMES 2048u	   /* per queue: a few NAPI batches of slack */
#define AFXDP_MAX_FRAMES (1u << 22) /* per queue: 16 GiB of 4 KiB frames, a typo guard */

static inline bool afxdp_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static inline uint32_t afxdp_roundup_pow2(uint64_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

/*
 * Frames (= fill and RX ring entries) per queue: the interface's UMEM budget
 * split evenly over its queues, rounded up to a power of two (ring sizes must
 * be one, and rounding down could halve the budget), within
 * [AFXDP_MIN_FRAMES, AFXDP_MAX_FRAMES]. 0 for nonsense input.
 */
static inline uint32_t afxdp_frames_per_queue(uint64_t umem_bytes, uint32_t frame_size, unsigned int queues)
{
	uint64_t n;

	if (!frame_size || !queues)
		return 0;
	n = umem_bytes / frame_size / queues;
	if (n < AFXDP_MIN_FRAMES)
		n = AFXDP_MIN_FRAMES;
	if (n > AFXDP_MAX_FRAMES)
		n = AFXDP_MAX_FRAMES;
	return afxdp_roundup_pow2(n);
}

/* Bytes of packet one frame holds; a longer packet arrives in several descriptors (XDP_USE_SG). */
static inline uint32_t afxdp_frame_capacity(uint32_t frame_size)
{
	return frame_size > AFXDP_XDP_HEADROOM ? frame_size - AFXDP_XDP_HEADROOM : 0;
}

/* The frame a descriptor address lies in: what goes back to the fill ring. */
static inline uint64_t afxdp_frame_base(uint64_t addr, uint32_t frame_size)
{
	return addr & ~(uint64_t)(frame_size - 1);
}

/*
 * The metadata XDP put in front of the packet at UMEM offset addr, or NULL
 * when the frame's headroom cannot hold it or the magic is missing (program
 * without adjust_meta, driver without metadata room, or a stale header that
 * afxdp.c wiped before it handed the frame back).
 */
static inline struct xdp_meta *afxdp_meta_at(void *area, uint64_t addr, uint32_t frame_size)
{
	struct xdp_meta *m;

	if (addr - afxdp_frame_base(addr, frame_size) < sizeof(*m))
		return NULL;
	m = (struct xdp_meta *)((uint8_t *)area + addr - sizeof(*m));
	return m->magic == XMETA_MAGIC ? m : NULL;
}

/*
 * A packet that arrived in several descriptors (XDP_PKT_CONTD on all but the
 * last), copied into one contiguous buffer. Bytes past cap are counted in
 * 'wire' but not kept: the frame is delivered truncated (len < wire).
 */
struct afxdp_pkt {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;  /* bytes in buf */
	uint32_t wire; /* bytes the descriptors carried */
	uint32_t segs; /* descriptors so far */
	bool open;     /* the last descriptor had XDP_PKT_CONTD */
	bool has_meta;
	struct xdp_meta meta; /* copied from the first descriptor's headroom */
};

/* Append one descriptor's bytes; true when this one ended the packet. */
static inline bool afxdp_pkt_add(struct afxdp_pkt *p, const uint8_t *data, uint32_t len, bool contd)
{
	uint32_t room;

	if (!p->open) {
		p->len = 0;
		p->wire = 0;
		p->segs = 0;
	}
	room = p->cap - p->len;
	if (len < room)
		room = len;
	memcpy(p->buf + p->len, data, room);
	p->len += room;
	p->wire += len;
	p->segs++;
	p->open = contd;
	return !contd;
}

#endif /* FT_AFXDP_FRAME_H */
