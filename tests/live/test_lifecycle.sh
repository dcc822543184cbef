#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Operating the daemon: config files (errors name file, line and accepted values), --check-config,
# SIGHUP reloading local prefixes and timeouts without losing a count, the privilege drop (the
# daemon's /proc status shows the user and no effective capability), and the systemd unit.
. "$(dirname "$0")/lib.sh"

# -- config errors: no root, no lab needed
conf=$WORK/ft.conf
printf '[sensor]\ninterface = eth9\nverdictt = drop\n' >"$conf"
out=$("$FT" run --config "$conf" --check-config 2>&1)
check "unknown key: exit 2" test $? -eq 2
check "unknown key: names file and line" grep -q "ft.conf:3: unknown key 'verdictt'" <<<"$out"
check "unknown key: lists the accepted keys" grep -q "accepted in \[sensor\]:.*verdict" <<<"$out"
printf '[sensor]\nverdict = maybe\n' >"$conf"
out=$("$FT" run --config "$conf" -i eth9 2>&1)
check "bad value: names the accepted values" grep -q "ft.conf:2: verdict: 'maybe': accepted values are pass, drop" <<<"$out"
printf '[timeouts]\ntcp = 0\n' >"$conf"
out=$("$FT" run --config "$conf" -i eth9 2>&1)
check "out of range: names the range" grep -q "ft.conf:2: tcp: '0' is not a number in 1..604800" <<<"$out"
printf '[sensor]\ninterface = eth9\nlocal = 10.0.0.0/8\n[timeouts]\ntcp = 600\n' >"$conf"
out=$("$FT" run --config "$conf" --check-config -l 192.0.2.0/24)
check "--check-config: the command line's --local replaces the file's" \
	bash -c "grep -qx 'local = 192.0.2.0/24' <<<'$out' && ! grep -q '10.0.0.0' <<<'$out'"
check "--check-config: values from the file" grep -qx "tcp = 600" <<<"$out"
check "--check-config: the embedded database by default" grep -qx "db = embedded" <<<"$out"
printf '[sensor]\ninterface = eth9\ndb = none\n' >"$conf"
out=$("$FT" run --config "$conf" --check-config 2>&1)
check "db = none turns the store off" grep -qx "db = none" <<<"$out"
printf '[sensor]\ninterface = eth9\ndb = none\ndb-interval = 2\n' >"$conf"
out=$("$FT" run --config "$conf" --check-config 2>&1)
check "db-interval out of range: names the range" grep -q "ft.conf:4: db-interval: '2' is not a number in 5..3600" <<<"$out"

# -- SIGHUP: local prefixes change live, every frame still counted
lab_up || { fail "lab setup"; exit 1; }
printf '[sensor]\nlocal = 10.99.0.0/16\nauto-local = no\n' >"$conf"
check "sensor started with a config file" sensor_start --config "$conf" --umem-mb 32
replay "$PCAPS/ndpi__chrome.pcap"
check "first capture counted" wait_frames 127
printf '[sensor]\nlocal = 192.168.0.0/16\nauto-local = no\n[timeouts]\nudp = 77\n' >"$conf"
kill -HUP "$SENSOR_PID"
for i in $(seq 1 50); do grep -q "reload: timeouts" "$SENSOR_LOG" && break; sleep 0.1; done
check "SIGHUP read the file again" grep -q "reload: local prefix 192.168.0.0/16" "$SENSOR_LOG"
check "SIGHUP applied the timeouts" grep -q "udp 77s" "$SENSOR_LOG"
sleep 0.7 # a drain with the new prefixes in the kernel
replay "$PCAPS/ndpi__firefox.pcap"
check "second capture counted: nothing lost over the reload" wait_frames 256
sleep 0.7
status_json >"$WORK/s.jsonl"
count_local() { # count_local PORTLO PORTHI SIDE: flows of 192.168.1.178 in a port range with that local_side
	/usr/bin/python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["type"] == "flow" and o["orig_addr"] == "192.168.1.178" and int(sys.argv[2]) <= o["orig_port"] <= int(sys.argv[3]) \
       and o["local_side"] == (None if sys.argv[4] == "null" else sys.argv[4]):
        n += 1
print(n)' "$WORK/s.jsonl" "$@"
}
chrome_local=$(count_local 64000 65000 null)  # ndpi__chrome.pcap's client ports
firefox_local=$(count_local 51000 52000 orig) # ndpi__firefox.pcap's
check "flows before the reload: not local ($chrome_local of 6)" test "$chrome_local" -eq 6
check "flows after the reload: the new local prefix ($firefox_local of 6)" test "$firefox_local" -eq 6
check "still running after SIGHUP" kill -0 "$SENSOR_PID"
sensor_stop TERM

# -- privilege drop: a throwaway user, removed at the end
user=ftpriv$LAB_ID
useradd --system --no-create-home --shell /usr/sbin/nologin "$user" 2>/dev/null
chmod 755 "$WORK" # the embedded cluster runs as $user inside it
check "sensor started with --user $user (and --db embedded)" sensor_start --user "$user" --umem-mb 32 \
	--db embedded --state-dir "$WORK/pstate" --db-interval 5
st=/proc/$SENSOR_PID/status
uid=$(id -u "$user")
check "daemon runs as $user" grep -qE "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid" "$st"
check "no effective capability" grep -qE "^CapEff:\s+0000000000000000" "$st"
check "no inheritable capability" grep -qE "^CapInh:\s+0000000000000000" "$st"
replay "$PCAPS/ndpi__sites.pcapng"
check "counting and draining go on without root" wait_frames $((256 + 699))
sleep 0.7
status_json >"$WORK/s2.jsonl"
check "the unprivileged daemon still answers status (names it learned)" grep -q '"hostname_source":"tls_sni"' "$WORK/s2.jsonl"
sensor_stop TERM
check "without root: the store flushed to its cluster at SIGTERM" grep -q "store: everything is in the database" "$SENSOR_LOG"
check "without root: the neighbor catalog was saved" test -z "$(grep "catalog was not saved" "$SENSOR_LOG")"
check "the embedded cluster ran as $user" test "$(stat -c %U "$WORK/pstate/pg/data")" = "$user"
userdel "$user" 2>/dev/null

# -- the systemd unit, where systemd-analyze is available
if command -v systemd-analyze >/dev/null; then
	unit=$WORK/flowtower.service
	sed "s|/usr/local/sbin/flowtower|$FT|" "$top/tools/flowtower.service" >"$unit"
	mkdir -p "$WORK/man/man8" && cp "$top/doc/flowtower.8" "$WORK/man/man8/" # its Documentation=man:
	check "systemd-analyze verify accepts the unit" env MANPATH="$WORK/man" systemd-analyze verify "$unit"
fi
