/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* reasm/reasm.c - TCP preamble reassembly: a true prefix of each stream, first copy wins (RFC 9293 3.4, 3.10.7.4). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reasm/reasm.h"

/* TCP header flag bits (RFC 9293 3.1); the same values as FT_TCP_* in flowtower/parse.h. */
#define REASM_FIN 0x01
#define REASM_SYN 0x02
#define REASM_RST 0x04

#define REASM_MAX_SEGS 65535u
#define REASM_MAX_BYTES (1u << 30) /* far below 2^31, so offsets never meet sequence wraparound */
#define REASM_BUF_MIN 256u
#define REASM_RUNS_MIN 4u

/* Held bytes [start, end) in stream offsets. Runs are sorted, disjoint and never adjacent. */
struct reasm_run {
	uint32_t start;
	uint32_t end;
};

/*
 * One direction. Stream offset o is sequence number base + o; buf[o] holds byte o once some
 * run covers it. Bytes are written only where no run was, so the first copy received wins,
 * and the prefix is simply runs[0] when it starts at 0: no merge step, nothing to sort.
 */
struct reasm_dir {
	uint8_t *buf;		  /* grown on demand, never past max_bytes */
	struct reasm_run *runs;	  /* allocated with the first byte kept */
	uint32_t buf_cap;
	uint32_t nruns;
	uint32_t runs_cap;
	uint32_t base;		  /* sequence number of offset 0, once has_base */
	uint32_t limit;		  /* offsets at or past it are never kept: max_bytes, or FIN/RST */
	uint8_t has_base;
	uint8_t released;
	struct reasm_stats st;
};

struct reasm {
	struct reasm_limits lim;
	struct reasm_dir d[2];
};

int reasm_new(struct reasm **out, const struct reasm_limits *lim)
{
	struct reasm_limits l = { REASM_DEFAULT_SEGS, REASM_DEFAULT_BYTES };
	struct reasm *r;
	int i;

	if (!out)
		return -EINVAL;
	if (lim)
		l = *lim;
	if (!l.max_segs || l.max_segs > REASM_MAX_SEGS || !l.max_bytes || l.max_bytes > REASM_MAX_BYTES)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->lim = l;
	for (i = 0; i < 2; i++)
		r->d[i].limit = l.max_bytes;
	*out = r;
	return 0;
}

static void dir_release(struct reasm_dir *d)
{
	free(d->buf);
	free(d->runs);
	d->buf = NULL;
	d->runs = NULL;
	d->buf_cap = 0;
	d->nruns = 0;
	d->runs_cap = 0;
	d->released = 1;
}

void reasm_free(struct reasm *r)
{
	if (!r)
		return;
	dir_release(&r->d[0]);
	dir_release(&r->d[1]);
	free(r);
}

static uint32_t dir_prefix_len(const struct reasm_dir *d)
{
	return d->nruns && d->runs[0].start == 0 ? d->runs[0].end : 0;
}

/* Refresh the derived counters after the runs changed. */
static void dir_sync(struct reasm_dir *d)
{
	d->st.prefix_len = dir_prefix_len(d);
	d->st.gap = d->nruns > 1 || (d->nruns == 1 && d->runs[0].start > 0);
}

