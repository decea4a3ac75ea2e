// Value numbers by (key, value), for derive.ts. The harness draws values from one counter for all
// keys, so one direct table by value serves every key: a table per key would be 1/K full and take
// K times the memory (with a large history in the heap, every large allocation costs a garbage
// collection). A value already numbered for another key (histories that count per key, as
// Jepsen's do) goes to its own key's IdMap instead; either way each (key, value) has one place.
import { IdMap, type IntList } from "./ints.ts";

export class ValueIds {
  /** Value -> 1 + the number of the first (key, value) numbered with it; 0: none. */
  private table: Int32Array = new Int32Array(0);
  private readonly perKey: Array<IdMap | undefined> = [];

  /** `idKey`: key number by value number (read to tell whose a table entry is). `expected`: how
   *  many values to make room for (values count up from 0), or a zeroed table that size: growing
   *  the table by doubling copies it each time, into fresh memory. */
  constructor(
    private readonly idKey: IntList,
    private readonly limit: () => number,
    expected: number | Int32Array = 0,
  ) {
    if (typeof expected !== "number") this.table = expected;
    else if (expected > 0) this.table = new Int32Array(expected);
  }

  /** The number of key k's value, or -1. */
  get(k: number, value: number | string): number {
    if (typeof value === "number" && value >= 0 && value < this.table.length && (value | 0) === value) {
      const id = this.table[value]! - 1;
      if (id >= 0 && this.idKey.a[id] === k) return id;
    }
    const ids = this.perKey[k];
    return ids === undefined ? -1 : ids.get(value);
  }

  set(k: number, value: number | string, id: number): void {
    if (typeof value === "number" && value >= 0 && (value | 0) === value) {
      if (value < this.table.length) {
        if (this.table[value] === 0) {
          this.table[value] = id + 1;
          return;
        }
      } else if (value < this.limit()) {
        let size = Math.max(1024, this.table.length);
        while (size <= value) size *= 2;
        const t = new Int32Array(size);
        t.set(this.table);
        this.table = t;
        this.table[value] = id + 1;
        return;
      }
    }
    let ids = this.perKey[k];
    if (ids === undefined) this.perKey[k] = ids = new IdMap(this.limit);
    ids.set(value, id);
  }
}
