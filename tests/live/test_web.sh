#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The daemon's --web in a lab: /metrics passes the exposition checker and its packet and byte totals
# equal `status --json` exactly; the API answers with the right types and errors; headless Chromium
# loads the page during a replay (the chart and the top table already move) and after it (the chart's
# totals equal the counters to the byte, the top row is the capture's biggest flow with its SNI).
. "$(dirname "$0")/lib.sh"

WEB_PORT=8480
TEST_WEB=${TEST_WEB:-$top/.output/rel/tests/test_web} # its --check-metrics mode is the checker
CAPTURE=$PCAPS/ndpi__chrome.pcap                      # six TLS flows of one client, SNI on each
LOCAL=192.168.1.0/24                                  # the client's side: tx out of it, rx into it
URL=http://127.0.0.1:$WEB_PORT/

# facts FILE.html: key=value lines about what the page shows (element attributes and table rows)
facts() {
	/usr/bin/python3 - "$1" <<'PY'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.el, self.stack, self.rows, self.cell = {}, [], {}, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.el[a["id"]] = a
        if tag in ("table",):
            self.stack.append(a.get("id", ""))
        if tag == "tr" and self.stack:
            self.rows.setdefault(self.stack[-1], []).append({"attrs": a, "cells": []})
        if tag == "td" and self.stack:
            self.cell = []
    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        if tag == "td" and self.cell is not None and self.stack:
            self.rows[self.stack[-1]][-1]["cells"].append("".join(self.cell))
            self.cell = None
    def handle_data(self, d):
        if self.cell is not None:
            self.cell.append(d)
p = P()
p.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
c = p.el.get("chart-live", {})
for k in ("data-samples", "data-total-bytes", "data-total-pkts", "data-tx-bytes", "data-rx-bytes",
          "data-other-bytes", "data-error"):
    print("chart.%s=%s" % (k[5:], c.get(k, "")))
body = lambda t: [r for r in p.rows.get(t, []) if r["cells"]]
top = body("top-flows")
print("top.rows=%d" % len(top))
if top:
    a = top[0]["attrs"]
    print("top0.orig=%s\ntop0.resp=%s\ntop0.name=%s\ntop0.bytes=%s" % (a.get("data-orig-addr"), a.get("data-resp-addr"),
          a.get("data-name"), a.get("data-bytes")))
    print("top0.text=%s" % " | ".join(top[0]["cells"]))
for r in body("top-hosts"):
    print("host.%s=%s" % (r["attrs"].get("data-hostname"), r["attrs"].get("data-bytes")))
print("devices.rows=%d" % len(body("device-list")))
for r in body("device-list"):
    print("device=%s %s" % (r["attrs"].get("data-addr"), r["attrs"].get("data-mac")))
print("devices.empty_shown=%d" % ("hidden" not in p.el.get("devices-empty", {"hidden": ""})))
print("health=%s" % p.el.get("health", {}).get("data-state", ""))
print("drops.rows=%d" % len(body("drop-list")))
h = p.el.get("chart-history", {})
print("history.error=%s" % h.get("data-error", ""))
print("history.minutes=%s\nhistory.total_bytes=%s\nhistory.total_pkts=%s" % (h.get("data-minutes", ""),
      h.get("data-total-bytes", ""), h.get("data-total-pkts", "")))
PY
}
fact() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# stat KEY...: the sum of those counters in the stats line of $WORK/status.jsonl
stat() {
	/usr/bin/python3 -c 'import json,sys
s=[json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"stats\"" in l][-1]
print(sum(int(s[k]) for k in sys.argv[2:]))' "$WORK/status.jsonl" "$@"
}
ALL_BYTES="tx_bytes_ipv4 rx_bytes_ipv4 other_bytes_ipv4 tx_bytes_ipv6 rx_bytes_ipv6 other_bytes_ipv6"
ALL_PKTS="tx_packets_ipv4 rx_packets_ipv4 other_packets_ipv4 tx_packets_ipv6 rx_packets_ipv6 other_packets_ipv6"

# metric SERIES: its value in $WORK/metrics.txt
metric() { awk -v s="$1" '$1 == s { print $2 }' "$WORK/metrics.txt"; }

