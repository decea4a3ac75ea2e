// The recording half of the txn workload, whatever the library (docs/design.md, Clients and History): one
// process runs one transaction at a time with its producer and its consumer, and each transaction
// is one op, f "txn":
//   invoke     {"f":"txn","value":[["send","t-0",17],["poll"]]}
//   completion {"f":"txn","value":[["send","t-0",[42,17]],["poll",{"t-1":[[3,5],[4,9]]}]],"transactionalId":"t-txn-0"}
// with `aborted: "planned"` on a planned abort. The polls' positions go into the transaction
// (sendOffsets) before it ends; after a failed or unknown transaction the consumer seeks back to the
// first offset the transaction read of each key, so the next transaction reads those records again.
// A send whose answer carries no offset acknowledged nothing (kafkajs resolves [] having sent nothing
// when its metadata lacks the partition): the transaction is aborted, never committed without it.
import { NoRecordMetadata } from "./burst-outcome.ts";
import { describeError } from "./classify.ts";
import { type ClientContext, parseKey } from "./context.ts";
import type { TxnConsumer, TxnProducerDriver } from "./txn-client.ts";
import type { Records } from "./txn-delivery-buffer.ts";
import { firstReads, isFenced, needsNewProducer, type TxnEnd, type TxnMicroResult, txnType } from "./txn-outcome.ts";

export type TxnMicroOp = ["send", string, number] | ["poll"];

/** What a copy transaction sends for what its poll read: [output key, output value] pairs. */
export type CopyOf = (read: Record<string, Records>) => Array<[string, number]>;

/** The micro-ops of one transaction as it runs them: each call records its micro-op. */
interface TxnSteps {
  send(key: string, value: number): Promise<void>;
  poll(): Promise<Record<string, Records>>;
}

/** A copier dropped mid-transaction (copy's `crash`): its transaction is left open. */
class CopierCrash extends Error {
  override readonly name = "HarnessCopierCrash";
}

export interface TxnResult {
  type: "ok" | "fail" | "info";
  /** The producer must not be used again (fenced, or its transaction state unknown). */
  replaceProducer: boolean;
}

/** A copy's result: besides the transaction's, what it read and sent. */
export interface CopyResult extends TxnResult {
  /** The keys its poll read records of. */
  read: string[];
  /** Its sends the broker answered with an offset. */
  sent: number;
}

class OpTimeout extends Error {
  override readonly name = "HarnessOpTimeout";
}

export class TxnProcess {
  constructor(
    readonly process: number,
    readonly transactionalId: string,
    private readonly ctx: ClientContext,
    private readonly producer: TxnProducerDriver,
    private readonly consumer: TxnConsumer,
    private readonly timing: { opTimeoutMs: number; pollWaitMs: number },
  ) {}

  /** Records the assignment this process reads (its consumer reads every key). */
  assigned(keys: string[]): void {
    this.ctx.recorder.record({ process: this.process, type: "invoke", f: "assign", value: keys });
    this.ctx.recorder.record({ process: this.process, type: "ok", f: "assign", value: keys });
  }

  async run(ops: TxnMicroOp[], plannedAbort: boolean): Promise<TxnResult> {
    const { type, replaceProducer } = await this.transaction(
      ops,
      async (steps) => {
        for (const op of ops) await (op[0] === "send" ? steps.send(op[1], op[2]) : steps.poll());
      },
      plannedAbort,
    );
    return { type, replaceProducer };
  }

  /**
   * One copy (the copy workload): a poll, then a send of `copyOf(what it read)`, its offsets sent into
   * the transaction, committed; recorded as one txn op (invoked as [["poll"]], completed with the
   * poll's records and the sends). Nothing fetched, nothing done: undefined, no op. `crash`: the
   * copier is dropped after its sends, its transaction left open (recorded `info`, `crashed: true`;
   * the next producer with its transactional id fences it and aborts the transaction).
   */
  async copy(copyOf: CopyOf, crash = false): Promise<CopyResult> {
    return this.transaction(
      [["poll"]],
      async (steps) => {
        for (const [key, value] of copyOf(await steps.poll())) await steps.send(key, value);
        if (crash) throw new CopierCrash("copier dropped mid-transaction (after its sends, before its commit)");
      },
      false,
    );
  }

