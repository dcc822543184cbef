/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* store/jsonl.h - the JSON-lines sink: flow, throughput and stats objects as DESIGN.md lists them. */
#ifndef FT_JSONL_H
#define FT_JSONL_H

#include <stdint.h>
#include "flow/table.h"
#include "util/json.h"

/* One {"type":"flow",...} line. Absent values are null, never guessed. */
void jsonl_flow(struct jw *w, const struct flow_rec *r);
/* One {"type":"throughput",...} line per direction and IP version with packets in this minute. */
void jsonl_tput(struct jw *w, const struct tput_slot *s);
/* The counters as one {"type":"stats",...} object; the caller may add fields before ending it. */
void jsonl_stats_begin(struct jw *w, const uint64_t stats[CTR_MAX]);

#endif /* FT_JSONL_H */
