// @platformatic/kafka (1.35) consumer-group members: its Consumer with consume() (a MessagesStream
// that joins the group, reads from the committed offsets, falls back to the earliest), each member
// in a process of its own (group-process.ts: a crash is a SIGKILL). What it supports, from its
// sources (dist/clients/consumer/consumer.js):
//   classic   JoinGroup/SyncGroup, the leader assigns (round robin), EAGER only: no cooperative
//             assignor, every rejoin hands each member a whole new assignment (`assignments`, set
//             after SyncGroup with the new `generationId`).
//   consumer  KIP-848 (groupProtocol "consumer"): ConsumerGroupHeartbeat, the broker assigns; the
//             library diffs each new assignment against the last one (incremental). Its member
//             epoch is private (#memberEpoch), so those assignments are recorded without one.
// What it reports and how it is recorded:
//   assignments  the library sets its public `assignments` field whenever the group hands it a new
//                assignment (classic: after each SyncGroup; consumer: after each heartbeat answer
//                that changes it; null/[] when it leaves or is fenced). The harness watches that field
//                (an accessor over it): classic as eager (all revoked, then all assigned, with the
//                generation), consumer as incremental. The library has no revoke event of its own.
//   deliveries   the stream pushes one message at a time; whatever is buffered when the member asks
//                is one batch, and each key's records of it one delivery.
//   commits      a delivery's last message's own commit() (OffsetCommit with that record's leader
//                epoch); ok when it resolved. The library retries a commit refused with a rejoin error
//                (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS) after rejoining.
//   auto-commit  the stream's `autocommit` interval; each commit it made is reported by the stream's
//                'autocommit' event (error, offsets). It commits what it FETCHED (offsetsToCommit is
//                set when a response is parsed), not what the application was handed.
//   stall        the library heartbeats on its own timer whatever the application does, and has no
//                max.poll.interval: a stalled member keeps its partitions (rebalanceTimeout bounds
//                only a rejoin).
//   leave        the stream is closed, then the consumer (LeaveGroup; consumer: a heartbeat with epoch -1).
import { Consumer, type Message, type MessagesStream } from "@platformatic/kafka";
import { commitOutcomeOfErrors } from "../commit-outcome.ts";
import { keyOf } from "../context.ts";
import { assignmentChange, type Delivery, deliveriesOf, type LibrarySession, type SessionInput } from "../group-driver.ts";
import { forkedGroupClient } from "../group-process.ts";
import { platformaticSecurity } from "./security.ts";

export const platformaticGroupClient = forkedGroupClient("platformatic", ["classic", "consumer"]);

const FETCH_WAIT_MS = 500;

class NothingToCommit extends Error {}

interface PlatformaticLikeError {
  code?: string;
  apiId?: string;
  errors?: unknown[];
}

/** Every Kafka error name the library's error carries (nested: MultipleErrors of retries, ResponseError of
 *  partitions), or undefined when some part is not a broker's answer (a lost connection, a timeout). Pure. */
export function kafkaErrorNames(err: unknown): string[] | undefined {
  const e = (err ?? {}) as PlatformaticLikeError;
  if (e.code === "PLT_KFK_PROTOCOL" && typeof e.apiId === "string") return [e.apiId];
  if ((e.code === "PLT_KFK_RESPONSE" || e.code === "PLT_KFK_MULTIPLE") && Array.isArray(e.errors) && e.errors.length > 0) {
    const names: string[] = [];
    for (const x of e.errors) {
      const n = kafkaErrorNames(x);
      if (!n) return undefined;
      names.push(...n);
    }
    return names;
  }
  return undefined;
}

/** A commit's error: fail only when every answer was a refusal before the append (commit-outcome.ts). */
export function classifyPlatformaticCommitError(err: unknown): "fail" | "info" {
  return commitOutcomeOfErrors(kafkaErrorNames(err) ?? []);
}

/** The keys of the library's `assignments` value. Pure. */
export function keysOfAssignments(a: readonly { topic: string; partitions: number[] }[] | null | undefined): string[] {
  return (a ?? []).flatMap(({ topic, partitions }) => partitions.map((partition) => keyOf({ topic, partition }))).sort();
}

