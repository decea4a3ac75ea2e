// The store index in a real browser: sorting by any column (mouse and keyboard, numbers as numbers,
// the state shown), grouping by suite and scenario with the suite's stored expectation, and two runs
// compared side by side, all offline. Screenshots go to test-output/index/.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { storeJudgement } from "../../harness/suite/run-suite.ts";
import { writeIndex, writeReport } from "../../reports/index.ts";
import { FIXTURES, writeFixtureRun } from "../fixtures/reports/fixtures.ts";
import { browserForFile, type Visit, visit } from "./browser.ts";

const OUT = join(process.cwd(), "test-output", "index");
const STORE = join(OUT, "store");
let index: string;

const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;

/** A fixture run with its own seed and, when given, a duration (meta.finishedAt), client and latencies. */
async function run(
  name: string,
  minute: number,
  o: { seed: number; seconds?: number; client?: string; latency?: object },
): Promise<string> {
  const f = fixture(name);
  const timestamp = `20251125T10${String(minute).padStart(2, "0")}00000`;
  const started = Date.parse(`2025-11-25T10:${String(minute).padStart(2, "0")}:00Z`);
  const meta = {
    ...(f.spec.meta as object),
    ...(o.seconds === undefined ? {} : { finishedAt: new Date(started + o.seconds * 1000).toISOString() }),
    ...(o.latency ? { latency: o.latency } : {}),
  };
  const dir = await writeFixtureRun(
    STORE,
    { ...f, spec: { ...f.spec, seed: o.seed, ...(o.client ? { client: o.client } : {}), meta } },
    timestamp,
  );
  await writeReport(dir);
  return dir;
}

const browser = browserForFile(async () => {
  await rm(STORE, { recursive: true, force: true });
  await mkdir(STORE, { recursive: true });
  // A suite's scenario run three times (judged: not met), another judged met, and a run made by `run`.
  // Durations 100 s, 9.5 s and 9.25 s: as text "100" sorts before "9.5", and even text read with
  // its digits as numbers puts 9.5 before 9.25.
  const lossRuns = [
    // Only this run kept its latencies (a run stored before they were kept has none).
    await run("loss", 1, {
      seed: 101,
      seconds: 100,
      client: "kafkajs",
      latency: { send: { count: 2449, p50: 12.5, p95: 40, p99: 81.25, max: 1200 } },
    }),
    await run("loss", 2, { seed: 102, seconds: 9.5, client: "kafkajs" }),
    await run("loss", 3, { seed: 103, seconds: 9.25, client: "kafkajs" }),
  ];
  const cleanRuns = [await run("clean-faults", 4, { seed: 201, seconds: 30 })];
  await run("loss-acks1", 5, { seed: 301 });
  const outcome = (name: string, dirs: string[], met: boolean) =>
    ({ name, met, problems: met ? [] : ["none of 3 run(s) found G1c"], runs: dirs.map((dir) => ({ dir })) }) as never;
  await storeJudgement("known-answer", outcome("loss", lossRuns, false), () => {});
  await storeJudgement("known-answer", outcome("clean-faults", cleanRuns, true), () => {});
  index = await writeIndex(STORE);
});

async function open(): Promise<Visit> {
  const v = await visit(browser.current, index);
  await v.page.waitForSelector("body[data-ready]", { timeout: 15_000 });
  return v;
}

function clean(v: Visit) {
  expect(v.errors, "console errors").toEqual([]);
  expect(v.requests, "requests to anything but the file itself").toEqual([]);
}

const durations = (v: Visit) => v.page.locator("tr.run:not([hidden]) td.c-duration").allTextContents();
const sortState = (v: Visit) =>
  v.page
    .locator("th[data-col]")
    .evaluateAll((ths) =>
      Object.fromEntries(
        ths
          .filter((t) => t.getAttribute("aria-sort") !== "none")
          .map((t) => [t.getAttribute("data-col"), [t.getAttribute("aria-sort"), t.querySelector(".arrow")?.textContent]]),
      ),
    );

