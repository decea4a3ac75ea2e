// The recording half of every consumer, whatever the library (docs/design.md, Clients): each delivery is
// one poll op, invoked when the consumer was ready for more (the end of the previous delivery) and
// completed with every record this delivery returned. A consumer that gives up completes its open
// poll as info; one closed with a poll open completes it as fail (it read nothing).
import { nextSignal } from "../util/wait.ts";
import type { ClientContext } from "./context.ts";

export class PollRecorder {
  private pending = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly process: number,
    private readonly ctx: ClientContext,
  ) {}

  /** The consumer is ready for its next delivery. */
  invoke(): void {
    this.ctx.recorder.record({ process: this.process, type: "invoke", f: "poll", value: [["poll"]] });
    this.pending = true;
  }

  /** A delivery of one key's records ([offset, value], in offset order): completes the open poll, opens the next. */
  delivered(key: string, records: [number, number][]): void {
    this.pending = false;
    this.ctx.recorder.record({ process: this.process, type: "ok", f: "poll", value: [["poll", { [key]: records }]] });
    this.invoke();
    this.notify();
  }

  /** The consumer gave up: what its open poll would have returned is unknown. */
  crashed(error: unknown): void {
    if (this.pending) {
      this.pending = false;
      this.ctx.recorder.record({ process: this.process, type: "info", f: "poll", value: [["poll", {}]], error: String(error) });
    }
    this.notify();
  }

  /** The consumer was closed: its open poll returned nothing. */
  closed(): void {
    if (this.pending) {
      this.pending = false;
      this.ctx.recorder.record({ process: this.process, type: "fail", f: "poll", value: [["poll", {}]], error: "consumer closed" });
    }
  }

  /** Resolves after the next delivery (or crash, or the timeout). */
  nextDelivery(timeoutMs: number): Promise<void> {
    return nextSignal(this.listeners, timeoutMs);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