export function openPlatformaticSession({ opts, bootstrap, security, hooks }: SessionInput): LibrarySession {
  const classic = opts.protocol === "classic";
  const consumer = new Consumer({
    clientId: `kafka-harness-group-${process.pid}`,
    bootstrapBrokers: bootstrap,
    groupId: opts.groupId,
    ...platformaticSecurity(security),
    connectTimeout: 3000,
    ...(classic
      ? {
          groupProtocol: "classic" as const,
          sessionTimeout: opts.sessionTimeoutMs,
          rebalanceTimeout: Math.max(opts.maxPollIntervalMs, opts.sessionTimeoutMs),
          heartbeatInterval: Math.max(100, Math.floor(opts.sessionTimeoutMs / 3)),
        }
      : {
          groupProtocol: "consumer" as const,
          rebalanceTimeout: Math.max(opts.maxPollIntervalMs, opts.sessionTimeoutMs),
          // Not sent under KIP-848 (the broker's group.consumer.session.timeout.ms rules), but the
          // library checks rebalanceTimeout >= sessionTimeout whatever the protocol, its default 60 s.
          ...({ sessionTimeout: opts.sessionTimeoutMs } as object),
        }),
  });

  // The library's own view of its assignment, as it sets it.
  const owned = new Set<string>();
  let generation: number | undefined;
  let current: unknown = consumer.assignments;
  Object.defineProperty(consumer, "assignments", {
    configurable: true,
    enumerable: true,
    get: () => current,
    set(value: { topic: string; partitions: number[] }[] | null) {
      current = value;
      const next = keysOfAssignments(value);
      const nextGeneration = classic ? consumer.generationId : undefined;
      const { revoked, assigned } = assignmentChange(classic, owned, next);
      if (revoked.length) hooks.revoked(revoked, generation);
      for (const k of revoked) owned.delete(k);
      generation = nextGeneration;
      if (assigned.length || (classic && value !== null)) hooks.assigned(assigned, generation);
      for (const k of assigned) owned.add(k);
    },
  });

  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let closed = false;
  let streamError: unknown;
  const queue: Delivery[] = [];
  // The last message of each key handed out: its commit() commits that key's next offset.
  const lastMessage = new Map<string, Message<Buffer, Buffer, Buffer, Buffer>>();
  let wake: (() => void) | undefined;
  const wakeUp = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  return {
    async subscribe() {
      stream = await consumer.consume({
        topics: [opts.topic],
        mode: "committed",
        fallbackMode: "earliest",
        autocommit: opts.commit === "auto" ? Math.max(100, opts.autoCommitIntervalMs) : false,
        maxWaitTime: FETCH_WAIT_MS,
      });
      stream.on("readable", wakeUp);
      stream.on("end", wakeUp);
      stream.on("close", wakeUp);
      stream.on("error", (err: unknown) => {
        streamError = err;
        wakeUp();
      });
      stream.on("autocommit", (err: unknown, offsets?: { topic: string; partition: number; offset: bigint }[]) => {
        if (err || !offsets?.length) return;
        hooks.autoCommitted(Object.fromEntries(offsets.map((o) => [keyOf(o), Number(o.offset)])));
      });
    },

    async next() {
      for (;;) {
        const d = queue.shift();
        if (d) return d;
        if (closed || !stream) return undefined;
        if (streamError !== undefined) throw streamError;
        const handed: { key: string; offset: number; value: number }[] = [];
        for (let m = stream.read() as Message<Buffer, Buffer, Buffer, Buffer> | null; m; m = stream.read()) {
          const key = keyOf(m);
          lastMessage.set(key, m);
          handed.push({ key, offset: Number(m.offset), value: Number(m.value?.toString()) });
        }
        if (handed.length) {
          queue.push(...deliveriesOf(handed));
          continue;
        }
        if (stream.destroyed || stream.readableEnded) {
          if (streamError !== undefined) throw streamError;
          if (closed) return undefined;
          throw new Error("the library's message stream ended");
        }
        await new Promise<void>((r) => (wake = r));
      }
    },

    async commit(offsets) {
      for (const [key, next] of Object.entries(offsets)) {
        const m = lastMessage.get(key);
        if (!m || Number(m.offset) + 1 !== next) throw new NothingToCommit(`no delivered message of ${key} ends before offset ${next}`);
        await m.commit();
      }
    },

    // Nothing was sent for a commit the member could not make.
    commitOutcome: (err) => (err instanceof NothingToCommit ? "fail" : classifyPlatformaticCommitError(err)),

    async close() {
      closed = true;
      wakeUp();
      if (stream) await stream.close();
      await consumer.close();
    },
  };
}
