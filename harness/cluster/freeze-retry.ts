// `docker pause` freezes the container's cgroup; runc gives up with "unable to freeze" when a
// process does not reach the frozen state in time (seen on a loaded 2-core machine), and thaws the
// cgroup again: the container is left running, so the pause did not happen and trying again is
// safe. Any other error is the caller's.
const FREEZE_FAILED = /unable to freeze/i;

export async function retryFreeze(
  pause: () => Promise<void>,
  opts: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await pause();
    } catch (err) {
      if (attempt >= attempts || !FREEZE_FAILED.test((err as Error)?.message ?? "")) throw err;
      await sleep((opts.delayMs ?? 300) * attempt);
    }
  }
}
