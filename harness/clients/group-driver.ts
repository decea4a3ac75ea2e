// The library-independent half of a group member that runs in the member's own process
// (group-process.ts forks it): it pulls deliveries from a library session, commits them by the
// member's strategy (group-member.ts), stalls and dies where the harness asked, and tells the
// recording what happened through a GroupSink (the parent's GroupRecorder, over IPC). A library
// supplies only a LibrarySession: subscribe, hand out one key's records at a time, commit, close.

import type { ClientSecurity } from "../protocol/security.ts";
import { sleep } from "./fetch-loop.ts";
import type { GroupMemberOptions } from "./group-member.ts";
import type { CommitOutcome } from "./group-recorder.ts";

/** What the member reports, in GroupRecorder's terms (one call per recorder method). */
export interface GroupSink {
  subscribing(keys: string[]): void;
  subscribed(keys: string[]): void;
  subscribeFailed(keys: string[], error: unknown): void;
  assigned(keys: string[], generation?: number): void;
  revoked(keys: string[], generation?: number, lost?: boolean): void;
  delivered(key: string, records: [number, number][]): void;
  /** Records the commit's invocation; the returned function records its outcome. */
  commit(offsets: Record<string, number>): (outcome: CommitOutcome, error?: unknown) => void;
  autoCommitted(offsets: Record<string, number>): void;
  leaving(): void;
  left(outcome: "ok" | "info", error?: unknown): void;
  failed(error: unknown): void;
  stalling(ms: number): void;
  stalled(ms: number): void;
}

/** What a library reports on its own, as it happens. */
export type SessionHooks = Pick<GroupSink, "assigned" | "revoked" | "autoCommitted" | "failed">;

/** One key's records as the library handed them out together ([offset, value], in offset order). */
export interface Delivery {
  key: string;
  records: [number, number][];
}

export interface LibrarySession {
  /** Joins the group; resolves once the library has subscribed (the first assignment may come later). */
  subscribe(): Promise<void>;
  /** The next delivery; undefined once closed. The member asks again only after processing it. */
  next(): Promise<Delivery | undefined>;
  /** Commits these next offsets; resolves only when the broker acknowledged them. */
  commit(offsets: Record<string, number>): Promise<void>;
  /** Serves the library until the answers to commits in flight came, where only polling brings them. */
  settle?(): Promise<void>;
  /** A commit's error: fail for a certain refusal, info otherwise (commit-outcome.ts). */
  commitOutcome(error: unknown): "fail" | "info";
  /** Leaves the group cleanly (what the library does on close: its commits, LeaveGroup). */
  close(): Promise<void>;
}

export interface SessionInput {
  opts: GroupMemberOptions;
  bootstrap: string[];
  security?: ClientSecurity;
  hooks: SessionHooks;
}

export type SessionFactory = (input: SessionInput) => LibrarySession;

/** A commit that has not answered by then is recorded info and the member goes on. */
export const commitTimeoutMs = (opts: GroupMemberOptions) => Math.max(10_000, opts.sessionTimeoutMs);

class CommitTimeout extends Error {
  constructor(ms: number) {
    super(`commit not answered within ${ms} ms`);
  }
}

/** The next offsets to read after a delivery: its last offset plus one. Pure. */
export function nextOffsets(d: Delivery): Record<string, number> {
  const last = d.records[d.records.length - 1];
  return last === undefined ? {} : { [d.key]: last[0] + 1 };
}

export class MemberCore {
  private stallNext: { ms: number; done: () => void } | undefined;
  private crashAfterCommit = false;
  private leaving = false;
  private processing: Promise<void> = Promise.resolve();
  private readonly pendingCommits = new Set<Promise<unknown>>();

  constructor(
    private readonly opts: GroupMemberOptions,
    private readonly sink: GroupSink,
    private readonly session: LibrarySession,
    /** Kills this process as the harness's crash does (never returns). */
    private readonly die: (window: "after-commit") => Promise<never>,
  ) {}

