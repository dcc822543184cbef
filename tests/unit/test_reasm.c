/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/unit/test_reasm.c - TCP preamble reassembly: order, overlaps, wraparound, gaps, caps, FIN/RST. */
#include <errno.h>

#include "test.h"
#include "reasm/reasm.h"

TEST_MAIN_DEFINE;

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

static const uint8_t *S(const char *s)
{
	return (const uint8_t *)s;
}

static int add(struct reasm *r, int dir, uint32_t seq, uint8_t flags, const char *s)
{
	return reasm_add(r, dir, seq, flags, S(s), strlen(s));
}

/* The prefix of dir equals want (NUL-terminated), compared byte for byte. */
static bool prefix_is(struct reasm *r, int dir, const char *want, const char *what)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	bool ok = true;

	ok &= EXPECT_EQ(reasm_prefix(r, dir, &p, &n), 0, what);
	ok &= EXPECT_EQ(n, strlen(want), what);
	if (ok && n)
		ok &= EXPECT_MEM(p, want, n, what);
	if (ok && !n)
		ok &= EXPECT_TRUE(p == NULL, "empty prefix is NULL");
	return ok;
}

static struct reasm_stats stats(struct reasm *r, int dir)
{
	struct reasm_stats st;

	memset(&st, 0xff, sizeof(st));
	reasm_stats(r, dir, &st);
	return st;
}

static struct reasm *mk(uint32_t segs, uint32_t bytes)
{
	struct reasm_limits lim = { segs, bytes };
	struct reasm *r = NULL;

	if (reasm_new(&r, &lim))
		abort();
	return r;
}

/* In order after the handshake: the stream starts at ISN + 1 (RFC 9293 3.4). */
static bool test_in_order(void)
{
	struct reasm *r = mk(32, 65536);
	struct reasm_stats st;
	bool ok = true;

	ok &= EXPECT_EQ(reasm_add(r, 0, 1000, F_SYN, NULL, 0), 0, "syn");
	ok &= EXPECT_EQ(add(r, 0, 1001, F_ACK, "hello"), 0, "seg 1");
	ok &= EXPECT_EQ(add(r, 0, 1006, F_ACK, " world"), 0, "seg 2");
	ok &= prefix_is(r, 0, "hello world", "prefix");
	ok &= prefix_is(r, 1, "", "other direction empty");
	st = stats(r, 0);
	ok &= EXPECT_EQ(st.segs_seen, 2, "seen");
	ok &= EXPECT_EQ(st.segs_kept, 2, "kept");
	ok &= EXPECT_EQ(st.segs_dup, 0, "dup");
	ok &= EXPECT_EQ(st.bytes_kept, 11, "bytes kept");
	ok &= EXPECT_EQ(st.bytes_trimmed, 0, "trimmed");
	ok &= EXPECT_EQ(st.prefix_len, 11, "prefix_len");
	ok &= EXPECT_EQ(st.gap, 0, "no gap");
	ok &= EXPECT_EQ(st.syn_seen, 1, "syn seen");
	ok &= EXPECT_EQ(st.done, 0, "not done");
	reasm_free(r);
	return ok;
}

/* Out of order: the prefix grows only when the hole before a segment is filled. */
static bool test_out_of_order(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 0, 99, F_SYN, NULL, 0);
	ok &= EXPECT_EQ(add(r, 0, 108, 0, "ghi"), 0, "third");
	ok &= prefix_is(r, 0, "", "only the third: nothing");
	ok &= EXPECT_EQ(stats(r, 0).gap, 1, "gap before third");
	ok &= EXPECT_EQ(add(r, 0, 100, 0, "abcd"), 0, "first");
	ok &= prefix_is(r, 0, "abcd", "first: stops at gap");
	ok &= EXPECT_EQ(stats(r, 0).gap, 1, "gap still");
	ok &= EXPECT_EQ(stats(r, 0).bytes_kept, 7, "held past gap");
	ok &= EXPECT_EQ(add(r, 0, 104, 0, "efgh"), 0, "second fills");
	ok &= prefix_is(r, 0, "abcdefghghi", "second bridges both");
	ok &= EXPECT_EQ(stats(r, 0).gap, 0, "no gap");
	reasm_free(r);
	return ok;
}