command -v chromium >/dev/null || fail "chromium is installed (tools/install-deps.sh)"
command -v curl >/dev/null || { fail "curl is installed (tools/install-deps.sh)"; exit 1; }
[ -x "$TEST_WEB" ] || fail "$TEST_WEB is built (make check builds it): the metrics checker"
if ! lab_up || ! lab_lo_up; then fail "lab setup"; exit 1; fi
src=$(ethernet_copy "$CAPTURE") || { fail "capture rewritten to Ethernet"; exit 1; }
"$FT" read --json --local $LOCAL "$src" >"$WORK/offline.jsonl" 2>/dev/null
want=$(frames_in "$WORK/offline.jsonl")
# the capture's biggest flow, by IP bytes both ways, from the offline read (independent of the daemon)
read -r big_orig big_resp big_name big_bytes < <(/usr/bin/python3 -c 'import json,sys
f=[json.loads(l) for l in open(sys.argv[1])]; f=[x for x in f if x["type"]=="flow"]
b=max(f, key=lambda x: x["orig_bytes"]+x["resp_bytes"])
print(b["orig_addr"], b["resp_addr"], b["hostname"] or "-", b["orig_bytes"]+b["resp_bytes"])' "$WORK/offline.jsonl")

sensor_start --web 127.0.0.1:$WEB_PORT --local $LOCAL || { fail "sensor attached with --web"; exit 1; }
for _ in $(seq 1 50); do
	[ "$(web_get /api/state -o /dev/null -w '%{http_code}')" = 200 ] && break
	sleep 0.1
done
if [ "$(web_get /api/state -o /dev/null -w '%{http_code}')" = 200 ]; then
	pass "--web 127.0.0.1:$WEB_PORT answers /api/state"
else
	fail "--web 127.0.0.1:$WEB_PORT answers /api/state"
	echo "  the daemon does not serve --web: is web_open/web_run wired into user/ctl/daemon.c?" >&2
	grep -i web "$SENSOR_LOG" | sed 's/^/  sensor: /' >&2
	exit 1
fi
check "the daemon logs where the page is" grep -q "web: http://127.0.0.1:$WEB_PORT/" "$SENSOR_LOG"
sleep 1.5 # the live sampler's first tick is its baseline: nothing is sent before it

# ---- during a replay: 25 frames a second, the page loaded 2.5 s in ------------------------------
in_r tcpreplay -q -i $IF_R --pps 25 "$src" >>"$WORK/replay.log" 2>&1 &
replayer=$!
sleep 2.5
page_dom "$URL" >"$WORK/during.html"
wait "$replayer"
facts "$WORK/during.html" >"$WORK/during.facts"
sed 's/^/  during: /' "$WORK/during.facts"
check "during the replay: the chart drew samples (uPlot loaded)" \
	test "$(fact "$WORK/during.facts" chart.samples)" -gt 0 -a -z "$(fact "$WORK/during.facts" chart.error)"
check "during the replay: the chart shows traffic" test "$(fact "$WORK/during.facts" chart.total-bytes)" -gt 0
check "during the replay: the top table lists flows" test "$(fact "$WORK/during.facts" top.rows)" -gt 0

# ---- after it: exact ----------------------------------------------------------------------------
check "all $want frames counted" wait_frames "$want"
sleep 2.5 # the last second sampled, the last drain merged
status_json >"$WORK/status.jsonl"
web_get /metrics >"$WORK/metrics.txt"
"$TEST_WEB" --check-metrics "$WORK/metrics.txt"
if command -v promtool >/dev/null; then # Prometheus's own linter, where installed
	check "promtool check metrics accepts /metrics" promtool check metrics <"$WORK/metrics.txt"
fi
ok=1
for dir in tx rx other; do
	for v in 4 6; do
		for what in packets bytes; do
			m=$(metric "flowtower_${what}_total{direction=\"$dir\",ip_version=\"$v\"}")
			s=$(stat ${dir}_${what}_ipv$v)
			[ "$m" = "$s" ] || { echo "  $dir $what IPv$v: /metrics $m, status $s" >&2; ok=0; }
		done
	done
done
check "/metrics packets and bytes by direction and IP version equal status --json" test $ok = 1
check "/metrics frames equal status --json rx_frames" test "$(metric flowtower_frames_total)" = "$(stat rx_frames)"
check "/metrics flow packets equal status --json" test "$(metric flowtower_flow_packets_total)" = "$(stat flow_packets)"
check "the replay had tx and rx (the local prefix took)" test "$(stat tx_packets_ipv4)" -gt 0 -a "$(stat rx_packets_ipv4)" -gt 0

page_dom "$URL" >"$WORK/after.html"
facts "$WORK/after.html" >"$WORK/after.facts"
sed 's/^/  after: /' "$WORK/after.facts"
F=$WORK/after.facts
check "chart: total bytes = the counters' ($(stat $ALL_BYTES))" test "$(fact $F chart.total-bytes)" = "$(stat $ALL_BYTES)"
check "chart: total packets = the counters' ($(stat $ALL_PKTS))" test "$(fact $F chart.total-pkts)" = "$(stat $ALL_PKTS)"
check "chart: in (rx) bytes = the counters'" test "$(fact $F chart.rx-bytes)" = "$(stat rx_bytes_ipv4 rx_bytes_ipv6)"
check "chart: out (tx) bytes = the counters'" test "$(fact $F chart.tx-bytes)" = "$(stat tx_bytes_ipv4 tx_bytes_ipv6)"
check "top table: first row is the biggest flow $big_orig -> $big_resp" \
	test "$(fact $F top0.orig) $(fact $F top0.resp)" = "$big_orig $big_resp"
check "top table: its name is the SNI $big_name" test "$(fact $F top0.name)" = "$big_name"
check "top table: its bytes are $big_bytes" test "$(fact $F top0.bytes)" = "$big_bytes"
check "top table: the row shows addresses, name and bytes" \
	grep -q "^top0.text=tcp | $big_orig:[0-9]* | $big_resp:443 | $big_name | $(/usr/bin/python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$big_bytes")" "$F"
