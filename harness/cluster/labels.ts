// Every container and network of a run carries these labels, so leftovers of any run can be found
// and removed by label, also after a crash.
export const RUN_LABEL = "dev.kafka-harness.run";
export const NODE_LABEL = "dev.kafka-harness.node";

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "");
  return `kh-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}