/* Partial overlaps keep the bytes received first, whichever side they overlap on. */
static bool test_overlap_partial(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 1, 0, "AAAAAAAAAA");	   /* [0,10) */
	add(r, 0, 6, 0, "BBBBBBBBBB");	   /* [5,15): 5 bytes new */
	ok &= prefix_is(r, 0, "AAAAAAAAAABBBBB", "tail overlap: first copy");
	ok &= EXPECT_EQ(stats(r, 0).bytes_trimmed, 5, "trimmed 5");
	reasm_free(r);

	/* The later-sequence segment arrives first: its bytes win in the overlap. */
	r = mk(32, 65536);
	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 6, 0, "BBBBBBBBBB");
	add(r, 0, 1, 0, "AAAAAAAAAA");
	ok &= prefix_is(r, 0, "AAAAABBBBBBBBBB", "head overlap: first copy");
	ok &= EXPECT_EQ(stats(r, 0).segs_kept, 2, "both kept");
	ok &= EXPECT_EQ(stats(r, 0).bytes_trimmed, 5, "trimmed 5");
	reasm_free(r);
	return ok;
}

/* Total overlaps: a segment inside held bytes is a duplicate; one spanning them fills around. */
static bool test_overlap_total(void)
{
	struct reasm *r = mk(32, 65536);
	struct reasm_stats st;
	bool ok = true;

	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 5, 0, "mmmm");	     /* [4,8) */
	add(r, 0, 11, 0, "nn");		     /* [10,12) */
	ok &= EXPECT_EQ(add(r, 0, 6, 0, "xx"), 0, "inside");
	ok &= EXPECT_EQ(stats(r, 0).segs_dup, 1, "inside is dup");
	add(r, 0, 1, 0, "abcdefghijklmnop"); /* [0,16) spans both */
	ok &= prefix_is(r, 0, "abcdmmmmijnnmnop", "first copies survive in the middle");
	st = stats(r, 0);
	ok &= EXPECT_EQ(st.segs_kept, 3, "kept");
	ok &= EXPECT_EQ(st.bytes_kept, 16, "bytes");
	ok &= EXPECT_EQ(st.bytes_trimmed, 2 + 6, "trimmed: dup 2 + covered 6");
	ok &= EXPECT_EQ(st.gap, 0, "one run");
	reasm_free(r);
	return ok;
}

/* A retransmission with different content changes nothing: the first copy wins. */
static bool test_retransmission(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 0, 500, F_SYN, NULL, 0);
	add(r, 0, 501, 0, "GET / HTTP/1.1\r\n");
	ok &= EXPECT_EQ(add(r, 0, 501, 0, "XXXXXXXXXXXXXXXX"), 0, "retransmit");
	ok &= EXPECT_EQ(add(r, 0, 501, 0, "GET / HTTP/1.1\r\n"), 0, "retransmit again");
	ok &= prefix_is(r, 0, "GET / HTTP/1.1\r\n", "first copy");
	ok &= EXPECT_EQ(stats(r, 0).segs_dup, 2, "two dups");
	ok &= EXPECT_EQ(stats(r, 0).segs_seen, 3, "dups count toward the cap");
	reasm_free(r);
	return ok;
}

/* Sequence numbers wrap past 2^32 inside the prefix (RFC 9293 3.4), in and out of order. */
static bool test_wraparound(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 1, 0xfffffff9u, F_SYN | F_ACK, NULL, 0); /* first byte at 0xfffffffa */
	add(r, 1, 0x00000002u, 0, "89abc");		      /* offsets 8..12 */
	add(r, 1, 0xfffffffau, 0, "0123");		      /* offsets 0..3 */
	ok &= prefix_is(r, 1, "0123", "before the wrap");
	add(r, 1, 0xfffffffeu, 0, "4567");		      /* offsets 4..7, crosses 0 */
	ok &= prefix_is(r, 1, "0123456789abc", "across the wrap");
	ok &= EXPECT_EQ(stats(r, 1).gap, 0, "no gap");
	reasm_free(r);

	/* Without a SYN, the first segment sits just below 2^32. */
	r = mk(32, 65536);
	add(r, 0, 0xfffffffeu, 0, "ab");
	add(r, 0, 0x00000000u, 0, "cd");
	add(r, 0, 0xfffffffcu, 0, "zz"); /* before the start: dropped */
	ok &= prefix_is(r, 0, "abcd", "midstream wrap");
	ok &= EXPECT_EQ(stats(r, 0).segs_outside, 1, "old data outside");
	reasm_free(r);
	return ok;
}