  private async transaction(invoked: TxnMicroOp[], body: (steps: TxnSteps) => Promise<void>, plannedAbort: boolean): Promise<CopyResult> {
    const { recorder } = this.ctx;
    recorder.record({ process: this.process, type: "invoke", f: "txn", value: invoked });
    // Only micro-ops that were issued appear in the completion: a send never handed to the client
    // cannot have been written, and listing it as unknown would make a committed-looking
    // transaction (a read of its other sends) look torn. An issued send with no answer stays a
    // plain value (offset unknown).
    const issued: TxnMicroResult[] = [];
    const results = (): TxnMicroResult[] => [...issued];
    const deadline = Date.now() + this.timing.opTimeoutMs;
    const timed = <T>(p: Promise<T>): Promise<T> => {
      const left = deadline - Date.now();
      let t: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>(
        (_, reject) =>
          (t = setTimeout(() => reject(new OpTimeout(`transaction not ended within ${this.timing.opTimeoutMs} ms`)), Math.max(0, left))),
      );
      p.catch(() => undefined); // an abandoned call's late rejection is not unhandled
      return Promise.race([p, timeout]).finally(() => clearTimeout(t));
    };
    const before = new Map(this.consumer.positions);
    let end: TxnEnd;
    let begun = false;
    let ending = false;
    const steps: TxnSteps = {
      send: async (key, value) => {
        const i = issued.push(["send", key, value]) - 1;
        const offset = await timed(this.producer.send(key, value));
        if (offset === undefined) {
          // Sends in a transaction are acks=all: no offset, no acknowledgement. Committing would
          // make the others visible without it (a torn transaction of the client's making); the
          // send stays a plain value and the abort below makes the transaction a definite fail.
          const { topic, partition } = parseKey(key);
          throw new NoRecordMetadata(topic, partition);
        }
        issued[i] = ["send", key, [offset, value]];
      },
      poll: async () => {
        const i = issued.push(["poll", {}]) - 1;
        const read = await this.consumer.poll(Math.min(this.timing.pollWaitMs, Math.max(0, deadline - Date.now())));
        issued[i] = ["poll", read];
        return read;
      },
    };
    let crashed = false;
    try {
      await timed(this.producer.begin());
      begun = true;
      await body(steps);
      const read = [...firstReads(results()).keys()];
      if (read.length) {
        // The next offset after the last record read of each key: what this transaction consumed
        // (the consumer's own positions may have moved on: a copier's are forgotten at a rejoin).
        const next = Object.fromEntries(read.map((k) => [k, lastReadOf(results(), k) + 1]));
        await timed(this.producer.sendOffsets(this.consumer.groupId, next));
      }
      ending = true;
      if (plannedAbort) {
        await timed(this.producer.abort());
        end = { stage: "aborted", planned: true };
      } else {
        await timed(this.producer.commit());
        end = { stage: "committed" };
      }
    } catch (cause) {
      crashed = cause instanceof CopierCrash;
      // Not begun (InitProducerId refused): nothing of it was sent, a definite fail.
      if (crashed) end = { stage: "unknown", cause };
      else if (!begun && !(cause instanceof OpTimeout)) end = { stage: "aborted", planned: false, cause };
      else
        end =
          ending || cause instanceof OpTimeout || (this.producer.isFenced ? this.producer.isFenced(cause) : isFenced(cause))
            ? { stage: "unknown", cause }
            : await this.abortAfter(cause, timed);
    }

    const type = txnType(end);
    if (type !== "ok" && !crashed) {
      // Read again what this transaction read: its offsets were not (or may not have been) committed.
      for (const [key, first] of firstReads(results())) this.consumer.seek(key, before.get(key) ?? first);
    }
    const cause = end.stage === "committed" ? undefined : end.cause;
    recorder.record({
      process: this.process,
      type,
      f: "txn",
      value: results(),
      transactionalId: this.transactionalId,
      ...(end.stage === "aborted" && end.planned ? { aborted: "planned" } : {}),
      ...(crashed ? { crashed: true } : {}),
      ...(cause !== undefined ? { error: describeError(cause) } : {}),
    });
    const sent = results().filter((r) => r[0] === "send" && Array.isArray(r[2])).length;
    return { type, replaceProducer: needsNewProducer(end), read: [...firstReads(results()).keys()], sent };
  }

  /** A micro-op failed before the end: abort; only an acknowledged abort makes it a definite fail. */
  private async abortAfter(cause: unknown, timed: <T>(p: Promise<T>) => Promise<T>): Promise<TxnEnd> {
    try {
      await timed(this.producer.abort());
      return { stage: "aborted", planned: false, cause };
    } catch {
      return { stage: "unknown", cause };
    }
  }

  close(): Promise<void> {
    return this.producer.close().catch(() => undefined);
  }
}

/** The highest offset a transaction's polls read of a key (-1: none). */
function lastReadOf(results: readonly TxnMicroResult[], key: string): number {
  let last = -1;
  for (const r of results) if (r[0] === "poll" && r.length > 1) for (const [o] of r[1]![key] ?? []) last = Math.max(last, o);
  return last;
}
