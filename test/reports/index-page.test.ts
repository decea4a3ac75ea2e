// The index's data: what each entry records (Kafka version, client, duration, the suite's stored
// judgement), the keys the page sorts by, the groups by suite and scenario and the comparison's
// fields. The page's behaviour in a browser is test/browser/index.test.ts.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkKeepingDerived, opPairs } from "../../checkers/index.ts";
import { parseJsonlHistory } from "../../checkers/read.ts";
import { finishRun } from "../../harness/run/finish.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { storedExpectation } from "../../harness/suite/judge.ts";
import { storeJudgement } from "../../harness/suite/run-suite.ts";
import { noWorkloadStats } from "../../harness/workload/workload.ts";
import { scanStore, writeIndex } from "../../reports/index.ts";
import { COLUMNS, compareData, groupsOf } from "../../reports/index-columns.ts";
import { type IndexEntry, renderIndex } from "../../reports/index-page.ts";
import { latencySummary } from "../../reports/latency-summary.ts";
import { createRunFolder, readStoredExpectation } from "../../reports/run-folder.ts";
import { FIXTURES, writeFixtureRun } from "../fixtures/reports/fixtures.ts";

let store: string;
beforeEach(async () => {
  store = await mkdtemp(join(tmpdir(), "kh-index-"));
});
afterEach(async () => {
  await rm(store, { recursive: true, force: true });
});

const fixture = (name: string) => FIXTURES.find((f) => f.name === name)!;
const column = (id: string) => COLUMNS.find((c) => c.id === id)!;

/** A fixture run as a current runner stores it: client, Kafka version and when it finished. */
async function currentRun(name: string, timestamp: string, finishedAfterSeconds: number): Promise<string> {
  const f = fixture(name);
  const started = Date.parse(
    `${timestamp.slice(0, 4)}-${timestamp.slice(4, 6)}-${timestamp.slice(6, 8)}T${timestamp.slice(9, 11)}:${timestamp.slice(11, 13)}:00Z`,
  );
  const spec = {
    ...f.spec,
    client: "platformatic",
    cluster: { ...(f.spec.cluster as object), kafkaVersion: "4.4.0", metadata: "kraft" },
    meta: {
      ...(f.spec.meta as object),
      finishedAt: new Date(started + finishedAfterSeconds * 1000).toISOString(),
      versions: { kafka: "4.4.0 (KRaft)" },
    },
  };
  return writeFixtureRun(store, { ...f, spec }, timestamp);
}

/** Four sends of 1, 2, 3 and 10 ms (one value each), a poll of 5 ms and an assign, in ns. */
const TINY = [
  { process: 9, type: "invoke", f: "assign", value: ["t-0"], at: 0, done: 1 },
  ...[1, 2, 3, 10].map((ms, i) => ({
    process: i,
    type: "invoke",
    f: "send",
    value: [["send", "t-0", i]],
    at: 10 * (i + 1),
    done: 10 * (i + 1) + ms,
  })),
  { process: 8, type: "invoke", f: "poll", value: [["poll"]], at: 100, done: 105 },
];
function tinyHistory(): string {
  const ops: Array<Record<string, unknown>> = [];
  for (const o of TINY) {
    ops.push({ time: o.at * 1e6, process: o.process, type: "invoke", f: o.f, value: o.value });
    const value =
      o.f === "send"
        ? (o.value as Array<[string, string, number]>).map(([f, k, v]) => [f, k, [v, v]])
        : o.f === "poll"
          ? [["poll", { "t-0": [0, 1, 2, 3].map((x) => [x, x]) }]]
          : o.value;
    ops.push({ time: o.done * 1e6, process: o.process, type: "ok", f: o.f, value });
  }
  ops.sort((a, b) => (a.time as number) - (b.time as number));
  return ops.map((o, index) => JSON.stringify({ index, ...o })).join("\n") + "\n";
}

describe("latency summary", () => {
  it("gives each client f's ok ops their nearest-rank p50, p95, p99 and max in ms, as the report's quantiles plot does", () => {
    const history = parseJsonlHistory(tinyHistory());
    const { derived } = checkKeepingDerived(history, { acks: "all" });
    expect(latencySummary(history, opPairs(derived, history))).toEqual({
      send: { count: 4, p50: 3, p95: 10, p99: 10, max: 10 },
      poll: { count: 1, p50: 5, p95: 5, p99: 5, max: 5 },
    });
  });
});

