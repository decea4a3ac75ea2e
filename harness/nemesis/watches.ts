// Bookkeeping of the background failover / recovery watches: a fault's undo ends its failover watch
// ("undone"), a new fault ends pending recovery watches ("interrupted"), close() ends them all.
import type { WatchEnd } from "./failover-watch.ts";

interface Running {
  kind: "failover" | "recovery";
  /** The nodes the watched fault hit, and whether it was a partition (undone by heal) or a link fault. */
  nodes: ReadonlySet<string>;
  partition: boolean;
  link: boolean;
  ctl: AbortController;
  done: Promise<void>;
}

export class Watches {
  private readonly running = new Set<Running>();

  start(
    kind: Running["kind"],
    hit: { nodes: Iterable<string>; partition?: boolean; link?: boolean },
    run: (signal: AbortSignal) => Promise<void>,
  ): void {
    const ctl = new AbortController();
    const w: Running = {
      kind,
      nodes: new Set(hit.nodes),
      partition: hit.partition ?? false,
      link: hit.link ?? false,
      ctl,
      done: Promise.resolve(),
    };
    w.done = run(ctl.signal)
      .catch((err) => console.error(`nemesis: ${kind} watch failed: ${(err as Error).message}`))
      .finally(() => this.running.delete(w));
    this.running.add(w);
  }

  /** Ends failover watches of faults on any of these nodes (or of partitions, when heal); with
   *  linkOnly, only link faults' (a node going down ends what a bad link to it was doing). */
  undone(o: { nodes?: Iterable<string>; partition?: boolean; all?: boolean; linkOnly?: boolean }): void {
    const nodes = new Set(o.nodes ?? []);
    for (const w of this.running) {
      if (w.kind !== "failover" || (o.linkOnly && !w.link)) continue;
      if (o.all || (o.partition && w.partition) || [...w.nodes].some((n) => nodes.has(n))) w.ctl.abort("undone" satisfies WatchEnd);
    }
  }

  /** A new fault begins: recovery measured from here on would measure the new fault too. */
  interrupted(): void {
    for (const w of this.running) if (w.kind === "recovery") w.ctl.abort("interrupted" satisfies WatchEnd);
  }

  /** Lets running watches finish for up to waitMs, then ends the rest ("closed"). */
  async close(waitMs = 0): Promise<void> {
    const all = () => Promise.all([...this.running].map((w) => w.done));
    if (waitMs > 0) await Promise.race([all(), new Promise((r) => setTimeout(r, waitMs).unref())]);
    for (const w of this.running) w.ctl.abort("closed" satisfies WatchEnd);
    await all();
  }

  get size(): number {
    return this.running.size;
  }
}
