// Cleanup that must run however the process ends: normal exit paths call it themselves; SIGINT,
// SIGTERM, an uncaught exception and an unhandled rejection run every registered hook, so a run
// still heals, saves its logs, removes its cluster and writes its results. Hooks registered with
// `first` (a run that winds down in its own scopes: cancel, heal, save logs, stop its cluster) run
// before every other hook, whenever they were registered, side by side; then the others run, newest first (a
// cluster's own removal, for clusters no run is winding down). Then a signal exits with 130 / 143
// and a crash with 255 (an internal error: checkers/exit-codes.ts), unless someone else (a test runner) also listens for crashes, in which case
// it decides what happens next.
export type ShutdownCause = { signal: NodeJS.Signals } | { error: unknown };
type Hook = (cause: ShutdownCause) => Promise<void> | void;

const hooks = new Set<Hook>();
const firstHooks = new Set<Hook>();
let installed = false;
let exiting = false;

async function runHook(hook: Hook, cause: ShutdownCause): Promise<void> {
  try {
    await hook(cause);
  } catch (err) {
    console.error(`cleanup failed: ${(err as Error).message}`);
  }
}

async function runHooks(cause: ShutdownCause): Promise<void> {
  // The first hooks are runs winding down, each in its own scopes: side by side (a suite's
  // parallel runs), so none goes on running while another heals.
  const first = [...firstHooks];
  firstHooks.clear();
  await Promise.all(first.map((hook) => runHook(hook, cause)));
  for (const hook of [...hooks].reverse()) {
    hooks.delete(hook);
    await runHook(hook, cause);
  }
}

function onSignal(signal: NodeJS.Signals) {
  if (exiting) {
    console.error(`\n${signal} again: cleanup is still running; a third one exits at once`);
    process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
    return;
  }
  exiting = true;
  console.error(`\n${signal}: cleaning up (${firstHooks.size + hooks.size} step(s))...`);
  void runHooks({ signal }).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
}

function onCrash(event: "uncaughtException" | "unhandledRejection") {
  return (error: unknown) => {
    // Our listener replaces Node's default crash: when no one else listens, exit as Node would.
    const alone = process.listenerCount(event) === 1;
    console.error(
      `kafka-harness: ${event === "uncaughtException" ? "uncaught exception" : "unhandled rejection"}: ${(error as Error)?.stack ?? String(error)}`,
    );
    if (exiting) return;
    exiting = true;
    console.error(`cleaning up (${firstHooks.size + hooks.size} step(s))...`);
    void runHooks({ error }).finally(() => {
      if (alone) process.exit(255); // checkers/exit-codes.ts EXIT.internal (util imports nothing)
      exiting = false;
    });
  };
}

/**
 * Registers a hook; returns a function that unregisters it (call it once the work is undone).
 * `first`: the hook runs before every hook registered without it (see the header).
 */
export function onShutdown(hook: Hook, opts: { first?: boolean } = {}): () => void {
  if (!installed) {
    installed = true;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("uncaughtException", onCrash("uncaughtException"));
    process.on("unhandledRejection", onCrash("unhandledRejection"));
  }
  const set = opts.first ? firstHooks : hooks;
  set.add(hook);
  return () => set.delete(hook);
}
