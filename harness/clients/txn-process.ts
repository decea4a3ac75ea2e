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
import { firstReads, isFenced, needsNewProducer, type TxnEnd, type TxnMicroResult, txnType } from "./txn-outcome.ts";

export type TxnMicroOp = ["send", string, number] | ["poll"];

export interface TxnResult {
  type: "ok" | "fail" | "info";
  /** The producer must not be used again (fenced, or its transaction state unknown). */
  replaceProducer: boolean;
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
    const { recorder } = this.ctx;
    recorder.record({ process: this.process, type: "invoke", f: "txn", value: ops });
    // Only micro-ops that were issued appear in the completion: a send never handed to the client
    // cannot have been written, and listing it as unknown would make a committed-looking
    // transaction (a read of its other sends) look torn. An issued send with no answer stays a
    // plain value (offset unknown).
    const issued: Array<TxnMicroResult | undefined> = ops.map(() => undefined);
    const results = (): TxnMicroResult[] => issued.filter((r): r is TxnMicroResult => r !== undefined);
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
    try {
      await timed(this.producer.begin());
      begun = true;
      for (const [i, op] of ops.entries()) {
        if (op[0] === "send") {
          issued[i] = [...op];
          const offset = await timed(this.producer.send(op[1], op[2]));
          if (offset === undefined) {
            // Sends in a transaction are acks=all: no offset, no acknowledgement. Committing would
            // make the others visible without it (a torn transaction of the client's making); the
            // send stays a plain value and the abort below makes the transaction a definite fail.
            const { topic, partition } = parseKey(op[1]);
            throw new NoRecordMetadata(topic, partition);
          }
          issued[i] = ["send", op[1], [offset, op[2]]];
        } else {
          issued[i] = ["poll", {}];
          issued[i] = ["poll", await this.consumer.poll(Math.min(this.timing.pollWaitMs, Math.max(0, deadline - Date.now())))];
        }
      }
      const read = [...firstReads(results()).keys()];
      if (read.length) {
        const next = Object.fromEntries(read.map((k) => [k, this.consumer.positions.get(k)!]));
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
      // Not begun (InitProducerId refused): nothing of it was sent, a definite fail.
      if (!begun && !(cause instanceof OpTimeout)) end = { stage: "aborted", planned: false, cause };
      else
        end =
          ending || cause instanceof OpTimeout || (this.producer.isFenced ? this.producer.isFenced(cause) : isFenced(cause))
            ? { stage: "unknown", cause }
            : await this.abortAfter(cause, timed);
    }

    const type = txnType(end);
    if (type !== "ok") {
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
      ...(cause !== undefined ? { error: describeError(cause) } : {}),
    });
    return { type, replaceProducer: needsNewProducer(end) };
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
