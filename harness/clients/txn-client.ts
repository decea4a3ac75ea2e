// What the txn workload asks of a client library (docs/design.md, Clients): a
// transactional producer (begin, send, sendOffsets, commit, abort) and a consumer whose fetched
// records a ["poll"] micro-op takes (txn-delivery-buffer.ts). The recording is shared
// (txn-process.ts); a library only does the Kafka calls: kafkajs (kafkajs/txn.ts),
// @platformatic/kafka (platformatic/txn.ts) and librdkafka (confluent/txn.ts).
import type { ClientSecurity } from "../protocol/security.ts";
import type { ClientName } from "../spec/client.ts";
import type { IsolationLevel } from "../spec/test-spec.ts";
import type { Records } from "./txn-delivery-buffer.ts";

export interface TxnProducerSettings {
  transactionalId: string;
  retries: number;
  requestTimeoutMs: number;
  /** The broker aborts a transaction left open this long (a producer that vanished mid-transaction). */
  transactionTimeoutMs: number;
}

export interface TxnProducerDriver {
  /** Starts a transaction (kafkajs: producer.transaction()). */
  begin(): Promise<void>;
  /** One record to one key inside the transaction; the offset the broker returned, or undefined when
   *  the answer carried none (the transaction is then aborted: txn-process.ts). */
  send(key: string, value: number): Promise<number | undefined>;
  /** The consumer's next offsets per key, committed with the transaction to the group. */
  sendOffsets(groupId: string, next: Record<string, number>): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
  /** The library's "a newer producer with this transactional id exists" (default: kafkajs's names,
   *  txn-outcome.ts isFenced). */
  isFenced?(err: unknown): boolean;
}

export interface TxnConsumerOptions {
  topic: string;
  keys: string[];
  groupId: string;
  isolation: IsolationLevel;
  /** Carried over from a predecessor (next offset per key). */
  positions?: ReadonlyMap<string, number>;
  /** The group is shared with other consumers (the copy workload's copiers): each partition resumes
   *  from the group's committed offsets after a rebalance, and what a poll took is held until
   *  settle() (txn-delivery-buffer.ts). Absent: the consumer is alone in its group and keeps its
   *  own positions. */
  sharedGroup?: boolean;
  /** sharedGroup: false lets a batch go as soon as a poll took it (not held until settle()). */
  holdDeliveries?: boolean;
}

export interface TxnConsumer {
  readonly groupId: string;
  /** Next offset to hand out per key. */
  readonly positions: ReadonlyMap<string, number>;
  readonly alive: boolean;
  /** What has been fetched since the last poll (waiting up to waitMs for something), per key. */
  poll(waitMs: number): Promise<Record<string, Records>>;
  seek(key: string, offset: number): void;
  close(): Promise<void>;
  /** Whether something is fetched and waiting for a poll (waiting up to waitMs for it). */
  ready?(waitMs: number): Promise<boolean>;
  /** sharedGroup: the polls' records were copied (or the copy ended): their batches may go. */
  settle?(): void;
  /** sharedGroup: commits the next offsets per key to the group outside any transaction (the
   *  at-least-once copier), with the member's generation. */
  commitOffsets?(next: Record<string, number>): Promise<void>;
  /** sharedGroup: moves each key to the group's committed offset (after a transaction whose
   *  outcome was unknown was settled by a new producer with its id). */
  resetToCommitted?(keys: string[]): Promise<void>;
}

export interface TxnClient {
  readonly name: ClientName;
  /** A sharedGroup consumer joins the group (subscribe) and the group assigns its partitions;
   *  absent: it reads the keys it is given and commits to the group without joining it. */
  readonly joinsGroup?: boolean;
  openProducer(bootstrap: string[], settings: TxnProducerSettings, security?: ClientSecurity): Promise<TxnProducerDriver>;
  openConsumer(bootstrap: string[], opts: TxnConsumerOptions, security?: ClientSecurity): Promise<TxnConsumer>;
  /** Opens a producer under each id and closes it: the broker ends (aborts) whatever transaction a
   *  predecessor left open, so read_committed reads can pass it. */
  endOpenTransactions(bootstrap: string[], transactionalIds: string[], timeoutMs: number, security?: ClientSecurity): Promise<void>;
}

/** A producer driver's transaction, from begin until it ends (commit or abort). */
export class OpenTransaction<T> {
  private txn: T | undefined;

  begun(txn: T): void {
    this.txn = txn;
  }

  /** The transaction begun; throws when there is none. */
  get current(): T {
    if (!this.txn) throw new Error("no transaction begun");
    return this.txn;
  }

  /** The transaction, which ends now: the next one needs a begin. */
  end(): T {
    const t = this.current;
    this.txn = undefined;
    return t;
  }
}

/** endOpenTransactions for any client: a producer opened under each id, begun and aborted (nothing
 *  in it, so no EndTxn), retried every second until the deadline. Opening/beginning sends
 *  InitProducerId, and the coordinator ends the predecessor's open transaction. */
export async function endOpenTransactionsWith(
  openProducer: TxnClient["openProducer"],
  bootstrap: string[],
  transactionalIds: string[],
  timeoutMs: number,
  security?: ClientSecurity,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const problems: string[] = [];
  for (const transactionalId of transactionalIds) {
    for (;;) {
      let p: TxnProducerDriver | undefined;
      try {
        p = await openProducer(bootstrap, { transactionalId, retries: 5, requestTimeoutMs: 5000, transactionTimeoutMs: 60_000 }, security);
        await p.begin();
        await p.abort();
        await p.close();
        break;
      } catch (err) {
        await p?.close().catch(() => undefined);
        if (Date.now() > deadline) {
          problems.push(`${transactionalId}: ${(err as Error).message}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
  if (problems.length) throw new Error(`could not end the open transactions of ${problems.join("; ")}`);
}

/** A library's TxnClient from its producer and consumer: endOpenTransactions through its producer. */
export function txnClient(name: ClientName, openProducer: TxnClient["openProducer"], openConsumer: TxnClient["openConsumer"]): TxnClient {
  return {
    name,
    openProducer,
    openConsumer,
    endOpenTransactions: (bootstrap, ids, timeoutMs, security) =>
      endOpenTransactionsWith(openProducer, bootstrap, ids, timeoutMs, security),
  };
}
