// `serve` (reports/serve.ts): 127.0.0.1 only, its routes, paths outside the store refused, running
// runs told from crashed ones, and a live state read from history.jsonl as it grows.
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatOp } from "../../checkers/write.ts";
import { main } from "../../harness/cli.ts";
import { readNewLines } from "../../reports/live-tail.ts";
import { LIVE_ROUTE, pidAlive, RUNS_ROUTE, runStatus, type Served, serveStore } from "../../reports/serve.ts";

/** A GET with the path sent as it is (fetch would normalize a ".."). */
function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("error", fail);
    req.end();
  });
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

let base: string;
let store: string;
let run: string;
let served: Served;

const line = (o: Record<string, unknown>, i: number) => `${formatOp({ index: i, time: i * 1e8, ...o } as never)}\n`;

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), "serve-"));
  store = join(base, "store");
  run = join(store, "t1", "20260101T000000000");
  mkdirSync(join(run, "logs"), { recursive: true });
  writeFileSync(join(base, "secret.txt"), "outside\n");
  writeFileSync(join(run, "spec.json"), JSON.stringify({ name: "t1", seed: 42, workload: { timeLimitSeconds: 30 } }));
  writeFileSync(join(run, "history.jsonl"), "");
  writeFileSync(join(run, "logs", "kafka1.log"), "started\n");
  symlinkSync(base, join(store, "escape"));
  served = await serveStore(store, 0);
});

afterEach(async () => {
  await served.close();
});

