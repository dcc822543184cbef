#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/live.sh - the shared capture replayed at top speed (tools/ftreplay: sendmmsg with
# PACKET_QDISC_BYPASS, or an AF_XDP transmit socket) into a veth whose other end `flowtower run`
# watches (--verdict drop, --db none): packets per second, loss, the drop counters, machine CPU per
# packet, against tests/bench/counter.bpf.c (a bare per-CPU counter) on the same replay; when top
# speed loses anything, a paced bisection (ftreplay --pps) for a rate without loss.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { skipped live "needs root (network namespaces, XDP)"; exit 0; }
command -v bpftool >/dev/null || { skipped live "no bpftool"; exit 0; }
need_capture || exit 1
counter=$(bpf_obj counter) || exit 1
. "$BENCH_DIR/lab.sh"
trap lab_down EXIT
lab_up || { skipped live "could not build the veth lab"; exit 0; }
R=$W/runs
mkdir -p "$R"
cpu_sampler_start
METHODS=${BENCH_LIVE_METHODS:-mmsg xsk}

# the 2 s before a replay: the machine's background load (others' work on a shared machine)
bg_window() { local t0; t0=$(date +%s.%N); sleep 2; echo "bg0=$t0 bg1=$(date +%s.%N)" > "$1"; }

# wait_counted WANT: until status's rx_frames reaches WANT or stops moving (10 s at most)
wait_counted() {
	local i got last=-1
	for i in $(seq 1 20); do
		got=$(status_stats | sed -n 's/.*"rx_frames":\([0-9]*\).*/\1/p')
		[ "${got:-0}" -ge "$1" ] && return 0
		[ "${got:-0}" = "$last" ] && return 1
		last=${got:-0}
		sleep 0.5
	done
	return 1
}

# ft_run NAME FILE METHOD [ftreplay options]: a fresh daemon, one replay, its status before/after
ft_run() {
	local name=$1 f=$2 m=$3 sent
	shift 3
	say "flowtower: $name (ftreplay -m $m $*)"
	sensor_start || { say "flowtower run did not start"; return 1; }
	status_stats > "$R/$name.before"
	bg_window "$R/$name.bg"
	echo "daemon_cpu0=$(proc_cpu "$SENSOR_PID") ksoftirqd0=$(ksoftirqd_cpu)" > "$R/$name.daemon"
	replay "$f" "$m" "$@" > "$R/$name.replay" || { sensor_stop; return 1; }
	echo "daemon_cpu1=$(proc_cpu "$SENSOR_PID") ksoftirqd1=$(ksoftirqd_cpu)" >> "$R/$name.daemon"
	sent=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' "$R/$name.replay")
	wait_counted "$sent"
	status_stats > "$R/$name.after"
	grep -E '^<[0-4]>' "$SENSOR_LOG" | head -n 5 > "$R/$name.log" # warnings and worse
	sensor_stop
	sed 's/^/  /' "$R/$name.replay" >&2
}

# counter_run NAME FILE METHOD: the bare counter on the sensor's end, the same replay
counter_run() {
	local name=$1 f=$2 m=$3
	say "counter.bpf.o: $name (ftreplay -m $m)"
	counter_on "$counter" || return 1
	echo "counted0=$(counter_value)" > "$R/$name.counter"
	bg_window "$R/$name.bg"
	echo "ksoftirqd0=$(ksoftirqd_cpu)" > "$R/$name.daemon"
	replay "$f" "$m" > "$R/$name.replay" || { counter_off; return 1; }
	echo "ksoftirqd1=$(ksoftirqd_cpu)" >> "$R/$name.daemon"
	echo "counted1=$(counter_value)" >> "$R/$name.counter"
	counter_off
	sed 's/^/  /' "$R/$name.replay" >&2
}

for m in $METHODS; do ft_run "ft_$m" "$CAP" "$m"; done
for m in $METHODS; do counter_run "counter_$m" "$CAP" "$m"; done

# the faster method for flowtower; if it lost anything at top speed, bisect a paced rate on a
# prefix of the capture (BENCH_LIVE_BISECT_PKTS, default 500k) in at most BENCH_LIVE_BISECT steps
summ() { python3 "$BENCH_DIR/live_summary.py" "$R" "$@"; }
best=$(summ best)
if [ -n "$best" ] && [ "$(summ lossy "ft_$best")" = 1 ]; then
	n=${BENCH_LIVE_BISECT_PKTS:-500000}
	pre=$SHM/cap.first$n.pcap
	[ -s "$pre" ] || editcap -r "$CAP" "$pre" "1-$n" || rm -f "$pre"
	if [ -s "$pre" ]; then
		hi=$(summ pps "ft_$best") lo=0
		for step in $(seq 1 "${BENCH_LIVE_BISECT:-4}"); do
			rate=$(( (lo + hi) / 2 ))
			[ "$rate" -ge 1000 ] || break
			echo "pps=$rate" > "$R/paced_$step.asked"
			ft_run "paced_$step" "$pre" "$best" --pps "$rate" || break
			if [ "$(summ lossy "paced_$step")" = 1 ]; then hi=$rate; else lo=$rate; fi
		done
	fi
fi
cpu_sampler_stop
summ report > "$FRAG/live.json"
