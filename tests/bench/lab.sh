# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/lab.sh - the live benchmarks' lab (after lib.sh): two network namespaces joined by a
# veth pair (replayer's end, sensor's end), names unique per run, everything removed on exit
# (lab_down in the EXIT trap), and only processes started here are ever signalled.
LAB_ID=${LAB_ID:-$(printf '%04x' $((RANDOM % 65536)))}
NS_R=ftbr$LAB_ID NS_S=ftbs$LAB_ID IF_R=ftbr$LAB_ID IF_S=ftbs$LAB_ID
W=$(mktemp -d /dev/shm/ftbench.lab.XXXXXX)
SENSOR_PID= SENSOR_RUNS=0 COUNTER_ON=

in_r() { nsenter --net=/run/netns/$NS_R "$@"; }
in_s() { nsenter --net=/run/netns/$NS_S "$@"; } # our mount namespace: /sys/fs/bpf is shared

lab_up() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || return 1
	ip netns add $NS_R && ip netns add $NS_S || return 1
	local ns
	for ns in $NS_R $NS_S; do # no IPv6 router solicitations or DAD frames among the counted ones
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add $IF_R netns $NS_R type veth peer name $IF_S netns $NS_S || return 1
	ip -n $NS_R link set $IF_R up && ip -n $NS_S link set $IF_S up
}

# sensor_start [run options...]: flowtower run on the sensor's end, until it logs "counting"
sensor_start() {
	SENSOR_RUNS=$((SENSOR_RUNS + 1))
	SENSOR_LOG=$W/sensor.$SENSOR_RUNS.log
	# a simple command: nsenter execs, so $! is the daemon itself
	nsenter --net=/run/netns/$NS_S "$FT" run -i $IF_S --db none --verdict drop "$@" >"$SENSOR_LOG" 2>&1 &
	SENSOR_PID=$!
	local i
	for i in $(seq 1 300); do
		grep -q "counting" "$SENSOR_LOG" 2>/dev/null && return 0
		kill -0 "$SENSOR_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/  sensor: /' "$SENSOR_LOG" >&2
	sensor_stop
	return 1
}

# sensor_stop: end the daemon, detach the program and remove its pins (a fresh start next time)
sensor_stop() {
	if [ -n "$SENSOR_PID" ]; then
		kill -TERM "$SENSOR_PID" 2>/dev/null
		wait "$SENSOR_PID" 2>/dev/null
		SENSOR_PID=
	fi
	[ -d /sys/fs/bpf/flowtower/$IF_S ] && in_s "$FT" detach -i $IF_S >/dev/null 2>&1
	return 0
}

# the stats line of `flowtower status --json` (every flow line is left out)
status_stats() { in_s "$FT" status -i $IF_S --json 2>/dev/null | grep '"type":"stats"' | tail -n 1; }

# the daemon's own state object, straight from its control socket (no flow listing: cheap at 1M flows)
daemon_state() {
	python3 - "/run/flowtower/$IF_S.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1]); s.sendall(b"state\n")
b = b""
while True:
    d = s.recv(65536)
    if not d: break
    b += d
print(next((l for l in b.decode().splitlines() if l.startswith("{")), "{}"))
PY
}

# counter_on / counter_off: tests/bench/counter.bpf.c (the bare per-CPU counter) on the sensor's end
counter_on() {
	ip -n $NS_S link set dev $IF_S xdpdrv obj "$1" sec xdp.frags || return 1
	COUNTER_ON=1
}
counter_off() {
	[ -n "$COUNTER_ON" ] && ip -n $NS_S link set dev $IF_S xdpdrv off
	COUNTER_ON=
}
# counter_value: the counter program's packets, summed over CPUs
counter_value() {
	local prog map
	prog=$(ip -n $NS_S -j -d link show $IF_S | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"]["prog"]["id"])') || return 1
	map=$(bpftool -j prog show id "$prog" | python3 -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])') || return 1
	bpftool -j map dump id "$map" | python3 -c '
import json, sys
n = 0
for e in json.load(sys.stdin):
    for v in e.get("values", []):
        x = v["value"]
        n += int.from_bytes(bytes(int(b, 16) for b in x), "little") if isinstance(x, list) else int(x)
print(n)'
}

# cpu_sampler_start / _stop: the machine's CPU counters (/proc/stat's cpu line, all CPUs, in
# seconds: busy = everything but idle and iowait, and softirq) every 20 ms into $W/cpu.samples as
# "TIME BUSY SOFTIRQ", so that a window can be cut out afterwards (cpu_window in report terms)
CPU_SAMPLER=
cpu_sampler_start() {
	python3 - "$W/cpu.samples" <<'PY' &
import os, sys, time
hz = os.sysconf("SC_CLK_TCK")
with open(sys.argv[1], "w", buffering=1) as out:
    while True:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        out.write("%.4f %.2f %.2f\n" % (time.time(), (sum(v[:8]) - v[3] - v[4]) / hz, v[6] / hz))
        time.sleep(0.02)
PY
	CPU_SAMPLER=$!
}
cpu_sampler_stop() { [ -n "$CPU_SAMPLER" ] && kill "$CPU_SAMPLER" 2>/dev/null; wait "$CPU_SAMPLER" 2>/dev/null; CPU_SAMPLER=; }

# replay FILE METHOD [ftreplay options]: send FILE from the replayer's end, then wait SETTLE
# seconds (default 1) for the sensor to catch up. Prints ftreplay's key=value line plus
# t_exit= (when it ended), replayer_cpu= (its user+sys seconds) and settle=. The send itself is
# the "seconds" before t_exit (loading the file into memory comes first and is left out).
replay() {
	local f=$1 m=$2 t1 line
	shift 2
	/usr/bin/time -o "$W/replay.t" -f '%U %S' nsenter --net=/run/netns/$NS_R "$TOOLS/ftreplay" -i $IF_R -m "$m" "$@" "$f" >"$W/replay.out" 2>"$W/replay.err"
	t1=$(date +%s.%N)
	sleep "${SETTLE:-1}"
	line=$(cat "$W/replay.out" "$W/replay.err" | grep '^packets=' | tail -n 1)
	[ -n "$line" ] || { sed 's/^/  ftreplay: /' "$W/replay.err" >&2; return 1; }
	echo "$line t_exit=$t1 replayer_cpu=$(awk '{ print $1 + $2 }' "$W/replay.t") settle=${SETTLE:-1}"
}

HZ=$(getconf CLK_TCK)
# proc_cpu PID: user+system seconds of a process (all its threads)
proc_cpu() { awk -v hz="$HZ" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# ksoftirqd_cpu: user+system seconds of every ksoftirqd/N (veth's NAPI, so XDP, runs there when it
# does not run right in the sender's system call; without IRQ time accounting the kernel charges
# softirq work to the task it interrupted, so the sender's and these times hold all of XDP's)
ksoftirqd_cpu() {
	local p t=0
	for p in $(pgrep -x 'ksoftirqd/[0-9]+'); do t=$(echo "$t + $(proc_cpu "$p")" | bc); done
	echo "$t"
}

lab_down() {
	cpu_sampler_stop
	counter_off 2>/dev/null
	sensor_stop
	ip netns del $NS_R 2>/dev/null
	ip netns del $NS_S 2>/dev/null
	rm -rf "$W"
}