  /** Subscribes, then processes deliveries until the member leaves or the library gives up. */
  async run(): Promise<void> {
    const keys = this.opts.keys;
    this.sink.subscribing(keys);
    try {
      await this.session.subscribe();
    } catch (err) {
      this.sink.subscribeFailed(keys, err);
      return;
    }
    this.sink.subscribed(keys);
    for (;;) {
      let d: Delivery | undefined;
      try {
        d = await this.session.next();
      } catch (err) {
        if (!this.leaving) this.sink.failed(err);
        return;
      }
      // A delivery that comes while the member is leaving is not processed (the app is shutting down).
      if (!d || this.leaving) return;
      if (!d.records.length) continue;
      this.processing = this.process(d);
      await this.processing;
    }
  }

  /** The next delivery stalls `ms` after it was handed to the harness (before its commit, if after). */
  stall(ms: number): Promise<void> {
    return new Promise((done) => {
      this.stallNext = { ms, done };
    });
  }

  /** The next delivery whose commit (strategy before) is acknowledged kills the process before it is processed. */
  armCrashAfterCommit(): void {
    this.crashAfterCommit = true;
  }

  async leave(): Promise<void> {
    this.leaving = true;
    await this.processing;
    if (this.pendingCommits.size) await this.session.settle?.();
    await Promise.allSettled([...this.pendingCommits]);
    this.stallNext?.done();
    this.sink.leaving();
    try {
      await this.session.close();
      this.sink.left("ok");
    } catch (err) {
      this.sink.left("info", err);
    }
  }

  private async process(d: Delivery): Promise<void> {
    const offsets = nextOffsets(d);
    const { commit } = this.opts;
    if (commit === "before") {
      const ok = await this.commit(offsets);
      if (ok && this.crashAfterCommit) await this.die("after-commit");
    }
    this.sink.delivered(d.key, d.records);
    const stall = this.stallNext;
    if (stall) {
      this.stallNext = undefined;
      this.sink.stalling(stall.ms);
      await sleep(stall.ms);
      this.sink.stalled(stall.ms);
      stall.done();
    }
    if (commit === "after-sync") await this.commit(offsets);
    else if (commit === "after-async") {
      const p = this.commit(offsets);
      this.pendingCommits.add(p);
      void p.finally(() => this.pendingCommits.delete(p));
    }
  }

  /** Commits and records the outcome; true when the broker acknowledged it. */
  private async commit(offsets: Record<string, number>): Promise<boolean> {
    const done = this.sink.commit(offsets);
    const ms = commitTimeoutMs(this.opts);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.session.commit(offsets),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new CommitTimeout(ms)), ms);
        }),
      ]);
      done("ok");
      return true;
    } catch (err) {
      done(err instanceof CommitTimeout ? "info" : this.session.commitOutcome(err), err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One record as a library handed it out. */
export interface Handed {
  key: string;
  offset: number;
  value: number;
}

/** What a library handed out in one go, as deliveries: one per key, in the order the keys first
 *  appear, each key's records in the order handed out. Pure. */
export function deliveriesOf(handed: readonly Handed[]): Delivery[] {
  const byKey = new Map<string, [number, number][]>();
  for (const h of handed) {
    const list = byKey.get(h.key) ?? [];
    list.push([h.offset, h.value]);
    byKey.set(h.key, list);
  }
  return [...byKey].map(([key, records]) => ({ key, records }));
}

/**
 * A library's whole new assignment, as assignments and revocations: an eager rebalance (the classic
 * protocol with an eager assignor) gives up every key it held and is handed every key again; an
 * incremental one (cooperative, or KIP-848) revokes only the keys it loses and assigns only the
 * new ones. Pure.
 */
export function assignmentChange(
  eager: boolean,
  owned: Iterable<string>,
  next: readonly string[],
): { revoked: string[]; assigned: string[] } {
  const before = [...owned];
  if (eager) return { revoked: before, assigned: [...next] };
  const now = new Set(next);
  const had = new Set(before);
  return { revoked: before.filter((k) => !now.has(k)), assigned: next.filter((k) => !had.has(k)) };
}
