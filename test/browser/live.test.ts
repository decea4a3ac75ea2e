// The live view in a real browser: `serve` on a temp store with a fake running run (its marker
// names this process, so it is running); the test appends to its history.jsonl and the open page
// follows without a reload (ops, phase, a fault in force, an anomaly), then the run finishes and the
// page says so and links to its report. Screenshots go to test-output/live/.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formatOp } from "../../checkers/write.ts";
import { type Served, serveStore } from "../../reports/serve.ts";
import { launch, type OpenBrowser } from "./browser.ts";

const OUT = join(process.cwd(), "test-output", "live");
const STORE = join(OUT, "store");
const RUN = join(STORE, "live-test", "20260101T000000000");
const HISTORY = join(RUN, "history.jsonl");
let browser: OpenBrowser;
let served: Served;
let n = 0;
/** The page polls once a second: wait for it (a wait, not a time asserted). */
const soon = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 15_000, interval: 100 });

const append = (o: Record<string, unknown>) => appendFileSync(HISTORY, `${formatOp({ index: n, time: n++ * 2e8, ...o } as never)}\n`);

beforeAll(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(RUN, "logs"), { recursive: true });
  writeFileSync(
    join(RUN, "spec.json"),
    JSON.stringify({ name: "live-test", seed: 7, client: "kafkajs", workload: { timeLimitSeconds: 20 } }),
  );
  writeFileSync(join(RUN, "running.json"), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), timeLimitSeconds: 20 }));
  writeFileSync(HISTORY, "");
  browser = await launch();
  served = await serveStore(STORE, 0);
});

afterAll(async () => {
  await served?.close();
  await browser?.close();
});

it("a running run's page follows its history without a reload, then links to its report", async () => {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));

  await page.goto(served.url, { waitUntil: "load" });
  await soon(() => page.locator("#live-runs .live-run.running").textContent()).toContain("live-test (seed 7)");
  await page.locator("#live-runs a").click();
  await page.waitForURL(/live-test\/20260101T000000000\/$/);
  await soon(() => page.locator("#status").textContent()).toBe("running");
  await soon(() => page.locator("#phase").textContent()).toBe("starting the cluster");
  let loads = 0;
  page.on("load", () => loads++);

  append({ process: "harness", type: "invoke", f: "workload", value: { timeLimitSeconds: 20 } });
  for (let i = 0; i < 5; i++) {
    append({ process: 0, type: "invoke", f: "send", value: [["send", "t-0", i]] });
    append({ process: 0, type: "ok", f: "send", value: [["send", "t-0", [i, i]]] });
  }
  append({ process: "nemesis", type: "invoke", f: "kill", value: { targets: ["kafka2"] } });
  append({ process: "nemesis", type: "ok", f: "kill", value: { targets: ["kafka2"] } });
  await soon(() => page.locator("#ops").textContent()).toBe("5");
  await soon(() => page.locator("#phase").textContent()).toBe("workload and faults");
  await soon(() => page.locator("#faults").textContent()).toContain("kill kafka2");
  await soon(() => page.locator("#elapsed").textContent()).toMatch(/^workload \d+\.\d s of 20 s$/);
  expect(await page.locator("#anomalies tr.anomaly").count()).toBe(0);

  // Another value read at offset 2: two values at one offset, found live. The read's line is
  // written in two parts, the page showing nothing of it until the line is whole.
  append({ process: 1, type: "invoke", f: "poll", value: [["poll"]] });
  const read = `${formatOp({ index: n, time: n++ * 2e8, process: 1, type: "ok", f: "poll", value: [["poll", { "t-0": [[2, 99]] }]] } as never)}\n`;
  appendFileSync(HISTORY, read.slice(0, 20));
  await soon(() => page.locator("#op-types").textContent()).toContain("13 history lines");
  appendFileSync(HISTORY, read.slice(20));
  await soon(() => page.locator('#anomalies tr.anomaly[data-type="inconsistent-offsets"]').textContent()).toContain("1");
  // Its kind beside it, so ordering noise is not read as loss.
  expect(await page.locator('#anomalies tr.anomaly[data-type="inconsistent-offsets"] td.kind').textContent()).toBe("log integrity");
  await soon(() => page.locator("#ops").textContent()).toBe("6");
  append({ process: "nemesis", type: "invoke", f: "start", value: { targets: ["kafka2"] } });
  append({ process: "nemesis", type: "ok", f: "start", value: { targets: ["kafka2"] } });
  append({ process: "harness", type: "ok", f: "workload", value: { seconds: 20 } });
  await soon(() => page.locator("#faults").textContent()).toBe("none");
  await soon(() => page.locator("#phase").textContent()).toBe("healing and waiting in sync");
  await page.screenshot({ path: join(OUT, "running.png"), fullPage: true });

  // The run finishes: results and report written, the marker removed last.
  writeFileSync(join(RUN, "results.json"), JSON.stringify({ valid: false, anomalies: {}, anomalyTypes: [] }));
  writeFileSync(join(RUN, "report.html"), "<!doctype html><title>report</title><h1>the report</h1>");
  rmSync(join(RUN, "running.json"));
  await soon(() => page.locator("#status").textContent()).toBe("finished");
  await soon(() => page.locator("#done").textContent()).toContain("The run has finished: INVALID");
  await page.screenshot({ path: join(OUT, "finished.png"), fullPage: true });
  expect(loads).toBe(0);
  await page.locator("#report-link").click();
  await page.waitForURL(/report\.html$/);
  expect(await page.locator("h1").textContent()).toBe("the report");
  expect(errors).toEqual([]);
  await page.close();
});