check "hostnames table: $big_name with its bytes" test "$(fact $F "host.$big_name")" = "$(/usr/bin/python3 -c 'import json,sys
print(sum(x["orig_bytes"]+x["resp_bytes"] for x in map(json.loads, open(sys.argv[1])) if x.get("hostname")==sys.argv[2]))' "$WORK/offline.jsonl" "$big_name")"
check "devices: none known yet (IPv6 off), the empty-state line shows" \
	test "$(fact $F devices.empty_shown)" = 1 -a "$(fact $F devices.rows)" = 0
check "health: nothing lost, drop table filled" test "$(fact $F health)" = ok -a "$(fact $F drops.rows)" -gt 0
check "history: no database, the page says why (404)" test "$(fact $F history.error)" = 404

# ---- devices: IPv6 on, a ping across the mirror port; the catalog's neighbors become rows -------
if lab_ipv6 2001:db8:77::1/64 2001:db8:77::10/64; then
	mac_r=$(if_mac $NS_R $IF_R)
	ping6_ok $NS_S 2001:db8:77::10 2
	for _ in $(seq 1 50); do
		web_get /api/neighbors | grep -q "\"mac\":\"$mac_r\"" && break
		sleep 0.1
	done
	neigh=$(web_get /api/neighbors | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	page_dom "$URL" >"$WORK/devices.html"
	facts "$WORK/devices.html" >"$WORK/devices.facts"
	check "devices: the daemon learned neighbors ($neigh)" test "${neigh:-0}" -gt 0
	check "devices: one row per neighbor" test "$(fact "$WORK/devices.facts" devices.rows)" = "${neigh:-x}"
	check "devices: 2001:db8:77::10 is shown with $mac_r" grep -q "^device=2001:db8:77::10 $mac_r$" "$WORK/devices.facts"
else
	fail "IPv6 on in the lab"
fi

# ---- the API on the real daemon -----------------------------------------------------------------
code_type() { web_get "$@" -o /dev/null -w '%{http_code} %{content_type}'; }
check "GET / is the page" test "$(code_type /)" = "200 text/html; charset=utf-8"
check "GET /uPlot.iife.min.js is the chart package" test "$(code_type /uPlot.iife.min.js)" = "200 text/javascript; charset=utf-8"
for p in /api/state /api/stats /api/seconds /api/top /api/report /api/neighbors; do
	check "GET $p is JSON" test "$(code_type $p)" = "200 application/json"
	check "GET $p parses" /usr/bin/python3 -c 'import json,sys; json.load(sys.stdin)' < <(web_get $p)
done
check "GET /metrics is text 0.0.4" test "$(code_type /metrics)" = "200 text/plain; version=0.0.4; charset=utf-8"
check "GET /api/history without a database is 404" test "$(code_type /api/history | cut -d' ' -f1)" = 404
check "GET /nothing is 404" test "$(code_type /nothing | cut -d' ' -f1)" = 404
check "POST /api/state is 405" test "$(code_type /api/state -X POST -d x | cut -d' ' -f1)" = 405
check "HEAD / is 200" test "$(web_get / -I -o /dev/null -w '%{http_code}')" = 200
check "answers say no-store and nosniff" test "$(web_get /api/top -D - -o /dev/null | grep -ci -e '^cache-control: no-store' -e '^x-content-type-options: nosniff')" = 2
check "a foreign Host is refused (DNS rebinding)" test "$(code_type /api/top -H 'Host: evil.example' | cut -d' ' -f1)" = 403
sensor_stop TERM
check "the daemon stopped cleanly with the server running" grep -q "final drain" "$SENSOR_LOG"

# ---- history: with a database (--db embedded), the page's per-minute chart is the stored throughput
chmod 755 "$WORK" # the cluster runs as postgres inside it
"$FT" detach -i $IF_S >/dev/null 2>&1 # counted from zero again
check "sensor with --db embedded and --web" sensor_start --db embedded --state-dir "$WORK/hstate" --db-interval 5 \
	--web 127.0.0.1:$WEB_PORT --local $LOCAL
replay "$PCAPS/ndpi__chrome.pcap"
check "chrome counted again" wait_frames 127
in_s "$FT" status -i $IF_S --json >"$WORK/status.jsonl"
want_b=$(stat $ALL_BYTES) want_p=$(stat $ALL_PKTS)
for _ in $(seq 1 40); do # a batch every 5 s
	web_get "/api/history?minutes=60" | grep -q "\"other_pkts\":$want_p\|\"rx_pkts\":[1-9]" && break
	sleep 0.5
done
check "GET /api/history with a database is JSON" test "$(code_type /api/history)" = "200 application/json"
page_dom "$URL" >"$WORK/history.html"
facts "$WORK/history.html" >"$WORK/history.facts"
web_get "/api/history?minutes=1440" >"$WORK/history.json" # what the page asked for (its default, a day)
api=$(/usr/bin/python3 -c 'import json,sys
m=json.load(open(sys.argv[1]))["minutes"]
print(sum(x[d+"_bytes"] for x in m for d in ("tx","rx","other")), sum(x[d+"_pkts"] for x in m for d in ("tx","rx","other")))' \
	"$WORK/history.json")
in_s "$FT" status -i $IF_S --json >"$WORK/status.jsonl"
now_p=$(stat $ALL_PKTS)
grep "^history" "$WORK/history.facts" | sed "s/^/  page: /"
check "history: no error shown" test -z "$(fact "$WORK/history.facts" history.error)"
check "history: the chart shows the stored minutes ($api bytes and packets)" \
	test "$(fact "$WORK/history.facts" history.total_bytes) $(fact "$WORK/history.facts" history.total_pkts)" = "$api"
check "history: stored packets between the replay's $want_p and the counters' $now_p" \
	test "${api#* }" -ge "$want_p" -a "${api#* }" -le "$now_p"
sensor_stop TERM
check "the store flushed at SIGTERM" grep -q "store: everything is in the database" "$SENSOR_LOG"
rm -f "/run/flowtower/$IF_S.neighbors.jsonl" # the catalog our daemon saved for this lab's interface
