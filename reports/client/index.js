// The store index's script (inlined by reports/index-page.ts, runs offline): sorts the runs by any
// column (a header's button: click, Enter or Space; again reverses), filters them, groups them by
// suite and scenario under a header row each, and compares two ticked runs side by side from the
// embedded data, marking the fields that differ.
(function () {
  "use strict";
  var table = document.getElementById("runs");
  if (!table) return;
  var tbody = table.tBodies[0];
  var data = JSON.parse(document.getElementById("index-data").textContent);
  var input = document.getElementById("filter");
  var groupToggle = document.getElementById("group-toggle");
  var compareButton = document.getElementById("compare-button");
  var compareHint = document.getElementById("compare-hint");
  var compare = document.getElementById("compare");
  var runs = Array.prototype.slice.call(tbody.querySelectorAll("tr.run"));
  var groups = {};
  tbody.querySelectorAll("tr.group").forEach(function (g) { groups[g.getAttribute("data-group")] = g; });
  // The order the page came in (newest first) breaks ties, so equal keys keep it.
  runs.forEach(function (tr, i) { tr._order = i; });
  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-col]"));
  var sort = { col: "started", dir: -1 };

  function keyOf(tr, col, numeric) {
    var td = tr.querySelector("td.c-" + col);
    var v = td && td.getAttribute("data-v");
    if (v === null || v === undefined) return null;
    return numeric ? Number(v) : v;
  }

  function compareRows(col, numeric, dir) {
    return function (a, b) {
      var x = keyOf(a, col, numeric);
      var y = keyOf(b, col, numeric);
      // An empty cell sorts last whichever way the column is sorted.
      if (x === null || y === null) return x === y ? a._order - b._order : x === null ? 1 : -1;
      var c = numeric ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
      return c !== 0 ? dir * c : a._order - b._order;
    };
  }

  function layout() {
    var th = table.tHead.querySelector('th[data-col="' + sort.col + '"]');
    var ordered = runs.slice().sort(compareRows(sort.col, th.getAttribute("data-type") === "num", sort.dir));
    var grouped = groupToggle.checked;
    table.classList.toggle("grouped", grouped);
    if (grouped) {
      // Groups in the order of their first run as sorted; each group's runs under its header.
      var order = [];
      var members = {};
      ordered.forEach(function (tr) {
        var g = tr.getAttribute("data-group");
        if (!members[g]) { members[g] = []; order.push(g); }
        members[g].push(tr);
      });
      order.forEach(function (g) {
        if (groups[g]) tbody.appendChild(groups[g]);
        members[g].forEach(function (tr) { tbody.appendChild(tr); });
      });
    } else {
      ordered.forEach(function (tr) { tbody.appendChild(tr); });
    }
    applyFilter();
  }

  function showSort() {
    headers.forEach(function (th) {
      var on = th.getAttribute("data-col") === sort.col;
      th.setAttribute("aria-sort", on ? (sort.dir > 0 ? "ascending" : "descending") : "none");
      th.querySelector(".arrow").textContent = on ? (sort.dir > 0 ? "▲" : "▼") : "";
    });
  }

  headers.forEach(function (th) {
    // A button in each header: a click, Enter and Space all arrive as clicks.
    th.querySelector("button").addEventListener("click", function () {
      var col = th.getAttribute("data-col");
      sort = sort.col === col ? { col: col, dir: -sort.dir } : { col: col, dir: 1 };
      showSort();
      layout();
    });
  });

  function applyFilter() {
    var q = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var visible = {};
    runs.forEach(function (tr) {
      var text = tr.textContent.toLowerCase();
      tr.hidden = !q.every(function (w) { return text.indexOf(w) >= 0; });
      if (!tr.hidden) visible[tr.getAttribute("data-group")] = true;
    });
    // A group whose runs are all filtered out goes too.
    Object.keys(groups).forEach(function (g) { groups[g].hidden = !visible[g]; });
  }

  input.addEventListener("input", applyFilter);
  groupToggle.addEventListener("change", layout);

  function picked() {
    return runs.filter(function (tr) { return tr.querySelector("td.pick input").checked; });
  }

  function updateCompareButton() {
    var n = picked().length;
    compareButton.disabled = n !== 2;
    compareHint.textContent = n === 2 ? "" : n > 2 ? "tick only two runs" : "tick two runs to compare them";
  }

  tbody.addEventListener("change", function (ev) {
    if (ev.target && ev.target.matches("td.pick input")) updateCompareButton();
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function link(run) {
    var a = el("a", null, run.title);
    a.href = encodeURI(run.href);
    return a;
  }

  function showComparison(a, b) {
    compare.textContent = "";
    var head = el("div", "compare-head");
    head.appendChild(el("h2", null, "Two runs side by side"));
    var close = el("button", "close", "close");
    close.type = "button";
    close.addEventListener("click", function () { compare.hidden = true; });
    head.appendChild(close);
    compare.appendChild(head);
    var scenario = function (r) { return r.fields[0][1]; };
    if (scenario(a) !== scenario(b)) compare.appendChild(el("p", "note", "These runs are of different scenarios."));
    var t = el("table", "compare");
    var hr = el("tr");
    hr.appendChild(el("th"));
    [a, b].forEach(function (r) { var th = el("th"); th.appendChild(link(r)); hr.appendChild(th); });
    t.appendChild(hr);
    var addRow = function (label, x, y) {
      var tr = el("tr", x === y ? "same" : "diff");
      tr.setAttribute("data-field", label);
      tr.appendChild(el("th", null, label));
      tr.appendChild(el("td", null, x));
      tr.appendChild(el("td", null, y));
      t.appendChild(tr);
    };
    // Every field either run has (an older run lacks some, e.g. latencies), in the first run's order.
    var aFields = {};
    var bFields = {};
    a.fields.forEach(function (f) { aFields[f[0]] = f[1]; });
    b.fields.forEach(function (f) { bFields[f[0]] = f[1]; });
    var labels = a.fields.map(function (f) { return f[0]; });
    b.fields.forEach(function (f) { if (!(f[0] in aFields)) labels.push(f[0]); });
    labels.forEach(function (l) { addRow(l, l in aFields ? aFields[l] : "", l in bFields ? bFields[l] : ""); });
    // Anomalies per type, in either run (a type one run did not find counts 0 there).
    var types = Object.keys(a.anomalies);
    Object.keys(b.anomalies).forEach(function (k) { if (types.indexOf(k) < 0) types.push(k); });
    if (!types.length) addRow("anomalies", "none", "none");
    types.forEach(function (k) { addRow("anomaly " + k, String(a.anomalies[k] || 0), String(b.anomalies[k] || 0)); });
    compare.appendChild(t);
    var links = el("p", "links");
    links.appendChild(document.createTextNode("Reports: "));
    links.appendChild(link(a));
    links.appendChild(document.createTextNode(" · "));
    links.appendChild(link(b));
    compare.appendChild(links);
    compare.hidden = false;
    compare.scrollIntoView({ block: "nearest" });
  }

  compareButton.addEventListener("click", function () {
    var two = picked();
    if (two.length !== 2) return;
    showComparison(data.runs[two[0].getAttribute("data-path")], data.runs[two[1].getAttribute("data-path")]);
  });

  layout();
  updateCompareButton();
  document.body.setAttribute("data-ready", "");
})();
