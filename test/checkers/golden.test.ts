// Golden results: every history of test/fixtures/golden/ checked with its config must give exactly
// the results stored beside it (deep equality of the JSON), through check() on the whole history
// through checkStream() (the incremental path the runner takes), and through checkHistoryFile() on
// the file itself (the check command's path: canonical lines go through the fast scanner,
// checkers/scan-line.ts, the others through JSON.parse).
// This is the net for whoever optimises the checkers (checkers/derive.ts above all): a faster
// derive must change no result. A mismatch names the scenario, what it covers and the first path
// that differs. The expected files were made by the checkers themselves; regenerate them only for
// an intended, reviewed change of results (test/fixtures/golden/regenerate.ts says how and when).
// Results hold no wall-clock times (their `time` fields are the history's own), so nothing is stripped.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { ANOMALY_TYPES, check, checkHistoryFile, checkStream, type Results } from "../../checkers/index.ts";
import { asJson, GOLDEN_DIR, readGoldenHistory, readScenarios } from "../fixtures/golden/golden-io.ts";

/** The first path where two JSON values differ, with both sides, or undefined when they are equal. */
function firstDifference(expected: unknown, actual: unknown, path = "$"): string | undefined {
  if (Object.is(expected, actual)) return undefined;
  const show = (x: unknown) => (x === undefined ? "(absent)" : JSON.stringify(x)?.slice(0, 200));
  const kind = (x: unknown) => (Array.isArray(x) ? "array" : x === null ? "null" : typeof x);
  if (kind(expected) !== kind(actual) || typeof expected !== "object" || expected === null) {
    return `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    for (let i = 0; i < Math.max(expected.length, a.length); i++) {
      const d = firstDifference(expected[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const k of [...new Set([...Object.keys(e), ...Object.keys(a)])]) {
    const d = firstDifference(e[k], a[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

const scenarios = readScenarios();
const expectedOf = (file: string): unknown => JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8"));

/** The scenario's history as a plain file of the same name (unzipped), for checkHistoryFile. */
const tmp = mkdtempSync(join(tmpdir(), "kh-golden-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
function plainFile(file: string): string {
  const bytes = readFileSync(join(GOLDEN_DIR, file));
  const path = join(tmp, basename(file).replace(/\.gz$/, ""));
  writeFileSync(path, file.endsWith(".gz") ? gunzipSync(bytes) : bytes);
  return path;
}

describe("golden results: the checkers give exactly the stored results", () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      const expected = expectedOf(s.expected);
      if (typeof expected === "object" && expected !== null && "error" in expected) {
        expect(() => readGoldenHistory(s.history), `${s.name} (${s.about})`).toThrow((expected as { error: string }).error);
        await expect(checkHistoryFile(plainFile(s.history), s.config), `${s.name}, checkHistoryFile()`).rejects.toThrow(
          (expected as { error: string }).error,
        );
        return;
      }
      const history = readGoldenHistory(s.history);
      for (const [how, results] of [
        ["check()", check(history, s.config)],
        ["checkStream()", await checkStream(history, s.config)],
        ["checkHistoryFile()", await checkHistoryFile(plainFile(s.history), s.config)],
      ] as const) {
        const diff = firstDifference(expected, asJson(results));
        if (diff) expect.fail(`golden scenario "${s.name}" (${s.about}), ${how}: results differ from ${s.expected} at ${diff}`);
      }
    });
  }

  it("the scenarios cover every anomaly type, forbidden and permitted, and every verdict", () => {
    const all = scenarios
      .map((s) => expectedOf(s.expected))
      .filter((r): r is Results => typeof r === "object" && r !== null && "anomalies" in r);
    for (const type of ANOMALY_TYPES) {
      expect(
        all.some((r) => r.anomalies[type]?.forbidden === true) || all.some((r) => r.anomalies[type]?.forbidden === false),
        `${type} found somewhere`,
      ).toBe(true);
    }
    const judged = (forbidden: boolean) =>
      new Set(
        all.flatMap((r) =>
          Object.entries(r.anomalies)
            .filter(([, a]) => a!.forbidden === forbidden)
            .map(([t]) => t),
        ),
      );
    expect(judged(true).size, "anomaly types found forbidden").toBeGreaterThanOrEqual(15);
    expect(judged(false).size, "anomaly types found permitted").toBeGreaterThanOrEqual(12);
    expect(new Set(all.map((r) => r.valid))).toEqual(new Set([true, false, "unknown"]));
    expect(scenarios.some((s) => s.history.endsWith(".edn"))).toBe(true);
  });

  it("every stored file belongs to a scenario (no stale fixtures)", () => {
    const named = new Set(scenarios.flatMap((s) => [s.history, s.expected]));
    const stored = ["histories", "expected"].flatMap((d) => readdirSync(join(GOLDEN_DIR, d)).map((f) => `${d}/${f}`));
    expect(stored.filter((f) => !named.has(f))).toEqual([]);
    expect([...named].filter((f) => !stored.includes(f))).toEqual([]);
  });
});
