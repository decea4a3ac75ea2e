// The attach tests' fault hook: a script that pauses (KH_PHASE=start) or resumes (stop) the broker
// KH_TARGET_ID names, which is one of the test's own containers, and appends `noted`'s expansion
// to <dir>/calls.txt so the test can say what the hook was given; and the run that uses it.
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function pauseHookScript(dir: string, brokers: readonly { id: number; containerId: string }[], noted: string): string {
  const cases = brokers.map((b) => `  ${b.id}) c=${b.containerId} ;;`).join("\n");
  const path = join(dir, "pause-broker.sh");
  writeFileSync(
    path,
    `#!/bin/sh
set -e
echo "${noted}" >> "${dir}/calls.txt"
case "$KH_TARGET_ID" in
${cases}
  *) echo "no broker $KH_TARGET_ID" >&2; exit 3 ;;
esac
if [ "$KH_PHASE" = start ]; then docker pause "$c" >/dev/null; else docker unpause "$c" >/dev/null; fi
`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** The attach tests' run: acks=all, min ISR 2, 24 s at 50 ops/s, the leader of t-0 paused by the
 *  hook at 5 s for 12 s: twice the 6 s ZooKeeper session, so that the controller moves its
 *  leadership even on a loaded machine (8 s sometimes ended before it did: no effect). */
export const pauseLeaderSpec = (name: string, seed: number, bootstrap: string[], hook: string) => ({
  name,
  seed,
  cluster: { kind: "attach" as const, bootstrap },
  producer: { acks: "all" as const },
  topic: { minInsyncReplicas: 2 },
  workload: { timeLimitSeconds: 24, rate: 50, producers: 4 },
  faults: {
    schedule: [{ at: 5000, duration: 12_000, fault: "pause" as const, targets: { kind: "leader" as const, of: "t-0" } }],
    hooks: { pause: hook, timeoutSeconds: 30 },
  },
  recoveryTimeoutSeconds: 60,
  finalReadTimeoutSeconds: 60,
});
