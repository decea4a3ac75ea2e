// The layout's rules, held by a test (README "Architecture"): each folder may import only the
// folders below it, so the arrows run one way; and the README's folder table names exactly the
// folders of harness/. A new import that breaks an arrow fails here, naming the file and the import.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

/** Folder → the folders it may import (besides itself). util and spec are leaves everyone uses
 *  (spec reads only the pure checkers' "did you mean" helper, checkers/suggest.ts). */
const MAY_IMPORT: Record<string, string[]> = {
  "harness/spec": ["checkers"],
  "harness/util": [],
  "harness/protocol": [],
  "harness/kafkajs": ["harness/protocol", "harness/util"],
  "harness/images": ["harness/util"],
  "harness/history": ["checkers"],
  "harness/cluster": ["harness/spec", "harness/images", "harness/protocol", "harness/kafkajs", "harness/util"],
  "harness/clients": ["harness/spec", "harness/protocol", "harness/kafkajs", "harness/history", "harness/util"],
  "harness/nemesis": [
    "harness/spec",
    "harness/cluster",
    "harness/protocol",
    "harness/kafkajs",
    "harness/history",
    "harness/util",
    "checkers",
  ],
  "harness/workload": ["harness/spec", "harness/clients", "harness/util", "checkers"],
  "harness/run": [
    "harness/spec",
    "harness/images",
    "harness/cluster",
    "harness/protocol",
    "harness/kafkajs",
    "harness/clients",
    "harness/nemesis",
    "harness/workload",
    "harness/history",
    "harness/util",
    "checkers",
    "reports",
  ],
  "harness/suite": ["harness/spec", "harness/cluster", "harness/run", "harness/util", "checkers"],
  "harness/api": [
    "harness/spec",
    "harness/cluster",
    "harness/nemesis",
    "harness/workload",
    "harness/run",
    "harness/suite",
    "harness/util",
    "checkers",
  ],
  "harness/cli.ts": [
    "harness/spec",
    "harness/images",
    "harness/cluster",
    "harness/kafkajs",
    "harness/run",
    "harness/suite",
    "harness/util",
    "checkers",
    "reports",
  ],
  checkers: [],
  reports: ["checkers"],
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : e.endsWith(".ts") ? [p] : [];
  });
}

/** "harness/run" for harness/run/runner.ts, "checkers" for checkers/check.ts, "harness/cli.ts" for itself. */
function folderOf(file: string): string {
  const parts = relative(root, file).split("/");
  return parts[0] === "harness" ? `harness/${parts[1]}` : parts[0]!;
}

function imports(file: string): string[] {
  const src = readFileSync(file, "utf8");
  return [...src.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    resolve(dirname(file), m[1]!),
  );
}

const CLIENTS = "harness/clients";

/** Which part of harness/clients a file is: its library's folder ("kafkajs", ...), "registry"
 *  (registry.ts), or "shared" (the other files directly in harness/clients); undefined outside it. */
function clientPartOf(file: string): string | undefined {
  const rel = relative(join(root, CLIENTS), file);
  if (rel.startsWith("..")) return undefined;
  const parts = rel.split("/");
  if (parts.length > 1) return parts[0];
  return parts[0] === "registry.ts" ? "registry" : "shared";
}

/** The import cycles among `files` (each cycle once, as the files along it). */
function importCycles(files: string[]): string[][] {
  const inSet = new Set(files);
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, "open");
    stack.push(f);
    for (const t of imports(f).filter((x) => inSet.has(x))) {
      if (state.get(t) === "open") cycles.push(stack.slice(stack.indexOf(t)).map((x) => relative(root, x)));
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

describe("architecture", () => {
  const files = ["harness", "checkers", "reports"].flatMap((d) => tsFiles(join(root, d)));

  it("every folder is known to the rules", () => {
    const unknown = [...new Set(files.map(folderOf))].filter((f) => !(f in MAY_IMPORT));
    expect(unknown, "add the new folder to MAY_IMPORT and to the README's Architecture table").toEqual([]);
  });

  it("arrows run one way: each folder imports only the folders below it", () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of imports(file)) {
        const to = folderOf(target);
        if (to !== from && !MAY_IMPORT[from]?.includes(to))
          broken.push(`${relative(root, file)} imports ${relative(root, target)} (${from} -> ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("cluster and clients never import each other; checkers and reports import nothing of the harness", () => {
    expect(MAY_IMPORT["harness/cluster"]).not.toContain("harness/clients");
    expect(MAY_IMPORT["harness/clients"]).not.toContain("harness/cluster");
    expect(MAY_IMPORT.checkers!.filter((f) => f.startsWith("harness"))).toEqual([]);
    expect(MAY_IMPORT.reports!.filter((f) => f.startsWith("harness"))).toEqual([]);
  });

  it("client libraries never import each other or the registry; the shared client code reaches a library only through the registry", () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = clientPartOf(file);
      if (from === undefined) continue;
      for (const target of imports(file)) {
        const to = clientPartOf(target);
        if (to === undefined || to === from || to === "shared") continue;
        if (from === "registry") continue; // the one place that loads the libraries
        if (from === "shared" && to === "registry") continue; // e.g. the final reads load the run's library
        broken.push(`${relative(root, file)} imports ${relative(root, target)} (${from} -> ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("no import cycle inside harness/clients", () => {
    expect(importCycles(files.filter((f) => clientPartOf(f) !== undefined))).toEqual([]);
  });

  it("the README's Architecture table names exactly the folders of harness/", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Architecture"));
    const named = [...section.matchAll(/^\| `harness\/([a-z-]+)\/` \|/gm)].map((m) => m[1]).sort();
    const tree = readdirSync(join(root, "harness"))
      .filter((e) => statSync(join(root, "harness", e)).isDirectory())
      .sort();
    expect(named).toEqual(tree);
  });
});