/* Room for buf[0..need) and one more run; on failure nothing held changes. */
static int dir_reserve(struct reasm_dir *d, uint32_t need, uint32_t max_bytes)
{
	if (need > d->buf_cap) {
		uint64_t cap = d->buf_cap ? d->buf_cap : REASM_BUF_MIN;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		if (cap > max_bytes)
			cap = max_bytes;
		p = realloc(d->buf, cap);
		if (!p)
			return -ENOMEM;
		d->buf = p;
		d->buf_cap = (uint32_t)cap;
	}
	if (d->nruns == d->runs_cap) {
		uint32_t cap = d->runs_cap ? d->runs_cap * 2 : REASM_RUNS_MIN;
		struct reasm_run *p = realloc(d->runs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		d->runs = p;
		d->runs_cap = cap;
	}
	return 0;
}

/* First run that ends at or after off (so it overlaps or touches [off, ...)); nruns if none. */
static uint32_t dir_find(const struct reasm_dir *d, uint32_t off)
{
	uint32_t lo = 0, hi = d->nruns;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->runs[mid].end < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Walk the holes of [lo, hi) between held runs; copy them from src (whose byte 0 is stream
 * offset src_off) when src is not NULL. Returns the number of bytes in holes.
 */
static uint32_t dir_fill(struct reasm_dir *d, uint32_t lo, uint32_t hi, const uint8_t *src, int64_t src_off)
{
	uint32_t j = dir_find(d, lo), pos = lo, n = 0;

	for (; j < d->nruns && d->runs[j].start <= hi && pos < hi; j++) {
		if (d->runs[j].start > pos) {
			if (src)
				memcpy(d->buf + pos, src + (pos - src_off), d->runs[j].start - pos);
			n += d->runs[j].start - pos;
		}
		if (d->runs[j].end > pos)
			pos = d->runs[j].end;
	}
	if (pos < hi) {
		if (src)
			memcpy(d->buf + pos, src + (pos - src_off), hi - pos);
		n += hi - pos;
	}
	return n;
}

/* Union [lo, hi) into the runs, merging every run it overlaps or touches. */
static void dir_merge(struct reasm_dir *d, uint32_t lo, uint32_t hi)
{
	uint32_t i = dir_find(d, lo), j = i;

	while (j < d->nruns && d->runs[j].start <= hi)
		j++;
	if (i == j) {
		memmove(d->runs + i + 1, d->runs + i, (d->nruns - i) * sizeof(*d->runs));
		d->nruns++;
		d->runs[i].start = lo;
		d->runs[i].end = hi;
		return;
	}
	if (d->runs[i].start < lo)
		lo = d->runs[i].start;
	if (d->runs[j - 1].end > hi)
		hi = d->runs[j - 1].end;
	d->runs[i].start = lo;
	d->runs[i].end = hi;
	memmove(d->runs + i + 1, d->runs + j, (d->nruns - j) * sizeof(*d->runs));
	d->nruns -= j - i - 1;
}

/* Keep the bytes of one payload segment that fall in [0, limit) and are not held yet. */
static int dir_data(struct reasm_dir *d, uint32_t max_bytes, uint32_t seq, const uint8_t *p, size_t len)
{
	int64_t start = (int32_t)(seq - d->base); /* RFC 9293 3.4: sequence space is modulo 2^32 */
	int64_t end = start + (int64_t)(len < REASM_MAX_BYTES * 2ull ? len : REASM_MAX_BYTES * 2ull);
	uint32_t lo = start > 0 ? (uint32_t)start : 0;
	uint32_t hi = end < d->limit ? (uint32_t)(end > 0 ? end : 0) : d->limit;
	uint32_t fresh;
	int err;

	if (lo >= hi) {
		d->st.segs_outside++;
		d->st.bytes_trimmed += (uint32_t)len;
		return 0;
	}
	fresh = dir_fill(d, lo, hi, NULL, 0);
	if (!fresh) {
		d->st.segs_dup++;
		d->st.bytes_trimmed += (uint32_t)len;
		return 0;
	}
	err = dir_reserve(d, hi, max_bytes);
	if (err)
		return err;
	dir_fill(d, lo, hi, p, start);
	dir_merge(d, lo, hi);
	d->st.segs_kept++;
	d->st.bytes_kept += fresh;
	d->st.bytes_trimmed += (uint32_t)(len - fresh);
	return 0;
}

/* FIN or RST at sequence number seq: nothing at or after it is stream data (RFC 9293 3.10.7.4). */
static void dir_end(struct reasm_dir *d, uint32_t seq)
{
	int64_t off = (int32_t)(seq - d->base);
	uint32_t cut = 0;

	/* First one wins; one before the start or inside the prefix contradicts what is held. */
	if (d->st.fin_seen || off < 0 || off < d->st.prefix_len)
		return;
	d->st.fin_seen = 1;
	if (off >= d->limit)
		return;
	d->limit = (uint32_t)off;
	while (d->nruns && d->runs[d->nruns - 1].start >= d->limit) {
		cut += d->runs[d->nruns - 1].end - d->runs[d->nruns - 1].start;
		d->nruns--;
	}
	if (d->nruns && d->runs[d->nruns - 1].end > d->limit) {
		cut += d->runs[d->nruns - 1].end - d->limit;
		d->runs[d->nruns - 1].end = d->limit;
	}
	d->st.bytes_kept -= cut;
	d->st.bytes_trimmed += cut;
}

/* A SYN fixes the start at ISN + 1; a different SYN later belongs to no stream we hold. */
static int dir_syn(struct reasm_dir *d, uint32_t seq)
{
	if (!d->has_base) {
		d->base = seq + 1;
		d->has_base = 1;
	} else if (d->base != seq + 1) {
		return -1;
	}
	d->st.syn_seen = 1;
	return 0;
}

static int dir_check_done(struct reasm_dir *d, uint32_t max_segs)
{
	if (d->st.segs_seen < max_segs && d->st.prefix_len < d->limit)
		return 0;
	d->st.done = 1;
	return REASM_DONE;
}

int reasm_add(struct reasm *r, int dir, uint32_t seq, uint8_t flags, const uint8_t *payload, size_t len)
{
	struct reasm_dir *d;
	uint32_t data_seq = seq, old_base;
	uint8_t old_has_base, old_syn;
	int err;

	if (!r || (dir != 0 && dir != 1) || (len && !payload))
		return -EINVAL;
	d = &r->d[dir];
	if (d->released || d->st.done)
		return -ENOSPC;
	old_base = d->base;
	old_has_base = d->has_base;
	old_syn = d->st.syn_seen;
	if (flags & REASM_RST)
		len = 0; /* RFC 9293 3.5.3: a RST's payload is diagnostic text, not stream data */
	if (flags & REASM_SYN) {
		data_seq = seq + 1; /* TFO data starts after the SYN's own sequence number */
		if (dir_syn(d, seq) < 0) {
			if (len) {
				d->st.segs_seen++;
				d->st.segs_outside++;
				d->st.bytes_trimmed += (uint32_t)len;
			}
			return dir_check_done(d, r->lim.max_segs);
		}
	}
	if (!d->has_base) {
		if (!len)
			return 0; /* nothing to anchor the stream on yet */
		d->base = data_seq; /* started before the sensor: no guessing */
		d->has_base = 1;
	}
	if (len) {
		err = dir_data(d, r->lim.max_bytes, data_seq, payload, len);
		if (err) {
			d->base = old_base; /* dir_data() changed nothing held; undo the start */
			d->has_base = old_has_base;
			d->st.syn_seen = old_syn;
			return err;
		}
		d->st.segs_seen++;
		dir_sync(d);
	}
	if (flags & REASM_FIN)
		dir_end(d, data_seq + (uint32_t)len);
	else if (flags & REASM_RST)
		dir_end(d, data_seq);
	dir_sync(d);
	return dir_check_done(d, r->lim.max_segs);
}

int reasm_prefix(const struct reasm *r, int dir, const uint8_t **data, size_t *len)
{
	const struct reasm_dir *d;

	if (!r || (dir != 0 && dir != 1) || !data || !len)
		return -EINVAL;
	d = &r->d[dir];
	if (d->released)
		return -ENOENT;
	*len = d->st.prefix_len;
	*data = *len ? d->buf : NULL;
	return 0;
}

int reasm_stats(const struct reasm *r, int dir, struct reasm_stats *st)
{
	if (!r || (dir != 0 && dir != 1) || !st)
		return -EINVAL;
	*st = r->d[dir].st;
	return 0;
}

int reasm_release_dir(struct reasm *r, int dir)
{
	if (!r || (dir != 0 && dir != 1))
		return -EINVAL;
	dir_release(&r->d[dir]);
	return 0;
}
