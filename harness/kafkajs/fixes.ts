// The run-time fixes to kafkajs 2.2.4 (unmaintained: no release will fix it), put in place by one
// explicit call rather than by importing a module first, so no import order decides behaviour.
// The entry points (the CLI, the package index, the test setup, the bench) call it before anything
// loads kafkajs; the factory calls it again before it loads kafkajs, which makes a forgotten call
// harmless as long as kafkajs was not loaded by someone else first.
import { applyKafkajsAbortedFilterFix } from "./aborted-filter-fix.ts";
import { applyKafkajsStopFix } from "./stop-fix.ts";

let installed = false;

/** Idempotent. The aborted-records fix must precede kafkajs's consumer: when kafkajs was loaded
 *  first it is not in place, and transactional runs refuse to start (assertKafkajsAbortedFilterFixed). */
export function installKafkajsFixes(): void {
  if (installed) return;
  installed = true;
  // kafkajs warns about its default partitioner on every producer; the harness names partitions itself.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";
  applyKafkajsAbortedFilterFix();
  applyKafkajsStopFix();
}
