// Consumer groups (docs/design.md, Consumer groups): what a group handed out, judged against the
// offsets it committed. Pure; reads the derived structures and the group trace (group-trace.ts).
//   group-loss       a record in the log below an offset the group committed (acknowledged), that no
//                    member of the group ever polled: skipped by the group.
//   group-rewind     a member handed a partition starts below every offset the group could have
//                    committed last (the last acknowledged commit, or one that was still unknown or
//                    in flight when the partition was handed out): records read again beyond what
//                    at-least-once needs, the symptom of a lost commit or a stale offset in the client.
//   group-jump       such a start above every offset the group could have committed (or, with no
//                    commit, above the start of the log), over records in the log: skipped at the start.
//   group-duplicate  a value polled by two poll ops of the group's members (at-least-once redelivery).
// Poll-skip and nonmonotonic-poll within one assignment are the ordering checker's (order.ts resets a
// member's position at each assignment and revocation). A start the commits cannot tell (between two
// offsets the group might have committed) is not judged. An unknown commit stays possible for every
// later start (it may still be applied; a bound needs the generation each request carried), so
// unknown commits narrow what is judged (docs/design.md, Consumer groups).
import { type Derived, F_POLL, OK, opIndex, recordOffset, slotEntryOf } from "./derive.ts";
import type { Findings } from "./findings.ts";
import { CommitSweep, type PossibleCommits } from "./group-commit-sweep.ts";
import type { GroupCommit, GroupTrace } from "./group-trace.ts";
import type { Process } from "./history.ts";

/** A member's ok poll of a key: where its reading of the key started, and the op's history index. */
interface FirstPoll {
  index: number;
  offset: number;
  op: number;
}

export function findGroupAnomalies(d: Derived, t: GroupTrace, out: Findings): void {
  if (t.members.size === 0 && t.commits.length === 0) return;
  const keyNum = new Map<string, number>();
  d.keys.forEach((k, i) => keyNum.set(String(k), i));
  const groups = [...new Set([...t.members.values(), ...t.commits.map((c) => c.group)])].sort();
  const groupNum = new Map(groups.map((g, i) => [g, i]));
  // By process number (d.procs): its group, or -1.
  const procGroup = new Int32Array(d.procs.length).fill(-1);
  const procNum = new Map<Process, number>();
  d.procs.forEach((p, i) => {
    procNum.set(p, i);
    const g = t.members.get(p);
    if (g !== undefined) procGroup[i] = groupNum.get(g)!;
  });

  // Per group and value: the first poll op of a member that returned it, and whether a second did.
  const firstReader = groups.map(() => new Int32Array(d.nVals).fill(-1));
  const reported = groups.map(() => new Uint8Array(d.nVals));
  // Per (process, key): its ok polls of the key, in line order.
  const polls = new Map<number, FirstPoll[]>();
  for (let o = 0; o < d.nOps; o++) {
    if (d.opF[o] !== F_POLL || d.opType[o] !== OK) continue;
    const p = d.opProc[o]!;
    const g = procGroup[p]!;
    if (g < 0) continue;
    let lastKey = -1;
    for (let r = d.opRecStart[o]!; r < d.opRecEnd[o]!; r++) {
      const v = d.recVal[r]!;
      const k = d.valKey[v]!;
      if (k !== lastKey) {
        lastKey = k;
        const id = p * d.keys.length + k;
        let list = polls.get(id);
        if (!list) polls.set(id, (list = []));
        if (list[list.length - 1]?.op !== o) list.push({ index: opIndex(d, o), offset: recordOffset(d, r), op: o });
      }
      const first = firstReader[g]!;
      if (first[v] === -1) first[v] = o;
      else if (first[v] !== o && reported[g]![v] === 0) {
        reported[g]![v] = 1;
        const a = first[v]!;
        out.add("group-duplicate", () => ({
          type: "group-duplicate",
          group: groups[g]!,
          key: d.keys[k]!,
          value: d.valOrig[v]!,
          offset: recordOffset(d, r),
          readers: [d.procs[d.opProc[a]!]!, d.procs[p]!],
          ops: [opIndex(d, a), opIndex(d, o)],
        }));
      }
    }
  }

  findStarts(d, t, out, keyNum, procNum, polls, groupNum, firstReader);
  findGroupLoss(d, t, out, keyNum, groups, firstReader);
}