/* The prefix stops at the first gap; bytes past it wait and join once the gap fills. */
static bool test_gaps(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 1, 0, "aa");
	add(r, 0, 5, 0, "ee");
	add(r, 0, 9, 0, "ii");
	ok &= prefix_is(r, 0, "aa", "stops at first gap");
	ok &= EXPECT_EQ(stats(r, 0).gap, 1, "gap");
	add(r, 0, 3, 0, "cc");
	ok &= prefix_is(r, 0, "aaccee", "first gap filled: stops at the second");
	ok &= EXPECT_EQ(stats(r, 0).gap, 1, "gap remains");
	add(r, 0, 7, 0, "gg");
	ok &= prefix_is(r, 0, "aacceeggii", "all gaps filled");
	ok &= EXPECT_EQ(stats(r, 0).gap, 0, "no gap");
	reasm_free(r);
	return ok;
}

/* No SYN: the first payload segment starts the stream; earlier bytes are dropped, not guessed. */
static bool test_missing_syn(void)
{
	struct reasm *r = mk(32, 65536);
	struct reasm_stats st;
	bool ok = true;

	ok &= EXPECT_EQ(reasm_add(r, 0, 7000, F_ACK, NULL, 0), 0, "pure ack");
	ok &= EXPECT_EQ(stats(r, 0).prefix_len, 0, "a pure ACK does not anchor (could be a keepalive)");
	add(r, 0, 5000, 0, "world");
	add(r, 0, 4995, 0, "hello");   /* entirely before: dropped */
	add(r, 0, 4998, 0, "lowor!");  /* 2 before the start, 4 already held */
	ok &= prefix_is(r, 0, "world", "starts at first payload");
	add(r, 0, 5005, 0, "!!");
	ok &= prefix_is(r, 0, "world!!", "extended");
	st = stats(r, 0);
	ok &= EXPECT_EQ(st.syn_seen, 0, "no syn");
	ok &= EXPECT_EQ(st.segs_outside, 1, "before start");
	ok &= EXPECT_EQ(st.segs_dup, 1, "partial-before + dup counts as dup");
	ok &= EXPECT_EQ(st.bytes_trimmed, 5 + 6 + 0, "trimmed");
	/* A late SYN that agrees is recorded; one that disagrees is not used. */
	ok &= EXPECT_EQ(reasm_add(r, 0, 4999, F_SYN, NULL, 0), 0, "agreeing late syn");
	ok &= EXPECT_EQ(stats(r, 0).syn_seen, 1, "syn seen");
	ok &= EXPECT_EQ(reasm_add(r, 0, 100, F_SYN, S("zz"), 2), 0, "conflicting syn");
	ok &= prefix_is(r, 0, "world!!", "unchanged");
	ok &= EXPECT_EQ(stats(r, 0).segs_outside, 2, "conflicting syn data outside");
	reasm_free(r);
	return ok;
}

/* Both directions interleave with their own starts; neither disturbs the other. */
static bool test_both_directions(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	/* SYN-ACK seen before the SYN (capture reorder, cf. zeek tcp-handshake-reorder.pcap). */
	reasm_add(r, 1, 2779762238u, F_SYN | F_ACK, NULL, 0);
	reasm_add(r, 0, 4263588410u, F_SYN, NULL, 0);
	add(r, 0, 4263588411u, F_ACK, "GET / HTTP/1.1\r\n");
	add(r, 1, 2779762239u + 9, F_ACK, "200 OK\r\n");
	add(r, 0, 4263588411u + 16, F_ACK, "Host: a\r\n\r\n");
	ok &= prefix_is(r, 1, "", "server gap");
	add(r, 1, 2779762239u, F_ACK, "HTTP/1.1 ");
	ok &= prefix_is(r, 0, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "client");
	ok &= prefix_is(r, 1, "HTTP/1.1 200 OK\r\n", "server");
	ok &= EXPECT_EQ(stats(r, 0).segs_seen, 2, "client segs");
	ok &= EXPECT_EQ(stats(r, 1).segs_seen, 2, "server segs");
	reasm_free(r);
	return ok;
}

