// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/ndpcat.c - what the neighbor catalog learns from the NDP frames of captures, as neighbor JSON lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/pcapfile.h"
#include "decode/decode.h"
#include "flowtower/account.h"
#include "ndp/catalog.h"
#include "ndp/leases.h"
#include "util/json.h"

/*
 * ndpcat [--device LINE]... [--max-age SECONDS] FILE...
 *
 * Every frame goes through decode_frame(); those the kernel would copy as NDP
 * (ft_is_ndp) go to catalog_ndp_frame() with their capture time, as the
 * daemon's pipeline hands them over. The catalog (aged at the last frame's
 * time) is printed sorted, one neighbor line each, then a stats line on stderr.
 */

struct ctx {
	struct catalog *cat;
	uint64_t last_ts;
};

static int on_frame(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen, uint64_t ts)
{
	struct ctx *x = arg;
	struct pkt_info pi;

	if (ts > x->last_ts)
		x->last_ts = ts;
	if (decode_frame(dlt, data, caplen, wirelen, &pi) || !ft_is_ndp(&pi))
		return 0;
	catalog_ndp_frame(x->cat, data, caplen, &pi, ts);
	return 0;
}

struct out {
	struct jw w;
	const struct leases *l;
};

static int print(void *arg, const struct catalog_entry *e)
{
	struct out *o = arg;

	catalog_json(&o->w, e, leases_name(o->l, e->mac));
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx x = {};
	struct leases *l = NULL;
	struct catalog_stats st;
	struct out o;
	uint64_t max_age = 0, since = 0;
	char err[160];
	int i, rc = 0;

	if (leases_new(&l))
		return 1;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			if (leases_parse_line(l, argv[++i], err, sizeof(err))) {
				fprintf(stderr, "ndpcat: --device '%s': %s\n", argv[i], err);
				return 2;
			}
		} else if (!strcmp(argv[i], "--max-age") && i + 1 < argc) {
			max_age = strtoull(argv[++i], NULL, 10) * 1000000000ULL;
		} else {
			fprintf(stderr, "usage: ndpcat [--device NAME,MAC[,IPV4[,LO-HI]]]... [--max-age S] FILE...\n");
			return 2;
		}
	}
	if (catalog_new(&x.cat, max_age, 1 << 20))
		return 1;
	for (; i < argc; i++)
		if (pcapfile_read(argv[i], on_frame, &x))
			rc = 1;
	catalog_expire(x.cat, x.last_ts);
	o.l = l;
	jw_init(&o.w, stdout);
	catalog_changed(x.cat, &since, print, &o);
	catalog_stats(x.cat, &st);
	fprintf(stderr, "ndpcat: %llu ndp frames, %llu invalid, %llu teaching nothing, %llu entries, %llu MAC changes\n",
		(unsigned long long)st.ndp_frames, (unsigned long long)st.ndp_invalid,
		(unsigned long long)st.ndp_silent, (unsigned long long)st.added, (unsigned long long)st.mac_changes);
	catalog_free(x.cat);
	leases_free(l);
	return rc;
}
