// The attach tests' fault hook: a script that pauses (KH_PHASE=start) or resumes (stop) the broker
// KH_TARGET_ID names, which is one of the test's own containers, and appends `noted`'s expansion
// to <dir>/calls.txt so the test can say what the hook was given.
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
