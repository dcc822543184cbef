// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// web/app.js - the live page: polls the daemon's JSON endpoints and draws them (uPlot for the charts).
"use strict";

const $ = (id) => document.getElementById(id);

// ---- formatting --------------------------------------------------------------------------------

function si(n, unit) {
  const steps = ["", "k", "M", "G", "T", "P"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < steps.length - 1) {
    n /= 1000;
    i++;
  }
  return (i ? n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0) : String(Math.round(n))) + " " + steps[i] + unit;
}
const fmtBits = (n) => si(n, "bit/s");
const fmtBytes = (n) => si(n, "B");
const fmtCount = (n) => (n === undefined || n === null ? "–" : Number(n).toLocaleString("en"));

function endpoint(addr, port) {
  if (port === null || port === undefined) return addr;
  return (addr.includes(":") ? "[" + addr + "]" : addr) + ":" + port;
}

// Text only: everything from the network goes in through textContent, never as HTML.
function row(cells, attrs) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c.text;
    if (c.num) td.className = "num";
    tr.appendChild(td);
  }
  for (const [k, v] of Object.entries(attrs || {})) tr.dataset[k] = v;
  return tr;
}

function fill(tableId, emptyId, rows) {
  const tbody = $(tableId).tBodies[0];
  tbody.replaceChildren(...rows);
  $(tableId).hidden = rows.length === 0;
  if (emptyId) $(emptyId).hidden = rows.length !== 0;
}

// {ok, status, data} or {ok: false, error}: the server's {"error": ...} text when it has one.
async function getJSON(url) {
  try {
    const r = await fetch(url, { cache: "no-store" });
    const data = await r.json().catch(() => null);
    if (!r.ok) return { ok: false, status: r.status, error: (data && data.error) || r.status + " " + r.statusText };
    return { ok: true, status: r.status, data };
  } catch (e) {
    return { ok: false, status: 0, error: "the daemon does not answer (" + e.message + ")" };
  }
}

// ---- charts ------------------------------------------------------------------------------------

const SERIES = [
  { key: "rx", label: "in (rx)", stroke: "#1f77b4" },
  { key: "tx", label: "out (tx)", stroke: "#d62728" },
  { key: "other", label: "other", stroke: "#7f7f7f" },
];

// whole seconds and up: samples are a second (or a minute) apart
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

function makeChart(el, height) {
  if (typeof uPlot !== "function") {
    el.textContent = "The chart package (uPlot) did not load.";
    el.dataset.error = "no-uplot";
    return null;
  }
  const opts = {
    width: Math.max(320, el.clientWidth),
    height,
    scales: { x: { time: true } },
    series: [{}].concat(SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 1.5, value: (u, v) => (v === null ? "–" : fmtBits(v)) }))),
    axes: [{ incrs: TIME_STEPS }, { size: 80, values: (u, vals) => vals.map(fmtBits) }],
  };
  return new uPlot(opts, [[], [], [], []], el);
}

const charts = {};
window.addEventListener("resize", () => {
  for (const [id, c] of Object.entries(charts)) if (c) c.setSize({ width: Math.max(320, $(id).clientWidth), height: c.height });
});

// samples: [{t, tx_bytes, rx_bytes, other_bytes, tx_pkts, ...}] over 'span' seconds each
function plot(id, height, samples, span) {
  if (!(id in charts)) charts[id] = makeChart($(id), height);
  const c = charts[id];
  const data = [samples.map((s) => s.t)].concat(SERIES.map((s) => samples.map((x) => ((x[s.key + "_bytes"] || 0) * 8) / span)));
  if (c) c.setData(data);
  // the series' totals, for people and for tests/live/test_web.sh
  const el = $(id), sum = (k) => samples.reduce((a, x) => a + (x[k] || 0), 0);
  for (const s of SERIES) {
    el.dataset[s.key + "Bytes"] = sum(s.key + "_bytes");
    el.dataset[s.key + "Pkts"] = sum(s.key + "_pkts");
  }
  el.dataset.totalBytes = SERIES.reduce((a, s) => a + sum(s.key + "_bytes"), 0);
  el.dataset.totalPkts = SERIES.reduce((a, s) => a + sum(s.key + "_pkts"), 0);
  el.dataset.lastT = samples.length ? samples[samples.length - 1].t : 0;
  return el;
}

