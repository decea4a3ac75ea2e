// The nemesis that does nothing (runs without faults, and tests of the runner). It records nothing,
// so a fault-free history stays free of nemesis ops.
import type { FaultResult, FaultSpec, Nemesis } from "./types.ts";

export function noopNemesis(): Nemesis {
  return {
    async invoke(fault: FaultSpec): Promise<FaultResult> {
      return { type: "ok", f: fault.fault, value: { targets: [], reason: "noop nemesis" } };
    },
    async healAll(): Promise<FaultResult> {
      return { type: "ok", f: "heal-all", value: { targets: [], reason: "noop nemesis" } };
    },
    async close() {},
  };
}
