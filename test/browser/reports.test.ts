// Reports in a real browser: each fixture run (a real clean run, and generated runs with faults and
// one family of anomaly each) is rendered from its store directory, opened from disk in headless
// Chromium, and checked as a reader would use it. Screenshots go to test-output/reports/.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeIndex, writeReport } from "../../reports/index.ts";
import { FIXTURES, writeFixtureRun } from "../fixtures/reports/fixtures.ts";
import { browserForFile, type Visit, visit } from "./browser.ts";

const OUT = join(process.cwd(), "test-output", "reports");
const STORE = join(OUT, "store");
const reports = new Map<string, string>();
let index: string;

const browser = browserForFile(async () => {
  await rm(STORE, { recursive: true, force: true });
  await mkdir(STORE, { recursive: true });
  for (const [i, f] of FIXTURES.entries()) {
    // No results.json: writeReport recomputes the results from the history and the spec.
    const dir = await writeFixtureRun(STORE, f, `20251125T13${String(i).padStart(2, "0")}00000`);
    reports.set(f.name, await writeReport(dir));
  }
  index = await writeIndex(STORE);
});

async function open(path: string): Promise<Visit> {
  const v = await visit(browser.current, path);
  await v.page.waitForSelector("body[data-ready]", { timeout: 15_000 });
  return v;
}

function clean(v: Visit) {
  expect(v.errors, "console errors").toEqual([]);
  expect(v.requests, "requests to anything but the file itself").toEqual([]);
}

describe.each(FIXTURES)("report of $name", (f) => {
  it(`says ${f.verdict}, shows ${f.types.join(", ") || "no anomaly"} with evidence, offline`, async () => {
    const v = await open(reports.get(f.name)!);
    try {
      clean(v);
      const p = v.page;
      expect(await p.getAttribute("#verdict", "data-verdict")).toBe(f.verdict);
      expect(await p.textContent("#verdict .word")).toBe(f.verdict.toUpperCase());
      // Seven promises, and an eighth (committed transactions visible whole) where the history has transactions.
      const txns = (await p.locator("#txns tr.txn").count()) > 0;
      expect(await p.locator("#promises tr.promise").count()).toBe(txns ? 8 : 7);
      const found = await p.locator("article.anomaly").evaluateAll((els) => els.map((e) => e.getAttribute("data-type")));
      expect([...found].sort()).toEqual([...f.types].sort());
      for (const t of f.types) {
        const a = p.locator(`#anomaly-${t}`);
        expect(await a.locator("li.finding").count(), t).toBeGreaterThan(0);
        expect(await a.locator("li.finding a.op").count(), `${t} links ops`).toBeGreaterThan(0);
      }
      if (f.verdict === "invalid") {
        expect(await p.locator("#promises tr.promise.broken").count()).toBeGreaterThan(0);
        expect(await p.locator("#logs .keylog .cell").count(), "log view cells").toBeGreaterThan(0);
      } else expect(await p.locator("#promises tr.promise.broken").count()).toBe(0);
      // Five charts drawn (latency, quantiles, lanes, throughput, unseen), and the fault table.
      expect(await p.locator(".chart canvas").count()).toBe(5);
      const faulted = (f.spec.faults as { kinds: string[] }).kinds.length > 0;
      expect(await p.locator("table.faults tr.fault").count()).toBe(faulted ? 2 : 0);
      expect(await p.textContent("#replay")).toContain("kafka-harness run");
      await p.screenshot({ path: join(OUT, `${f.name}.png`), fullPage: true });
    } finally {
      await v.page.close();
    }
  });
});

