// Docker deadlocks when it freezes a container while an exec is starting in it: the exec's
// `runc init` has entered the container's cgroup and freezes with it, dockerd keeps the container's
// lock until that exec returns, and from then on inspect, unpause and every other call on the
// container hang (seen here: a ZooKeeper majority paused while the failover probe exec'd into one
// of its nodes; the run stood still until the cgroup was thawed by hand). So a node's pause waits
// until its execs in flight have returned (they carry their own timeout inside the container), and
// no exec starts while a pause is under way: one that comes after it meets a paused container,
// which Docker refuses at once ("unpause the container before exec").
import { setTimeout as delay } from "node:timers/promises";

export class ExecGate {
  private inFlight = 0;
  private drained: Array<() => void> = [];
  private pausing: Promise<void> | undefined;

  /** Runs an exec, after any pause under way. */
  async exec<T>(run: () => Promise<T>): Promise<T> {
    while (this.pausing) await this.pausing;
    this.inFlight++;
    try {
      return await run();
    } finally {
      if (--this.inFlight === 0) for (const wake of this.drained.splice(0)) wake();
    }
  }

  /** Runs a pause once the execs in flight have returned (or after `maxWaitMs`, in case one hangs
   *  on its own); execs asked for meanwhile wait for it. */
  async pause(run: () => Promise<void>, maxWaitMs = 15_000): Promise<void> {
    let done!: () => void;
    const pausing = new Promise<void>((r) => (done = r));
    while (this.pausing) await this.pausing;
    this.pausing = pausing;
    try {
      if (this.inFlight > 0) {
        const ac = new AbortController();
        await Promise.race([
          new Promise<void>((r) => this.drained.push(r)),
          delay(maxWaitMs, undefined, { signal: ac.signal }).catch(() => {}),
        ]);
        ac.abort();
      }
      await run();
    } finally {
      this.pausing = undefined;
      done();
    }
  }
}
