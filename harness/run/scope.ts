// The scopes of a run: its one cancel (the first reason wins and becomes the verdict's unknown
// reason), the shutdown hooks that turn Ctrl-C / SIGTERM / an uncaught error into that cancel and
// wait for the run to wind down through its own scopes, and `deferred`, a cleanup step for
// `await using` (disposed in reverse order of opening: heal, then node logs and the cluster).
import { messageOf } from "../util/errors.ts";
import { onShutdown } from "../util/shutdown.ts";

// Node 20 has Symbol.asyncDispose from 20.4 on (as Symbol.for("nodejs.asyncDispose")); older
// builds lack it, and lowered `await using` code looks it up.
(Symbol as { asyncDispose?: symbol }).asyncDispose ??= Symbol.for("nodejs.asyncDispose");

/** A cleanup step as an AsyncDisposable: `await using _ = deferred(() => ...)`. */
export function deferred(cleanup: () => Promise<void>): AsyncDisposable {
  return { [Symbol.asyncDispose]: cleanup };
}

export interface RunLifetime {
  /** Aborted by the first cancel: every part of the run stops on it. */
  readonly signal: AbortSignal;
  /** Ctrl-C or SIGTERM stopped the run. */
  readonly interrupted: boolean;
  /** Why the verdict cannot be decided, if something said so (the first reason given). */
  readonly unknownReason: string | undefined;
  cancel(reason: string): void;
  /** Notes why the verdict cannot be decided without stopping the run (the first reason wins). */
  undecidable(reason: string): void;
  /** Runs the run's work; a signal or crash meanwhile cancels it and waits for it to end. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** From now on (the run's cluster is up) a signal or crash waits for the run to wind down
   *  before any cluster's own removal runs, so the run heals and saves node logs first. */
  windDownFirst(): void;
}

export function runLifetime(progress: (m: string) => void): RunLifetime {
  const abort = new AbortController();
  let unknownReason: string | undefined;
  let interrupted = false;
  let first = false;
  const undecidable = (reason: string) => void (unknownReason ??= reason);
  const cancel = (reason: string) => {
    undecidable(reason);
    if (!abort.signal.aborted) abort.abort(new Error(reason));
  };
  return {
    signal: abort.signal,
    get interrupted() {
      return interrupted;
    },
    get unknownReason() {
      return unknownReason;
    },
    cancel,
    undecidable,
    async run(work) {
      let done: Promise<unknown> | undefined;
      const windDown = () =>
        done?.then(
          () => undefined,
          () => undefined,
        );
      // Two hooks, registered once: the `first` one cancels at once (and, once the run holds a
      // cluster, waits for the run to heal, save its node logs and stop the cluster itself); the
      // other waits for the run after the clusters' own removal hooks, which are newer than it:
      // a cluster still starting is removed by its own hook, and the run then checks what it has.
      const unregisterFirst = onShutdown(
        async (cause) => {
          if ("signal" in cause) {
            interrupted = true;
            cancel("interrupted before the final reads: loss is not decidable");
            progress("run: interrupted — stopping clients, healing, checking what was recorded");
          } else {
            cancel(`run failed: uncaught error: ${messageOf(cause.error)}`);
            progress("run: uncaught error — stopping clients, healing, checking what was recorded");
          }
          if (first) await windDown();
        },
        { first: true },
      );
      const unregisterLast = onShutdown(windDown);
      try {
        done = work();
        return (await done) as Awaited<ReturnType<typeof work>>;
      } finally {
        unregisterFirst();
        unregisterLast();
      }
    },
    windDownFirst: () => void (first = true),
  };
}
