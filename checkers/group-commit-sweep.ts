// What a group could have had committed for one key when a partition was handed out (docs/design.md,
// Consumer groups): the last commit acknowledged before the assignment, and every commit that may
// have landed after it: unknown ones (however old), acknowledged ones that overlapped the last, and
// acknowledged ones still in flight. One sweep over the key's commits as the assignments come in
// history order, so judging every span start costs the commits once, not once per start. Pure.
import type { GroupCommit } from "./group-trace.ts";

/** A possible offset and the first commit (in invocation order) that holds it. */
export interface Held {
  offset: number;
  commit: GroupCommit;
}

/** The commits a span start is judged against. */
export interface PossibleCommits {
  /** The last commit acknowledged before the assignment. */
  last: GroupCommit | undefined;
  /** Whether some possible commit holds this offset. */
  holds(offset: number): boolean;
  /** The lowest and the highest possible offsets; undefined when no commit is possible. */
  lowest: Held | undefined;
  highest: Held | undefined;
}

const earlier = (a: Held | undefined, b: Held): boolean => a === undefined || b.commit.invIndex < a.commit.invIndex;

export class CommitSweep {
  private next = 0;
  private at = -1;
  /** Acknowledged commits invoked before `at` and answered at or after it. */
  private inFlight: GroupCommit[] = [];
  /** Acknowledged commits answered before `at`, by answer. */
  private answered: GroupCommit[] = [];
  /** Unknown commits invoked before `at`: the first holding each offset, the lowest and highest. */
  private unknownFirst = new Map<number, GroupCommit>();
  private unknownLow: Held | undefined;
  private unknownHigh: Held | undefined;

  /** `commits`: the key's commits of one group, in invocation order. */
  constructor(
    private readonly key: string,
    private readonly commits: readonly GroupCommit[],
  ) {}

  private offsetOf(c: GroupCommit): number {
    return c.offsets.get(this.key)!;
  }

  /** The possible commits for an assignment at history index `index`; indices must not decrease. */
  possibleAt(index: number): PossibleCommits {
    if (index < this.at) throw new Error(`CommitSweep: assignment at ${index} after ${this.at}`);
    this.at = index;
    for (; this.next < this.commits.length && this.commits[this.next]!.invIndex < index; this.next++) {
      const c = this.commits[this.next]!;
      if (c.type === "fail") continue;
      if (c.type === "ok") this.inFlight.push(c);
      else this.noteUnknown(c);
    }
    const still: GroupCommit[] = [];
    for (const c of this.inFlight) {
      if (c.doneIndex >= index) still.push(c);
      else {
        // Kept by answer: insertion from the end, as answers mostly come in order.
        let i = this.answered.length;
        while (i > 0 && this.answered[i - 1]!.doneIndex > c.doneIndex) i--;
        this.answered.splice(i, 0, c);
      }
    }
    this.inFlight = still;
    const last = this.answered.at(-1);
    const acked: GroupCommit[] = [...this.inFlight];
    if (last)
      for (let i = this.answered.length - 1; i >= 0 && (this.answered[i] === last || this.answered[i]!.doneIndex > last.invIndex); i--)
        acked.push(this.answered[i]!);
    let lowest = this.unknownLow;
    let highest = this.unknownHigh;
    for (const c of acked) {
      const h = { offset: this.offsetOf(c), commit: c };
      if (lowest === undefined || h.offset < lowest.offset || (h.offset === lowest.offset && earlier(lowest, h))) lowest = h;
      if (highest === undefined || h.offset > highest.offset || (h.offset === highest.offset && earlier(highest, h))) highest = h;
    }
    const unknownFirst = this.unknownFirst;
    return {
      last,
      holds: (offset) => unknownFirst.has(offset) || acked.some((c) => this.offsetOf(c) === offset),
      lowest,
      highest,
    };
  }

  private noteUnknown(c: GroupCommit): void {
    const h = { offset: this.offsetOf(c), commit: c };
    if (!this.unknownFirst.has(h.offset)) this.unknownFirst.set(h.offset, c);
    // Commits come in invocation order: the first holding an offset stays.
    if (this.unknownLow === undefined || h.offset < this.unknownLow.offset) this.unknownLow = h;
    if (this.unknownHigh === undefined || h.offset > this.unknownHigh.offset) this.unknownHigh = h;
  }
}