describe("loss stated plainly", () => {
  it("the banner says what was lost at the top, its state told by a mark and words besides colour", async () => {
    const cases = [
      {
        name: "loss-acks1",
        state: "permitted-loss",
        mark: "⚠",
        loss: /^⚠ \d[\d,]* of [\d,]+ acknowledged writes lost \([\d.]+%\).*permitted by acks=1\.$/,
      },
      {
        name: "loss",
        state: "invalid",
        mark: "✗",
        loss: /^✗ \d[\d,]* of [\d,]+ acknowledged writes lost .*forbidden \(acks=all, no unclean election\)\.$/,
      },
      { name: "clean-faults", state: "clean", mark: "✓", loss: /^✓ Nothing lost \(0 of [\d,]+ acknowledged writes\)\.$/ },
    ];
    for (const c of cases) {
      const v = await open(reports.get(c.name)!);
      try {
        clean(v);
        const p = v.page;
        expect(await p.getAttribute("#verdict", "data-state"), c.name).toBe(c.state);
        expect((await p.textContent("#loss"))?.trim(), c.name).toMatch(c.loss);
        expect(await p.textContent("#verdict .state-label"), c.name).toBeTruthy();
        // Above the fold: the loss line sits in the first screenful.
        const box = await p.locator("#loss").boundingBox();
        expect(box!.y, c.name).toBeLessThan(300);
        const colours = await p.locator("#verdict").evaluate((e) => getComputedStyle(e).backgroundImage);
        expect(colours, c.name).toContain("gradient");
        if (c.name === "loss-acks1") await p.screenshot({ path: join(OUT, "banner-permitted-loss.png") });
      } finally {
        await v.page.close();
      }
    }
  });

  it("the banner shows ordering noise (int-send-skip and the like) apart from loss, under its own heading", async () => {
    const chipsOf = (p: Visit["page"], kind: string) =>
      p
        .locator(`#verdict .found .kind-group[data-kind="${kind}"] a.chip`)
        .evaluateAll((els) => els.map((e) => e.textContent?.split(" ")[0]));
    // A run that lost writes (permitted by acks=1) and reordered sends: two groups, loss first.
    const lossy = await open(reports.get("loss-acks1")!);
    try {
      clean(lossy);
      const p = lossy.page;
      expect(await chipsOf(p, "loss")).toEqual(["lost-write", "unseen"]);
      expect(await chipsOf(p, "ordering")).toEqual(["nonmonotonic-send"]);
      expect(await p.textContent('#verdict .kind-group[data-kind="ordering"] .kind-label')).toBe("ordering, not loss");
      expect(await p.textContent('#verdict .kind-group[data-kind="loss"] .kind-label')).toBe("loss");
      const loss = await p.locator('#verdict .kind-group[data-kind="loss"]').boundingBox();
      const ordering = await p.locator('#verdict .kind-group[data-kind="ordering"]').boundingBox();
      expect(ordering!.y, "ordering on a line below loss").toBeGreaterThanOrEqual(loss!.y + loss!.height);
    } finally {
      await lossy.page.close();
    }
    // A run that lost nothing, with only int-send-skip: no loss group, the chip under ordering.
    const quiet = await open(reports.get("clean")!);
    try {
      clean(quiet);
      const p = quiet.page;
      expect(await p.getAttribute("#verdict", "data-state")).toBe("clean");
      expect(await p.locator('#verdict .kind-group[data-kind="loss"]').count()).toBe(0);
      expect(await chipsOf(p, "ordering")).toEqual(["int-send-skip"]);
      expect(await p.textContent('#verdict .kind-group[data-kind="ordering"] .kind-label')).toBe("ordering, not loss");
      await p.locator("#verdict").screenshot({ path: join(OUT, "banner-ordering-apart.png") });
    } finally {
      await quiet.page.close();
    }
  });

  it("the index counts runs with permitted loss apart and shows what each run lost", async () => {
    const v = await visit(browser.current, index);
    try {
      const p = v.page;
      expect(await p.textContent("header .counts")).toMatch(/\d+ valid, nothing lost.*\d+ valid with permitted loss/);
      const row = p.locator("tr.run", { hasText: "loss-acks1" });
      expect(await row.locator(".verdict").textContent()).toBe("VALID · LOSS");
      expect(await row.locator(".lost.permitted").textContent()).toMatch(/^\d[\d,]* \/ [\d,]+ \([\d.]+%\)$/);
    } finally {
      await v.page.close();
    }
  });
});

