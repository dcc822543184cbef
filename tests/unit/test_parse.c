// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tests/unit/test_parse.c - the shared parser natively: hex vectors, hostile lengths, every prefix. */
#include <arpa/inet.h>
#include <pcap/dlt.h>

#include "decode/decode.h"
#include "flowtower/account.h"
#include "test.h"

TEST_MAIN_DEFINE;

/*
 * {name, frame as hex, link type, expected fate (0: a flow packet), proto, sport, dport, l3, l4, payload}.
 * Ethernet header used below: dst 02..02, src 02..01.
 */
#define ETH "020000000002 020000000001"
struct parse_case {
	const char *name;
	const char *hex;
	int dlt;
	int fate;
	int proto, sport, dport;
	unsigned int l3, l4, payload;
};

static const struct parse_case cases[] = {
	{ "minimal UDP", ETH "0800 4500001c00004000401100000a0000010a000002 003500350008 0000", DLT_EN10MB, 0,
	  17, 53, 53, 28, 8, 0 },
	{ "ihl below 5", ETH "0800 4400001c00004000401100000a0000010a000002 00350035", DLT_EN10MB,
	  CTR_BAD_IPV4_IHL },
	{ "ihl 6 past the frame", ETH "0800 4600001c00004000401100000a0000010a000002", DLT_EN10MB,
	  CTR_BAD_IPV4_TRUNC },
	{ "truncated at 10", ETH "0800 45000014000040004011", DLT_EN10MB, CTR_BAD_IPV4_TRUNC },
	{ "version 6 in an IPv4 ethertype", ETH "0800 6500001c00004000401100000a0000010a000002", DLT_EN10MB,
	  CTR_BAD_IP_VERSION },
	{ "total length below header", ETH "0800 4500001000004000401100000a0000010a000002 00350035", DLT_EN10MB,
	  CTR_BAD_IPV4_LEN },
	{ "IPv4 options then TCP", ETH "0800 4600002c0000400040060000c0000201c0000202 01010101"
	  "0050c350 00000001 00000000 5012ffff 00000000 aabbccdd", DLT_EN10MB, 0, 6, 80, 50000, 44, 20, 0 },
	{ "TCP header cut by the capture: counted, flags unknown", ETH "0800 450000280000400040060000c0000201c0000202"
	  "0050c350 0000", DLT_EN10MB, 0, 6, 80, 50000, 40, 20, 0 },
	{ "UDP ports cut by the capture", ETH "0800 4500001c00004000401100000a0000010a000002 0035", DLT_EN10MB,
	  CTR_BAD_L4_TRUNC },
	{ "raw IPv4", "4500001c00004000401100000a0000010a000002 003500350008 0000", DLT_RAW, 0, 17, 53, 53, 28, 8, 0 },
	{ "BSD loopback IPv6", "1e000000 6000000000083a40 00000000000000000000000000000001"
	  "00000000000000000000000000000001 8000000000010001", DLT_NULL, 0, 58, 128, 0, 48, 8, 0 },
	{ "Linux cooked IPv4", "0000000100060000000000000000 0800 4500001c00004000401100000a0000010a000002"
	  "003500350008 0000", DLT_LINUX_SLL, 0, 17, 53, 53, 28, 8, 0 },
	{ "raw garbage version", "f500001c", DLT_RAW, CTR_BAD_IP_VERSION },
	{ "802.3 length", ETH "0026 424203 0000", DLT_EN10MB, CTR_NONIP_LLC },
	{ "VLAN tag cut short", ETH "8100 00", DLT_EN10MB, CTR_BAD_VLAN },
	/* FT_MAX_L2_LAYERS (8) layers are walked: IPv4 after the 8th is a flow, a 9th tag is too deep */
	{ "eight VLAN tags, then IPv4", ETH "8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 8100 0006 8100 0007"
	  "8100 0008 0800 4500001c00004000401100000a0000010a000002 003500350008 0000", DLT_EN10MB, 0, 17, 53, 53, 28,
	  8, 0 },
	{ "nine VLAN tags", ETH "8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 8100 0006 8100 0007 8100 0008"
	  "8100 0009 0800 4500001c00004000401100000a0000010a000002 003500350008 0000", DLT_EN10MB, CTR_BAD_VLAN },
	{ "eight VLAN tags, then ARP", ETH "8100 0001 8100 0002 8100 0003 8100 0004 8100 0005 8100 0006 8100 0007"
	  "8100 0008 0806 0001080006040001", DLT_EN10MB, CTR_NONIP_ARP },
	{ "frame shorter than Ethernet", "0200000000020200", DLT_EN10MB, CTR_BAD_ETH },
	{ "IPv6 hop-by-hop claiming 2 KiB", ETH "86dd 6000000000100040 20010db8000000000000000000000001"
	  "20010db8000000000000000000000002 11ff0000 00000000 00010002 00080000", DLT_EN10MB, CTR_BAD_IPV6_EXT },
	{ "IPv6 extension headers longer than the payload length", ETH "86dd 6000000000040040"
	  "20010db8000000000000000000000001 20010db8000000000000000000000002 11000000 00000000 00010002 00080000",
	  DLT_EN10MB, CTR_BAD_IPV6_EXT },
	/* FT_MAX_IPV6_EXT (8) extension headers are walked: UDP after the 8th is a flow, a 9th is too many */
	{ "IPv6 eight destination options headers, then UDP", ETH "86dd 6000000000483c40"
	  "20010db8000000000000000000000001 20010db8000000000000000000000002"
	  "3c000104 00000000 3c000104 00000000 3c000104 00000000 3c000104 00000000"
	  "3c000104 00000000 3c000104 00000000 3c000104 00000000 11000104 00000000"
	  "00010002 00080000", DLT_EN10MB, 0, 17, 1, 2, 112, 8, 0 },
	{ "IPv6 nine destination options headers", ETH "86dd 6000000000503c40"
	  "20010db8000000000000000000000001 20010db8000000000000000000000002"
	  "3c000104 00000000 3c000104 00000000 3c000104 00000000 3c000104 00000000"
	  "3c000104 00000000 3c000104 00000000 3c000104 00000000 3c000104 00000000 11000104 00000000"
	  "00010002 00080000", DLT_EN10MB, CTR_BAD_IPV6_CHAIN },
	{ "IPv6 atomic fragment", ETH "86dd 6000000000100040 20010db8000000000000000000000001"
	  "20010db8000000000000000000000002 11000000 00000007 00010002 00080000", DLT_EN10MB, 0, 17, 1, 2, 56, 8, 0 },
	{ "ICMP echo reply folds onto request", ETH "0800 4500001c00004000400100000a0000010a000002 00000000 00010001",
	  DLT_EN10MB, 0, 1, 8, 0, 28, 8, 0 },
	{ "ICMPv6 neighbor advertisement folds onto solicitation", ETH "86dd 6000000000083aff"
	  "fe800000000000000000000000000001 fe800000000000000000000000000002 88000000 e0000000", DLT_EN10MB, 0, 58,
	  135, 0, 48, 8, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static bool test_cases(void)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < NCASES; i++) {
		const struct parse_case *c = &cases[i];
		uint8_t buf[512];
		struct pkt_info pi;
		int n = test_hex(c->hex, buf, sizeof(buf)), fate;

		ok &= EXPECT_TRUE(n > 0, c->name);
		fate = decode_frame(c->dlt, buf, (uint32_t)n, (uint32_t)n, &pi);
		ok &= EXPECT_EQ(fate, c->fate, c->name);
		if (fate || c->fate)
			continue;
		ok &= EXPECT_EQ(pi.proto, c->proto, "proto");
		ok &= EXPECT_EQ(ntohs(pi.sport), c->sport, "sport");
		ok &= EXPECT_EQ(ntohs(pi.dport), c->dport, "dport");
		ok &= EXPECT_EQ(pi.l3_len, c->l3, "l3 bytes");
		ok &= EXPECT_EQ(pi.l4_len, c->l4, "l4 bytes");
		ok &= EXPECT_EQ(pi.payload_len, c->payload, "payload bytes");
	}
	return ok;
}