async function updateLive() {
  const r = await getJSON("api/seconds");
  if (!r.ok) {
    $("live-summary").textContent = r.error;
    return;
  }
  const el = plot("chart-live", 260, r.data, 1);
  el.dataset.samples = r.data.length;
  const last = r.data[r.data.length - 1];
  $("live-summary").textContent = last
    ? `now: in ${fmtBits(last.rx_bytes * 8)}, out ${fmtBits(last.tx_bytes * 8)}, other ${fmtBits(last.other_bytes * 8)}; ` +
      `over the chart: in ${fmtBytes(+el.dataset.rxBytes)}, out ${fmtBytes(+el.dataset.txBytes)}, other ${fmtBytes(+el.dataset.otherBytes)}`
    : "no samples yet";
}

async function updateHistory() {
  const r = await getJSON("api/history");
  const note = $("history-note"), el = $("chart-history");
  if (!r.ok) {
    note.textContent = "No history: " + r.error;
    note.hidden = false;
    el.hidden = true;
    el.dataset.error = r.status;
    return;
  }
  note.hidden = r.data.minutes.length !== 0;
  note.textContent = "No minutes stored yet.";
  el.hidden = false;
  delete el.dataset.error;
  plot("chart-history", 200, r.data.minutes, 60);
  el.dataset.minutes = r.data.minutes.length;
}

// ---- tables ------------------------------------------------------------------------------------

function flowName(f) {
  return f.hostname || (f.tls && f.tls.sni) || (f.quic && f.quic.sni) || (f.http && f.http.host) || "";
}

async function updateTop() {
  const r = await getJSON("api/top");
  if (!r.ok) return;
  const flows = (r.data.flows || []).map((f) =>
    row(
      [
        { text: f.proto_name || String(f.proto) },
        { text: endpoint(f.orig_addr, f.orig_port) },
        { text: endpoint(f.resp_addr, f.resp_port) },
        { text: flowName(f) },
        { text: fmtCount(f.orig_bytes + f.resp_bytes), num: true },
        { text: fmtCount(f.orig_pkts + f.resp_pkts), num: true },
      ],
      { origAddr: f.orig_addr, respAddr: f.resp_addr, name: flowName(f), bytes: f.orig_bytes + f.resp_bytes },
    ),
  );
  fill("top-flows", "top-flows-empty", flows);
  const hosts = (r.data.hostnames || []).map((h) =>
    row([{ text: h.hostname }, { text: fmtCount(h.bytes), num: true }, { text: fmtCount(h.flows), num: true }], {
      hostname: h.hostname,
      bytes: h.bytes,
    }),
  );
  fill("top-hosts", "top-hosts-empty", hosts);
}

async function updateDevices() {
  let r = await getJSON("api/neighbors");
  if (!r.ok && r.status === 503) r = await getJSON("api/report?type=neighbor"); // a daemon without `neighbors`
  if (!r.ok) {
    $("devices-empty").textContent = "No devices: " + r.error;
    fill("device-list", "devices-empty", []);
    return;
  }
  const rows = r.data.map((n) =>
    row([{ text: n.addr }, { text: n.mac || "–" }, { text: n.device || "" }, { text: n.source || "–" }, { text: n.first_seen || "–" }, { text: n.last_seen || "–" }], {
      addr: n.addr,
      mac: n.mac || "",
    }),
  );
  fill("device-list", "devices-empty", rows);
}

