// Provisioning output, summarised: one line per step on the terminal, every line in the log, and on
// failure the step, its last lines and the log's path.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { FAILURE_TAIL, type ProvisionEvent, summariseProvisioning } from "../../harness/util/provision-summary.ts";

const LOG = "/cache/kafka-harness/logs/provision-x.log";
const apt = (n: number) => Array.from({ length: n }, (_, i) => `Get:${i + 1} http://deb.debian.org/debian bookworm/main pkg${i} [${i} kB]`);
const outputs = (step: string, lines: string[]): ProvisionEvent[] => lines.map((line) => ({ kind: "output", step, line }));

describe("summariseProvisioning", () => {
  it("a fresh machine's steps print one line each when they start and end, the log's path once; the log gets every line", () => {
    const events: ProvisionEvent[] = [
      { kind: "start", step: "Docker engine", what: "installing docker.io" },
      ...outputs("Docker engine", apt(120)),
      { kind: "done", step: "Docker engine", seconds: 41.2, result: "Docker 26.1.5 answers" },
      { kind: "start", step: "image tools", what: "installing mmdebstrap maven" },
      ...outputs("image tools", apt(90)),
      { kind: "done", step: "image tools", seconds: 20.5 },
      { kind: "start", step: "base image", what: "mmdebstrap" },
      ...outputs("base image", apt(60)),
      { kind: "done", step: "base image", seconds: 50 },
      { kind: "start", step: "Kafka image", what: "maven, docker build" },
      ...outputs("Kafka image", apt(30)),
      { kind: "done", step: "Kafka image", seconds: 70.1, result: "kafka-harness/kafka:3.9.1-abc" },
    ];
    const { print, log } = summariseProvisioning(events, LOG);
    expect(print).toEqual([
      `provision: full output in ${LOG}`,
      "provision: Docker engine: installing docker.io",
      "provision: Docker engine: done in 41.2 s (Docker 26.1.5 answers)",
      "provision: image tools: installing mmdebstrap maven",
      "provision: image tools: done in 20.5 s",
      "provision: base image: mmdebstrap",
      "provision: base image: done in 50 s",
      "provision: Kafka image: maven, docker build",
      "provision: Kafka image: done in 70.1 s (kafka-harness/kafka:3.9.1-abc)",
    ]);
    for (const line of apt(120)) expect(log).toContain(`  [Docker engine] ${line}`);
    for (const line of print) expect(log).toContain(line);
  });

  it("whatever a step's tools print, the terminal gets its two lines and the log every one, in order", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 400 }), (lines) => {
        const { print, log } = summariseProvisioning(
          [{ kind: "start", step: "s", what: "w" }, ...outputs("s", lines), { kind: "done", step: "s", seconds: 1 }],
          LOG,
        );
        expect(print).toHaveLength(3);
        expect(log.filter((l) => l.startsWith("  [s] "))).toEqual(lines.map((l) => `  [s] ${l}`));
      }),
    );
  });

  it("nothing to do is one line per step, said once however often it is checked (a suite checks before every run)", () => {
    const ready: ProvisionEvent[] = [
      { kind: "ready", step: "Docker engine", what: "Docker 26.1.5 answers" },
      { kind: "ready", step: "Kafka image", what: "kafka-harness/kafka:3.9.1-abc exists" },
    ];
    const { print } = summariseProvisioning([...ready, ...ready, ...ready], LOG);
    expect(print).toEqual([
      "provision: Docker engine: Docker 26.1.5 answers, nothing to do",
      "provision: Kafka image: kafka-harness/kafka:3.9.1-abc exists, nothing to do",
    ]);
  });

  it("a failed step prints its name, the last lines of its output and the log's path", () => {
    const lines = apt(50).concat(["E: Unable to locate package docker.io"]);
    const { print, log } = summariseProvisioning(
      [
        { kind: "start", step: "Docker engine", what: "installing docker.io" },
        ...outputs("Docker engine", lines),
        { kind: "failed", step: "Docker engine", seconds: 3.4, error: "bash ensure-docker failed (exit 1)" },
      ],
      LOG,
    );
    const tail = lines.slice(-FAILURE_TAIL);
    expect(FAILURE_TAIL).toBe(20);
    expect(print).toEqual([
      `provision: full output in ${LOG}`,
      "provision: Docker engine: installing docker.io",
      "provision: Docker engine: FAILED after 3.4 s",
      `provision: its last ${FAILURE_TAIL} line(s) of output:`,
      ...tail.map((l) => `  | ${l}`),
      `provision: full output in ${LOG}`,
    ]);
    expect(log).toContain("  [Docker engine] error: bash ensure-docker failed (exit 1)");
    for (const line of lines) expect(log).toContain(`  [Docker engine] ${line}`);
  });

  it("a step that failed before it said what it does still prints its output's tail and the log's path", () => {
    const { print } = summariseProvisioning(
      [
        { kind: "output", step: "Docker engine", line: "ensure-docker: ERROR: dockerd is installed but not running" },
        { kind: "failed", step: "Docker engine", seconds: 0.1, error: "exit 1" },
      ],
      LOG,
    );
    expect(print).toEqual([
      "provision: Docker engine: FAILED after 0.1 s",
      "provision: its last 1 line(s) of output:",
      "  | ensure-docker: ERROR: dockerd is installed but not running",
      `provision: full output in ${LOG}`,
    ]);
  });
});

