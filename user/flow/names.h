/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow/names.h - the names of counters, protocols and directions used in JSON, SQL and status. */
#ifndef FT_NAMES_H
#define FT_NAMES_H

#include "flowtower/abi.h"

extern const char *const ft_ctr_names[CTR_MAX];
extern const char *const ft_tdir_names[TDIR_MAX];
/* "tcp", "udp", "icmp", "ipv6-icmp", ... or NULL when we have no name for it. */
const char *ft_proto_name(unsigned int proto);
/* Whether a counter is a frame's fate (each frame has exactly one): they sum to rx_frames. */
int ft_ctr_is_fate(int ctr);

#endif /* FT_NAMES_H */
