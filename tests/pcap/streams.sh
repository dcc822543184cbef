#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/pcap/streams.sh - the pipeline's reassembled TCP prefixes equal tshark's followed streams
# (reordering, retransmissions and overlaps, a HelloRetryRequest, sequence numbers past 2^32, a
# 12-segment ClientHello, a mixed capture). tshark's follow costs a second per stream, so not every
# capture: these hold every case the reassembly rules name.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
FT=${FT:-$top/build/flowtower}
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}
out=$(mktemp -d /tmp/ft-streams.XXXXXX)
trap 'rm -rf "$out"' EXIT
rc=0
for n in zeek__tcp-reassembly.pcap zeek__hrr.pcap zeek__tcp-handshake-reorder.pcap zeek__ftp-bigtransfer.pcap \
	zeek__http-pipelined-requests.pcap ndpi__tls_with_huge_ch.pcapng ndpi__http-lines-split.pcap \
	tcpreplay__test.pcap; do
	mkdir -p "$out/$n"
	"$FT" read --no-steer-done --dump-streams "$out/$n" "$PCAPS/$n" >/dev/null || { echo "FAIL: $n read"; rc=1; }
	/usr/bin/python3 "$top/tests/pcap/check_streams.py" "$PCAPS/$n" "$out/$n" || rc=1
done
exit $rc