/* Every prefix of every case parses to a fate or a flow packet: nothing is read past the end (ASan checks). */
static bool test_truncation_sweep(void)
{
	bool ok = true;
	size_t i;
	int len;

	for (i = 0; i < NCASES; i++) {
		uint8_t full[512];
		int n = test_hex(cases[i].hex, full, sizeof(full));

		for (len = 0; len <= n; len++) {
			uint8_t *exact = malloc((size_t)len + 1); /* exactly len bytes live: ASan sees any overrun */
			struct pkt_info pi;
			int fate;

			memcpy(exact, full, (size_t)len);
			fate = decode_frame(cases[i].dlt, exact, (uint32_t)len, (uint32_t)len, &pi);
			ok &= EXPECT_TRUE(fate >= 0 && fate < CTR_MAX, cases[i].name);
			if (!fate)
				ok &= EXPECT_TRUE(pi.l4_off <= len, "L4 offset inside the frame");
			free(exact);
		}
	}
	return ok;
}

/* Both directions of a flow share one canonical key; the side says who sent. */
static bool test_canonical_key(void)
{
	struct pkt_info a = { .ip_version = 4, .proto = 6 }, b;
	struct flow_key ka, kb;
	int sa, sb;
	bool ok = true;

	a.saddr[2] = a.daddr[2] = htonl(0xffff);
	a.saddr[3] = htonl(0x0a000002);
	a.daddr[3] = htonl(0x0a000001);
	a.sport = htons(1234);
	a.dport = htons(80);
	b = a;
	b.saddr[3] = a.daddr[3];
	b.daddr[3] = a.saddr[3];
	b.sport = a.dport;
	b.dport = a.sport;
	sa = ft_flow_key(&a, &ka);
	sb = ft_flow_key(&b, &kb);
	ok &= EXPECT_MEM(&ka, &kb, sizeof(ka), "same key both ways");
	ok &= EXPECT_EQ(sa, SIDE_B, "the higher address is side b");
	ok &= EXPECT_EQ(sb, SIDE_A, "the lower address is side a");
	ok &= EXPECT_EQ(ntohs(ka.port_a), 80, "ports follow their address");
	/* same address both ends: the port decides */
	b = a;
	b.daddr[3] = a.saddr[3];
	sa = ft_flow_key(&b, &ka);
	ok &= EXPECT_EQ(sa, SIDE_B, "port 1234 > 80: sender is side b");
	/* ICMP: type/code never swap */
	a.proto = 1;
	a.sport = htons(8);
	a.dport = 0;
	sa = ft_flow_key(&a, &ka);
	ok &= EXPECT_EQ(ntohs(ka.port_a), 8, "ICMP type stays in port_a");
	return ok;
}

int main(void)
{
	RUN(test_cases);
	RUN(test_truncation_sweep);
	RUN(test_canonical_key);
	return test_failures != 0;
}