/* TFO: data on the SYN starts at ISN + 1 (RFC 7413 2); SYN-retransmitted data is a duplicate. */
static bool test_syn_data(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	ok &= EXPECT_EQ(add(r, 0, 41, F_SYN, "GET "), 0, "syn with data");
	ok &= prefix_is(r, 0, "GET ", "syn data");
	ok &= EXPECT_EQ(add(r, 0, 41, F_SYN, "XXXX"), 0, "syn retransmitted");
	ok &= EXPECT_EQ(stats(r, 0).segs_dup, 1, "dup syn data");
	add(r, 0, 46, 0, "/ HTTP/1.0");
	ok &= prefix_is(r, 0, "GET / HTTP/1.0", "continued");
	add(r, 0, 41, 0, "x"); /* at the SYN's own sequence number: not stream data */
	ok &= EXPECT_EQ(stats(r, 0).segs_outside, 1, "data at ISN is outside");
	reasm_free(r);
	return ok;
}

/* Caps: the segment cap counts every payload segment offered; the byte cap is a window. */
static bool test_caps(void)
{
	struct reasm *r = mk(3, 65536);
	bool ok = true;

	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	ok &= EXPECT_EQ(add(r, 0, 1, 0, "a"), 0, "1 of 3");
	ok &= EXPECT_EQ(add(r, 0, 1, 0, "a"), 0, "2 of 3 (dup)");
	ok &= EXPECT_EQ(add(r, 0, 2, 0, "b"), REASM_DONE, "3 of 3: done");
	ok &= EXPECT_EQ(add(r, 0, 3, 0, "c"), -ENOSPC, "4: refused");
	ok &= EXPECT_EQ(reasm_add(r, 0, 4, F_FIN, NULL, 0), -ENOSPC, "fin after done");
	ok &= prefix_is(r, 0, "ab", "prefix kept after done");
	ok &= EXPECT_EQ(stats(r, 0).done, 1, "done");
	ok &= EXPECT_EQ(add(r, 1, 9, 0, "other"), 0, "other direction unaffected");
	reasm_free(r);

	r = mk(32, 10);
	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	ok &= EXPECT_EQ(add(r, 0, 1, 0, "0123456"), 0, "7 of 10");
	ok &= EXPECT_EQ(add(r, 0, 12, 0, "xyz"), 0, "past the window");
	ok &= EXPECT_EQ(stats(r, 0).segs_outside, 1, "outside");
	ok &= EXPECT_EQ(add(r, 0, 8, 0, "789abc"), REASM_DONE, "fills the window");
	ok &= prefix_is(r, 0, "0123456789", "window");
	ok &= EXPECT_EQ(stats(r, 0).bytes_trimmed, 3 + 3, "trimmed");
	ok &= EXPECT_EQ(add(r, 0, 11, 0, "z"), -ENOSPC, "after window");
	reasm_free(r);

	/* Limits are checked. */
	{
		struct reasm_limits bad[] = { { 0, 10 }, { 10, 0 }, { 65536, 10 }, { 10, (1u << 30) + 1 } };
		struct reasm *x = (struct reasm *)1;
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ok &= EXPECT_EQ(reasm_new(&x, &bad[i]), -EINVAL, "bad limits");
		ok &= EXPECT_TRUE(x == (struct reasm *)1, "out untouched on error");
		ok &= EXPECT_EQ(reasm_new(&x, NULL), 0, "defaults");
		ok &= EXPECT_EQ(add(x, 0, 0, 0, "x"), 0, "usable");
		reasm_free(x);
	}
	return ok;
}

