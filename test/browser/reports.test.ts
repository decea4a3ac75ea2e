// Reports in a real browser: each fixture run (a real clean run, and generated runs with faults and
// one family of anomaly each) is rendered from its store directory, opened from disk in headless
// Chromium, and checked as a reader would use it. Screenshots go to test-output/reports/.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeIndex, writeReport } from "../../reports/index.ts";
import { FIXTURES, writeFixtureRun } from "../fixtures/reports/fixtures.ts";
import { launch, type OpenBrowser, type Visit, visit } from "./browser.ts";

const OUT = join(process.cwd(), "test-output", "reports");
const STORE = join(OUT, "store");
const reports = new Map<string, string>();
let browser: OpenBrowser;
let index: string;

let launchError: unknown;

beforeAll(async () => {
  try {
    browser = await launch();
  } catch (e) {
    // Every test then fails with this message: a missing browser is a failure, never a skip.
    launchError = e;
    return;
  }
  await rm(STORE, { recursive: true, force: true });
  await mkdir(STORE, { recursive: true });
  for (const [i, f] of FIXTURES.entries()) {
    // No results.json: writeReport recomputes the results from the history and the spec.
    const dir = await writeFixtureRun(STORE, f, `20251125T13${String(i).padStart(2, "0")}00000`);
    reports.set(f.name, await writeReport(dir));
  }
  index = await writeIndex(STORE);
});

beforeEach(() => {
  if (launchError) throw launchError;
});

afterAll(async () => {
  await browser?.close();
});

async function open(path: string): Promise<Visit> {
  const v = await visit(browser, path);
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
      // Three charts drawn, the timeline with its fault table.
      expect(await p.locator(".chart canvas").count()).toBe(3);
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

  it("the index counts runs with permitted loss apart and shows what each run lost", async () => {
    const v = await visit(browser, index);
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
    const page = await browser.context.newPage();
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
    const v = await visit(browser, index);
    try {
      clean(v);
      const p = v.page;
      const rows = p.locator("tr.run");
      expect(await rows.count()).toBe(FIXTURES.length);
      const hrefs = await p.locator("tr.run td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
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