/** Each assignment's first poll of each key, judged against the group's commits of that key. */
function findStarts(
  d: Derived,
  t: GroupTrace,
  out: Findings,
  keyNum: Map<string, number>,
  procNum: Map<Process, number>,
  polls: Map<number, FirstPoll[]>,
  groupNum: Map<string, number>,
  firstReader: Int32Array[],
): void {
  // Per group and key, its commits in invocation order: a span start reads only its own key's.
  const commitsOf = new Map<string, GroupCommit[]>();
  for (const c of t.commits) {
    for (const key of c.offsets.keys()) {
      const id = `${c.group}\u0000${key}`;
      let list = commitsOf.get(id);
      if (!list) commitsOf.set(id, (list = []));
      list.push(c);
    }
  }
  const byProcess = new Map<Process, GroupTrace["events"]>();
  for (const e of t.events) {
    let list = byProcess.get(e.process);
    if (!list) byProcess.set(e.process, (list = []));
    list.push(e);
  }
  // Every span start, in the order its findings are reported (by member, then assignment).
  const starts: Start[] = [];
  for (const [process, events] of byProcess) {
    const p = procNum.get(process);
    if (p === undefined) continue;
    // The span of a key ends at the member's next event about it: the next crash or leave, or the
    // next assignment or revocation naming the key (found walking back from the end).
    const endOf = new Map<string, number>();
    let ended = Number.POSITIVE_INFINITY;
    const spanEnd: Array<Map<string, number> | undefined> = new Array(events.length);
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (e.kind === "assigned")
        spanEnd[i] = new Map(e.keys.map((key) => [key, Math.min(ended, endOf.get(key) ?? Number.POSITIVE_INFINITY)]));
      if (e.kind === "crash" || e.kind === "leave") ended = e.index;
      else for (const key of e.keys) endOf.set(key, e.index);
    }
    events.forEach((e, i) => {
      if (e.kind !== "assigned") return;
      for (const key of e.keys) {
        const k = keyNum.get(key);
        if (k === undefined) continue;
        const list = polls.get(p * d.keys.length + k);
        const first = list ? firstAfter(list, e.index) : undefined;
        if (first && first.index < spanEnd[i]!.get(key)!) starts.push({ e, key, k, first });
      }
    });
  }
  // Judged key by key in history order (one sweep of each key's commits), reported in `starts` order.
  const judged: Array<(() => void) | undefined> = new Array(starts.length);
  const byKey = new Map<string, number[]>();
  starts.forEach((st, i) => {
    const id = `${st.e.group}\u0000${st.key}`;
    let list = byKey.get(id);
    if (!list) byKey.set(id, (list = []));
    list.push(i);
  });
  for (const [id, indices] of byKey) {
    indices.sort((a, b) => starts[a]!.e.index - starts[b]!.e.index);
    const sweep = new CommitSweep(starts[indices[0]!]!.key, commitsOf.get(id) ?? []);
    for (const i of indices) {
      const st = starts[i]!;
      judged[i] = judgeStart(d, sweep.possibleAt(st.e.index), out, st, firstReader[groupNum.get(st.e.group)!]!);
    }
  }
  for (const report of judged) report?.();
}

/** A member's first poll of a key in a span: the assignment, the key, and where reading began. */
interface Start {
  e: GroupTrace["events"][number];
  key: string;
  k: number;
  first: FirstPoll;
}

/** The first of a member's polls of a key (in history order) after history index `index`. */
function firstAfter(list: readonly FirstPoll[], index: number): FirstPoll | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.index > index) hi = mid;
    else lo = mid + 1;
  }
  return list[lo];
}

