// A wrapper that checks what a nemesis returns (Jepsen's validate): the completion names the fault
// that was asked for, has a known type and a list of target names, and a fault in force says how to
// undo it. A broken nemesis fails loudly here instead of corrupting the history's meaning.
import { hasUndo } from "../../checkers/fault-names.ts";
import type { FaultResult, FaultSpec, Nemesis } from "./types.ts";

export class NemesisContractError extends Error {}

export function checkResult(asked: FaultSpec["fault"] | "heal-all", r: FaultResult, opts: { needsUndo?: boolean } = {}): FaultResult {
  const problems: string[] = [];
  if (!["ok", "info", "fail"].includes(r.type)) problems.push(`type ${JSON.stringify(r.type)} is not ok, info or fail`);
  if (r.f !== asked) problems.push(`completion f ${JSON.stringify(r.f)} for a ${asked} invocation`);
  if (!Array.isArray(r.value?.targets) || !r.value.targets.every((t) => typeof t === "string"))
    problems.push("value.targets is not a list of node names");
  if (r.type === "fail" && !r.value?.reason) problems.push("a fail carries no reason");
  if ((opts.needsUndo ?? true) && r.type === "ok" && hasUndo(asked) && !r.undo) problems.push(`an ok ${asked} has no undo`);
  if (problems.length) throw new NemesisContractError(`nemesis broke its contract: ${problems.join("; ")}`);
  return r;
}

export function validateNemesis(inner: Nemesis, opts: { needsUndo?: boolean } = {}): Nemesis {
  return {
    invoke: async (fault) => checkResult(fault.fault, await inner.invoke(fault), opts),
    healAll: async () => checkResult("heal-all", await inner.healAll(), opts),
    close: () => inner.close(),
  };
}