describe("index entries", () => {
  it("read Kafka version, client and duration from spec.json; an older run leaves them out and renders empty cells", async () => {
    await currentRun("loss", "20251125T100000000", 45.5);
    await writeFixtureRun(store, fixture("clean-faults"), "20251126T100000000");
    const runs = await scanStore(store);
    const now = runs.find((r) => r.test === "loss")!;
    const old = runs.find((r) => r.test === "clean-faults")!;
    expect(now).toMatchObject({ kafkaVersion: "4.4.0 (KRaft)", client: "platformatic", durationSeconds: 45.5 });
    expect(old.kafkaVersion).toBeUndefined();
    expect(old.client).toBeUndefined();
    expect(old.durationSeconds).toBeUndefined();
    const html = renderIndex(runs);
    const oldRow = html.split("\n").find((l) => l.includes('data-path="clean-faults/'))!;
    expect(oldRow).toContain('<td class="c-kafka"></td><td class="c-client"></td>');
    expect(oldRow).toContain('<td class="c-duration"></td>');
    const newRow = html.split("\n").find((l) => l.includes('data-path="loss/'))!;
    expect(newRow).toContain('<td class="c-duration" data-v="45.5">45.5 s</td>');
    expect(newRow).toMatch(/<td class="c-kafka" data-v="4.4.0 \(KRaft\)">4.4.0<div class="muted">KRaft<\/div><\/td>/);
  });

  it("a finished run records when it finished, so the index shows its duration and Kafka version", async () => {
    const folder = await createRunFolder(store, "t");
    await writeFile(folder.historyPath, tinyHistory());
    const startedAt = new Date(Date.now() - 5000).toISOString();
    await finishRun({
      spec: parseTestSpec({ name: "t" }),
      folder,
      meta: { startedAt, command: null, replay: "" },
      facts: { interrupted: false },
      held: { stats: noWorkloadStats() },
      cleanupProblems: [],
      faultsPlanned: 0,
      progress: () => {},
    });
    const [entry] = await scanStore(store);
    expect(entry!.durationSeconds).toBeGreaterThanOrEqual(5);
    expect(entry!.kafkaVersion).toMatch(/^\d+\.\d+\.\d+ \((KRaft|ZooKeeper mode)\)$/);
    expect(entry!.latency?.send).toEqual({ count: 4, p50: 3, p95: 10, p99: 10, max: 10 });
    expect(Object.fromEntries(compareData(entry!).fields)["latency send p50 / p95 / p99 / max"]).toBe("3 / 10 / 10 / 10 ms (4 ops)");
  });
});

/** An entry with just what the sort keys read. */
const entry = (path: string, o: Partial<IndexEntry> = {}): IndexEntry => ({
  test: path.split("/")[0]!,
  path,
  when: Date.parse("2025-11-25T10:00:00Z"),
  config: {},
  anomalies: [],
  hasReport: true,
  ...o,
});

describe("sort keys", () => {
  it("numbers and times are numbers, so 9,000 ops sort before 10,000 (as text they would not)", () => {
    const a = entry("a/1", { ops: 9000, valid: true, durationSeconds: 9.5, when: Date.parse("2025-11-25T09:00:00Z") });
    const b = entry("b/1", { ops: 10_000, valid: true, durationSeconds: 100, when: Date.parse("2025-11-25T10:00:00Z") });
    for (const id of ["ops", "duration", "started"]) {
      const c = column(id);
      expect(c.numeric, id).toBe(true);
      const [x, y] = [c.key(a), c.key(b)];
      expect(typeof x, id).toBe("number");
      expect((x as number) < (y as number), id).toBe(true);
      // As text the order would flip: the page must compare these as numbers.
      if (id !== "started") expect(String(x) > String(y), id).toBe(true);
    }
    const html = renderIndex([a, b]);
    expect(html).toContain('<td class="c-ops" data-v="9000">9,000</td>');
    expect(html).toMatch(/<th class="c-ops" data-col="ops" data-type="num"/);
    expect(html).toMatch(/<th class="c-kafka" data-col="kafka" data-type="text"/);
  });

  it("the verdict sorts the runs that need a look first; lost and faults by their counts; a missing value has no key", () => {
    const loss = { acknowledged: 100, lost: 5, readBeforeLost: 0, undecided: 0, permitted: true };
    const states = [
      entry("clean/1", { valid: true, loss: { ...loss, lost: 0 } }),
      entry("lossy/1", { valid: true, loss }),
      entry("unknown/1", { valid: "unknown" }),
      entry("invalid/1", { valid: false }),
      entry("unchecked/1"),
    ];
    const order = [...states].sort((a, b) => (column("verdict").key(a) as number) - (column("verdict").key(b) as number));
    expect(order.map((e) => e.test)).toEqual(["invalid", "unknown", "lossy", "clean", "unchecked"]);
    expect(column("lost").key(states[1]!)).toBe(5);
    const faults = { applied: 3, effective: 2, refused: 1, uncertain: 0, byKind: {} };
    expect(column("faults").key(entry("f/1", { faults }))).toBeGreaterThan(
      column("faults").key(entry("g/1", { faults: { ...faults, effective: 1 } })) as number,
    );
    for (const id of ["lost", "ops", "duration", "kafka", "client", "expectation", "faults"])
      expect(column(id).key(states[4]!), id).toBeUndefined();
    // No data-v on an empty cell: the page sorts it last either way.
    expect(renderIndex([states[4]!])).toContain('<td class="c-ops"></td>');
  });
});

