/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ctl/report.h - what `read` and `status` print: flows, throughput, counters, as text or JSON lines. */
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "flow/table.h"

struct report_in {
	struct flow_table *flows;
	const uint64_t *stats;	      /* [CTR_MAX] */
	const struct tput_slot *tput; /* ascending minutes */
	size_t n_tput;
	const char *const *info;      /* extra "key", "value" pairs for the stats line, NULL-ended */
	const char *extra_json;	      /* more fields for the stats line, as a rendered object, or NULL */
};

void report_json(FILE *f, const struct report_in *in);
void report_text(FILE *f, const struct report_in *in);

#endif /* FT_REPORT_H */
