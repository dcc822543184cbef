#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/memory.sh - memory per concurrent flow at 100k and 1M flows: the RSS of `flowtower
# read`, and of the daemon (`flowtower run`, --max-flows/--kernel-flows sized for the count) after
# the same flows were replayed into a veth lab, with the kernel maps' memory (bpftool
# bytes_memlock) of the maps pinned under /sys/fs/bpf/flowtower/IF/ and those its program uses.
# The flows come from tests/bench/manyflows.py (FLOWS one-packet UDP flows: tools/ftgen's
# realistic flows cost ~13 packets each and open at 40k a second, so `ftgen -f 1000000 -n 3M`
# holds only ~84k flows at once); one ftgen capture (-f 100000 -n 1M, ~77k flows with TLS, QUIC,
# HTTP and DNS names) gives the figure for flows that carry names.
set -u
. "$(dirname "$0")/lib.sh"
FLOWS=${BENCH_MEM_FLOWS:-100000 1000000}
LIVE=1
[ "$(id -u)" = 0 ] || LIVE=
command -v bpftool >/dev/null || LIVE=
if [ -n "$LIVE" ]; then
	. "$BENCH_DIR/lab.sh"
	trap lab_down EXIT
	lab_up || LIVE=
else
	W=$(mktemp -d /dev/shm/ftbench.mem.XXXXXX)
	trap 'rm -rf "$W"' EXIT
fi
R=$W/mem
mkdir -p "$R"

# maps_mem: {"total": bytes, "maps": {name: bytes}} of the maps pinned for the sensor's interface
# and those its program references (flows_a/flows_b are inner maps: pinned, not referenced)
maps_mem() {
	python3 - "/sys/fs/bpf/flowtower/$IF_S" <<'PY'
import json, os, subprocess, sys
d = sys.argv[1]
def bt(*a):
    r = subprocess.run(["bpftool", "-j"] + list(a), capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None
ids = set()
for f in sorted(os.listdir(d)):
    m = bt("map", "show", "pinned", os.path.join(d, f))
    if isinstance(m, dict) and "id" in m:
        ids.add(m["id"])
p = bt("prog", "show", "pinned", os.path.join(d, "prog"))
if isinstance(p, dict):
    ids.update(p.get("map_ids", []))
maps = {}
for i in sorted(ids):
    m = bt("map", "show", "id", str(i))
    if m:
        maps[m.get("name", str(i))] = maps.get(m.get("name", str(i)), 0) + m.get("bytes_memlock", 0)
print(json.dumps({"total": sum(maps.values()), "maps": maps}))
PY
}

# rss PID: {"rss_kb", "hwm_kb", "umem_rss_kb"} - the AF_XDP frame area is the anonymous mapping
# of exactly UMEM_KB (the daemon logs its frames), pinned whole when the socket is bound
rss() {
	python3 - "$1" "${2:-0}" <<'PY'
import json, re, sys
pid, umem_kb = sys.argv[1], int(sys.argv[2])
st = dict(l.split(":", 1) for l in open("/proc/%s/status" % pid) if ":" in l)
kb = lambda s: int(s.split()[0])
o = {"rss_kb": kb(st["VmRSS"]), "hwm_kb": kb(st["VmHWM"]), "umem_rss_kb": 0}
size = None
for l in open("/proc/%s/smaps" % pid):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", l):
        size = None
    elif l.startswith("Size:"):
        size = kb(l.split(":")[1])
    elif l.startswith("Rss:") and umem_kb and size == umem_kb:
        o["umem_rss_kb"] += kb(l.split(":")[1])
print(json.dumps(o))
PY
}

# flows_open: the daemon's userspace table, from its control socket
flows_open() { daemon_state | sed -n 's/.*"flows_open":\([0-9]*\).*/\1/p'; }

# measure NAME FILE FLOWS READ_DIVISOR: read's RSS, then (root) the daemon's and the maps'
measure() {
	local name=$1 f=$2 n=$3 div=$4 mf kf umem i last=-1 got rs
	mf=$((n * 3 / 2)); [ "$mf" -ge 1024 ] || mf=1024
	kf=$((n * 5 / 4)); [ "$kf" -ge 1024 ] || kf=1024
	say "$name: flowtower read --max-flows $mf"
	timed "$R/$name.read" "$FT" read --json --max-flows "$mf" "$f" > /dev/null 2> "$R/$name.read.err"
	echo "flows=$n read_flows=$div max_flows=$mf kernel_flows=$kf" > "$R/$name.conf"
	[ -n "$LIVE" ] || return 0
	say "$name: flowtower run --max-flows $mf --kernel-flows $kf, ftreplay"
	sensor_start --max-flows "$mf" --kernel-flows "$kf" --drain-interval 1000 || return 1
	umem=$(sed -n 's/.* \([0-9]*\) frames of \([0-9]*\) bytes each.*/\1 \2/p' "$SENSOR_LOG" | awk '{ print $1 * $2 / 1024; exit }')
	rss "$SENSOR_PID" "$umem" > "$R/$name.rss0"
	maps_mem > "$R/$name.maps0"
	SETTLE=0 replay "$f" mmsg > "$R/$name.replay" || { sensor_stop; return 1; }
	for i in $(seq 1 30); do # until the table holds them all, or stops growing
		got=$(flows_open)
		[ "${got:-0}" -ge "$n" ] && break
		[ "${got:-0}" = "$last" ] && [ "$i" -gt 3 ] && break
		last=${got:-0}
		sleep 1
	done
	daemon_state > "$R/$name.state"
	rss "$SENSOR_PID" "$umem" > "$R/$name.rss1"
	maps_mem > "$R/$name.maps1"
	sensor_stop
}

t0=$(date +%s)
for n in $FLOWS; do
	cap=$SHM/manyflows$n.pcap
	[ -s "$cap" ] || { say "manyflows.py $n"; python3 "$BENCH_DIR/manyflows.py" "$cap.tmp" "$n" >/dev/null && mv "$cap.tmp" "$cap"; } || exit 1
	measure "synthetic_$n" "$cap" "$n" "$n"
done
if [ -z "${BENCH_MEM_NO_FTGEN:-}" ]; then
	say "ftgen -f 100000 -n 1000000 (flows with names)"
	"$TOOLS/ftgen" -o "$W/ftgen.pcap" -n 1000000 -f 100000 --truth "$W/ftgen.json" 2>/dev/null &&
		total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["flows"])' "$W/ftgen.json") &&
		measure ftgen_100k "$W/ftgen.pcap" "$total" "$total"
	rm -f "$W/ftgen.pcap"
fi
say "memory took $(( $(date +%s) - t0 )) s"
python3 "$BENCH_DIR/memory_summary.py" "$R" ${LIVE:+live} > "$FRAG/memory.json"