const judged = (met: boolean, judgedAt: string, runs: string[]) => ({
  suite: "known-answer",
  scenario: "s",
  met,
  problems: met ? [] : ["seed 1: verdict valid, expected invalid"],
  runs,
  judgedAt,
});

describe("the suite's stored expectation", () => {
  it("is written beside every run the suite judged, read into the index, and the index is rewritten", async () => {
    const a = await writeFixtureRun(store, fixture("loss"), "20251125T100000000");
    const b = await writeFixtureRun(store, fixture("loss"), "20251125T110000000");
    const plain = await writeFixtureRun(store, fixture("clean"), "20251125T120000000");
    const runs = [a, b].map((dir) => ({ dir }) as never);
    await storeJudgement("known-answer", { name: "loss", met: false, problems: ["none of 2 run(s) found G1c"], runs } as never, () => {});
    for (const dir of [a, b]) {
      expect(await readStoredExpectation(dir)).toMatchObject({
        suite: "known-answer",
        scenario: "loss",
        met: false,
        problems: ["none of 2 run(s) found G1c"],
        runs: ["20251125T100000000", "20251125T110000000"],
      });
    }
    expect(await readStoredExpectation(plain)).toBeUndefined();
    const entries = await scanStore(store);
    expect(entries.filter((e) => e.expectation?.met === false)).toHaveLength(2);
    expect(entries.find((e) => e.test === "clean")!.expectation).toBeUndefined();
    const html = await readFile(join(store, "index.html"), "utf8");
    expect(html).toContain("✗ NOT MET");
  });

  it("is plain data: suite, scenario, met, problems, the runs judged together and when", () => {
    const s = storedExpectation(
      "ka",
      { name: "x", met: true, problems: [], runs: [{ dir: "store/x/20251125T100000000" } as never] },
      new Date(0),
    );
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      suite: "ka",
      scenario: "x",
      met: true,
      problems: [],
      runs: ["20251125T100000000"],
      judgedAt: "1970-01-01T00:00:00.000Z",
    });
  });
});

describe("groups", () => {
  it("by suite and scenario, the newest judgement's expectation, the newest verdict and the writes lost; runs without a suite by test", () => {
    const loss = { acknowledged: 100, lost: 7, readBeforeLost: 0, undecided: 0, permitted: true };
    const first = judged(true, "2025-11-25T09:30:00Z", ["1"]);
    const second = judged(false, "2025-11-25T11:30:00Z", ["2", "3"]);
    const groups = groupsOf([
      entry("s/1", { valid: true, when: 1, expectation: first }),
      entry("s/2", { valid: true, loss, when: 2, expectation: second }),
      entry("s/3", { valid: false, loss, when: 3, expectation: second }),
      entry("plain/1", { valid: true, when: 4 }),
    ]);
    expect(groups.map((g) => [g.key, g.runs, g.met, g.lossyRuns, g.lost, g.newest.path])).toEqual([
      ["test:plain", 1, undefined, 0, 0, "plain/1"],
      ["suite:known-answer/s", 3, false, 2, 14, "s/3"],
    ]);
    expect(groups[1]!.judgements).toEqual({ met: 1, of: 2 });
    const html = renderIndex([entry("s/1", { valid: true, when: 1, expectation: first })]);
    expect(html).toMatch(/<tr class="group" data-group="suite:known-answer\/s">.*met/);
    expect(html).toContain('<span class="expect met"');
  });
});

describe("comparison", () => {
  it("gives each run its fields by label and its anomalies by type, embedded in the page", () => {
    const e = entry("s/1", {
      valid: true,
      spec: { seed: 42 },
      client: "kafkajs",
      kafkaVersion: "3.9.1 (ZooKeeper mode)",
      durationSeconds: 75,
      ops: 1234,
      faults: {
        applied: 3,
        effective: 2,
        refused: 1,
        uncertain: 0,
        byKind: { kill: { applied: 3, effective: 2, refused: 1, uncertain: 0 } },
      },
      anomalies: [{ type: "unseen", count: 4, forbidden: false }],
    });
    const d = compareData(e);
    const fields = Object.fromEntries(d.fields);
    expect(fields).toMatchObject({
      seed: "42",
      client: "kafkajs",
      "Kafka version": "3.9.1 (ZooKeeper mode)",
      duration: "1 min 15 s",
      verdict: "VALID",
      "faults applied": "3",
      "faults effective": "2",
      "faults refused": "1",
      ops: "1,234",
    });
    expect(d.anomalies).toEqual({ unseen: 4 });
    // An older run keeps no latencies: no latency rows, nothing made up.
    expect(d.fields.filter(([l]) => l.startsWith("latency"))).toEqual([]);
    expect(d.href).toBe("s/1/report.html");
    expect(renderIndex([e])).toContain('<script type="application/json" id="index-data">{"runs":{"s/1":');
  });
});
