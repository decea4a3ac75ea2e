// The report page's script (inlined by reports/render.ts, runs offline): draws the latency scatter,
// latency quantiles, a lane per process, throughput and unseen charts with uPlot from the embedded
// data (every time in seconds from the workload's start), shades the faults, the run's phases and
// consumer group rebalances, draws each consumer group's lanes (who owned which key when),
// marks the measured failovers and where lost and unseen values were acknowledged, and links every
// "op N" in the evidence to its place in the timeline.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var C = data.charts;
  var OPS = data.ops || {};
  var COLORS = ["#2563eb", "#d97706", "#dc2626"];
  var NAMES = ["ok", "info", "fail"];
  var FS = ["send", "poll", "txn", "other"];
  // Each fault's band colour, from checkers/fault-vocabulary.ts (render.ts passes those of this run).
  var FAULT_COLORS = data.faultRgb || {};
  var charts = [];
  var highlighted = null;
  var px = function (n) { return Math.round(n * (uPlot.pxRatio || 1)); };
  var fmtS = function (s) { return s.toFixed(s < 10 ? 3 : 2) + " s"; };
  var fmtMs = function (ms) { return ms < 1 ? +ms.toFixed(2) + " ms" : ms < 1000 ? +ms.toFixed(1) + " ms" : +(ms / 1000).toFixed(2) + " s"; };

  // Index of scatter points by history index, for highlighting ops the evidence names.
  var S = C.scatter;
  var pointOf = {};
  for (var k = 0; k < S.i.length; k++) pointOf[S.i[k]] = k;

  function faultRgb(f) { return FAULT_COLORS[f] || "100,116,139"; }

  // The run's phases (from the history's markers); a history without them: its final reads, if seen.
  var PHASES = C.phases && C.phases.length ? C.phases : C.finalReads ? [{ name: "final reads", from: C.finalReads.from, to: C.finalReads.to }] : [];
  var PHASE_RGB = { heal: "22,163,74", resync: "100,116,139", "final reads": "15,118,110" };
  var L = C.loss || { x: [], s: [], i: [], k: [], v: [] };
  var GROUPS = C.groups || [];
  var REBALANCE_FILL = "rgba(79,70,229,0.10)", REBALANCE_STRIP = "rgba(79,70,229,0.7)";
  var MEMBER_COLORS = ["#2563eb", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207", "#9333ea"];
  var SPAN_ENDS = ["revoked", "revoked (lost)", "crash", "leave", "handed again", "still held at the end"];
  var EVENT_NAMES = ["joined", "crashed", "left", "stalled"];
  var LOSS_COLORS = ["#b91c1c", "#7c3aed"];
  var LOSS_NAMES = ["lost write", "unseen value"];

  /** Shades every fault in force behind the series of a chart. */
  function drawBands(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    C.faults.forEach(function (f) {
      var x0 = u.valToPos(f.from, "x", true), x1 = u.valToPos(f.to, "x", true);
      if (f.type === "fail") {
        ctx.strokeStyle = "rgba(" + faultRgb(f.f) + ",0.6)";
        ctx.setLineDash([px(2), px(3)]);
        ctx.lineWidth = px(1);
        ctx.beginPath(); ctx.moveTo(x0, b.top); ctx.lineTo(x0, b.top + b.height); ctx.stroke();
        ctx.setLineDash([]);
        return;
      }
      ctx.fillStyle = "rgba(" + faultRgb(f.f) + "," + (f.type === "info" ? 0.07 : 0.12) + ")";
      ctx.fillRect(x0, b.top, Math.max(px(2), x1 - x0), b.height);
      ctx.fillStyle = "rgba(" + faultRgb(f.f) + ",0.55)";
      ctx.fillRect(x0, b.top, Math.max(px(2), x1 - x0), px(3));
    });
    // Consumer group rebalances: a light band with a strip along the bottom.
    GROUPS.forEach(function (g) {
      var R = g.rebalances;
      for (var q = 0; q < R.x0.length; q++) {
        var r0 = u.valToPos(R.x0[q], "x", true), r1 = u.valToPos(R.x1[q], "x", true);
        if (r1 < b.left - px(2) || r0 > b.left + b.width) continue;
        var w = Math.max(px(2), r1 - r0);
        ctx.fillStyle = REBALANCE_FILL;
        ctx.fillRect(r0, b.top, w, b.height);
        ctx.fillStyle = REBALANCE_STRIP;
        ctx.fillRect(r0, b.top + b.height - px(4), w, px(4));
      }
    });
    PHASES.forEach(function (p) {
      var rgb = PHASE_RGB[p.name];
      var p0 = u.valToPos(p.from, "x", true), p1 = u.valToPos(p.to, "x", true);
      if (rgb) {
        ctx.fillStyle = "rgba(" + rgb + ",0.08)";
        ctx.fillRect(p0, b.top, Math.max(px(2), p1 - p0), b.height);
      }
      // Phase boundaries: a thin line where each phase begins.
      ctx.strokeStyle = "rgba(71,85,105,0.45)";
      ctx.lineWidth = px(1);
      ctx.beginPath(); ctx.moveTo(p0, b.top); ctx.lineTo(p0, b.top + b.height); ctx.stroke();
    });
    ctx.restore();
  }

  /** The phases' names along the bottom of the plot (a name that does not fit its phase is left out unless it is the last). */
  function drawPhaseLabels(u) {
    if (!PHASES.length) return;
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    ctx.font = "bold " + px(11) + "px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    ctx.textAlign = "left";
    var right = -Infinity;
    PHASES.forEach(function (p, j) {
      var x0 = Math.max(b.left, u.valToPos(p.from, "x", true)) + px(3);
      var x1 = u.valToPos(p.to, "x", true);
      var w = ctx.measureText(p.name).width;
      var x = Math.max(x0, right + px(6));
      if (x + w > b.left + b.width) x = b.left + b.width - w - px(3);
      if (x < right + px(2) && j < PHASES.length - 1) return;
      if (x + w > x1 + px(60) && j < PHASES.length - 1) return;
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(x - px(2), b.top + b.height - px(15), w + px(4), px(14));
      ctx.fillStyle = PHASE_RGB[p.name] ? "rgb(" + PHASE_RGB[p.name] + ")" : "#334155";
      ctx.fillText(p.name, x, b.top + b.height - px(2));
      right = x + w;
    });
    ctx.restore();
  }

  /** Measured failover / recovery times as dashed lines (a 0 ms one coincides with its undo: skipped). */
  function drawMeasureLines(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    ctx.strokeStyle = "#0f766e";
    ctx.lineWidth = px(1.5);
    ctx.setLineDash([px(5), px(3)]);
    C.measures.forEach(function (m) {
      if (m.at === null || m.ms === 0) return;
      var x = u.valToPos(m.at, "x", true);
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
    });
    ctx.restore();
  }

  /** Labels of the faults and of the measured times, in lanes so that they do not overlap. */
  function drawLabels(u) {
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    ctx.font = px(11) + "px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    // Labels that do not fit in a few lanes are left out (zoom in to see them; the table has all).
    function label(text, x, lanes, yOf, color, maxLanes) {
      var w = ctx.measureText(text).width;
      var lane = 0;
      while (lanes[lane] !== undefined && lanes[lane] > x) lane++;
      if (lane >= maxLanes) return;
      lanes[lane] = x + w + px(10);
      var y = yOf(lane);
      ctx.fillStyle = "rgba(255,255,255,0.88)";
      ctx.fillRect(x - px(2), y - px(1), w + px(4), px(14));
      ctx.fillStyle = color;
      ctx.fillText(text, x, y);
    }
    var lanes = [];
    C.faults.forEach(function (f) {
      var x = Math.max(b.left, u.valToPos(f.from, "x", true)) + px(4);
      label(f.label + (f.type === "ok" ? "" : " [" + f.type + "]"), x, lanes, function (l) { return b.top + px(26) + l * px(15); }, "rgb(" + faultRgb(f.f) + ")", 3);
    });
    var mlanes = [];
    C.measures.forEach(function (m) {
      if (m.at === null || m.ms === 0) return;
      var x = u.valToPos(m.at, "x", true) + px(4);
      label((m.of ? m.of + ": " : "") + m.label, x, mlanes, function (l) { return b.top + b.height - px(34) - l * px(15); }, "#0f766e", 2);
    });
    ctx.restore();
  }

  /** Where each lost write (▼, top row) and unseen value (◆, second row) was acknowledged. */
  function lossY(u, k) { return u.bbox.top + px(k === 0 ? 6 : 17); }
  function drawLossMarks(u) {
    if (!L.x.length) return;
    var ctx = u.ctx, b = u.bbox;
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    var r = px(4.5);
    for (var j = 0; j < L.x.length; j++) {
      var x = u.valToPos(L.x[j], "x", true), y = lossY(u, L.k[j]);
      if (x < b.left - r || x > b.left + b.width + r) continue;
      ctx.fillStyle = LOSS_COLORS[L.k[j]];
      ctx.beginPath();
      if (L.k[j] === 0) { ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y - r); ctx.lineTo(x, y + r); }
      else { ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); }
      ctx.closePath();
      ctx.fill();
    }
    ctx.restore();
  }

  /** The highlighted op: its span from invocation to completion, and a ring on its point. */
  function drawHighlight(u, ringPoint) {
    if (!highlighted) return;
    var ctx = u.ctx, b = u.bbox, h = highlighted;
    var x0 = u.valToPos(h.inv, "x", true), x1 = u.valToPos(h.done, "x", true);
    ctx.save();
    ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
    ctx.fillStyle = "rgba(250,204,21,0.35)";
    ctx.fillRect(x0 - px(1), b.top, Math.max(px(3), x1 - x0 + px(2)), b.height);
    ctx.strokeStyle = "#111827";
    ctx.lineWidth = px(1);
    ctx.beginPath(); ctx.moveTo(x0, b.top); ctx.lineTo(x0, b.top + b.height); ctx.stroke();
    if (ringPoint && h.lat !== null) {
      var y = u.valToPos(Math.max(0.01, h.lat), "y", true);
      ctx.lineWidth = px(2.5);
      ctx.beginPath(); ctx.arc(x0, y, px(8), 0, 2 * Math.PI); ctx.stroke();
      ctx.font = "bold " + px(12) + "px system-ui, sans-serif";
      ctx.fillStyle = "#111827";
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      ctx.fillText("op " + h.i, x0 + px(10), y - px(6));
    }
    ctx.restore();
  }

  /** Every chart spans the whole run (t0..t1): an empty point at each end, so zoom and reset agree. */
  function padded(cols) {
    var x = cols[0];
    var head = !x.length || x[0] > C.t0, tail = !x.length || x[x.length - 1] < C.t1;
    return cols.map(function (col, j) {
      var out = col.slice();
      if (head) out.unshift(j === 0 ? C.t0 : null);
      if (tail) out.push(j === 0 ? C.t1 : null);
      return out;
    });
  }

  function width(el) { return Math.max(320, el.clientWidth || 900); }

  var syncKey = "kafka-harness";
  var zoomedBy = null;
  function zoomSync(u) {
    // Every chart shows the same stretch of time.
    if (zoomedBy) return;
    zoomedBy = u;
    var min = u.scales.x.min, max = u.scales.x.max;
    charts.forEach(function (o) { if (o !== u) o.setScale("x", { min: min, max: max }); });
    zoomedBy = null;
  }

  var X_LABEL = "seconds from the workload's start";
  var Y_SIZE = 70;

  function baseOpts(el, height, withLabels, ring) {
    return {
      width: width(el),
      height: height,
      scales: { x: { time: false } },
      cursor: { sync: { key: syncKey }, drag: { x: true, y: false }, points: { show: false } },
      hooks: {
        drawClear: [drawBands],
        draw: [function (u) { drawMeasureLines(u); if (withLabels) { drawLabels(u); drawPhaseLabels(u); drawLossMarks(u); } drawHighlight(u, ring); }],
        setScale: [function (u, key) { if (key === "x") zoomSync(u); }],
      },
    };
  }

  /** Decades only: a log axis with every minor tick is unreadable. */
  function decades(u, i, min, max) {
    var out = [];
    for (var e = Math.floor(Math.log10(Math.max(min, 1e-3))); e <= Math.ceil(Math.log10(max)); e++) {
      var v = Math.pow(10, e);
      if (v >= min * 0.999 && v <= max * 1.001) out.push(v);
    }
    return out;
  }

  // Latency scatter.
  function latencyChart() {
    var el = document.getElementById("chart-latency");
    var n = S.x.length;
    var ys = [[], [], []];
    for (var j = 0; j < n; j++) for (var c = 0; c < 3; c++) ys[c].push(S.c[j] === c ? S.y[j] : null);
    var o = baseOpts(el, 340, true, true);
    o.title = "Latency of client ops (ms, log scale) by invocation time (s)";
    o.scales.y = { distr: 3, log: 10 };
    o.axes = [
      { label: X_LABEL, labelSize: 20 },
      {
        label: "latency", labelSize: 20, size: Y_SIZE,
        splits: decades,
        values: function (u, vals) { return vals.map(function (v) { return v == null ? "" : fmtMs(v); }); },
      },
    ];
    o.legend = { show: false };
    o.series = [{ label: "time" }].concat([0, 1, 2].map(function (c) {
      return { label: NAMES[c], stroke: COLORS[c], fill: COLORS[c], paths: function () { return null; }, points: { show: true, size: c === 0 ? 3 : 5, width: 0, fill: COLORS[c], stroke: COLORS[c] } };
    }));
    var u = new uPlot(o, padded([S.x].concat(ys)), el);
    charts.push(u);
    attachPointer(u, el);
    return u;
  }

  /** Hover: the nearest drawn op (in pixels) is described in a tooltip; click selects it. */
  function attachPointer(u, el) {
    var tip = document.createElement("div");
    tip.className = "tip";
    tip.hidden = true;
    el.appendChild(tip);
    var down = null;
    function nearest(ev) {
      var r = u.over.getBoundingClientRect();
      var mx = ev.clientX - r.left, my = ev.clientY - r.top;
      var xv = u.posToVal(mx, "x");
      var lo = 0, hi = S.x.length - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (S.x[mid] < xv) lo = mid + 1; else hi = mid; }
      var best = -1, bestD = 144;
      for (var j = Math.max(0, lo - 300); j < Math.min(S.x.length, lo + 300); j++) {
        var dx = u.valToPos(S.x[j], "x") - mx, dy = u.valToPos(Math.max(0.01, S.y[j]), "y") - my;
        var d = dx * dx + dy * dy;
        if (d < bestD) { bestD = d; best = j; }
      }
      return best;
    }
    /** The loss mark under the pointer (in the top rows), or -1. */
    function nearestLoss(ev) {
      var r = u.over.getBoundingClientRect();
      var mx = ev.clientX - r.left, my = ev.clientY - r.top;
      if (my > 24) return -1;
      var k = my < 12 ? 0 : 1, best = -1, bestD = 7;
      for (var j = 0; j < L.x.length; j++) {
        if (L.k[j] !== k) continue;
        var d = Math.abs(u.valToPos(L.x[j], "x") - mx);
        if (d < bestD) { bestD = d; best = j; }
      }
      return best;
    }
    u.over.addEventListener("mousemove", function (ev) {
      var m = nearestLoss(ev);
      if (m >= 0) {
        tip.hidden = false;
        tip.textContent = LOSS_NAMES[L.k[m]] + " " + L.v[m] + " · acknowledged to op " + L.i[m] + " at " + fmtS(L.x[m]);
        tip.style.left = Math.min(u.over.clientWidth - 260, u.valToPos(L.x[m], "x") + 12) + "px";
        tip.style.top = "40px";
        return;
      }
      var j = nearest(ev);
      if (j < 0) { tip.hidden = true; return; }
      tip.hidden = false;
      tip.textContent = "op " + S.i[j] + " · " + FS[S.f[j]] + " " + NAMES[S.c[j]] + " · " + fmtMs(S.y[j]) + " at " + fmtS(S.x[j]);
      tip.style.left = Math.min(u.over.clientWidth - 200, u.valToPos(S.x[j], "x") + 12) + "px";
      tip.style.top = u.valToPos(Math.max(0.01, S.y[j]), "y") + "px";
    });
    u.over.addEventListener("mouseleave", function () { tip.hidden = true; });
    u.over.addEventListener("mousedown", function (ev) { down = [ev.clientX, ev.clientY]; });
    u.over.addEventListener("click", function (ev) {
      if (down && Math.abs(ev.clientX - down[0]) + Math.abs(ev.clientY - down[1]) > 4) return;
      var m = nearestLoss(ev);
      if (m >= 0) { select(L.i[m], { zoom: false, scroll: false }); return; }
      var j = nearest(ev);
      if (j >= 0) select(S.i[j], { zoom: false, scroll: false });
    });
  }

  function rateChart() {
    var el = document.getElementById("chart-rate");
    var R = C.rate;
    var o = baseOpts(el, 180, false, false);
    o.title = "Throughput: completions per second (" + R.width + " s buckets)";
    o.axes = [{ label: X_LABEL, labelSize: 20 }, { label: "ops/s", labelSize: 20, size: Y_SIZE }];
    o.series = [{ label: "time" }].concat([0, 1, 2].map(function (c) {
      return { label: NAMES[c], stroke: COLORS[c], width: 1.5, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } };
    }));
    var u = new uPlot(o, padded([R.x, R.ok, R.info, R.fail]), el);
    charts.push(u);
  }

  // Latency quantiles per f, as Jepsen's latency-quantiles plot: colour by quantile, dash by f.
  function quantileChart() {
    var el = document.getElementById("chart-quantiles");
    var Q = C.quantiles;
    if (!Q || !Q.series.length) { el.innerHTML = '<p class="muted">No client op completed.</p>'; return; }
    var QC = { "0.5": "#2563eb", "0.95": "#7c3aed", "0.99": "#db2777", "1": "#111827" };
    var DASH = { send: [], poll: [px(6), px(3)], txn: [px(2), px(3)], other: [px(8), px(3), px(2), px(3)] };
    var o = baseOpts(el, 220, false, false);
    o.title = "Latency quantiles by f (ms, log scale), " + Q.width + " s buckets by invocation time";
    o.scales.y = { distr: 3, log: 10 };
    o.axes = [
      { label: X_LABEL, labelSize: 20 },
      { label: "latency", labelSize: 20, size: Y_SIZE, splits: decades, values: function (u, vals) { return vals.map(function (v) { return v == null ? "" : fmtMs(v); }); } },
    ];
    o.legend = { show: false };
    var qName = function (q) { return q === 1 ? "max" : "p" + Math.round(q * 100); };
    o.series = [{ label: "time" }].concat(Q.series.map(function (s) {
      return { label: s.f + " " + qName(s.q), stroke: QC[String(s.q)] || "#64748b", dash: DASH[s.f] || [], width: s.q === 1 ? 1 : 1.5, points: { show: false }, spanGaps: false };
    }));
    var u = new uPlot(o, padded([Q.x].concat(Q.series.map(function (s) { return s.y; }))), el);
    charts.push(u);
    // A compact legend: colour by quantile, dash by f.
    var fs = [], qs = [];
    Q.series.forEach(function (s) { if (fs.indexOf(s.f) < 0) fs.push(s.f); if (qs.indexOf(s.q) < 0) qs.push(s.q); });
    var leg = document.createElement("p");
    leg.className = "legend qlegend";
    leg.innerHTML = qs.map(function (q) { return '<span class="qline" style="border-color:' + QC[String(q)] + '"></span> ' + qName(q); }).join(" ") +
      " · " + fs.map(function (f) { return '<span class="qline dash-' + esc(f) + '"></span> ' + esc(f); }).join(" ");
    el.appendChild(leg);
  }

  // A lane per process with its ops over time, coloured by outcome (Jepsen's timeline): neighbouring
  // ops of one outcome closer than a pixel of the whole run come merged (lanes.ts).
  function laneChart() {
    var el = document.getElementById("chart-lanes");
    var LN = C.lanes;
    if (!LN || !LN.names.length) { el.innerHTML = '<p class="muted">No client op completed.</p>'; return; }
    var n = LN.names.length;
    var o = baseOpts(el, Math.max(140, Math.min(640, n * 18 + 70)), false, false);
    o.title = "Ops per process over time, by outcome";
    o.scales.y = { auto: false, range: [-0.5, n - 0.5] };
    var step = Math.max(1, Math.ceil(n / 30));
    o.axes = [
      { label: X_LABEL, labelSize: 20 },
      {
        label: "process", labelSize: 20, size: Y_SIZE,
        splits: function () { var out = []; for (var j = 0; j < n; j += step) out.push(j); return out; },
        values: function (u, vals) { return vals.map(function (v) { return LN.names[v] || ""; }); },
        grid: { show: false },
      },
    ];
    o.legend = { show: false };
    o.series = [{ label: "time" }, { label: "lanes", stroke: "transparent", points: { show: false } }];
    o.hooks.draw.unshift(function (u) {
      var ctx = u.ctx, b = u.bbox;
      var lanePx = Math.abs(u.valToPos(1, "y", true) - u.valToPos(0, "y", true));
      var h = Math.max(px(1), Math.min(px(12), lanePx * 0.7));
      ctx.save();
      ctx.beginPath(); ctx.rect(b.left, b.top, b.width, b.height); ctx.clip();
      var min = u.scales.x.min, max = u.scales.x.max;
      // ok first, then info and fail on top: the rare outcomes stay visible.
      [0, 1, 2].forEach(function (pass) {
        ctx.fillStyle = COLORS[pass];
        for (var j = 0; j < n; j++) {
          var y = u.valToPos(j, "y", true) - h / 2;
          var x0s = LN.x0[j], x1s = LN.x1[j], cs = LN.c[j];
          for (var q = 0; q < x0s.length; q++) {
            if (cs[q] !== pass || x1s[q] < min || x0s[q] > max) continue;
            var a = u.valToPos(x0s[q], "x", true), z = u.valToPos(x1s[q], "x", true);
            ctx.fillRect(a, y, Math.max(px(pass ? 2 : 1), z - a), h);
          }
        }
      });
      ctx.restore();
    });
    var u = new uPlot(o, padded([[C.t0, C.t1], [null, null]]), el);
    charts.push(u);
    function at(ev) {
      var r = u.over.getBoundingClientRect();
      var mx = ev.clientX - r.left, my = ev.clientY - r.top;
      var j = Math.round(u.posToVal(my, "y"));
      if (j < 0 || j >= n) return null;
      var best = -1, bestD = 4;
      for (var q = 0; q < LN.x0[j].length; q++) {
        var a = u.valToPos(LN.x0[j][q], "x"), z = u.valToPos(LN.x1[j][q], "x");
        var d = mx < a ? a - mx : mx > z ? mx - z : 0;
        if (d < bestD || (d === bestD && LN.c[j][q] > 0)) { bestD = d; best = q; }
      }
      return best < 0 ? null : { j: j, q: best, mx: mx, my: my };
    }
    attachLaneTip(u, el, 240, at,
      function (h) {
        var j = h.j, q = h.q, c = LN.c[j][q], cnt = LN.n[j][q];
        return LN.names[j] + " · " + (cnt === 1 ? "op " + LN.i[j][q] + " " + NAMES[c] : cnt + " " + NAMES[c] + " ops") + " · " + fmtS(LN.x0[j][q]) + "–" + fmtS(LN.x1[j][q]);
      },
      function (h) { return LN.n[h.j][h.q] === 1 ? LN.i[h.j][h.q] : null; });
  }

  /** A lane chart's hover tooltip (`at(ev)`: what is under the pointer, with mx and my, or null;
   *  `text(h)`: its description) and click (`opOf(h)`: the op it selects, or null). */
  function attachLaneTip(u, el, width, at, text, opOf) {
    var tip = document.createElement("div");
    tip.className = "tip";
    tip.hidden = true;
    el.appendChild(tip);
    u.over.addEventListener("mousemove", function (ev) {
      var h = at(ev);
      if (!h) { tip.hidden = true; return; }
      tip.hidden = false;
      tip.textContent = text(h);
      tip.style.left = Math.min(u.over.clientWidth - width, h.mx + 12) + "px";
      tip.style.top = h.my + "px";
    });
    u.over.addEventListener("mouseleave", function () { tip.hidden = true; });
    u.over.addEventListener("click", function (ev) {
      var h = at(ev);
      var op = h ? opOf(h) : null;
      if (op !== null) select(op, { zoom: false, scroll: false });
    });
  }

  // A consumer group in two charts: a lane per key, coloured by the member that owned it when (from
  // its assignment to its revocation, crash or leave); and a lane per member: its life in the group,
  // its join (●), stalls (orange), crash (red ✕) or leave (■). Rebalances are shaded as on every chart.
  function groupCharts(G, j) {
    var color = function (m) { return MEMBER_COLORS[m % MEMBER_COLORS.length]; };
    var S2 = G.spans, E = G.events, LF = G.life;
    var nk = G.keys.length, nm = G.members.length;
    function near(u, lo, hi, mx) {
      var a = u.valToPos(lo, "x"), z = u.valToPos(hi, "x");
      return mx < a ? a - mx : mx > z ? mx - z : 0;
    }
    laneBox("chart-group-" + j, "Group " + G.name + ": which member owned each key when", G.keys, "key", 22, function (u, h, min, max) {
      var ctx = u.ctx, b = u.bbox;
      ctx.font = px(10.5) + "px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      for (var q = 0; q < S2.k.length; q++) {
        if (S2.x1[q] < min || S2.x0[q] > max) continue;
        var y = u.valToPos(S2.k[q], "y", true) - h / 2;
        var a = u.valToPos(S2.x0[q], "x", true), z = u.valToPos(S2.x1[q], "x", true);
        var w = Math.max(px(2), z - a);
        ctx.fillStyle = color(S2.m[q]);
        ctx.fillRect(a, y, w, h);
        // How it ended, at its right edge: a crash in red, a lost revocation in orange.
        if (S2.e[q] === 2 || S2.e[q] === 1) {
          ctx.fillStyle = S2.e[q] === 2 ? "#dc2626" : "#f97316";
          ctx.fillRect(a + w - px(3), y - px(2), px(3), h + px(4));
        }
        var label = G.members[S2.m[q]];
        if (h >= px(9) && ctx.measureText(label).width + px(8) < w) {
          ctx.fillStyle = "#fff";
          ctx.fillText(label, Math.max(a, b.left) + px(3), y + h / 2);
        }
      }
    }, function (u, lane, mx) {
      var best = null, bestD = 5;
      for (var q = 0; q < S2.k.length; q++) {
        if (S2.k[q] !== lane) continue;
        var d = near(u, S2.x0[q], S2.x1[q], mx);
        if (d < bestD) {
          bestD = d;
          best = { text: G.keys[lane] + " owned by " + G.members[S2.m[q]] + " · " + fmtS(S2.x0[q]) + "–" + fmtS(S2.x1[q]) + " · ended: " + SPAN_ENDS[S2.e[q]] + " · assigned in op " + S2.i[q], op: S2.i[q] };
        }
      }
      return best;
    });
    laneBox("chart-members-" + j, "Group " + G.name + ": its members, joined ●, stalled, crashed ✕, left ■", G.members, "member", 16, function (u, h, min, max) {
      var ctx = u.ctx;
      for (var m = 0; m < nm; m++) {
        if (LF.x1[m] < min || LF.x0[m] > max) continue;
        var ym = u.valToPos(m, "y", true);
        var l0 = u.valToPos(LF.x0[m], "x", true), l1 = u.valToPos(LF.x1[m], "x", true);
        ctx.fillStyle = color(m);
        ctx.globalAlpha = 0.45;
        ctx.fillRect(l0, ym - Math.max(px(1), h / 6), Math.max(px(1), l1 - l0), Math.max(px(2), h / 3));
        ctx.globalAlpha = 1;
      }
      var r = Math.max(px(3), Math.min(px(6), h / 2));
      for (var e = 0; e < E.k.length; e++) {
        if (E.x1[e] < min || E.x0[e] > max) continue;
        var ye = u.valToPos(E.m[e], "y", true);
        var x0 = u.valToPos(E.x0[e], "x", true), x1 = u.valToPos(E.x1[e], "x", true);
        if (E.k[e] === 3) {
          ctx.fillStyle = "rgba(234,88,12,0.55)";
          ctx.fillRect(x0, ye - h / 2, Math.max(px(3), x1 - x0), h);
        } else if (E.k[e] === 0) {
          ctx.fillStyle = color(E.m[e]);
          ctx.beginPath(); ctx.arc(x0, ye, r * 0.8, 0, 2 * Math.PI); ctx.fill();
        } else if (E.k[e] === 1) {
          ctx.strokeStyle = "#dc2626"; ctx.lineWidth = px(2.5);
          ctx.beginPath(); ctx.moveTo(x0 - r, ye - r); ctx.lineTo(x0 + r, ye + r); ctx.moveTo(x0 + r, ye - r); ctx.lineTo(x0 - r, ye + r); ctx.stroke();
        } else {
          ctx.fillStyle = "#475569";
          ctx.fillRect(x0 - r * 0.8, ye - r * 0.8, r * 1.6, r * 1.6);
        }
      }
    }, function (u, m, mx) {
      var best = null, bestD = 5;
      for (var e = 0; e < E.k.length; e++) {
        if (E.m[e] !== m) continue;
        var d = near(u, E.x0[e], E.x1[e], mx);
        if (d < bestD || (d === bestD && E.k[e] !== 3)) {
          bestD = d;
          var what = EVENT_NAMES[E.k[e]] + (E.d[e] ? " (" + E.d[e] + (E.k[e] === 3 ? " ms" : "") + ")" : "");
          best = { text: G.members[m] + " " + what + " at " + fmtS(E.x0[e]) + (E.k[e] === 3 ? "–" + fmtS(E.x1[e]) : "") + " · op " + E.i[e], op: E.i[e] };
        }
      }
      if (!best && near(u, LF.x0[m], LF.x1[m], mx) === 0) best = { text: G.members[m] + " in the group " + fmtS(LF.x0[m]) + "–" + fmtS(LF.x1[m]), op: null };
      return best;
    });
  }

  /** A chart of lanes (lane 0 at the top) on the run's time axis, drawn by `draw(u, laneHeight, min, max)`;
   *  `hit(u, lane, x)` says what the pointer is on ({text, op}) for the tooltip and a click. */
  function laneBox(id, title, names, what, lanePx, draw, hit) {
    var el = document.getElementById(id);
    if (!el) return;
    var n = names.length;
    if (!n) { el.innerHTML = '<p class="muted">No ' + esc(what) + ".</p>"; return; }
    var o = baseOpts(el, Math.max(110, Math.min(640, n * lanePx + 80)), false, false);
    o.title = title;
    o.scales.y = { auto: false, range: [-0.5, n - 0.5], dir: -1 };
    var step = Math.max(1, Math.ceil(n / 30));
    o.axes = [
      { label: X_LABEL, labelSize: 20 },
      {
        label: what, labelSize: 20, size: Y_SIZE,
        splits: function () { var out = []; for (var q = 0; q < n; q += step) out.push(q); return out; },
        values: function (u, vals) { return vals.map(function (v) { return names[v] === undefined ? "" : names[v]; }); },
        grid: { show: false },
      },
    ];
    o.legend = { show: false };
    o.series = [{ label: "time" }, { label: "lanes", stroke: "transparent", points: { show: false } }];
    o.hooks.draw.unshift(function (u) {
      var b = u.bbox;
      var lp = Math.abs(u.valToPos(1, "y", true) - u.valToPos(0, "y", true));
      u.ctx.save();
      u.ctx.beginPath(); u.ctx.rect(b.left, b.top, b.width, b.height); u.ctx.clip();
      draw(u, Math.max(px(2), Math.min(px(14), lp * 0.72)), u.scales.x.min, u.scales.x.max);
      u.ctx.restore();
    });
    var u = new uPlot(o, padded([[C.t0, C.t1], [null, null]]), el);
    charts.push(u);
    function at(ev) {
      var rect = u.over.getBoundingClientRect();
      var mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
      var lane = Math.round(u.posToVal(my, "y"));
      if (lane < 0 || lane >= n) return null;
      var h = hit(u, lane, mx);
      if (h) { h.mx = mx; h.my = my; }
      return h;
    }
    attachLaneTip(u, el, 320, at,
      function (h) { return h.text; },
      function (h) { return h.op !== null && opInfo(h.op) ? h.op : null; });
  }

  function unseenChart() {
    var el = document.getElementById("chart-unseen");
    var U = C.unseen;
    if (!U.x.length) { el.innerHTML = '<p class="muted">No acknowledged write in this history.</p>'; return; }
    var o = baseOpts(el, 220, false, false);
    o.title = "Unseen: acknowledged, not yet read";
    o.axes = [{ label: X_LABEL, labelSize: 20 }, { label: "values", labelSize: 20, size: Y_SIZE }];
    var palette = ["#0891b2", "#7c3aed", "#db2777", "#65a30d", "#ea580c", "#0d9488", "#9333ea", "#ca8a04", "#4f46e5", "#be123c", "#15803d", "#a16207"];
    o.series = [{ label: "time" }, { label: "total", stroke: "#111827", width: 2.5, points: { show: false } }].concat(U.keys.map(function (key, j) {
      return { label: key, stroke: palette[j % palette.length], width: 1.25, points: { show: false } };
    }));
    var u = new uPlot(o, padded([U.x, U.total].concat(U.counts)), el);
    charts.push(u);
  }

  function opInfo(i) {
    if (OPS[i]) return OPS[i];
    var j = pointOf[i];
    if (j === undefined) {
      var m = L.i.indexOf(i);
      if (m >= 0) return { i: i, p: null, f: "send", type: "ok", inv: L.s[m], done: L.x[m], lat: (L.x[m] - L.s[m]) * 1000, v: null };
      return null;
    }
    return { i: i, p: null, f: FS[S.f[j]], type: NAMES[S.c[j]], inv: S.x[j], done: S.x[j] + S.y[j] / 1000, lat: S.y[j], v: null };
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; });
  }

  /** Selects an op: highlight in every chart, zoom around it, describe it, mark its links. */
  function select(i, how) {
    how = how || {};
    var info = opInfo(i);
    var detail = document.getElementById("op-detail");
    var lat = document.getElementById("chart-latency");
    document.querySelectorAll("a.op.current").forEach(function (a) { a.classList.remove("current"); });
    document.querySelectorAll('a.op[data-op="' + i + '"]').forEach(function (a) { a.classList.add("current"); });
    if (!info) {
      highlighted = null;
      detail.hidden = false;
      detail.innerHTML = "<b>op " + esc(i) + "</b>: not in this history.";
      return;
    }
    var nemesis = info.p === "nemesis";
    highlighted = { i: i, inv: info.inv, done: info.done, lat: nemesis ? null : info.lat };
    lat.setAttribute("data-highlight", String(i));
    if (how.zoom !== false) {
      var span = Math.max((C.t1 - C.t0) * 0.04, (info.done - info.inv) * 3, 0.5);
      var mid = (info.inv + info.done) / 2;
      charts[0].setScale("x", { min: mid - span / 2, max: mid + span / 2 });
    }
    charts.forEach(function (u) { u.redraw(false); });
    var named = [];
    document.querySelectorAll('a.op[data-op="' + i + '"]').forEach(function (a) {
      var f = a.closest(".finding");
      if (f && named.indexOf(f.id) < 0) named.push(f.id);
    });
    var who = info.p === null ? "" : (typeof info.p === "number" ? "process p" + info.p : esc(info.p)) + " · ";
    detail.hidden = false;
    detail.innerHTML =
      '<div class="head"><b>op ' + esc(i) + "</b> · " + who + esc(info.f) + ' <span class="t-' + esc(info.type) + '">' + esc(info.type) + "</span>" +
      (nemesis ? " at " + fmtS(info.done) : " · invoked " + fmtS(info.inv) + (info.ii !== undefined ? " (op " + esc(info.ii) + ")" : "") + ", completed " + fmtS(info.done) + " · latency <b>" + fmtMs(info.lat) + "</b>") +
      ' <button type="button" class="reset">show the whole run</button></div>' +
      (info.err ? '<div class="err">error: ' + esc(info.err) + "</div>" : "") +
      (info.v !== null && info.v !== undefined ? '<pre class="value">' + esc(info.v) + "</pre>" : "") +
      (named.length ? '<div class="named">named in: ' + named.map(function (id) { return '<a href="#' + esc(id) + '">' + esc(id.replace(/^finding-/, "").replace(/-(\d+)$/, function (_, n) { return " #" + (Number(n) + 1); })) + "</a>"; }).join(", ") + "</div>" : "");
    detail.querySelector("button.reset").addEventListener("click", function () {
      charts[0].setScale("x", { min: C.t0, max: C.t1 });
    });
    if (how.scroll !== false) lat.scrollIntoView({ block: "center" });
  }

  function fromHash() {
    var m = /^#op-(\d+)$/.exec(location.hash);
    if (m) select(Number(m[1]));
  }

  latencyChart();
  quantileChart();
  laneChart();
  rateChart();
  unseenChart();
  GROUPS.forEach(groupCharts);

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.op");
    if (!a) return;
    ev.preventDefault();
    var i = Number(a.getAttribute("data-op"));
    history.replaceState(null, "", "#op-" + i);
    select(i);
  });
  window.addEventListener("hashchange", fromHash);
  window.addEventListener("resize", function () {
    charts.forEach(function (u) { u.setSize({ width: width(u.root.parentNode), height: u.height }); });
  });
  document.body.setAttribute("data-ready", "1");
  fromHash();
})();
