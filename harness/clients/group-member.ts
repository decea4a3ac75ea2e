// What the group workload asks of a client library (docs/design.md, Consumer groups): a member of a
// consumer group that subscribes, is handed partitions by the group, hands each delivery to the
// harness as one poll op, and commits offsets by one of four strategies. The recording is shared
// (group-recorder.ts); a library only does the Kafka calls and tells the recorder what happened.
import type { ClientContext } from "./context.ts";

/**
 * When the member commits, relative to handing a delivery to the harness ("processing"):
 * - after-sync: process, then commit the delivery's next offsets and wait for the answer
 *   (at-least-once: a crash between the two repeats the delivery, never skips it);
 * - after-async: process, then commit without waiting (at-least-once, commits may land out of order);
 * - auto: the library commits what it has handed out on its own timer (at-most-once across a crash);
 * - before: commit the delivery's next offsets, then process (at-most-once: a crash between the two
 *   skips the delivery).
 */
export const COMMIT_STRATEGIES = ["after-sync", "after-async", "auto", "before"] as const;
export type CommitStrategy = (typeof COMMIT_STRATEGIES)[number];

/** classic: JoinGroup/SyncGroup, the client assigns; consumer: KIP-848, the broker assigns (Kafka 4.x). */
export const GROUP_PROTOCOLS = ["classic", "consumer"] as const;
export type GroupProtocol = (typeof GROUP_PROTOCOLS)[number];

export interface GroupMemberOptions {
  topic: string;
  /** Every key (topic-partition) of the topic: what the group may hand out. */
  keys: string[];
  groupId: string;
  commit: CommitStrategy;
  protocol: GroupProtocol;
  sessionTimeoutMs: number;
  /** The longest a member may go between polls before the group removes it (kafkajs: rebalanceTimeout). */
  maxPollIntervalMs: number;
  /** auto only: how often the library commits. */
  autoCommitIntervalMs: number;
}

/** One member of a consumer group: one process of the history. */
export interface GroupMember {
  readonly process: number;
  /** False once it crashed, was crashed, or left. */
  readonly alive: boolean;
  /** Resolves after the next delivery (or crash, or the timeout). */
  nextDelivery(timeoutMs: number): Promise<void>;
  /** Leaves the group cleanly: commits per its strategy where the library does so on close, sends
   *  LeaveGroup, closes. Recorded as a `leave` op. */
  leave(): Promise<void>;
  /**
   * Dies as a killed process does: every connection dropped at once, no LeaveGroup, no further
   * commit, nothing more handed to the harness; the group notices only when the session times out.
   * Recorded as a `crash` op. `window: "after-commit"` (strategy before only) dies inside the next
   * delivery, after its commit was acknowledged and before it is processed: the at-most-once window.
   */
  crash(window?: "now" | "after-commit"): Promise<void>;
  /** Stops processing for `ms` inside a delivery (no poll, no heartbeat the library does not do on
   *  its own), as a stuck handler does; past the session timeout or max.poll.interval.ms the group
   *  moves its partitions. Recorded as a `stall` op. */
  stall(ms: number): Promise<void>;
}

/** A library's group members (kafkajs/group.ts, platformatic/group.ts, confluent/group.ts). */
export interface GroupClient {
  /** Protocols this library can join with; the spec refuses the others, naming why. */
  readonly protocols: readonly GroupProtocol[];
  openMember(ctx: ClientContext, opts: GroupMemberOptions): Promise<GroupMember>;
}
