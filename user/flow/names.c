// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow/names.c - counter and protocol names; append only, they are an interface. */
#include <stddef.h>

#include "flow/names.h"

const char *const ft_ctr_names[CTR_MAX] = {
	[CTR_RX_FRAMES] = "rx_frames",
	[CTR_RX_FRAME_BYTES] = "rx_frame_bytes",
	[CTR_FLOW_PKTS] = "flow_packets",
	[CTR_NONIP_ARP] = "nonip_arp",
	[CTR_NONIP_LLC] = "nonip_llc",
	[CTR_NONIP_OTHER] = "nonip_other",
	[CTR_SKIPPED_OWN] = "skipped_own",
	[CTR_DUPLICATES] = "duplicates",
	[CTR_FRAG_LATER] = "frag_later",
	[CTR_FRAG_NOFIRST] = "frag_nofirst",
	[CTR_BAD_ETH] = "bad_eth",
	[CTR_BAD_VLAN] = "bad_vlan",
	[CTR_BAD_MPLS] = "bad_mpls",
	[CTR_BAD_PPPOE] = "bad_pppoe",
	[CTR_BAD_IPV4_TRUNC] = "bad_ipv4_trunc",
	[CTR_BAD_IPV4_IHL] = "bad_ipv4_ihl",
	[CTR_BAD_IPV4_LEN] = "bad_ipv4_len",
	[CTR_BAD_IP_VERSION] = "bad_ip_version",
	[CTR_BAD_IPV6_TRUNC] = "bad_ipv6_trunc",
	[CTR_BAD_IPV6_EXT] = "bad_ipv6_ext",
	[CTR_BAD_IPV6_CHAIN] = "bad_ipv6_chain",
	[CTR_BAD_L4_TRUNC] = "bad_l4_trunc",
	[CTR_BAD_TCP_DOFF] = "bad_tcp_doff",
	[CTR_L4_SNAPPED] = "l4_snapped",
	[CTR_TX_PKTS4] = "tx_packets_ipv4",
	[CTR_TX_BYTES4] = "tx_bytes_ipv4",
	[CTR_RX_PKTS4] = "rx_packets_ipv4",
	[CTR_RX_BYTES4] = "rx_bytes_ipv4",
	[CTR_OTHER_PKTS4] = "other_packets_ipv4",
	[CTR_OTHER_BYTES4] = "other_bytes_ipv4",
	[CTR_TX_PKTS6] = "tx_packets_ipv6",
	[CTR_TX_BYTES6] = "tx_bytes_ipv6",
	[CTR_RX_PKTS6] = "rx_packets_ipv6",
	[CTR_RX_BYTES6] = "rx_bytes_ipv6",
	[CTR_OTHER_PKTS6] = "other_packets_ipv6",
	[CTR_OTHER_BYTES6] = "other_bytes_ipv6",
	[CTR_NO_FLOW_MAP] = "no_flow_map",
	[CTR_FLOW_NOMEM] = "flow_nomem",
	[CTR_TS_REPLACED] = "ts_replaced",
	[CTR_STEER_XSK] = "steer_xsk",
	[CTR_STEER_COPY] = "steer_copy",
	[CTR_STEER_COPY_FAIL] = "steer_copy_fail",
	[CTR_STEER_NO_XSK] = "steer_no_xsk",
};

const char *const ft_tdir_names[TDIR_MAX] = { "tx", "rx", "other" };

const char *ft_proto_name(unsigned int proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 2: return "igmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 41: return "ipv6";
	case 47: return "gre";
	case 50: return "esp";
	case 51: return "ah";
	case 58: return "ipv6-icmp";
	case 59: return "ipv6-nonxt";
	case 88: return "eigrp";
	case 89: return "ospf";
	case 103: return "pim";
	case 112: return "vrrp";
	case 132: return "sctp";
	case 136: return "udplite";
	default: return NULL;
	}
}

int ft_ctr_is_fate(int ctr)
{
	switch (ctr) {
	case CTR_FLOW_PKTS:
	case CTR_NONIP_ARP:
	case CTR_NONIP_LLC:
	case CTR_NONIP_OTHER:
	case CTR_SKIPPED_OWN:
	case CTR_DUPLICATES:
	case CTR_BAD_ETH:
	case CTR_BAD_VLAN:
	case CTR_BAD_MPLS:
	case CTR_BAD_PPPOE:
	case CTR_BAD_IPV4_TRUNC:
	case CTR_BAD_IPV4_IHL:
	case CTR_BAD_IPV4_LEN:
	case CTR_BAD_IP_VERSION:
	case CTR_BAD_IPV6_TRUNC:
	case CTR_BAD_IPV6_EXT:
	case CTR_BAD_IPV6_CHAIN:
	case CTR_BAD_L4_TRUNC:
	case CTR_NO_FLOW_MAP:
	case CTR_FLOW_NOMEM:
		return 1;
	default:
		return 0;
	}
}
