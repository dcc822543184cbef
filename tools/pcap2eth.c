// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tools/pcap2eth.c - rewrite a raw-IP, BSD-loopback or Linux-cooked capture as Ethernet, for tcpreplay. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

/*
 * tcprewrite --dlt=enet cannot do this: it writes an 802.3 length where the
 * ethertype goes for BSD loopback input and refuses raw IP with IPv6 in it.
 * Each frame here gets the ethertype of its own IP version, addresses
 * 02:00:00:00:00:01 -> :02, and keeps its timestamp; frames that are not IP
 * are kept with ethertype 0x88b5 (local experimental) so counts still match.
 */
static unsigned int l3_offset(int dlt, const u_char *p, unsigned int caplen, unsigned int *etype)
{
	unsigned int off;

	switch (dlt) {
	case DLT_NULL:
	case DLT_LOOP:
		off = 4;
		break;
	case DLT_LINUX_SLL:
		off = 16;
		break;
	case 276: /* DLT_LINUX_SLL2 */
		off = 20;
		break;
	default: /* DLT_RAW, LINKTYPE_IPV4/IPV6 */
		off = 0;
	}
	*etype = 0x88b5;
	if (caplen > off) {
		if (p[off] >> 4 == 4)
			*etype = 0x0800;
		else if (p[off] >> 4 == 6)
			*etype = 0x86dd;
	}
	return off < caplen ? off : caplen;
}

int main(int argc, char **argv)
{
	static const u_char hdr[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	u_char buf[65536 + 14];
	pcap_dumper_t *d;
	pcap_t *in, *dead;
	int dlt, n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: pcap2eth IN OUT\n");
		return 2;
	}
	in = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!in) {
		fprintf(stderr, "pcap2eth: %s\n", err);
		return 1;
	}
	dlt = pcap_datalink(in);
	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535 + 14, PCAP_TSTAMP_PRECISION_NANO);
	d = pcap_dump_open(dead, argv[2]);
	if (!d) {
		fprintf(stderr, "pcap2eth: %s\n", pcap_geterr(dead));
		return 1;
	}
	while (pcap_next_ex(in, &h, &data) == 1) {
		struct pcap_pkthdr oh = *h;
		unsigned int etype, off = dlt == DLT_EN10MB ? 0 : l3_offset(dlt, data, h->caplen, &etype);
		unsigned int len = h->caplen - off;

		if (dlt == DLT_EN10MB) {
			pcap_dump((u_char *)d, h, data);
			n++;
			continue;
		}
		if (len > 65536)
			len = 65536;
		memcpy(buf, hdr, 12);
		buf[12] = (u_char)(etype >> 8);
		buf[13] = (u_char)etype;
		memcpy(buf + 14, data + off, len);
		oh.caplen = len + 14;
		oh.len = h->len - off + 14;
		pcap_dump((u_char *)d, &oh, buf);
		n++;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	pcap_close(in);
	fprintf(stderr, "pcap2eth: %d frames\n", n);
	return 0;
}
