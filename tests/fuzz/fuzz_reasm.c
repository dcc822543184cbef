/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tests/fuzz/fuzz_reasm.c - libFuzzer target: reasm against a naive byte-by-byte reference, after every add. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasm/reasm.h"

/*
 * Input: max_segs (1 byte), max_bytes (2 bytes, capped at 4096 so the model stays small), ISN
 * (4 bytes), then segments: op (bit 0 dir, bit 1 FIN, bit 2 SYN, bit 3 RST, bits 4-7 == 15:
 * release dir instead), seq delta from the ISN (2 bytes, signed), len (1 byte), len bytes.
 */
#define MODEL_MAX 4096

/* The reference: the documented rules applied one byte at a time, nothing clever. */
struct mdir {
	int has_base, syn_seen, fin_seen, done, released;
	uint32_t base, limit, segs_seen, fed, held;
	uint8_t have[MODEL_MAX], byte[MODEL_MAX];
};

static uint32_t m_prefix(const struct mdir *m)
{
	uint32_t n = 0;

	while (n < m->limit && m->have[n])
		n++;
	return n;
}

static void m_end(struct mdir *m, uint32_t seq)
{
	int64_t off = (int32_t)(seq - m->base);
	uint32_t i;

	if (m->fin_seen || off < 0 || off < m_prefix(m))
		return;
	m->fin_seen = 1;
	if (off >= m->limit)
		return;
	m->limit = (uint32_t)off;
	for (i = m->limit; i < MODEL_MAX; i++) {
		m->held -= m->have[i];
		m->have[i] = 0;
	}
}

static int m_done(struct mdir *m, uint32_t max_segs)
{
	if (m->segs_seen < max_segs && m_prefix(m) < m->limit)
		return 0;
	m->done = 1;
	return REASM_DONE;
}

static int m_add(struct mdir *m, uint32_t max_segs, uint32_t seq, uint8_t fl, const uint8_t *p, size_t len)
{
	uint32_t data_seq = seq;
	size_t i;

	if (m->released || m->done)
		return -ENOSPC;
	if (fl & 0x04)
		len = 0;
	m->fed += (uint32_t)len;
	if (fl & 0x02) {
		data_seq = seq + 1;
		if (!m->has_base) {
			m->base = seq + 1;
			m->has_base = 1;
		} else if (m->base != seq + 1) {
			m->segs_seen += len != 0;
			return m_done(m, max_segs);
		}
		m->syn_seen = 1;
	}
	if (!m->has_base) {
		if (!len)
			return 0;
		m->base = data_seq;
		m->has_base = 1;
	}
	if (len)
		m->segs_seen++;
	for (i = 0; i < len; i++) {
		int64_t off = (int64_t)(int32_t)(data_seq - m->base) + (int64_t)i;

		if (off >= 0 && off < m->limit && !m->have[off]) {
			m->have[off] = 1;
			m->byte[off] = p[i];
			m->held++;
		}
	}
	if (fl & 0x01)
		m_end(m, data_seq + (uint32_t)len);
	else if (fl & 0x04)
		m_end(m, data_seq);
	return m_done(m, max_segs);
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The module and the model agree on the prefix, bytes included, and the counters add up. */
static void compare(struct reasm *r, int d, const struct mdir *m)
{
	const uint8_t *p;
	size_t n;
	struct reasm_stats st;
	uint32_t pre = m_prefix(m);

	CHECK(reasm_stats(r, d, &st) == 0);
	if (m->released) {
		CHECK(reasm_prefix(r, d, &p, &n) == -ENOENT);
		return;
	}
	CHECK(reasm_prefix(r, d, &p, &n) == 0);
	CHECK(n == pre && n == st.prefix_len);
	CHECK(n <= m->fed);
	CHECK(!n || !memcmp(p, m->byte, n));
	CHECK(st.bytes_kept == m->held);
	CHECK(st.bytes_kept + st.bytes_trimmed == m->fed);
	CHECK(st.gap == (m->held > pre));
	CHECK(st.segs_seen == m->segs_seen);
	CHECK(st.segs_kept + st.segs_dup + st.segs_outside == st.segs_seen);
	CHECK(st.syn_seen == m->syn_seen && st.fin_seen == m->fin_seen && st.done == m->done);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mdir m[2];
	struct reasm_limits lim;
	struct reasm *r;
	uint32_t isn;
	size_t pos = 7;

	if (size < 7)
		return 0;
	lim.max_segs = 1 + data[0] % 40;
	lim.max_bytes = 1 + (uint32_t)(data[1] << 8 | data[2]) % MODEL_MAX;
	isn = (uint32_t)data[3] << 24 | (uint32_t)data[4] << 16 | (uint32_t)data[5] << 8 | data[6];
	CHECK(reasm_new(&r, &lim) == 0);
	memset(m, 0, sizeof(m));
	m[0].limit = m[1].limit = lim.max_bytes;
	while (pos + 4 <= size) {
		uint8_t op = data[pos];
		int d = op & 1;
		int16_t delta = (int16_t)(data[pos + 1] << 8 | data[pos + 2]);
		size_t len = data[pos + 3];
		uint8_t *copy, fl;
		uint32_t seq;
		int rc, want;

		pos += 4;
		if (len > size - pos)
			len = size - pos;
		if ((op >> 4) == 15) {
			CHECK(reasm_release_dir(r, d) == 0);
			m[d].released = 1;
			compare(r, d, &m[d]);
			continue;
		}
		/* An exactly sized copy, freed right after: any later read of it is a use-after-free. */
		copy = malloc(len ? len : 1);
		memcpy(copy, data + pos, len);
		seq = isn + (d ? 0x9e3779b9u : 0) + (uint32_t)(int32_t)delta;
		fl = (op >> 1) & 0x07; /* TCP FIN 0x01, SYN 0x02, RST 0x04 */
		rc = reasm_add(r, d, seq, fl, copy, len);
		want = m_add(&m[d], lim.max_segs, seq, fl, copy, len);
		free(copy);
		pos += len;
		CHECK(rc == want);
		compare(r, 0, &m[0]);
		compare(r, 1, &m[1]);
	}
	reasm_free(r);
	return 0;
}
