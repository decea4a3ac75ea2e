// Growable typed arrays: the derived structures of a 1M-op history are a few million integers,
// which plain object graphs would make slow and large.

export class IntList {
  a: Int32Array;
  n = 0;
  constructor(capacity = 1024) {
    this.a = new Int32Array(capacity);
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  /** Sets item i, growing (filled with `fill`) as needed. */
  set(i: number, x: number, fill = -1): void {
    while (i >= this.n) this.push(fill);
    this.a[i] = x;
  }
  get(i: number): number {
    return this.a[i]!;
  }
  /** The items (a view: no copy, the list should not be used after). */
  done(): Int32Array {
    return this.a.subarray(0, this.n);
  }
}

export class FloatList {
  a: Float64Array;
  n = 0;
  constructor(capacity = 1024) {
    this.a = new Float64Array(capacity);
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}

/**
 * A map from integers (or strings) to non-negative ids. Small non-negative integers, which is what
 * values and offsets almost always are, go to a growable direct table (a Map of a million
 * integers costs seconds); anything else goes to a Map. Both give the same answers.
 */
export class IdMap {
  private table = new Int32Array(0);
  private map: Map<number | string, number> | undefined;
  constructor(private readonly limit: () => number) {}

  get(k: number | string): number {
    if (typeof k === "number" && k >= 0 && k < this.table.length && (k | 0) === k) {
      const id = this.table[k]!;
      if (id !== 0) return id - 1;
    }
    const id = this.map?.get(k);
    return id === undefined ? -1 : id;
  }

  set(k: number | string, id: number): void {
    if (typeof k === "number" && k >= 0 && (k | 0) === k) {
      if (k < this.table.length) {
        this.table[k] = id + 1;
        return;
      }
      if (k < this.limit()) {
        let size = Math.max(1024, this.table.length);
        while (size <= k) size *= 2;
        const t = new Int32Array(size);
        t.set(this.table);
        this.table = t;
        this.table[k] = id + 1;
        return;
      }
    }
    (this.map ??= new Map()).set(k, id);
  }
}
