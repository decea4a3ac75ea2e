// Mutations for the consumer-group anomalies (checkers/groups.ts), appended as small constructs
// after a generated history's final reads: one group on a fresh key, with the records a final
// read of that key returns. The group model (group-model.ts) and groups.test.ts mutate whole
// generated group histories; these keep every anomaly type in the one table of mutations.
import type { Value } from "../../checkers/index.ts";
import type { Model } from "./model.ts";
import { Construct, findingsOf, type Mutation } from "./mutation-kit.ts";

const GROUP = "mutant-group";

/** A fresh key with four records, two subscribed members, and a final read of the key (after `build`). */
function groupConstruct(m: Model, build: (g: GroupOps) => void) {
  const x = new Construct(m);
  const k = x.k();
  const vs = [x.v(), x.v(), x.v(), x.v()];
  x.sendOk(
    x.p(),
    [0, 1, 2, 3].map((o) => [k, vs[o]!, o] as [string, Value, number]),
  );
  const [a, b] = [x.p(), x.p()];
  for (const p of [a, b]) {
    x.add({ process: p, type: "invoke", f: "subscribe", value: [k], group: GROUP });
    x.add({ process: p, type: "ok", f: "subscribe", value: [k], group: GROUP });
  }
  const g = new GroupOps(x, k, vs, a, b);
  build(g);
  x.pollOk(x.p(), { [k]: [0, 1, 2, 3].map((o) => [o, vs[o]!]) });
  return { h: x.h, k, vs, a, b, g };
}

class GroupOps {
  private seq = 0;
  constructor(
    readonly x: Construct,
    readonly k: string,
    readonly vs: Value[],
    readonly a: number,
    readonly b: number,
  ) {}
  assign(p: number): number {
    return this.x.add({ process: p, type: "ok", f: "assigned", value: [this.k], group: GROUP });
  }
  poll(p: number, offsets: number[]): number {
    return this.x.pollOk(p, { [this.k]: offsets.map((o) => [o, this.vs[o]!]) });
  }
  commit(p: number, offset: number): number {
    const seq = this.seq++;
    this.x.add({ process: p, type: "invoke", f: "commit", value: { [this.k]: offset }, group: GROUP, seq });
    return this.x.add({ process: p, type: "ok", f: "commit", value: { [this.k]: offset }, group: GROUP, seq });
  }
  crash(p: number): number {
    return this.x.add({ process: p, type: "info", f: "crash", value: "now", group: GROUP });
  }
}

/** A member commits past records it never polled. */
export const groupLoss: Mutation = (m) => {
  let commit = -1;
  const c = groupConstruct(m, (g) => {
    g.assign(g.a);
    g.poll(g.a, [0, 1]);
    commit = g.commit(g.a, 3);
  });
  return {
    history: c.h,
    verify: (r) =>
      findingsOf(r, "group-loss", (f) => f.key === c.k && f.offset === 2 && f.value === c.vs[2] && f.commit === 3 && f.ops[0] === commit),
  };
};

/** After a crash the next member starts from 0, below the commit. */
export const groupRewind: Mutation = (m) => {
  let assigned = -1;
  const c = groupConstruct(m, (g) => {
    g.assign(g.a);
    g.poll(g.a, [0, 1]);
    g.commit(g.a, 2);
    g.crash(g.a);
    assigned = g.assign(g.b);
    g.poll(g.b, [0, 1, 2, 3]);
  });
  return {
    history: c.h,
    companions: ["group-duplicate"],
    verify: (r) => findingsOf(r, "group-rewind", (f) => f.member === c.b && f.start === 0 && f.commit === 2 && f.ops.includes(assigned)),
  };
};

/** After a crash the next member starts past the commit, over a record nobody read. */
export const groupJump: Mutation = (m) => {
  const c = groupConstruct(m, (g) => {
    g.assign(g.a);
    g.poll(g.a, [0]);
    g.commit(g.a, 1);
    g.crash(g.a);
    g.assign(g.b);
    g.poll(g.b, [3]);
  });
  return {
    history: c.h,
    verify: (r) => findingsOf(r, "group-jump", (f) => f.member === c.b && f.start === 3 && f.commit === 1 && f.skipped === 2),
  };
};

/** A crash before the commit hands the same records to the next member. */
export const groupDuplicate: Mutation = (m) => {
  const polls: number[] = [];
  const c = groupConstruct(m, (g) => {
    g.assign(g.a);
    polls.push(g.poll(g.a, [0, 1]));
    g.crash(g.a);
    g.assign(g.b);
    polls.push(g.poll(g.b, [0, 1, 2, 3]));
  });
  return {
    history: c.h,
    verify: (r) =>
      findingsOf(
        r,
        "group-duplicate",
        (f) => f.value === c.vs[0] && String(f.ops) === String(polls) && String(f.readers) === String([c.a, c.b]),
      ),
  };
};
