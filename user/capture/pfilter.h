/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* capture/pfilter.h - pcap filter expressions on Ethernet frames, behind a handle. */
#ifndef FT_PFILTER_H
#define FT_PFILTER_H

#include <stdint.h>

/*
 * A handle so that callers need not include <pcap/pcap.h>, whose classic-BPF
 * struct bpf_insn clashes with <linux/bpf.h>'s in files that also use libbpf.
 */
struct pfilter;

/* Compile expr (tcpdump's syntax; "" matches everything). 0, or -EINVAL with pcap's message logged. */
int pfilter_new(struct pfilter **out, const char *expr, uint32_t snaplen);
int pfilter_match(const struct pfilter *f, const uint8_t *frame, uint32_t caplen, uint32_t len);
void pfilter_free(struct pfilter *f); /* NULL-safe */

#endif /* FT_PFILTER_H */
