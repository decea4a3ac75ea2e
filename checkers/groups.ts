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
  for (const [process, events] of byProcess) {
    const p = procNum.get(process);
    if (p === undefined) continue;
    events.forEach((e, i) => {
      if (e.kind !== "assigned") return;
      for (const key of e.keys) {
        const k = keyNum.get(key);
        if (k === undefined) continue;
        // The span ends at the member's next event about this key (or its end).
        const next = events.slice(i + 1).find((x) => x.kind === "crash" || x.kind === "leave" || x.keys.includes(key));
        const first = (polls.get(p * d.keys.length + k) ?? []).find(
          (q) => q.index > e.index && (next === undefined || q.index < next.index),
        );
        const commits = commitsOf.get(`${e.group}\u0000${key}`) ?? [];
        if (first) judgeStart(d, commits, out, e, key, k, first, firstReader[groupNum.get(e.group)!]!);
      }
    });
  }
}

function judgeStart(
  d: Derived,
  keyCommits: GroupCommit[],
  out: Findings,
  e: GroupTrace["events"][number],
  key: string,
  k: number,
  first: FirstPoll,
  readBy: Int32Array,
): void {
  const commits: GroupCommit[] = [];
  for (const c of keyCommits) {
    if (c.invIndex >= e.index) break;
    if (c.type !== "fail") commits.push(c);
  }
  // The last commit acknowledged before the assignment, and every commit that may have landed after
  // it: unknown ones, and acknowledged ones that overlapped it.
  let last: GroupCommit | undefined;
  for (const c of commits) if (c.type === "ok" && c.doneIndex < e.index && (last === undefined || c.doneIndex > last.doneIndex)) last = c;
  const possible = commits.filter((c) => c === last || c.type !== "ok" || (last !== undefined && c.doneIndex > last.invIndex));
  const s = first.offset;
  if (Number.isNaN(s) || possible.some((c) => c.offsets.get(key) === s)) return;
  const offsets = possible.map((c) => c.offsets.get(key)!);
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
  if (last !== undefined && s < Math.min(...offsets)) {
    const commit = possible.find((c) => c.offsets.get(key) === Math.min(...offsets))!;
    out.add("group-rewind", () => evidence("group-rewind", commit));
    return;
  }
  // Above every possible commit (with none: above the start of the log), over records in the log
  // the group had not read yet (a member resuming where the group's reads had got to skips nothing).
  const from = possible.length > 0 ? Math.max(...offsets) : -1;
  if (s <= from) return;
  const skipped = unreadBetween(d, k, from, s, readBy, first.index);
  if (skipped === 0) return;
  const commit = possible.find((c) => c.offsets.get(key) === from);
  out.add("group-jump", () => evidence("group-jump", commit, skipped));
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
