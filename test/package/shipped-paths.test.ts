// The compiled tree (dist/) sits one level deeper than the sources, so a path built relative to a
// module (import.meta.url + "../..", require("../../package.json")) works from the sources and
// breaks in an installed package, where only a run on a cluster would notice. Files outside the
// module are found through packageFile() (harness/util/package-root.ts) or by package name.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const tsFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : e.endsWith(".ts") ? [p] : [];
  });

// reports/assets.ts reads reports/client/, which the build copies into dist/reports/client/.
const ALLOWED = new Set(["harness/util/package-root.ts", "reports/assets.ts"]);

describe("paths to shipped files", () => {
  it("no module finds a file relative to itself, except through the package root", () => {
    const offenders: string[] = [];
    for (const file of ["index.ts", ...["harness", "checkers", "reports"].flatMap((d) => tsFiles(join(root, d)))].map((f) =>
      resolve(root, f),
    )) {
      const rel = relative(root, file);
      if (ALLOWED.has(rel)) continue;
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line)) return;
          const meta = /import\.meta\.(url|dirname|filename)/.test(line) && !/createRequire\(import\.meta\.url\)/.test(line);
          const relativeLoad = /(require|resolve|readFile\w*|new URL)\(\s*["'`]\.\.?\//.test(line) || /versionOf\(\s*["']\./.test(line);
          if (meta || relativeLoad) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
