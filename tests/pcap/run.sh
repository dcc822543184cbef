#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/pcap/run.sh - `flowtower read --json` on every shared capture, checked against tshark's truth.json.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
FT=${FT:-$top/build/flowtower}
PCAPS=${FT_PCAPS:-$top/../shared/pcaps}
out=$(mktemp -d /tmp/ft-pcap.XXXXXX)
trap 'rm -rf "$out"' EXIT
rc=0
for p in "$PCAPS"/*.pcap "$PCAPS"/*.pcapng; do
	n=$(basename "$p")
	if ! "$FT" read --json "$p" >"$out/$n.jsonl" 2>"$out/$n.err"; then
		echo "FAIL: $n read exits 0  ($(tail -1 "$out/$n.err"))"
		rc=1
		continue
	fi
	/usr/bin/python3 "$top/tests/pcap/check_truth.py" "$PCAPS/truth.json" "$p" "$out/$n.jsonl" || rc=1
	/usr/bin/python3 "$top/tests/pcap/check_l7.py" "$PCAPS/truth.json" "$p" "$out/$n.jsonl" || rc=1
done
exit $rc
