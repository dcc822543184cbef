// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* capture/pfilter.c - libpcap's filter compiler and interpreter for frames that never went through pcap. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include "capture/pfilter.h"
#include "util/log.h"

struct pfilter {
	struct bpf_program prog;
};

int pfilter_new(struct pfilter **out, const char *expr, uint32_t snaplen)
{
	struct pfilter *f = calloc(1, sizeof(*f));
	pcap_t *p = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	int rc = -EINVAL;

	if (!f || !p) {
		rc = -ENOMEM;
		goto out;
	}
	if (pcap_compile(p, &f->prog, expr ? expr : "", 1, PCAP_NETMASK_UNKNOWN)) {
		pr_err("filter '%s': %s\n", expr, pcap_geterr(p));
		goto out;
	}
	*out = f;
	f = NULL;
	rc = 0;
out:
	free(f);
	if (p)
		pcap_close(p);
	return rc;
}

int pfilter_match(const struct pfilter *f, const uint8_t *frame, uint32_t caplen, uint32_t len)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = len };

	return pcap_offline_filter(&f->prog, &h, frame) != 0;
}

void pfilter_free(struct pfilter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	free(f);
}
