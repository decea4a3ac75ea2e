// A machine that cannot run a cluster (no Docker engine can be had, the images cannot be built) is
// not a run outcome: nothing was tested. Such errors stop a suite at once, and the command line
// prints what failed and what to do, with exit 2, instead of a verdict.
export class EnvironmentError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly advice: string,
  ) {
    super(message);
    this.name = "EnvironmentError";
  }
}

/** The last lines of a failed command's output (or its message): what a user needs to see. */
export function tailOf(err: unknown, lines = 3): string {
  const text = ((err as { output?: string }).output ?? (err as Error).message ?? String(err)).trim();
  return text.split("\n").slice(-lines).join("\n");
}

/** An optional client library missing, or failing to build: the machine may run clusters fine.
 *  Printed as what failed and what to do (exit 2), without the "cannot run a cluster" framing. */
export class ClientLibraryError extends EnvironmentError {
  constructor(message: string, advice: string) {
    super(message, advice);
    this.name = "ClientLibraryError";
  }
}