describe("provisionScript (a scripts/ensure-* script as one step)", async () => {
  const cache = mkdtempSync(join(tmpdir(), "provision-test-"));
  process.env.XDG_CACHE_HOME = cache;
  const { provisionScript } = await import("../../harness/util/provision.ts");
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const script = (name: string, body: string) => {
    const path = join(cache, name);
    writeFileSync(path, `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const logs = () => readdirSync(join(cache, "kafka-harness", "logs")).map((f) => join(cache, "kafka-harness", "logs", f));

  it("a script with nothing to do prints one line and writes no log", async () => {
    const printed: string[] = [];
    await provisionScript(
      "quiet step",
      script("quiet", "exit 0"),
      (m) => printed.push(m),
      async () => "all there",
    );
    expect(printed).toEqual(["provision: quiet step: all there, nothing to do"]);
    expect(logs()).toEqual([]);
  });

  it("apt's hundreds of lines go to the log file; the terminal gets the path, the start and the end", async () => {
    const printed: string[] = [];
    const body = [
      'echo "ensure-x: tools missing: installing them with apt (one time)" >&2',
      'for i in $(seq 1 250); do echo "Get:$i http://deb.debian.org pkg$i" >&2; done',
      'echo "Setting up pkg (1.0)"',
      'echo "ensure-x: installed" >&2',
    ].join("\n");
    await provisionScript(
      "noisy step",
      script("noisy", body),
      (m) => printed.push(m),
      async () => "tools present",
    );
    expect(printed).toHaveLength(3);
    expect(printed[0]).toMatch(/^provision: full output in .*provision-.*\.log$/);
    expect(printed[1]).toBe("provision: noisy step: tools missing: installing them with apt (one time)");
    expect(printed[2]).toMatch(/^provision: noisy step: done in [\d.]+ s \(tools present\)$/);
    const [file] = logs();
    expect(printed[0]).toBe(`provision: full output in ${file}`);
    const text = readFileSync(file!, "utf8");
    for (let i = 1; i <= 250; i++) expect(text).toContain(`  [noisy step] Get:${i} http://deb.debian.org pkg${i}\n`);
    expect(text).toContain("  [noisy step] Setting up pkg (1.0)");
    expect(text).toContain("  [noisy step] ensure-x: installed");
  });

  it("a failing script: the step, its last 20 lines and the log's path, then the error as before", async () => {
    const printed: string[] = [];
    const body = [
      'echo "ensure-y: installing with apt" >&2',
      'for i in $(seq 1 40); do echo "line $i" >&2; done',
      'echo "ensure-y: ERROR: apt-get install failed" >&2',
      "exit 1",
    ].join("\n");
    await expect(
      provisionScript(
        "failing step",
        script("failing", body),
        (m) => printed.push(m),
        async () => "x",
      ),
    ).rejects.toThrow(/failed \(exit 1\)/);
    expect(printed[0]).toBe("provision: failing step: installing with apt");
    expect(printed[1]).toMatch(/^provision: failing step: FAILED after [\d.]+ s$/);
    expect(printed.slice(3, 23)).toEqual([
      ...Array.from({ length: 19 }, (_, i) => `  | line ${i + 22}`),
      "  | ensure-y: ERROR: apt-get install failed",
    ]);
    expect(printed.at(-1)).toBe(`provision: full output in ${logs()[0]}`);
    expect(readFileSync(logs()[0]!, "utf8")).toContain("  [failing step] line 1\n");
  });
});