describe("serve", () => {
  it("listens on 127.0.0.1 only", () => {
    const a = served.server.address();
    expect(typeof a === "object" && a?.address).toBe("127.0.0.1");
    expect(served.url).toBe(`http://127.0.0.1:${served.port}/`);
  });

  it("serves the index fresh from the store, the run files, and a run folder as its live page", async () => {
    const index = await get(served.port, "/");
    expect(index.status).toBe(200);
    expect(index.body).toContain("t1");
    expect(index.body).toContain('id="live-runs"');
    // A run stored after the server started appears on the next request.
    const later = join(store, "t2", "20260102T000000000");
    mkdirSync(later, { recursive: true });
    writeFileSync(join(later, "spec.json"), JSON.stringify({ name: "t2" }));
    expect((await get(served.port, "/index.html")).body).toContain("t2");
    const log = await get(served.port, "/t1/20260101T000000000/logs/kafka1.log");
    expect([log.status, log.type, log.body]).toEqual([200, "text/plain; charset=utf-8", "started\n"]);
    expect((await get(served.port, "/t1/20260101T000000000/logs/")).body).toContain("kafka1.log");
    expect((await get(served.port, "/t1/20260101T000000000")).status).toBe(301);
    const page = await get(served.port, "/t1/20260101T000000000/");
    expect(page.body).toContain(`${LIVE_ROUTE}?run=t1%2F20260101T000000000`);
    expect((await get(served.port, "/t1/nothing.html")).status).toBe(404);
    expect((await get(served.port, `${LIVE_ROUTE}?run=t1/none`)).status).toBe(404);
  });

  it("refuses every path that leads outside the store", async () => {
    for (const path of [
      "/../secret.txt",
      "/t1/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/t1/%2e%2e%2f%2e%2e%2fsecret.txt",
      "/escape/secret.txt",
      "/..%5csecret.txt",
      "/%00",
      `${LIVE_ROUTE}?run=..`,
    ]) {
      const r = await get(served.port, path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain("outside\n");
    }
  });

  it("tells a running run (marker, process alive) from a crashed one (marker, process gone) and a finished one", async () => {
    expect(pidAlive(process.pid)).toBe(true);
    const dead = deadPid();
    expect(pidAlive(dead)).toBe(false);
    expect((await runStatus(run)).status).toBe("stopped");
    writeFileSync(
      join(run, "running.json"),
      JSON.stringify({ pid: process.pid, startedAt: "2026-01-01T00:00:00.000Z", timeLimitSeconds: 30 }),
    );
    expect((await runStatus(run)).status).toBe("running");
    const runs = JSON.parse((await get(served.port, RUNS_ROUTE)).body);
    expect(runs).toEqual([
      { path: "t1/20260101T000000000", test: "t1", seed: 42, status: "running", startedAt: "2026-01-01T00:00:00.000Z" },
    ]);
    writeFileSync(join(run, "running.json"), JSON.stringify({ pid: dead, startedAt: "2026-01-01T00:00:00.000Z" }));
    expect((await runStatus(run)).status).toBe("crashed");
    expect(JSON.parse((await get(served.port, RUNS_ROUTE)).body)[0].status).toBe("crashed");
    writeFileSync(join(run, "results.json"), "{}");
    expect((await runStatus(run)).status).toBe("crashed");
  });

  it("folds the history as it grows, by byte offset; a partial last line waits", async () => {
    writeFileSync(
      join(run, "running.json"),
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), timeLimitSeconds: 30 }),
    );
    const live = async () => JSON.parse((await get(served.port, `${LIVE_ROUTE}?run=t1/20260101T000000000`)).body);
    const h = join(run, "history.jsonl");
    appendFileSync(h, line({ process: "harness", type: "invoke", f: "workload", value: { timeLimitSeconds: 30 } }, 0));
    appendFileSync(h, line({ process: 0, type: "invoke", f: "send", value: [["send", "t-0", 1]] }, 1));
    appendFileSync(h, line({ process: 0, type: "ok", f: "send", value: [["send", "t-0", [0, 1]]] }, 2));
    const whole = line({ process: 1, type: "invoke", f: "poll", value: [["poll"]] }, 3);
    appendFileSync(h, whole.slice(0, 10));
    let s = await live();
    expect([s.status, s.seed, s.summary.phase, s.summary.lines, s.summary.clientOps.ok]).toEqual(["running", 42, "workload", 3, 1]);
    appendFileSync(h, whole.slice(10));
    appendFileSync(h, line({ process: 1, type: "ok", f: "poll", value: [["poll", { "t-0": [[0, 2]] }]] }, 4));
    appendFileSync(h, line({ process: "nemesis", type: "invoke", f: "kill", value: { targets: ["kafka2"] } }, 5));
    appendFileSync(h, line({ process: "nemesis", type: "ok", f: "kill", value: { targets: ["kafka2"] } }, 6));
    s = await live();
    expect(s.summary.lines).toBe(7);
    expect(s.summary.clientOps).toEqual({ ok: 2, fail: 0, info: 0, total: 2 });
    expect(s.summary.anomalies.counts).toEqual({ "inconsistent-offsets": 1 });
    expect(s.summary.faultsInForce).toMatchObject([{ f: "kill", targets: ["kafka2"] }]);
  });

  it("reads whole lines only, cutting at a byte boundary inside a multi-byte character", async () => {
    const h = join(run, "history.jsonl");
    writeFileSync(h, '{"a":"é"}\n{"b":"é');
    const first = await readNewLines(h, 0);
    expect(first).toEqual({ lines: ['{"a":"é"}'], offset: Buffer.byteLength('{"a":"é"}\n') });
    expect(await readNewLines(h, first.offset)).toEqual({ lines: [], offset: first.offset });
    appendFileSync(h, '"}\n');
    expect((await readNewLines(h, first.offset)).lines).toEqual(['{"b":"é"}']);
  });
});

describe("serve on the command line", () => {
  it("a bad --port or a missing --store is bad input (254), naming the flag", async () => {
    const errors: string[] = [];
    const err = console.error;
    console.error = (m: string) => void errors.push(String(m));
    try {
      expect(await main(["node", "kafka-harness", "serve", "--store", store, "--port", "http"])).toBe(254);
      expect(await main(["node", "kafka-harness", "serve", "--store", join(base, "none")])).toBe(254);
      expect(await main(["node", "kafka-harness", "serve", "--store", store, "--port", String(served.port)])).toBe(254);
    } finally {
      console.error = err;
    }
    expect(errors.join("\n")).toMatch(/--port must be a port number/);
    expect(errors.join("\n")).toMatch(/--store .*no such store directory/);
    expect(errors.join("\n")).toMatch(/port \d+ is in use/);
  });
});
