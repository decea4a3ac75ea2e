// Public API of the reports: one run's self-contained HTML report, the store's index, and the
// `report` command. Rendering is pure (data in, HTML out); store.ts is the file edge.
export { registerReportCommand, reportCommand, type ReportFlags } from "./cli.ts";
export { checkConfigOfSpec } from "../checkers/spec-config.ts";
export type { ReportMeta } from "./details.ts";
export { renderIndex, type IndexEntry } from "./index-page.ts";
export { promiseTable, PROMISES, type PromiseRow, type PromiseStatus } from "./promises.ts";
export { renderReport, type ReportInput } from "./render.ts";
export { readRun, ReportError, scanStore, writeIndex, writeReport, writeRunReport } from "./store.ts";
export type { SpecLike } from "./verdict.ts";
