// Public API of the reports: one run's self-contained HTML report, the store's index, and the
// `report` command. Rendering is pure (data in, HTML out); store.ts is the file edge.

export { checkConfigOfSpec } from "../checkers/spec-config.ts";
export { type ReportFlags, registerReportCommand, reportCommand } from "./cli.ts";
export type { ReportMeta } from "./details.ts";
export { type IndexEntry, renderIndex } from "./index-page.ts";
export { PROMISES, type PromiseRow, type PromiseStatus, promiseTable } from "./promises.ts";
export { type ReportInput, renderReport } from "./render.ts";
export { ReportError, readRun, scanStore, writeIndex, writeReport, writeRunReport } from "./store.ts";
export type { SpecLike } from "./verdict.ts";
