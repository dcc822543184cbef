// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/fuzz/fuzz_parse.c - the shared packet parser and the accounting behind it, on arbitrary frames. */
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "flow/acct.h"

static void ignore_flow(void *arg, const struct flow_key *k, const struct flow_ctr *c)
{
	if (c->dir[0].payload_bytes > c->dir[0].l4_bytes || c->dir[1].payload_bytes > c->dir[1].l4_bytes)
		abort();
}

static void ignore_minute(void *arg, const struct tput_slot *s)
{
}

/*
 * The first byte picks the link type, the rest is the frame, copied into an
 * exact-size allocation so ASan sees any read past the end. Each frame also
 * goes through acct_frame (fragments, duplicates, flow table, throughput),
 * which keeps state across inputs like a long capture would.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int dlts[] = { DLT_EN10MB, DLT_RAW, DLT_NULL, DLT_LINUX_SLL, 276, DLT_EN10MB };
	static struct acct *a;
	static uint64_t ts = 1700000000000000000ULL;
	struct pkt_info pi;
	struct flow_key k;
	uint8_t *frame;
	int side, fate;

	if (!a) {
		struct acct_cfg c = { .dedup = true, .max_flows = 4096 };

		if (acct_new(&a, &c))
			abort();
	}
	if (size < 1)
		return 0;
	frame = malloc(size - 1 ? size - 1 : 1);
	memcpy(frame, data + 1, size - 1);
	fate = decode_frame(dlts[data[0] % 6], frame, (uint32_t)(size - 1), (uint32_t)(size - 1 + (data[0] >> 4)),
			    &pi);
	if (fate < 0 || fate >= CTR_MAX)
		abort();
	if (!fate && (pi.l4_off > size - 1 || pi.payload_len > pi.l4_len || pi.l4_len > pi.l3_len))
		abort(); /* lengths must nest: payload within L4 within L3 */
	ts += 1000000;
	acct_frame(a, fate, &pi, frame, (uint32_t)(size - 1), (uint32_t)(size - 1), ts, &k, &side);
	if (acct_nflows(a) > 4000) {
		acct_drain(a, ignore_flow, NULL);
		acct_tput_drain(a, ignore_minute, NULL);
	}
	free(frame);
	return 0;
}
