// The file check's fast path (checkers/scan-line.ts): the harness's own lines are read without
// JSON.parse, and every file gives exactly what check() gives on the same text parsed the general
// way, whatever its lines look like (spaces, other field orders, escapes, string values, numbers
// JSON writes otherwise, cut lines...): results, or the same error.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { ANOMALY_TYPES, check, checkHistoryFile, formatHistory, parseJsonlHistory } from "../../checkers/index.ts";
import { modelArb } from "./model.ts";
import { MUTATIONS } from "./mutations.ts";

const dir = mkdtempSync(join(tmpdir(), "kh-scan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());
let files = 0;

/** The file check of `text`, beside check() of the same text parsed whole: results or error message. */
async function bothWays(text: string, config = {}): Promise<{ file: unknown; memory: unknown }> {
  const path = join(dir, `h${files++}.jsonl`);
  writeFileSync(path, text);
  const name = path.split("/").at(-1)!;
  const asJson = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  const outcome = async (f: () => unknown) => {
    try {
      return asJson(await f());
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  return {
    file: await outcome(() => checkHistoryFile(path, config)),
    memory: await outcome(() => check(parseJsonlHistory(text, name), config)),
  };
}

/** Ways a line can differ from the canonical form, each applied at a place picked by `at`. */
const PERTURBATIONS: Array<(line: string, at: number) => string> = [
  // A number written otherwise, or out of the range the scanner takes.
  (l, at) => replaceNth(l, /\d+/g, at, (d) => `"${d}"`),
  (l, at) => replaceNth(l, /\d+/g, at, (d) => `${d}.0`),
  (l, at) => replaceNth(l, /\d+/g, at, (d) => `${d}e0`),
  (l, at) => replaceNth(l, /\d+/g, at, (d) => `-${d}`),
  (l, at) => replaceNth(l, /\d+/g, at, () => "-0"),
  (l, at) => replaceNth(l, /\d+/g, at, (d) => `0${d}`),
  (l, at) => replaceNth(l, /\d+/g, at, () => "9007199254740993"),
  (l, at) => replaceNth(l, /\d+/g, at, () => "123456789012345"),
  (l, at) => replaceNth(l, /\d+/g, at, () => "null"),
  // Strings: escapes, non-ASCII, a key that looks like an index, an empty one.
  (l, at) => replaceNth(l, /"[^"]*"/g, at, (s) => `"\\u0041${s.slice(1)}`),
  (l, at) => replaceNth(l, /"[^"]*"/g, at, (s) => `"é${s.slice(1)}`),
  (l, at) => replaceNth(l, /"[^"]*"/g, at, () => '"7"'),
  (l, at) => replaceNth(l, /"[^"]*"/g, at, () => '""'),
  // Layout: spaces, a \r, a field order or a field more, a cut.
  (l, at) => replaceNth(l, /[:,]/g, at, (c) => `${c} `),
  (l) => `${l}\r`,
  (l) => ` ${l}`,
  (l) => l.replace(/^\{"index":(\d+),"time":(\d+)/, '{"time":$2,"index":$1'),
  (l) => l.replace(/\}$/, ',"error":"x"}'),
  (l, at) => l.slice(0, at % (l.length + 1)),
  (l) => l.replace('"type":"ok"', '"type":"info"'),
  (l) => l.replace('"process":', '"process":"p'),
];

function replaceNth(line: string, re: RegExp, n: number, f: (match: string) => string): string {
  const matches = [...line.matchAll(re)];
  if (matches.length === 0) return line;
  const m = matches[n % matches.length]!;
  return line.slice(0, m.index) + f(m[0]) + line.slice(m.index + m[0].length);
}

describe("the file check's fast path", () => {
  it("reads the harness's own lines without JSON.parse: only the others are parsed", async () => {
    const text = [
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"send","value":[["send","t-0",1],["send","t-0",2]]}',
      '{"index":1,"time":1,"process":1,"type":"invoke","f":"poll","value":[["poll"]]}',
      '{"index":2,"time":2,"process":0,"type":"ok","f":"send","value":[["send","t-0",[0,1]],["send","t-0",[1,2]]]}',
      '{"index":3,"time":3,"process":1,"type":"ok","f":"poll","value":[["poll",{"t-0":[[0,1],[1,2]]}]]}',
      '{"index":4,"time":4,"process":"final-0","type":"invoke","f":"txn","value":[["poll"],["send","t-1",3]]}',
      '{"index":5,"time":5,"process":"final-0","type":"ok","f":"txn","value":[["poll",{"t-0":[],"t-1":[]}],["send","t-1",[0,3]]]}',
      '{"index":6,"time":6,"process":2,"type":"invoke","f":"send","value":[["send","t-1",4]]}',
      '{"index":7,"time":7,"process":2,"type":"fail","f":"send","value":[["send","t-1",4]]}',
      '{"index":8,"time":8,"process":"nemesis","type":"info","f":"kill","value":null}',
    ].join("\n");
    const path = join(dir, "canonical.jsonl");
    writeFileSync(path, text);
    const parse = vi.spyOn(JSON, "parse");
    await checkHistoryFile(path);
    const parsedLines = parse.mock.calls.filter(([s]) => typeof s === "string" && s.startsWith('{"index"')).map(([s]) => s as string);
    vi.restoreAllMocks();
    // Only the failed op and the nemesis op; the others' values are not parsed either.
    expect(parsedLines.map((s) => (JSON.parse(s) as { index: number }).index)).toEqual([7, 8]);
    expect(parse.mock.calls.filter(([s]) => typeof s === "string" && s.startsWith("[["))).toEqual([]);
    const { file, memory } = await bothWays(text);
    expect(file).toEqual(memory);
  });

  it("leaves to JSON.parse what it would read otherwise: repeated and index-like keys of a poll result", async () => {
    const head = [
      '{"index":0,"time":0,"process":0,"type":"invoke","f":"send","value":[["send","a",1],["send","3",2],["send","b",5]]}',
      '{"index":1,"time":1,"process":0,"type":"ok","f":"send","value":[["send","a",[0,1]],["send","3",[0,2]],["send","b",[0,5]]]}',
      '{"index":2,"time":2,"process":1,"type":"invoke","f":"poll","value":[["poll"]]}',
    ];
    for (const result of ['{"a":[[0,1]],"3":[[0,2]]}', '{"a":[[0,1]],"a":[[0,9]]}', '{"b":[[0,5]],"a":[[0,1]],"b":[]}']) {
      const text = [...head, `{"index":3,"time":3,"process":1,"type":"ok","f":"poll","value":[["poll",${result}]]}`].join("\n");
      const { file, memory } = await bothWays(text);
      expect(file, result).toEqual(memory);
    }
  });

  it("gives what check() gives, on any history, whatever its lines look like", async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArb,
        fc.constantFrom(...ANOMALY_TYPES, undefined),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.nat(PERTURBATIONS.length - 1), fc.nat()), { maxLength: 4 }),
        fc.boolean(),
        async (m, type, pick, changes, newlineAtEnd) => {
          const mutant = type === undefined ? { history: m.history, config: {} } : MUTATIONS[type](m, pick);
          const lines = formatHistory(mutant.history).split("\n").slice(0, -1);
          for (const [line, how, at] of changes) {
            const i = line % lines.length;
            lines[i] = PERTURBATIONS[how]!(lines[i]!, at);
          }
          const { file, memory } = await bothWays(lines.join("\n") + (newlineAtEnd ? "\n" : ""), mutant.config);
          expect(file).toEqual(memory);
        },
      ),
      { numRuns: 300 },
    );
  });
});
