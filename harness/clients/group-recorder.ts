// The recording half of every group member, whatever the library (docs/design.md, Consumer groups).
// One member is one process; besides its poll ops (poll-recorder.ts) it records:
//   subscribe  invoke/ok|info  {"f":"subscribe","value":[keys],"group":"g"}
//   assigned   ok, no invoke   {"f":"assigned","value":[keys],"group":"g","generation":3}
//   revoked    ok, no invoke   {"f":"revoked","value":[keys],"group":"g","generation":3,"lost":true}
//   commit     invoke/ok|fail|info {"f":"commit","value":{"t-0":12},"group":"g","seq":4} (next
//              offsets to read; seq pairs a completion with its invocation, as a member's async
//              commits overlap; "auto":true for a commit the library made on its own, recorded
//              when it reported it)
//   leave      invoke/ok|info  {"f":"leave","group":"g"}
//   crash      info            {"f":"crash","value":"now"|"after-commit","group":"g"}
//   stall      invoke/ok       {"f":"stall","value":ms,"group":"g"}
// `assigned` lists the keys the library handed this member at a rebalance, as it reported them (an
// eager rebalance hands every key again; a cooperative one only the new keys); each starts a new
// span of that key, whose first poll the group checker judges against the group's commits.
import type { ClientContext } from "./context.ts";
import { PollRecorder } from "./poll-recorder.ts";

export type CommitOutcome = "ok" | "fail" | "info";

export class GroupRecorder {
  readonly polls: PollRecorder;
  /** The keys this member holds now, as its assignments and revocations said. */
  readonly owned = new Set<string>();
  private ended = false;
  private commits = 0;

  constructor(
    readonly process: number,
    private readonly ctx: ClientContext,
    readonly groupId: string,
  ) {
    this.polls = new PollRecorder(process, ctx);
  }

  private record(type: "invoke" | "ok" | "fail" | "info", f: string, value?: unknown, extra: Record<string, unknown> = {}): void {
    this.ctx.recorder.record({ process: this.process, type, f, value, group: this.groupId, ...extra });
  }

  /** Whether the member is gone (crashed or left): nothing more is recorded of it. */
  get done(): boolean {
    return this.ended;
  }

  subscribing(keys: string[]): void {
    this.record("invoke", "subscribe", keys);
  }
  /** Subscribed: from here on the member is ready for its first delivery. */
  subscribed(keys: string[]): void {
    this.record("ok", "subscribe", keys);
    this.polls.invoke();
  }
  subscribeFailed(keys: string[], error: unknown): void {
    this.record("info", "subscribe", keys, { error: String(error) });
    this.ended = true;
  }

  assigned(keys: string[], generation?: number): void {
    if (this.ended) return;
    for (const k of keys) this.owned.add(k);
    this.record("ok", "assigned", [...keys].sort(), generation === undefined ? {} : { generation });
  }
  revoked(keys: string[], generation?: number, lost = false): void {
    if (this.ended) return;
    for (const k of keys) this.owned.delete(k);
    this.record("ok", "revoked", [...keys].sort(), { ...(generation === undefined ? {} : { generation }), ...(lost ? { lost } : {}) });
  }

  /** A commit the member makes: records its invocation; call the returned function with its outcome. */
  commit(offsets: Record<string, number>): (outcome: CommitOutcome, error?: unknown) => void {
    const value = sortedOffsets(offsets);
    const seq = this.commits++;
    this.record("invoke", "commit", value, { seq });
    let completed = false;
    return (outcome, error) => {
      if (completed) return;
      completed = true;
      // A member that crashed meanwhile is dead: an answer it would never have seen is not recorded,
      // and its commit stays unknown (the checker's rule for an invocation without completion).
      if (this.ended) return;
      this.record(outcome, "commit", value, error === undefined ? { seq } : { seq, error: String(error) });
    };
  }

  /** A commit the library made on its own and reported as done (auto-commit). */
  autoCommitted(offsets: Record<string, number>): void {
    if (this.ended) return;
    const value = sortedOffsets(offsets);
    const seq = this.commits++;
    this.record("invoke", "commit", value, { seq, auto: true });
    this.record("ok", "commit", value, { seq, auto: true });
  }

  leaving(): void {
    this.record("invoke", "leave");
  }
  left(outcome: "ok" | "info", error?: unknown): void {
    this.polls.closed();
    this.record(outcome, "leave", undefined, error === undefined ? {} : { error: String(error) });
    this.ended = true;
  }

  /** The member was killed: its open poll read nothing, and nothing more is recorded of it. */
  crashed(window: "now" | "after-commit"): void {
    if (this.ended) return;
    this.polls.closed();
    this.record("info", "crash", window);
    this.ended = true;
  }

  /** The library gave up on its own (an unrecoverable error): recorded as a crash the harness did not cause. */
  failed(error: unknown): void {
    if (this.ended) return;
    this.polls.crashed(error);
    this.record("info", "crash", "client", { error: String(error) });
    this.ended = true;
  }

  stalling(ms: number): void {
    this.record("invoke", "stall", ms);
  }
  stalled(ms: number): void {
    if (!this.ended) this.record("ok", "stall", ms);
  }
}

function sortedOffsets(offsets: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(offsets).sort()) out[k] = offsets[k]!;
  return out;
}
