/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* reasm/reasm.h - the first bytes of each direction of a TCP stream, as a true prefix (RFC 9293 3.4). */
#ifndef FT_REASM_H
#define FT_REASM_H

#include <stddef.h>
#include <stdint.h>

#define REASM_DEFAULT_SEGS 32	   /* payload segments offered per direction */
#define REASM_DEFAULT_BYTES 65536  /* stream offsets [0, max_bytes) kept per direction */
#define REASM_DONE 1		   /* reasm_add(): this direction wants no more segments */

struct reasm;

struct reasm_limits {
	uint32_t max_segs;  /* 1..65535: payload segments offered (kept or not) per direction */
	uint32_t max_bytes; /* 1..1 GiB: window of stream bytes kept, counted from the stream start */
};

/* Per direction. A segment is kept if it added at least one byte, else dropped as dup or outside. */
struct reasm_stats {
	uint32_t segs_seen;	/* payload segments offered, toward max_segs */
	uint32_t segs_kept;	/* added at least one new byte */
	uint32_t segs_dup;	/* every byte already held: retransmission or total overlap */
	uint32_t segs_outside;	/* entirely before the start, past the window or FIN/RST, or SYN mismatch */
	uint32_t bytes_kept;	/* held: prefix plus bytes waiting past a gap */
	uint32_t bytes_trimmed; /* offered but not kept (overlap: first copy wins; outside) */
	uint32_t prefix_len;	/* contiguous bytes from the stream start */
	uint8_t gap;		/* bytes are held past a hole that ends the prefix */
	uint8_t syn_seen;	/* the start is ISN + 1; else the first payload segment's sequence */
	uint8_t fin_seen;	/* the end is known (FIN, or RST: its payload is never stream data) */
	uint8_t done;		/* cap reached, window full or stream complete: adds get -ENOSPC */
};

/* lim NULL: the defaults. -EINVAL for limits out of range, -ENOMEM. */
int reasm_new(struct reasm **out, const struct reasm_limits *lim);
/* Frees r and every buffer; NULL is fine. Set the pointer to NULL after it to call it twice. */
void reasm_free(struct reasm *r);
/*
 * One TCP segment: dir 0 client->server, 1 server->client; flags the TCP flags byte. The payload is
 * only borrowed: the bytes kept are copied. Returns 0, REASM_DONE when this segment completed the
 * direction (stop steering it), -ENOSPC when the direction was already done or released, -EINVAL.
 * -ENOMEM leaves the state as it was before the call.
 */
int reasm_add(struct reasm *r, int dir, uint32_t seq, uint8_t flags, const uint8_t *payload, size_t len);
/* The contiguous prefix so far; *data (NULL when empty) is valid until the next add or release of dir. */
int reasm_prefix(const struct reasm *r, int dir, const uint8_t **data, size_t *len);
/* Counters of dir; -EINVAL on a bad dir. Kept after release. */
int reasm_stats(const struct reasm *r, int dir, struct reasm_stats *st);
/* Frees dir's buffers; later adds get -ENOSPC and prefix -ENOENT. Idempotent. */
int reasm_release_dir(struct reasm *r, int dir);

#endif /* FT_REASM_H */
