#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/live_summary.py RUNDIR CMD [NAME] - figures of tests/bench/live.sh's runs.
#   best: the method flowtower was fastest with; lossy NAME: 1 if that run lost or dropped
#   anything; pps NAME: its packets per second; report: the JSON fragment for results.json.
# A run NAME has NAME.replay (ftreplay's key=value line plus t_exit, replayer_cpu, settle),
# NAME.bg (bg0, bg1: a quiet window before it), NAME.before/.after (flowtower status --json
# stats lines) or NAME.counter (counted0/1, the bare counter's packets); ../cpu.samples holds
# "TIME BUSY SOFTIRQ" every 20 ms (machine-wide CPU seconds).
import bisect, json, os, re, sys

R, cmd = sys.argv[1], sys.argv[2]
DROP = re.compile(r"drop|full|nomem|no_xsk|lost|fail|fill_ring_empty|evicted_early|no_flow_map")


def kv(path):
    d = {}
    try:
        for tok in open(path).read().split():
            if "=" in tok:
                k, v = tok.split("=", 1)
                try:
                    d[k] = float(v) if "." in v else int(v)
                except ValueError:
                    d[k] = v
    except OSError:
        pass
    return d


def js(path):
    try:
        return json.loads(open(path).read().strip() or "{}")
    except (OSError, ValueError):
        return {}


samples = []
try:
    for line in open(os.path.join(R, "..", "cpu.samples")):
        p = line.split()
        if len(p) == 3:
            samples.append(tuple(float(x) for x in p))
except OSError:
    pass
times = [s[0] for s in samples]


def at(t, col):
    """CPU counter col (1 busy, 2 softirq) at time t, interpolated between samples"""
    if not samples:
        return None
    i = bisect.bisect_left(times, t)
    if i <= 0:
        return samples[0][col]
    if i >= len(samples):
        return samples[-1][col]
    (t0, *a), (t1, *b) = samples[i - 1], samples[i]
    f = (t - t0) / (t1 - t0) if t1 > t0 else 0
    return a[col - 1] + f * (b[col - 1] - a[col - 1])


def cpu(t0, t1, col=1):
    a, b = at(t0, col), at(t1, col)
    return None if a is None else b - a


def run(name):
    rp = kv(os.path.join(R, name + ".replay"))
    if "packets" not in rp:
        return None
    sent, secs = rp["packets"], rp["seconds"]
    o = {"method": rp.get("method"), "sent": sent, "send_s": round(secs, 3),
         "pps": round(sent / secs) if secs else None,
         "mbit_s": round(rp.get("bytes", 0) * 8 / secs / 1e6, 1) if secs else None,
         "retries": rp.get("retries"), "replayer_cpu_s": rp.get("replayer_cpu")}
    if "pps" in rp and isinstance(rp.get("pps"), (int, float)):
        o["ftreplay_pps"] = rp["pps"]
    # the CPU window: the send itself (its "seconds" before ftreplay ended) and the settle after
    t1 = rp["t_exit"] + rp.get("settle", 0)
    t0 = rp["t_exit"] - secs
    busy, soft = cpu(t0, t1, 1), cpu(t0, t1, 2)
    bg = kv(os.path.join(R, name + ".bg"))
    bgrate = None
    if "bg0" in bg:
        b = cpu(bg["bg0"], bg["bg1"])
        bgrate = b / (bg["bg1"] - bg["bg0"]) if b is not None else None
    dm = kv(os.path.join(R, name + ".daemon"))
    daemon = dm.get("daemon_cpu1", 0) - dm.get("daemon_cpu0", 0)
    ksoft = dm.get("ksoftirqd1", 0) - dm.get("ksoftirqd0", 0)
    own = (rp.get("replayer_cpu") or 0) + daemon + ksoft
    o["ksoftirqd_cpu_s"] = round(ksoft, 2)
    o["cpu_s"] = round(own, 2)
    o["cpu_ns_per_packet"] = round(own * 1e9 / sent)
    if busy is not None:
        o["machine_cpu_window_s"] = round(t1 - t0, 2)
        o["machine_busy_s"] = round(busy, 2)
        o["machine_softirq_s"] = round(soft, 2)
        o["background_busy_cpus"] = round(bgrate, 2) if bgrate is not None else None
        o["machine_cpu_ns_per_packet"] = round(busy * 1e9 / sent)
        if bgrate is not None:
            o["machine_cpu_ns_per_packet_less_background"] = round(max(0.0, busy - bgrate * (t1 - t0)) * 1e9 / sent)
    if os.path.exists(os.path.join(R, name + ".counter")):
        c = kv(os.path.join(R, name + ".counter"))
        counted = c.get("counted1", 0) - c.get("counted0", 0)
        o.update(counted=counted, loss=sent - counted, drops={})
    else:
        a, b = js(os.path.join(R, name + ".before")), js(os.path.join(R, name + ".after"))
        counted = b.get("rx_frames", 0) - a.get("rx_frames", 0)
        drops = {k: v - a.get(k, 0) for k, v in b.items() if DROP.search(k) and isinstance(v, int)}
        o.update(counted=counted, loss=sent - counted, drops=drops,
                 dropped_any={k: v for k, v in drops.items() if v},
                 daemon_cpu_s=round(daemon, 2),
                 steered={k: b.get(k, 0) - a.get(k, 0) for k in ("steer_xsk", "steer_copy", "userspace_frames",
                                                                 "userspace_late", "xsk_frames")},
                 flows_open=b.get("flows_open"), capture=b.get("capture"), attach_mode=b.get("attach_mode"),
                 workers=b.get("workers"), xsk_mode=b.get("xsk_mode"))
        try:
            log = open(os.path.join(R, name + ".log")).read().split("\n")
            if any(log):
                o["daemon_log"] = [l for l in log if l]
        except OSError:
            pass
    o["zero_loss"] = o["loss"] == 0 and not any(o["drops"].values())
    return o


