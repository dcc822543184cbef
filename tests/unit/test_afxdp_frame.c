// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_afxdp_frame.c - UMEM sizing, frame addresses, metadata lookup and multi-buffer reassembly. */
#include "capture/afxdp.h"
#include "capture/afxdp_frame.h"
#include "test.h"

TEST_MAIN_DEFINE;

/* The default UMEM is 2^18 frames of 4 KiB per interface, split over its queues in powers of two. */
static bool test_frames_per_queue(void)
{
	bool ok = true;

	ok &= EXPECT_EQ(AFXDP_DEFAULT_UMEM / AFXDP_DEFAULT_FRAME, 1 << 18, "default: 2^18 frames");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(AFXDP_DEFAULT_UMEM, 4096, 1), 1 << 18, "one queue takes all");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(AFXDP_DEFAULT_UMEM, 4096, 2), 1 << 17, "two queues halve it");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(AFXDP_DEFAULT_UMEM, 4096, 3), 1 << 17, "three round up, never down");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(AFXDP_DEFAULT_UMEM, 2048, 8), 1 << 16, "2 KiB frames: twice as many");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(1 << 20, 4096, 64), AFXDP_MIN_FRAMES, "floor per queue");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(1ULL << 45, 4096, 1), AFXDP_MAX_FRAMES, "ceiling per queue");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(1 << 30, 0, 1), 0, "frame size 0");
	ok &= EXPECT_EQ(afxdp_frames_per_queue(1 << 30, 4096, 0), 0, "no queues");
	ok &= EXPECT_TRUE(afxdp_is_pow2(afxdp_frames_per_queue(5000000, 4096, 3)), "always a power of two");
	return ok;
}

/* Descriptor addresses point past the headroom; the fill ring gets the frame they lie in. */
static bool test_frame_addresses(void)
{
	bool ok = true;

	ok &= EXPECT_EQ(afxdp_frame_capacity(4096), 3840, "4 KiB frame holds 3840 bytes of packet");
	ok &= EXPECT_EQ(afxdp_frame_capacity(2048), 1792, "2 KiB frame holds 1792");
	ok &= EXPECT_EQ(afxdp_frame_capacity(256), 0, "all headroom");
	ok &= EXPECT_EQ(afxdp_frame_base(7 * 4096 + 256, 4096), 7 * 4096, "base of frame 7");
	ok &= EXPECT_EQ(afxdp_frame_base(7 * 4096 + 4095, 4096), 7 * 4096, "last byte of frame 7");
	ok &= EXPECT_EQ(afxdp_frame_base(3 * 2048 + 300, 2048), 3 * 2048, "2 KiB frames");
	ok &= EXPECT_EQ(afxdp_frame_base(0, 4096), 0, "frame 0");
	return ok;
}

/* The metadata is the sizeof(struct xdp_meta) bytes before the data, and only with its magic. */
static bool test_meta_lookup(void)
{
	static uint8_t area[4 * 4096] __attribute__((aligned(4096)));
	struct xdp_meta m = { .ts_ns = 123, .len = 60, .caplen = 60, .rx_queue = 1, .magic = XMETA_MAGIC };
	uint64_t addr = 2 * 4096 + 256;
	struct xdp_meta *got;
	bool ok = true;

	memcpy(area + addr - sizeof(m), &m, sizeof(m));
	got = afxdp_meta_at(area, addr, 4096);
	ok &= EXPECT_TRUE(got != NULL, "found in front of the data");
	ok &= EXPECT_EQ(got ? got->ts_ns : 0, 123, "timestamp");
	ok &= EXPECT_EQ(got ? got->rx_queue : 0, 1, "queue");
	if (got)
		got->magic = 0; /* what afxdp.c does before the frame goes back to the fill ring */
	ok &= EXPECT_TRUE(afxdp_meta_at(area, addr, 4096) == NULL, "wiped: a stale header is not metadata");
	ok &= EXPECT_TRUE(afxdp_meta_at(area, 4096 + 8, 4096) == NULL, "no room before the data");
	ok &= EXPECT_TRUE(afxdp_meta_at(area, 4096 + 24, 4096) == NULL, "room, but no magic");
	return ok;
}

