// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* capture/pcapfile.c - libpcap offline reader with nanosecond timestamps. */
#include <errno.h>
#include <pcap/pcap.h>

#include "capture/pcapfile.h"
#include "decode/decode.h"
#include "util/clock.h"
#include "util/log.h"

int pcapfile_read(const char *path, pcapfile_fn fn, void *arg)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int dlt, rc, ret = 0;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		pr_err("%s: %s\n", path, errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(p);
	if (!decode_supported(dlt)) {
		pr_err("%s: link type %s (%d) is not supported\n", path,
		       pcap_datalink_val_to_name(dlt) ?: "unknown", dlt);
		pcap_close(p);
		return -EPROTONOSUPPORT;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * NS_PER_SEC + (uint64_t)h->ts.tv_usec;

		ret = fn(arg, dlt, data, h->caplen, h->len, ts);
		if (ret)
			break;
	}
	if (rc == PCAP_ERROR) {
		pr_err("%s: %s\n", path, pcap_geterr(p));
		ret = -EIO;
	}
	pcap_close(p);
	return ret;
}
