// Cleanup that must run however the process ends: normal exit paths call it themselves; SIGINT and
// SIGTERM run every registered hook (newest first) and then exit with 130 / 143.
type Hook = () => Promise<void> | void;

const hooks = new Set<Hook>();
let installed = false;
let exiting = false;

async function runHooks(): Promise<void> {
  for (const hook of [...hooks].reverse()) {
    hooks.delete(hook);
    try {
      await hook();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

function onSignal(signal: NodeJS.Signals) {
  if (exiting) {
    console.error(`\n${signal} again: cleanup is still running; a third one exits at once`);
    process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
    return;
  }
  exiting = true;
  console.error(`\n${signal}: cleaning up (${hooks.size} step(s))...`);
  void runHooks().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
}

/** Registers a hook; returns a function that unregisters it (call it once the work is undone). */
export function onShutdown(hook: Hook): () => void {
  if (!installed) {
    installed = true;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}
