#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# tests/bench/offline_score.py DIR TRUTH - each tool's speed, flows and names found against the truth, as JSON.
import csv, ipaddress, json, os, re, sys

w, truth_path = sys.argv[1], sys.argv[2]
truth = json.load(open(truth_path))
tot = truth["totals"]
pkts = tot["packets"]


def key(proto, a, ap, b, bp):
    try:
        a, b = str(ipaddress.ip_address(a)), str(ipaddress.ip_address(b))
    except ValueError:
        pass
    x, y = (a, int(ap)), (b, int(bp))
    return (int(proto),) + (x + y if x <= y else y + x)


sni, host = {}, {}
for f in truth["flows"]:
    if f.get("proto") not in (6, 17):
        continue
    k = key(f["proto"], f["orig_addr"], f["orig_port"], f["resp_addr"], f["resp_port"])
    if f.get("sni"):
        sni[k] = f["sni"]
    if f.get("http_host"):
        host[k] = f["http_host"]


def score(found):
    """found: flow key -> set of names the tool reported for it"""
    s = sum(1 for k, n in sni.items() if n in found.get(k, ()))
    h = sum(1 for k, n in host.items() if n in found.get(k, ()))
    return s, h


def timing(name):
    p = os.path.join(w, name + ".t")
    if not os.path.exists(p):
        return None
    wall, user, sys_, rss, rc = open(p).read().split()
    return dict(wall_s=float(wall), cpu_s=round(float(user) + float(sys_), 3), user_s=float(user),
                sys_s=float(sys_), max_rss_mb=round(int(rss) / 1024, 1), rc=int(rc))


res = {"capture_packets": pkts, "truth": {"flows": tot["flows"], "tcp_flows": tot["flows_by_proto"].get("tcp", 0),
       "snis": len(sni), "http_hosts": len(host)}, "tools": {}}

for tool in ("tcpdump", "flowtower", "ndpi", "softflowd", "tshark"):
    t = timing(tool)
    if t is None:
        continue
    n = pkts
    if tool == "tshark":
        n = min(pkts, int(open(os.path.join(w, "tshark.pkts")).read()))
        t["packets_timed"] = n
    t["pps"] = round(n / t["cpu_s"]) if t["cpu_s"] > 0 else None
    t["pps_wall"] = round(n / t["wall_s"]) if t["wall_s"] > 0 else None
    found, flows = None, None
    if tool == "flowtower":
        found, flows = {}, 0
        for line in open(os.path.join(w, "flowtower.out")):
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("type") != "flow":
                continue
            flows += 1
            names = set()
            for sec, fld in (("tls", "sni"), ("http", "host"), ("quic", "sni")):
                v = (r.get(sec) or {}).get(fld)
                if v:
                    names.add(v)
            if names and r.get("orig_port") is not None:
                found.setdefault(key(r["proto"], r["orig_addr"], r["orig_port"], r["resp_addr"], r["resp_port"]),
                                 set()).update(names)
    elif tool == "ndpi":
        found, flows = {}, 0
        p = os.path.join(w, "ndpi.csv")
        if os.path.exists(p):
            with open(p, newline="") as fh:
                rd = csv.reader(fh)
                hdr = next(rd, [])
                hdr[0] = hdr[0].lstrip("#")
                ix = {h: i for i, h in enumerate(hdr)}
                for row in rd:
                    if len(row) < len(hdr) // 2:
                        continue
                    flows += 1
                    v = row[ix["server_name_sni"]]
                    if v:
                        try:
                            k = key(row[ix["protocol"]], row[ix["src_ip"]], row[ix["src_port"]],
                                    row[ix["dst_ip"]], row[ix["dst_port"]])
                        except (ValueError, KeyError):
                            continue
                        found.setdefault(k, set()).add(v)
    elif tool == "softflowd":
        m = re.search(r"Flows exported: (\d+)", open(os.path.join(w, "softflowd.out")).read())
        flows = int(m.group(1)) if m else None
        t["note"] = "NetFlow v9 exported to the discard port; flows from its 'Flows exported' line; no L7 names"
    elif tool == "tshark":
        flows = sum(1 for l in open(os.path.join(w, "tshark.out")) if "<->" in l)
        t["note"] = "timed on the first %d packets only (too slow for all); conv,tcp lines = TCP conversations" % n
    elif tool == "tcpdump":
        t["note"] = "raw read and write to /dev/null: the floor"
    t["flows"] = flows
    if found is not None:
        s, h = score(found)
        t["snis_found"], t["http_hosts_found"] = s, h
    res["tools"][tool] = t

T = res["tools"]
ratios = {}


def ratio(name, a, b, target):
    if a in T and b in T and T[a].get("pps") and T[b].get("pps"):
        r = T[a]["pps"] / T[b]["pps"]
        ratios[name] = {"ratio": round(r, 3), "target": target, "met": r >= target,
                        "missed_by": None if r >= target else "%.1fx short (%.0f%% of the target)" % (target / r, 100 * r / target)}


ratio("flowtower_vs_ndpi", "flowtower", "ndpi", 10)
ratio("flowtower_vs_softflowd", "flowtower", "softflowd", 3)
ratio("flowtower_vs_tcpdump", "flowtower", "tcpdump", 0.4)
if "flowtower" in T:
    f = T["flowtower"]
    f["all_names"] = f.get("snis_found") == len(sni) and f.get("http_hosts_found") == len(host)
res["ratios"] = ratios
res["pps_basis"] = "packets / (user+sys CPU seconds) of the tool's process; pps_wall also given"
print(json.dumps(res, indent=1))