describe("store index", () => {
  it("sorts by a header (click, again reverses; Enter and Space too), numbers as numbers, empty cells last, and says how", async () => {
    const v = await open();
    try {
      clean(v);
      const p = v.page;
      expect(await sortState(v)).toEqual({ started: ["descending", "▼"] });
      await p.click('th[data-col="duration"] button');
      expect(await durations(v)).toEqual(["9.3 s", "9.5 s", "30.0 s", "1 min 40 s", ""]);
      expect(await sortState(v)).toEqual({ duration: ["ascending", "▲"] });
      await p.click('th[data-col="duration"] button');
      expect(await durations(v)).toEqual(["1 min 40 s", "30.0 s", "9.5 s", "9.3 s", ""]);
      expect(await sortState(v)).toEqual({ duration: ["descending", "▼"] });
      // The keyboard: a header's button takes Enter and Space.
      await p.focus('th[data-col="scenario"] button');
      await p.keyboard.press("Enter");
      expect(await sortState(v)).toEqual({ scenario: ["ascending", "▲"] });
      const scenarios = () => p.locator("tr.run td.c-scenario").evaluateAll((tds) => tds.map((t) => t.getAttribute("data-v")));
      expect(await scenarios()).toEqual([...(await scenarios())].sort());
      await p.keyboard.press("Space");
      expect(await sortState(v)).toEqual({ scenario: ["descending", "▼"] });
      expect(await scenarios()).toEqual([...(await scenarios())].sort().reverse());
      // The filter still works on the sorted table.
      await p.fill("#filter", "seed 102");
      expect(await durations(v)).toEqual(["9.5 s"]);
      await p.fill("#filter", "");
      expect(await p.locator("tr.run:not([hidden])").count()).toBe(5);
    } finally {
      await v.page.close();
    }
  });

  it("shows the suite's expectation per run and, grouped, a header per scenario with its runs under it", async () => {
    const v = await open();
    try {
      clean(v);
      const p = v.page;
      const expectation = (seed: number) =>
        p
          .locator("tr.run", { hasText: `seed ${seed}` })
          .locator("td.c-expectation")
          .textContent();
      expect(await expectation(101)).toBe("✗ NOT MET");
      expect(await expectation(201)).toBe("✓ met");
      expect(await expectation(301)).toBe("");
      expect(await p.locator("tr.group").first().isVisible()).toBe(false);
      await p.check("#group-toggle");
      const rows = await p
        .locator("tbody tr:not([hidden])")
        .evaluateAll((trs) => trs.map((t) => `${t.classList.contains("group") ? "group" : "run"} ${t.getAttribute("data-group")}`));
      expect(rows).toEqual([
        "group test:loss-acks1",
        "run test:loss-acks1",
        "group suite:known-answer/clean-faults",
        "run suite:known-answer/clean-faults",
        "group suite:known-answer/loss",
        "run suite:known-answer/loss",
        "run suite:known-answer/loss",
        "run suite:known-answer/loss",
      ]);
      const loss = p.locator('tr.group[data-group="suite:known-answer/loss"]');
      expect(await loss.isVisible()).toBe(true);
      const text = await loss.textContent();
      expect(text).toContain("known-answer · loss");
      expect(text).toContain("3 runs");
      expect(text).toContain("NOT met");
      expect(text).toMatch(/newest: (VALID|INVALID|UNKNOWN)/);
      expect(await p.locator('tr.group[data-group="suite:known-answer/clean-faults"] .expect.met').textContent()).toBe("met");
      expect(await p.locator('tr.group[data-group="test:loss-acks1"]').textContent()).toContain("(no suite)");
      // Sorting keeps the groups, each with its runs sorted.
      await p.click('th[data-col="duration"] button');
      expect(await durations(v)).toEqual(["9.3 s", "9.5 s", "1 min 40 s", "30.0 s", ""]);
      // A filter hides the groups it leaves empty.
      await p.fill("#filter", "seed 201");
      expect(await p.locator("tr.group:not([hidden])").count()).toBe(1);
      await p.fill("#filter", "");
      await p.screenshot({ path: join(OUT, "index-grouped.png"), fullPage: true });
      await p.uncheck("#group-toggle");
      expect(await p.locator("tr.group").first().isVisible()).toBe(false);
    } finally {
      await v.page.close();
    }
  });

  it("compares two ticked runs side by side, the differences marked, with links to both reports", async () => {
    const v = await open();
    try {
      clean(v);
      const p = v.page;
      const button = p.locator("#compare-button");
      expect(await button.isDisabled()).toBe(true);
      await p.locator("tr.run", { hasText: "seed 101" }).locator("td.pick input").check();
      expect(await button.isDisabled()).toBe(true);
      await p.locator("tr.run", { hasText: "seed 103" }).locator("td.pick input").check();
      expect(await button.isDisabled()).toBe(false);
      await button.click();
      const compare = p.locator("#compare");
      expect(await compare.isVisible()).toBe(true);
      const field = (label: string) => compare.locator(`tr[data-field="${label}"]`);
      const cells = async (label: string) => [
        await field(label).getAttribute("class"),
        ...(await field(label).locator("td").allTextContents()),
      ];
      // The newer run (seed 103) is ticked second but the table lists newest first.
      expect(await cells("seed")).toEqual(["diff", "103", "101"]);
      expect(await cells("duration")).toEqual(["diff", "9.3 s", "1 min 40 s"]);
      expect(await cells("client")).toEqual(["same", "kafkajs", "kafkajs"]);
      expect(await cells("configuration")).toEqual(["same", expect.stringContaining("acks=all"), expect.stringContaining("acks=all")]);
      expect(await cells("expectation")).toEqual(["same", "NOT met", "NOT met"]);
      for (const label of ["Kafka version", "verdict", "lost", "faults applied", "faults effective", "faults refused", "ops"])
        expect(await field(label).count(), label).toBe(1);
      expect(await compare.locator('tr[data-field^="anomaly "]').count()).toBeGreaterThan(0);
      // Latency quantiles where a run kept them; the other run's cell stays empty.
      expect(await cells("latency send p50 / p95 / p99 / max")).toEqual(["diff", "", "12.5 / 40 / 81.25 / 1,200 ms (2,449 ops)"]);
      expect(await compare.locator(".note").count()).toBe(0);
      const hrefs = await compare.locator(".links a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      expect(hrefs).toEqual(["loss/20251125T100300000/report.html", "loss/20251125T100100000/report.html"]);
      await p.screenshot({ path: join(OUT, "index-compare.png") });
      // A third tick disables the button: a comparison is of two runs.
      await p.locator("tr.run", { hasText: "seed 102" }).locator("td.pick input").check();
      expect(await button.isDisabled()).toBe(true);
      expect(await p.textContent("#compare-hint")).toBe("tick only two runs");
      clean(v);
    } finally {
      await v.page.close();
    }
  });
});