// [where, why, key]: what the daemon lost, from its `stats` (or `state`) object
const DROPS = [
  ["kernel", "no flow map", "no_flow_map"],
  ["kernel", "flow map full", "flow_nomem"],
  ["kernel", "copy ring full", "steer_copy_fail"],
  ["kernel", "no AF_XDP socket", "steer_no_xsk"],
  ["AF_XDP", "dropped", "xsk_rx_dropped"],
  ["AF_XDP", "RX ring full", "xsk_rx_ring_full"],
  ["AF_XDP", "fill ring empty", "xsk_fill_ring_empty"],
  ["AF_XDP", "invalid descriptors", "xsk_invalid_descs"],
  ["AF_PACKET", "socket drops", "afpacket_drops"],
  ["workers", "queue full", "worker_queue_drops"],
  ["userspace", "flow table full", "userspace_table_full"],
  ["userspace", "reassembly out of memory", "reasm_nomem"],
  ["parse errors", "TLS", "tls_errors"],
  ["parse errors", "HTTP", "http_errors"],
  ["parse errors", "QUIC", "quic_errors"],
  ["parse errors", "DNS", "dns_errors"],
];

const FIGURES = [
  ["interface", "interface"],
  ["capture", "capture"],
  ["AF_XDP mode", "xsk_mode"],
  ["queues / workers", (s) => (s.queues === undefined ? undefined : s.queues + " / " + s.workers)],
  ["frames seen", "rx_frames"],
  ["non-IP frames", (s) => sumPrefix(s, "nonip_")],
  ["malformed frames", (s) => sumPrefix(s, "bad_")],
  ["frames read in userspace", "userspace_frames"],
  ["flows open", "flows_open"],
  ["flows expired", "flows_expired"],
  ["flows evicted early", "flows_evicted_early"],
  ["last drain", (s) => (s.drain_last_us === undefined ? undefined : (s.drain_last_us / 1000).toFixed(1) + " ms")],
];

function sumPrefix(s, p) {
  const keys = Object.keys(s).filter((k) => k.startsWith(p));
  return keys.length ? keys.reduce((a, k) => a + s[k], 0) : undefined;
}

async function updateHealth() {
  let r = await getJSON("api/stats");
  if (!r.ok && r.status === 503) r = await getJSON("api/state"); // a daemon without `stats`
  const badge = $("health");
  if (!r.ok) {
    badge.dataset.state = "down";
    badge.textContent = "no answer";
    $("sensor").textContent = r.error;
    return;
  }
  const s = r.data;
  $("sensor").textContent = [s.interface, s.capture, s.daemon_pid && "pid " + s.daemon_pid].filter(Boolean).join(" · ");
  const dl = $("health-figures");
  dl.replaceChildren();
  for (const [label, f] of FIGURES) {
    const v = typeof f === "function" ? f(s) : s[f];
    if (v === undefined || v === null) continue;
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = label;
    dd.textContent = typeof v === "number" ? fmtCount(v) : v;
    dl.append(dt, dd);
  }
  let lost = 0;
  const rows = DROPS.filter(([, , k]) => typeof s[k] === "number").map(([where, why, k]) => {
    lost += s[k];
    const tr = row([{ text: where }, { text: why }, { text: fmtCount(s[k]), num: true }], { key: k, count: s[k] });
    if (s[k] > 0) tr.className = "bad";
    return tr;
  });
  fill("drop-list", null, rows);
  badge.dataset.state = lost ? "drops" : "ok";
  badge.textContent = lost ? fmtCount(lost) + " lost since start" : "nothing lost";
}

// ---- polling: each view on its own clock, never two requests of one view at a time ------------

function every(ms, fn) {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await fn();
    } finally {
      busy = false;
    }
  };
  tick();
  setInterval(tick, ms);
}

every(1000, updateLive);
every(2000, updateTop);
every(2000, updateHealth);
every(10000, updateDevices);
every(60000, updateHistory);