def names(prefix):
    return sorted(f[:-7] for f in os.listdir(R) if f.startswith(prefix) and f.endswith(".replay"))


ft = {n[3:]: r for n in names("ft_") for r in [run(n)] if r}
best = max(ft, key=lambda m: ft[m]["pps"] or 0) if ft else None

if cmd == "best":
    print(best or "")
elif cmd == "lossy":
    r = run(sys.argv[3])
    print(1 if r and not r["zero_loss"] else 0)
elif cmd == "pps":
    r = run(sys.argv[3])
    print(r["pps"] if r else 0)
elif cmd == "report":
    if not best:
        print(json.dumps({"skipped": True, "why": "no flowtower replay finished (see the messages above)"}))
        sys.exit(0)
    cn = {n[8:]: r for n in names("counter_") for r in [run(n)] if r}
    f, c = ft[best], cn.get(best)
    d = {"method": best, "methods": {m: {"flowtower_pps": ft[m]["pps"], "counter_pps": (cn.get(m) or {}).get("pps")}
                                     for m in ft},
         "packets": f["sent"], "flowtower": f, "counter": c}
    notes = ["one veth pair in two network namespaces; ftreplay on the replayer's end (1 sender, 1 TX queue); "
             "veth runs the XDP program in the NAPI poll of the sending CPU, so sender and XDP share one CPU and "
             "the daemon's threads get the other",
             "pps = packets sent / ftreplay's send time; a full veth ring makes ftreplay wait and send again, so "
             "loss counts frames sent but not counted (status rx_frames), and drops are the daemon's steering "
             "and parsing losses (frames counted by XDP but not parsed in userspace)",
             "cpu_ns_per_packet = CPU time of the replayer (which runs veth's XDP in its send calls), every "
             "ksoftirqd and the daemon (all threads), per packet sent: the sender's own work is in both "
             "flowtower's and the counter's figure, so 'extra_ns_per_packet' (the difference) is the sensor's "
             "cost; ratio = flowtower's cpu_ns_per_packet / the counter's",
             "machine_cpu_ns_per_packet = all CPUs' busy time (/proc/stat: all but idle and iowait) over the "
             "send and the %s s after it; 'less background' subtracts the machine's busy rate in the 2 s before "
             "(the machine is shared)" % kv(os.path.join(R, "ft_" + best + ".replay")).get("settle")]
    bgl = [r.get("background_busy_cpus") for r in [f, c] if r and r.get("background_busy_cpus") is not None]
    if bgl and max(bgl) > 0.5:
        notes.append("other work kept %.1f of the %d CPUs busy before the replays: the rates are lower than on a "
                     "quiet machine and the machine-wide CPU figures mostly measure that work; the per-process "
                     "cpu_ns_per_packet is the one to compare" % (max(bgl), os.cpu_count()))
    if c:
        for k, k2 in (("cpu_ns_per_packet", "ratio"), ("machine_cpu_ns_per_packet", "ratio_machine"),
                      ("machine_cpu_ns_per_packet_less_background", "ratio_machine_less_background")):
            if f.get(k) and c.get(k):
                d[k2] = round(f[k] / c[k], 2)
        d["extra_ns_per_packet"] = f["cpu_ns_per_packet"] - c["cpu_ns_per_packet"]
        d["pps_ratio_counter_to_flowtower"] = round(c["pps"] / f["pps"], 2) if f["pps"] else None
        if c["pps"] and abs(c["pps"] - f["pps"]) / c["pps"] < 0.05:
            notes.append("flowtower and the bare counter ran at the same rate (within 5%%): the sender is the "
                         "bottleneck for both, and the CPU figures, not the rates, compare them")
        elif c["pps"] and c["pps"] > f["pps"]:
            notes.append("the bare counter took the replay %.1fx as fast: with flowtower attached the sensor, not "
                         "the sender, is the bottleneck (with the counter, the sender, which runs XDP in its "
                         "own system calls, sets the rate)" % (c["pps"] / f["pps"]))
    paced = [(n, run(n)) for n in names("paced_")]
    paced = [(n, p) for n, p in paced if p]
    if paced:
        ok = [p for n, p in paced if p["zero_loss"]]
        d["paced"] = {"packets": paced[0][1]["sent"], "runs": [
            {"pps_asked": kv(os.path.join(R, n + ".asked")).get("pps"), "pps": p["pps"], "loss": p["loss"], "dropped": p.get("dropped_any"),
             "zero_loss": p["zero_loss"], "cpu_ns_per_packet": p.get("cpu_ns_per_packet")} for n, p in paced],
            "zero_loss_pps": max(p["pps"] for p in ok) if ok else None}
        notes.append("top speed lost or dropped frames, so a paced bisection (ftreplay --pps, on the capture's "
                     "first %d packets) looked for a rate without: %s" % (
                         paced[0][1]["sent"], "%d pps had none" % d["paced"]["zero_loss_pps"] if ok
                         else "every paced rate tried still dropped some"))
    elif f["zero_loss"]:
        notes.append("top speed lost nothing and dropped nothing")
    d["note"] = notes
    print(json.dumps(d, indent=1))
