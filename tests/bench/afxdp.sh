#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/afxdp.sh - AF_XDP zero-copy needs a real NIC; on veth (copy mode) the live part measures the sockets.
set -u
. "$(dirname "$0")/lib.sh"
skipped afxdp "veth offers copy mode only, which the live part measures (AF_XDP sockets behind the sensor); zero-copy needs a real NIC"