describe("one clock, the timeline first", () => {
  // The generated runs record 30 s of cluster start before the workload, and kill kafka2 9 s into
  // it (fixtures.ts): every time on the page counts from the workload's start.
  it("fault times, op details, measurements and phases count from the workload's start; the offset is shown once", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const first = p.locator("table.faults tr.fault").first();
      expect(await first.locator("td").nth(3).textContent()).toBe("9.00 s");
      await first.locator("a.op").first().click();
      expect(await p.textContent("#op-detail .head")).toContain("kill invoke at 9.000 s");
      const data = JSON.parse((await p.textContent("#report-data"))!);
      expect(data.charts.t0).toBeLessThan(0.1);
      const failover = data.charts.measures.find((m: { field: string }) => m.field === "leaderAfterMs");
      expect(failover.at).toBeCloseTo(9.04 + 3.2, 2);
      expect(await p.getAttribute("#clock-offset", "data-offset")).toBe("30.000");
      expect(await p.textContent("#clock-offset")).toContain("30.00 s after the run's clock started");
      // The offset appears once: nowhere else does a time of the history's own clock show.
      expect(await p.locator("text=/\\b39\\.0\\d s\\b/").count()).toBe(0);
    } finally {
      await v.page.close();
    }
  });

  it("the timeline sits right after the verdict, its phases labelled, before the promises and the evidence", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const chart = await p.locator("#chart-latency").boundingBox();
      expect(chart!.y, "the latency chart starts within the first screen").toBeLessThan(p.viewportSize()!.height);
      const order = await p.evaluate(() =>
        ["verdict", "timeline", "promises", "anomalies", "faults", "logs"].map(
          (id) => document.getElementById(id)!.getBoundingClientRect().top,
        ),
      );
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      const phases = await p
        .locator("#phases li")
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute("data-phase"), Number(e.getAttribute("data-from")), Number(e.getAttribute("data-to"))]),
        );
      expect(phases.map((x) => x[0])).toEqual(["workload", "heal", "resync", "final reads"]);
      expect(phases[0]!.slice(1)).toEqual([0, 30]);
      expect(phases[1]!.slice(1)).toEqual([30.1, 30.5]);
      await p.screenshot({ path: join(OUT, "timeline-top.png") });
    } finally {
      await v.page.close();
    }
  });

  it("lost writes and unseen values are marked where they were acknowledged; a mark names its op", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const data = JSON.parse((await p.textContent("#report-data"))!);
      const L = data.charts.loss;
      // Every lost write is marked (the checker's count, not only its examples), at its writer's completion.
      const writers = await p
        .locator("#anomaly-lost-write li.finding")
        .evaluateAll((lis) => lis.map((li) => Number(li.querySelector("a.op")!.getAttribute("data-op"))));
      const lost = L.i.filter((_: number, j: number) => L.k[j] === 0);
      expect(lost.length).toBe(Number(await p.textContent("#anomaly-lost-write .count")));
      expect([...lost].sort()).toEqual([...writers].sort());
      expect(L.k.filter((k: number) => k === 1).length).toBe(Number(await p.textContent("#anomaly-unseen .count")));
      const j = L.k.indexOf(0);
      expect(data.ops[L.i[j]].done).toBeCloseTo(L.x[j], 3);
      expect(await p.textContent("#timeline .legend")).toContain("lost write (acknowledged at) × 10");
      // Hover over the mark: the tooltip names the write; a click selects its op.
      const over = (await p.locator("#chart-latency .u-over").boundingBox())!;
      const x = over.x + ((L.x[j] - data.charts.t0) / (data.charts.t1 - data.charts.t0)) * over.width;
      await p.mouse.move(x, over.y + 6);
      await expect.poll(() => p.textContent("#chart-latency .tip")).toContain(`acknowledged to op ${L.i[j]}`);
      await p.mouse.click(x, over.y + 6);
      await expect.poll(() => p.getAttribute("#chart-latency", "data-highlight")).toBe(String(L.i[j]));
      await p.locator("#chart-latency").screenshot({ path: join(OUT, "loss-marks.png") });
    } finally {
      await v.page.close();
    }
  });

  it("a faults summary beside the verdict: applied, effective, refused, uncertain, per kind", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const cells = await p
        .locator("#faults-summary .fs-cell")
        .evaluateAll((els) => els.map((e) => [e.getAttribute("data-count"), e.querySelector("b")!.textContent]));
      expect(cells).toEqual([
        ["applied", "2"],
        ["effective", "2"],
        ["refused", "0"],
        ["uncertain", "0"],
      ]);
      expect(await p.locator("#faults-summary li[data-kind]").evaluateAll((ls) => ls.map((l) => l.getAttribute("data-kind")))).toEqual([
        "kill",
        "pause",
      ]);
      // Beside the verdict: inside the banner, to the right of the verdict word.
      const box = (await p.locator("#faults-summary").boundingBox())!;
      const banner = (await p.locator("#verdict").boundingBox())!;
      const word = (await p.locator("#verdict .word").boundingBox())!;
      expect(box.y).toBeLessThan(banner.y + banner.height);
      expect(box.x).toBeGreaterThan(word.x + word.width);
      await p.locator("#verdict").screenshot({ path: join(OUT, "faults-summary.png") });
    } finally {
      await v.page.close();
    }
    const control = await open(reports.get("clean")!);
    try {
      expect(await control.page.getAttribute("#faults-summary", "data-applied")).toBe("0");
      expect(await control.page.textContent("#faults-summary")).toContain("none applied");
    } finally {
      await control.page.close();
    }
  });

  it("a finding's log link opens the key's log at the finding's offset, highlighted, in rows that wrap", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const finding = p.locator("#anomaly-lost-write li.finding").nth(3);
      const offset = await finding.locator("b.off").first().textContent();
      const link = finding.locator("a.to-log");
      expect(await link.getAttribute("data-offset")).toBe(offset);
      await link.click();
      const cell = p.locator(`#logs .cell:target`);
      await expect.poll(() => cell.count()).toBe(1);
      expect(await cell.getAttribute("data-offset")).toBe(offset);
      const box = (await cell.boundingBox())!;
      expect(box.y).toBeGreaterThan(0);
      expect(box.y + box.height).toBeLessThan(p.viewportSize()!.height);
      expect(await cell.evaluate((e) => getComputedStyle(e).boxShadow)).toContain("rgb(249, 115, 22)");
      // No sideways strip: the log wraps into rows within the page's width.
      const strips = await p.locator("#logs .strip").evaluateAll((els) => els.map((e) => [e.scrollWidth, e.clientWidth]));
      for (const [sw, cw] of strips) expect(sw).toBeLessThanOrEqual(cw! + 1);
      await p.screenshot({ path: join(OUT, "log-at-offset.png") });
    } finally {
      await v.page.close();
    }
  });

  it("a lane per process shows its ops by outcome, and latency quantiles per f, as Jepsen's plots", async () => {
    const v = await open(reports.get("loss")!);
    try {
      clean(v);
      const p = v.page;
      const data = JSON.parse((await p.textContent("#report-data"))!);
      const LN = data.charts.lanes;
      expect(LN.names).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p16"]);
      // Hover over the lane of p0 at its first segment: the tooltip says whose ops they are.
      await p.locator("#chart-lanes").scrollIntoViewIfNeeded();
      const over = (await p.locator("#chart-lanes .u-over").boundingBox())!;
      const n = LN.names.length;
      const t = (LN.x0[0][0] + LN.x1[0][0]) / 2;
      await p.mouse.move(
        over.x + ((t - data.charts.t0) / (data.charts.t1 - data.charts.t0)) * over.width,
        over.y + over.height * (1 - 0.5 / n),
      );
      await expect.poll(() => p.textContent("#chart-lanes .tip")).toMatch(/^p0 · /);
      // An info op stands out on its lane: the stalled sends during the kill.
      expect(LN.c.flat()).toContain(1);
      const Q = data.charts.quantiles;
      expect(Q.series.map((s: { f: string; q: number }) => `${s.f} ${s.q}`)).toEqual([
        "poll 0.5",
        "poll 0.95",
        "poll 0.99",
        "poll 1",
        "send 0.5",
        "send 0.95",
        "send 0.99",
        "send 1",
      ]);
      expect(await p.locator("#chart-quantiles canvas").count()).toBe(1);
      expect(await p.textContent("#chart-quantiles .qlegend")).toMatch(/p50.*p95.*p99.*max/);
      await p.locator("#timeline").screenshot({ path: join(OUT, "timeline-lanes-quantiles.png") });
    } finally {
      await v.page.close();
    }
  });
});

