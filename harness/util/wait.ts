// Polls a condition until it holds or a deadline passes; the error says what was awaited and the
// last reason it was not yet true.
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = "condition not met";
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}: ${last}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}

/** A signal that aborts when the parent does or after `ms`, whichever comes first. (Node 20's
 *  AbortSignal.any over AbortSignal.timeout can miss the timeout: it was seen never firing.) */
export function deadlineSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; clear: () => void } {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(new Error(`time limit of ${ms} ms reached`)), ms);
  const onAbort = () => ctrl.abort(parent.reason);
  if (parent.aborted) ctrl.abort(parent.reason);
  else parent.addEventListener("abort", onAbort, { once: true });
  return {
    signal: ctrl.signal,
    clear: () => {
      clearTimeout(timer);
      parent.removeEventListener("abort", onAbort);
    },
  };
}

/** Sleeps ms, or less if the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Seconds since a performance.now() reading, to a tenth: how durations are reported. */
export function secondsSince(start: number): number {
  return Math.round((performance.now() - start) / 100) / 10;
}

/** Resolves when a listener added to `listeners` is called (the owner calls them all on an event)
 *  or after timeoutMs, whichever comes first; the listener removes itself either way. */
export function nextSignal(listeners: Set<() => void>, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      listeners.delete(done);
      resolve();
    };
    const t = setTimeout(done, timeoutMs);
    listeners.add(done);
  });
}