/* FIN: data up to it is kept, nothing after; the stream is done when the prefix reaches it. */
static bool test_fin(void)
{
	struct reasm *r = mk(32, 65536);
	struct reasm_stats st;
	bool ok = true;

	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 1, 0, "ab");
	add(r, 0, 9, 0, "zz");	/* past where the FIN will be: cut when it comes */
	ok &= EXPECT_EQ(add(r, 0, 5, F_FIN, "ef"), 0, "fin with data, gap before");
	st = stats(r, 0);
	ok &= EXPECT_EQ(st.fin_seen, 1, "fin seen");
	ok &= EXPECT_EQ(st.bytes_kept, 4, "bytes past fin dropped");
	ok &= EXPECT_EQ(add(r, 0, 7, 0, "gh"), 0, "after fin");
	ok &= EXPECT_EQ(stats(r, 0).segs_outside, 1, "after fin is outside");
	ok &= EXPECT_EQ(add(r, 0, 3, 0, "cd"), REASM_DONE, "gap filled: stream complete");
	ok &= prefix_is(r, 0, "abcdef", "up to fin");
	reasm_free(r);

	/* A FIN inside the held prefix contradicts it and is ignored; so is one before the start. */
	r = mk(32, 65536);
	reasm_add(r, 0, 0, F_SYN, NULL, 0);
	add(r, 0, 1, 0, "abcd");
	ok &= EXPECT_EQ(reasm_add(r, 0, 2, F_FIN, NULL, 0), 0, "fin inside prefix");
	ok &= EXPECT_EQ(reasm_add(r, 0, 0xfffffff0u, F_FIN, NULL, 0), 0, "fin before start");
	ok &= EXPECT_EQ(stats(r, 0).fin_seen, 0, "ignored");
	ok &= EXPECT_EQ(reasm_add(r, 0, 5, F_FIN | F_ACK, NULL, 0), REASM_DONE, "fin at the end");
	ok &= prefix_is(r, 0, "abcd", "complete");
	reasm_free(r);
	return ok;
}

/* RST: its payload is not stream data (RFC 9293 3.5.3), and nothing at or after it is. */
static bool test_rst(void)
{
	struct reasm *r = mk(32, 65536);
	bool ok = true;

	reasm_add(r, 1, 0, F_SYN | F_ACK, NULL, 0);
	add(r, 1, 1, 0, "abc");
	add(r, 1, 6, 0, "fg");
	ok &= EXPECT_EQ(add(r, 1, 6, F_RST, "diagnostic"), 0, "rst with text");
	ok &= EXPECT_EQ(stats(r, 1).segs_seen, 2, "rst text not a segment");
	ok &= EXPECT_EQ(add(r, 1, 4, 0, "de"), REASM_DONE, "filled up to the rst");
	ok &= prefix_is(r, 1, "abcde", "prefix up to rst");
	reasm_free(r);

	/* A RST with no stream anchored yet is ignored. */
	r = mk(32, 65536);
	ok &= EXPECT_EQ(reasm_add(r, 0, 77, F_RST, NULL, 0), 0, "bare rst");
	ok &= EXPECT_EQ(add(r, 0, 10, 0, "x"), 0, "data later");
	ok &= prefix_is(r, 0, "x", "stream from data");
	reasm_free(r);
	return ok;
}

/* Release frees a direction; free accepts NULL; bad arguments are refused. */
static bool test_release_and_args(void)
{
	struct reasm *r = mk(32, 65536);
	const uint8_t *p;
	size_t n;
	bool ok = true;

	add(r, 0, 1, 0, "abc");
	add(r, 1, 1, 0, "xyz");
	ok &= EXPECT_EQ(reasm_release_dir(r, 0), 0, "release");
	ok &= EXPECT_EQ(reasm_release_dir(r, 0), 0, "release twice");
	ok &= EXPECT_EQ(reasm_prefix(r, 0, &p, &n), -ENOENT, "prefix after release");
	ok &= EXPECT_EQ(add(r, 0, 4, 0, "d"), -ENOSPC, "add after release");
	ok &= EXPECT_EQ(stats(r, 0).prefix_len, 3, "stats survive release");
	ok &= prefix_is(r, 1, "xyz", "other direction intact");
	ok &= EXPECT_EQ(reasm_add(r, 2, 0, 0, S("x"), 1), -EINVAL, "dir 2");
	ok &= EXPECT_EQ(reasm_add(r, -1, 0, 0, S("x"), 1), -EINVAL, "dir -1");
	ok &= EXPECT_EQ(reasm_add(r, 1, 0, 0, NULL, 1), -EINVAL, "NULL payload");
	ok &= EXPECT_EQ(reasm_add(NULL, 1, 0, 0, NULL, 0), -EINVAL, "NULL r");
	ok &= EXPECT_EQ(reasm_prefix(r, 3, &p, &n), -EINVAL, "prefix dir 3");
	ok &= EXPECT_EQ(reasm_new(NULL, NULL), -EINVAL, "new NULL out");
	ok &= EXPECT_EQ(reasm_add(r, 1, 0, 0, NULL, 0), 0, "empty segment is fine");
	reasm_free(r);
	reasm_free(NULL);
	return ok;
}