describe("linking evidence to the timeline", () => {
  it.each(FIXTURES.filter((f) => f.verdict === "invalid").map((f) => f.name))(
    "%s: a click on an op in a finding highlights it in the timeline",
    async (name) => {
      const v = await open(reports.get(name)!);
      try {
        const p = v.page;
        const link = p.locator("li.finding a.op").first();
        const op = await link.getAttribute("data-op");
        await link.click();
        await expect.poll(() => p.getAttribute("#chart-latency", "data-highlight")).toBe(op);
        const detail = p.locator("#op-detail");
        expect(await detail.isVisible()).toBe(true);
        expect(await detail.textContent()).toContain(`op ${op}`);
        expect(await detail.locator(".named a").count(), "the detail names the findings of the op").toBeGreaterThan(0);
        expect(await p.locator(`a.op.current[data-op="${op}"]`).count()).toBeGreaterThan(0);
        // The timeline is scrolled into view.
        const box = await p.locator("#chart-latency").boundingBox();
        const vh = p.viewportSize()!.height;
        expect(box!.y + box!.height).toBeGreaterThan(0);
        expect(box!.y).toBeLessThan(vh);
        expect(new URL(p.url()).hash).toBe(`#op-${op}`);
        await p.screenshot({ path: join(OUT, `${name}-highlight.png`) });
        clean(v);
      } finally {
        await v.page.close();
      }
    },
  );

  it("a link to #op-N highlights the op when the page opens", async () => {
    const path = reports.get("loss")!;
    const probe = await open(path);
    const op = await probe.page.locator("#anomaly-lost-write li.finding a.op").first().getAttribute("data-op");
    await probe.page.close();
    const page = await browser.current.context.newPage();
    try {
      await page.goto(`${new URL(`file://${path}`).href}#op-${op}`);
      await page.waitForSelector("body[data-ready]");
      expect(await page.getAttribute("#chart-latency", "data-highlight")).toBe(op);
    } finally {
      await page.close();
    }
  });
});

describe("store index", () => {
  it("lists every run, newest first, with verdict and anomalies, linking to the reports", async () => {
    const v = await visit(browser.current, index);
    try {
      clean(v);
      const p = v.page;
      const rows = p.locator("tr.run");
      expect(await rows.count()).toBe(FIXTURES.length);
      const hrefs = await p.locator("tr.run td.c-started a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      // Timestamps increase with the fixture's position: newest (last) first.
      expect(hrefs[0]).toContain(FIXTURES.at(-1)!.name);
      for (const h of hrefs) expect(h).toMatch(/report\.html$/);
      expect(await p.locator('tr.run[data-verdict="invalid"]').count()).toBe(FIXTURES.filter((f) => f.verdict === "invalid").length);
      expect(await p.locator("tr.run .chip.forbidden").count()).toBeGreaterThan(0);
      await p.fill("#filter", "g1a");
      expect(await p.locator("tr.run:not([hidden])").count()).toBe(1);
      await p.fill("#filter", "");
      await p.screenshot({ path: join(OUT, "index.png"), fullPage: true });
    } finally {
      await v.page.close();
    }
  });
});

describe("large histories", () => {
  it("a 100k-op report stays small and opens fast, its timeline downsampled", async () => {
    const { benchHistory } = await import("../../bench/reports.ts");
    const { check } = await import("../../checkers/index.ts");
    const { renderReport } = await import("../../reports/index.ts");
    const { writeFile } = await import("node:fs/promises");
    const history = benchHistory(100_000);
    const results = check(history, { acks: "all", minInsyncReplicas: 2, idempotent: true });
    const html = renderReport({ spec: { name: "large", seed: 42 }, history, results });
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
    const path = join(OUT, "large-100k.html");
    await writeFile(path, html);
    const t = performance.now();
    const v = await open(path);
    try {
      expect(performance.now() - t, "ms to open and draw").toBeLessThan(10_000);
      clean(v);
      expect(await v.page.textContent("#timeline .legend")).toMatch(/ops drawn/);
      await v.page.screenshot({ path: join(OUT, "large-100k.png") });
    } finally {
      await v.page.close();
    }
  });
});

describe("edge cases", () => {
  it("a run that tested nothing says unknown, and its empty charts draw without errors", async () => {
    const { check } = await import("../../checkers/index.ts");
    const { renderReport } = await import("../../reports/index.ts");
    const { writeFile } = await import("node:fs/promises");
    const history = [
      { index: 0, time: 1e6, process: 0, type: "invoke" as const, f: "assign", value: ["t-0"] },
      { index: 1, time: 2e6, process: "nemesis", type: "invoke" as const, f: "kill", value: { targets: ["kafka1"] } },
      { index: 2, time: 3e6, process: "nemesis", type: "fail" as const, f: "kill", value: { targets: ["kafka1"], reason: "no cluster" } },
    ];
    const path = join(OUT, "unknown.html");
    await writeFile(path, renderReport({ history, results: check(history) }));
    const v = await open(path);
    try {
      clean(v);
      expect(await v.page.getAttribute("#verdict", "data-verdict")).toBe("unknown");
      expect(await v.page.locator("#promises tr.promise.not-tested").count()).toBeGreaterThan(0);
      expect(await v.page.textContent("table.faults")).toContain("no cluster");
      await v.page.screenshot({ path: join(OUT, "unknown.png"), fullPage: true });
    } finally {
      await v.page.close();
    }
  });

  it("a transactional history shows its transaction view; a click on a reader in it highlights that op", async () => {
    const { check, parseJsonlHistory } = await import("../../checkers/index.ts");
    const { renderReport } = await import("../../reports/index.ts");
    const { readFile, writeFile } = await import("node:fs/promises");
    const history = parseJsonlHistory(await readFile(join(import.meta.dirname, "../fixtures/histories/txn-small.jsonl"), "utf8"));
    const path = join(OUT, "txn.html");
    const results = check(history, { acks: "all", idempotent: true, isolation: "read_committed", transactional: true });
    await writeFile(path, renderReport({ spec: { name: "txn" }, history, results }));
    const v = await open(path);
    try {
      const p = v.page;
      clean(v);
      expect(await p.locator("#txns tr.txn").count()).toBe(5);
      expect(await p.locator("#txns tr.txn").first().isVisible()).toBe(true);
      expect(await p.locator("#txns tr.txn[data-planned]").count()).toBe(1);
      expect(await p.textContent("#verdict")).toContain("consumers read_committed");
      const reader = p.locator("#txn-5 li.mop.aborted-read a.op").first();
      expect(await reader.getAttribute("data-op")).toBe("7");
      await reader.click();
      await expect.poll(() => p.getAttribute("#chart-latency", "data-highlight")).toBe("7");
      await p.locator("#txns").screenshot({ path: join(OUT, "txn-view.png") });
    } finally {
      await v.page.close();
    }
  });
});
