// The recording half of every producer, whatever the library: invoke with the values, then one
// completion from each record's outcome (burst-outcome.ts) under the library's own error rules.
// A library only issues the records (ProducerDriver); the op timeout, the history format and the
// classification are the same for all of them.
//
// History format of a burst (docs/design.md, History): one op, the records in send order. Each record
// the broker acknowledged is recorded as acknowledged, with its offset, whatever happened to the
// rest of its burst: a burst of 17, 18, 19 to t-0 whose second record timed out completes as
//   {"type":"info","f":"send","value":[["send","t-0",[42,17]],["send","t-0",18],["send","t-0",[44,19]]],"error":"..."}
// `info` because 18 may or may not have been appended; 17 and 19 carry the offsets the broker
// returned, and the checkers hold them to it (lost-write / unseen if they vanish). A plain value in
// an info op is the unknown part.
//
// A record the op gave up on (the op timeout passed) is still the client's to answer: its retries
// may outlast the op. Its promise is kept, and an acknowledgement that comes later is appended as a
// late-ack op, which the checkers count as the record's acknowledgement (checkers/acked.ts):
//   {"process":3,"type":"info","f":"late-ack","value":[["send","t-0",[43,18]]],"op":<the send's index>}
// So close() waits for those answers (until the workload ends, then up to the client's delivery
// budget) before it closes the library's producer, which would otherwise drop them; after close()
// nothing more is recorded.

import { LATE_ACK } from "../history/recorder.ts";
import { completeBurst, type RecordOutcome } from "./burst-outcome.ts";
import type { Outcome } from "./classify.ts";
import type { Completion, ProducerClient, ProducerSettings } from "./client.ts";
import { type ClientContext, parseKey } from "./context.ts";

/** What a library does for a burst: issue its records in order, without awaiting the answers. */
export interface ProducerDriver {
  /** Issues one send per record, in the listed order; one outcome promise per record (never rejects). */
  issue(key: string, values: number[]): Promise<Array<Promise<RecordOutcome>>>;
  /** This library's rule: fail only when the error proves the record was not appended. */
  classify(err: unknown): Outcome;
  close(): Promise<void>;
}

/** Where a burst's records go, and the acks they ask for (-1 for "all", as the protocol numbers it). */
export interface RecordTarget {
  key: string;
  topic: string;
  partition: number;
  acks: 0 | 1 | -1;
}

/** A driver whose library sends each record by itself: the records are issued one send each, in
 *  the listed order, none awaiting the previous. A library only says how one record is sent. */
export abstract class PerRecordDriver<P> implements ProducerDriver {
  constructor(
    protected readonly producer: P,
    protected readonly settings: ProducerSettings,
  ) {}

  /** Sends one record; resolves with its outcome, never rejects. */
  protected abstract sendRecord(to: RecordTarget, value: number): Promise<RecordOutcome>;
  /** Between two records: what a library whose sends can overtake each other waits for (none by default). */
  protected afterIssue?(to: RecordTarget, pending: readonly Promise<RecordOutcome>[]): Promise<void>;
  abstract classify(err: unknown): Outcome;
  abstract close(): Promise<void>;

  async issue(key: string, values: number[]): Promise<Array<Promise<RecordOutcome>>> {
    const to: RecordTarget = { key, ...parseKey(key), acks: this.settings.acks === "all" ? -1 : this.settings.acks };
    const pending: Promise<RecordOutcome>[] = [];
    for (const v of values) {
      pending.push(this.sendRecord(to, v));
      if (this.afterIssue) await this.afterIssue(to, pending);
    }
    return pending;
  }
}

export interface RecordingTimes {
  /** After this, an op still waiting for records completes (info, unless the rest tells more). */
  opTimeoutMs: number;
  /** How long close() waits for the records an op gave up on: the client's delivery budget. */
  lateWaitMs: number;
}

export class RecordingProducer implements ProducerClient {
  readonly process: number;
  lateAcks = 0;
  /** Answers still awaited for records whose op has completed. */
  private readonly late = new Set<Promise<void>>();
  private recording = true;

  constructor(
    private readonly ctx: ClientContext,
    private readonly driver: ProducerDriver,
    private readonly times: RecordingTimes,
  ) {
    this.process = ctx.nextProcess();
  }

  async send(key: string, values: number[]): Promise<Completion> {
    const { recorder } = this.ctx;
    recorder.record({ process: this.process, type: "invoke", f: "send", value: values.map((v) => ["send", key, v]) });
    let pending: Array<Promise<RecordOutcome>>;
    try {
      pending = await this.driver.issue(key, values);
    } catch (error) {
      pending = values.map(() => Promise.resolve<RecordOutcome>({ acked: false, error }));
    }
    const timedOut: RecordOutcome = {
      acked: false,
      error: { name: "HarnessOpTimeout", message: `no answer within ${this.times.opTimeoutMs} ms` },
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), this.times.opTimeoutMs)));
    const outcomes: RecordOutcome[] = [];
    for (const p of pending) {
      // A record already answered wins the race even after the deadline: its answer is kept.
      const r = await Promise.race([p, deadline]);
      outcomes.push(r === "timeout" ? timedOut : r);
    }
    clearTimeout(timer);

    const { type, value, error } = completeBurst(key, values, outcomes, (e) => this.driver.classify(e));
    const done = recorder.record({ process: this.process, type, f: "send", value, ...(error !== undefined ? { error } : {}) });
    outcomes.forEach((o, i) => {
      if (o === timedOut) this.awaitLate(key, values[i]!, pending[i]!, done.index);
    });
    return type;
  }

  /** Keeps the promise of a record its op gave up on: an acknowledgement is recorded as a late-ack. */
  private awaitLate(key: string, value: number, outcome: Promise<RecordOutcome>, op: number): void {
    const answered = outcome.then((o) => {
      if (!this.recording || !o.acked || o.offset === null) return;
      this.lateAcks++;
      this.ctx.recorder.record({ process: this.process, type: "info", f: LATE_ACK, value: [["send", key, [o.offset, value]]], op });
    });
    this.late.add(answered);
    void answered.finally(() => this.late.delete(answered));
  }

  /** Waits for the answers still awaited, until `after` (the workload's end) and lateWaitMs more
   *  at most, then stops recording and closes. */
  async close(after: Promise<void> = Promise.resolve()): Promise<void> {
    if (this.late.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const givenUp = after.then(() => new Promise((r) => (timer = setTimeout(r, this.times.lateWaitMs))));
      await Promise.race([Promise.all(this.late), givenUp]);
      clearTimeout(timer);
    }
    this.recording = false;
    return this.driver.close().catch(() => undefined);
  }
}