/** A span start against the commits that could have been the group's last: what to report, if anything. */
function judgeStart(d: Derived, possible: PossibleCommits, out: Findings, st: Start, readBy: Int32Array): (() => void) | undefined {
  const { e, key, k, first } = st;
  const s = first.offset;
  if (Number.isNaN(s) || possible.holds(s)) return undefined;
  const evidence = (type: "group-rewind" | "group-jump", commit: GroupCommit | undefined, skipped?: number) => ({
    type,
    group: e.group,
    key: d.keys[k]!,
    member: e.process,
    start: s,
    commit: commit === undefined ? null : commit.offsets.get(key)!,
    committer: commit === undefined ? null : commit.process,
    ...(skipped === undefined ? {} : { skipped }),
    ops: [...(commit ? [indexOf(commit)] : []), e.index, first.index],
  });
  // With no acknowledged commit, the unknown ones may all have failed: the log's start is possible too.
  const { lowest, highest } = possible;
  if (possible.last !== undefined && lowest !== undefined && s < lowest.offset)
    return () => out.add("group-rewind", () => evidence("group-rewind", lowest.commit));
  // Above every possible commit (with none: above the start of the log), over records in the log
  // the group had not read yet (a member resuming where the group's reads had got to skips nothing).
  const from = highest?.offset ?? -1;
  if (s <= from) return undefined;
  const skipped = unreadBetween(d, k, from, s, readBy, first.index);
  if (skipped === 0) return undefined;
  return () => out.add("group-jump", () => evidence("group-jump", highest?.commit, skipped));
}

/** The history index a commit is shown by: its completion, or its invocation if it never completed. */
const indexOf = (c: GroupCommit): number => (c.doneIndex >= 0 ? c.doneIndex : c.invIndex);

/** Records of key k in the log at offsets from..to-1 (from -1: from the start) that no member of the
 *  group had polled before history index `before`. */
function unreadBetween(d: Derived, k: number, from: number, to: number, readBy: Int32Array, before: number): number {
  let n = 0;
  for (const slot of d.keySlots[k]!) {
    const o = d.slotOffset[slot]!;
    if (o < from) continue;
    if (o >= to) break;
    if (d.slotMore.has(slot)) continue;
    const reader = readBy[d.entryVal[slotEntryOf(d, slot)]!]!;
    if (reader === -1 || opIndex(d, reader) > before) n++;
  }
  return n;
}

/** Records in the log below an offset the group committed that no member of it polled. */
function findGroupLoss(
  d: Derived,
  t: GroupTrace,
  out: Findings,
  keyNum: Map<string, number>,
  groups: string[],
  firstReader: Int32Array[],
): void {
  groups.forEach((group, g) => {
    // Per key: the highest acknowledged commit.
    const highest = new Map<number, GroupCommit>();
    for (const c of t.commits) {
      if (c.group !== group || c.type !== "ok") continue;
      for (const [key, offset] of c.offsets) {
        const k = keyNum.get(key);
        if (k === undefined) continue;
        const h = highest.get(k);
        if (h === undefined || offset > h.offsets.get(key)!) highest.set(k, c);
      }
    }
    for (const [k, c] of highest) {
      const bound = c.offsets.get(String(d.keys[k]))!;
      for (const slot of d.keySlots[k]!) {
        const offset = d.slotOffset[slot]!;
        if (offset >= bound) break;
        // Two values at one offset (a truncated log's reused offset) tell nothing certain here.
        if (d.slotMore.has(slot)) continue;
        const v = d.entryVal[slotEntryOf(d, slot)]!;
        // A value no read returned is not shown in the log (a lost write, judged by the loss checks).
        if (d.valReadOk[v] !== 1 || firstReader[g]![v] !== -1) continue;
        out.add("group-loss", () => ({
          type: "group-loss",
          group,
          key: d.keys[k]!,
          value: d.valOrig[v]!,
          offset,
          commit: bound,
          committer: c.process,
          ops: [indexOf(c), ...(d.valFirstOkReader[v]! >= 0 ? [opIndex(d, d.valFirstOkReader[v]!)] : [])],
        }));
      }
    }
  });
}