/* Descriptors with XDP_PKT_CONTD are copied together; the last one completes the frame. */
static bool test_reassembly(void)
{
	static uint8_t buf[10000], seg[4][3840], want[14546];
	struct afxdp_pkt p = { .buf = buf, .cap = sizeof(buf) };
	uint32_t lens[4] = { 3840, 3840, 3840, 14546 - 3 * 3840 }, off = 0;
	bool ok = true, done = false;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		memset(seg[i], 'a' + i, lens[i]);
		memcpy(want + off, seg[i], lens[i]);
		off += lens[i];
	}
	/* cap 10000: the 14546-byte frame is truncated */
	for (i = 0; i < 4; i++) {
		done = afxdp_pkt_add(&p, seg[i], lens[i], i < 3);
		ok &= EXPECT_EQ(done, i == 3, "complete only at the descriptor without XDP_PKT_CONTD");
	}
	ok &= EXPECT_EQ(p.len, 10000, "kept what fits");
	ok &= EXPECT_EQ(p.wire, 14546, "counted all");
	ok &= EXPECT_EQ(p.segs, 4, "four descriptors");
	ok &= EXPECT_MEM(p.buf, want, 10000, "bytes in order");

	/* a single descriptor after a multi-buffer frame starts afresh */
	ok &= EXPECT_TRUE(afxdp_pkt_add(&p, seg[1], 100, false), "single descriptor completes at once");
	ok &= EXPECT_EQ(p.len, 100, "new frame length");
	ok &= EXPECT_EQ(p.segs, 1, "one descriptor");

	/* a batch may end inside a frame: the state carries over to the next add */
	ok &= EXPECT_TRUE(!afxdp_pkt_add(&p, seg[2], 3840, true), "open after the first part");
	ok &= EXPECT_TRUE(p.open, "waiting for the rest");
	ok &= EXPECT_TRUE(afxdp_pkt_add(&p, seg[3], 10, false), "closed by the last part");
	ok &= EXPECT_EQ(p.len, 3850, "both parts");
	ok &= EXPECT_EQ(p.buf[3840], 'd', "second part after the first");
	return ok;
}

/* The API refuses what the kernel would refuse, before touching any socket. */
static bool test_open_rejects(void)
{
	struct afxdp_cfg c = { .ifname = "lo", .xskmap_fd = -1 };
	struct afxdp *x = (struct afxdp *)&c;
	bool ok = true;

	ok &= EXPECT_EQ(afxdp_open(&x, &c), -EINVAL, "no XSKMAP");
	ok &= EXPECT_TRUE(x == NULL, "out cleared on failure");
	c.xskmap_fd = 0;
	c.frame_size = 3000;
	ok &= EXPECT_EQ(afxdp_open(&x, &c), -EINVAL, "frame size not a power of two");
	c.frame_size = 1024;
	ok &= EXPECT_EQ(afxdp_open(&x, &c), -EINVAL, "frame size below 2 KiB");
	c.frame_size = 0;
	c.queues = FT_MAX_QUEUES + 1;
	ok &= EXPECT_EQ(afxdp_open(&x, &c), -EINVAL, "more queues than the XSKMAP holds");
	c.queues = 0;
	c.ifname = "ft-no-such-if";
	ok &= EXPECT_EQ(afxdp_open(&x, &c), -ENODEV, "no such interface");
	afxdp_close(&x);
	afxdp_close(NULL);
	ok &= EXPECT_EQ(afxdp_queue_count(NULL), 0, "NULL has no queues");
	ok &= EXPECT_EQ(afxdp_queue_fd(NULL, 0), -EINVAL, "NULL has no fds");
	ok &= EXPECT_STR(afxdp_mode(NULL), "down", "NULL is down");
	ok &= EXPECT_EQ(afxdp_if_rx_queues("ft-no-such-if"), -ENODEV, "queues of nothing");
	ok &= EXPECT_TRUE(afxdp_if_rx_queues("lo") >= 1, "loopback has a queue");
	return ok;
}

int main(void)
{
	RUN(test_frames_per_queue);
	RUN(test_frame_addresses);
	RUN(test_meta_lookup);
	RUN(test_reassembly);
	RUN(test_open_rejects);
	return test_failures != 0;
}
