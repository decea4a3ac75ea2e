// A stored run as the harness uses it again (replay, shrink), through the run folder's names
// (reports/run-folder.ts): its spec without the run metadata the runner keeps next to it, the
// anomaly types it found, and the shrunk spec written beside them. Bad or missing files are
// SpecErrors that name the run directory.
import { dirname, join } from "node:path";
import type { AnomalyType, Results } from "../../checkers/index.ts";
import { writeIndex } from "../../reports/index.ts";
import {
  RUN_FILES,
  RunFileError,
  readJsonObject,
  readStoredResults,
  type StoredExpectation,
  specWithoutMeta,
  writeExpectationJson,
} from "../../reports/run-folder.ts";
import { SpecError } from "../spec/errors.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";

/**
 * A spec file's JSON object, without the run metadata (`meta`) a stored spec.json carries next to
 * the spec. `what` names the input in errors ("spec x.json", "run store/t/2026...").
 */
export async function readSpecFile(path: string, what = `spec ${path}`, missing = "no such file"): Promise<Record<string, unknown>> {
  try {
    return specWithoutMeta(await readJsonObject(path));
  } catch (e) {
    if (!(e instanceof RunFileError)) throw e;
    throw new SpecError(what, [
      e.problem === "missing"
        ? missing
        : e.problem === "not JSON"
          ? `${path} is not valid JSON: ${e.detail}`
          : `${path} must hold a JSON object`,
    ]);
  }
}

/** The spec of a stored run, validated (its seed makes the run replay). */
export async function loadStoredSpec(runDir: string): Promise<TestSpec> {
  const path = join(runDir, RUN_FILES.spec);
  return parseTestSpec(await readSpecFile(path, `run ${runDir}`, "no spec.json here (is it a run directory?)"), path);
}

/**
 * The anomaly types to look for in a stored run (results.json): those its configuration forbids if
 * any, else every type it found (under acks=1 loss is permitted but is what one replays). Permitted
 * noise such as int-send-skip would otherwise count as "reproduced" next to a forbidden anomaly.
 */
export async function loadStoredAnomalies(runDir: string): Promise<AnomalyType[]> {
  const r = (await readStoredResults(runDir).catch(() => undefined)) as Pick<Results, "anomalyTypes" | "forbidden"> | undefined;
  if (!r) throw new SpecError(`run ${runDir}`, ["no readable results.json (the run did not finish?)"]);
  return r.forbidden?.length ? r.forbidden : r.anomalyTypes;
}

export { type StoredExpectation, writeShrunkSpec } from "../../reports/run-folder.ts";

/** A suite's judgement of a scenario beside each run it judged (expectation.json), then the store's
 *  index again: each run rewrote it before the scenario was judged. */
export async function storeExpectation(runDirs: string[], e: StoredExpectation, progress: (m: string) => void): Promise<void> {
  if (!runDirs.length) return;
  for (const dir of runDirs) await writeExpectationJson(dir, e);
  // store/<test>/<run>: the store is two folders up from any run.
  await writeIndex(dirname(dirname(runDirs[0]!))).catch((err: Error) => progress(`index: ${err.message}`));
}
