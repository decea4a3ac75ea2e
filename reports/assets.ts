// What the page inlines: uPlot (MIT, from node_modules) and the report's own script and styles,
// read once per process. Nothing is fetched by the page: the file opens from disk, offline.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const here = (name: string) => new URL(`./client/${name}`, import.meta.url);

export interface Assets {
  uplotJs: string;
  uplotCss: string;
  reportJs: string;
  reportCss: string;
  indexCss: string;
  indexJs: string;
}

let cached: Assets | undefined;

export function assets(): Assets {
  cached ??= {
    uplotJs: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    uplotCss: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    reportJs: readFileSync(here("report.js"), "utf8"),
    reportCss: readFileSync(here("report.css"), "utf8"),
    indexCss: readFileSync(here("index.css"), "utf8"),
    indexJs: readFileSync(here("index.js"), "utf8"),
  };
  return cached;
}
