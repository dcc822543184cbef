/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/pcapfile.h - read pcap and pcapng files (libpcap) into the pipeline, with ns timestamps. */
#ifndef FT_PCAPFILE_H
#define FT_PCAPFILE_H

#include <stdint.h>

/* One record: link type, captured bytes (valid only during the call), wire length, time in ns. */
typedef int (*pcapfile_fn)(void *arg, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			   uint64_t ts_ns);

/*
 * Call fn for every record of path ("-" reads stdin). Stops early when fn
 * returns non-zero and returns that. Returns 0 at the end of the file, or
 * -errno with a message logged (unreadable, not a capture, unsupported link
 * type, truncated in the middle of a record).
 */
int pcapfile_read(const char *path, pcapfile_fn fn, void *arg);

#endif /* FT_PCAPFILE_H */