/*
 * Reference model for the sweep: a byte array in which each byte is written only if still
 * empty (first copy wins), within [0, window) relative to the start; prefix = leading run.
 */
struct model {
	uint8_t byte[256];
	uint8_t have[256];
};

static size_t model_prefix(const struct model *m, size_t window)
{
	size_t n = 0;

	while (n < window && m->have[n])
		n++;
	return n;
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/*
 * Edge sweep: one 64-byte stream starting just below 2^32, cut into random segments (some
 * overlapping, some beyond the 48-byte window, some retransmitted with other content), fed in
 * random order. After every add the prefix must equal the model's, byte for byte.
 */
static bool test_sweep(void)
{
	uint32_t seed = 12345, isn = 0xffffffe0u;
	int trial, bad = 0;

	for (trial = 0; trial < 3000 && !bad; trial++) {
		struct reasm *r = mk(40, 48);
		struct model m;
		int k, nsegs = 1 + (int)(lcg(&seed) % 24);

		memset(&m, 0, sizeof(m));
		if (trial & 1)
			reasm_add(r, 0, isn, F_SYN, NULL, 0); /* else the first segment, forced to 0, starts it */
		for (k = 0; k < nsegs && !bad; k++) {
			uint8_t data[80];
			uint32_t off = (trial & 1) || k ? lcg(&seed) % 70 : 0;
			uint32_t len = 1 + lcg(&seed) % 20, i;
			const uint8_t *p;
			size_t n, want;
			int rc;

			for (i = 0; i < len; i++) {
				data[i] = (uint8_t)(lcg(&seed));
				if (off + i < 48 && !m.have[off + i]) {
					m.have[off + i] = 1;
					m.byte[off + i] = data[i];
				}
			}
			rc = reasm_add(r, 0, isn + 1 + off, 0, data, len);
			if (rc == -ENOSPC)
				break; /* window complete earlier: the model has it too */
			if (rc < 0)
				bad |= !EXPECT_EQ(rc, 0, "sweep add");
			want = model_prefix(&m, 48);
			bad |= !EXPECT_EQ(reasm_prefix(r, 0, &p, &n), 0, "sweep prefix");
			bad |= !EXPECT_EQ(n, want, "sweep prefix length");
			if (!bad && n)
				bad |= !EXPECT_MEM(p, m.byte, n, "sweep prefix bytes");
			bad |= !EXPECT_EQ(stats(r, 0).done, rc == REASM_DONE, "done iff REASM_DONE");
			if (rc == REASM_DONE)
				bad |= !EXPECT_TRUE(n == 48 || (uint32_t)k + 1 == 40, "done reason");
		}
		reasm_free(r);
	}
	return !bad;
}

/* Truncation sweep: every way to cut "0..N" into a head and a tail, delivered tail first. */
static bool test_split_sweep(void)
{
	const char *s = "The quick brown fox jumps over the lazy dog";
	size_t n = strlen(s), cut, len;
	bool ok = true;

	for (cut = 0; cut <= n && ok; cut++) {
		for (len = 1; cut + len <= n && ok; len++) {
			struct reasm *r = mk(32, 65536);
			char want[64];

			reasm_add(r, 0, 0xfffffff0u, F_SYN, NULL, 0);
			reasm_add(r, 0, 0xfffffff1u + (uint32_t)cut, 0, S(s) + cut, len);
			if (cut)
				reasm_add(r, 0, 0xfffffff1u, 0, S(s), cut);
			memcpy(want, s, cut + len);
			want[cut + len] = 0;
			ok &= prefix_is(r, 0, want, "head + tail");
			reasm_free(r);
		}
	}
	return ok;
}

int main(void)
{
	RUN(test_in_order);
	RUN(test_out_of_order);
	RUN(test_overlap_partial);
	RUN(test_overlap_total);
	RUN(test_retransmission);
	RUN(test_wraparound);
	RUN(test_gaps);
	RUN(test_missing_syn);
	RUN(test_both_directions);
	RUN(test_syn_data);
	RUN(test_caps);
	RUN(test_fin);
	RUN(test_rst);
	RUN(test_release_and_args);
	RUN(test_sweep);
	RUN(test_split_sweep);
	return test_failures != 0;
}
