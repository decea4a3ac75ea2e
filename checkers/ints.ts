// Growable typed arrays: the derived structures of a 1M-op history are a few million integers,
// which plain object graphs would make slow and large.

export class IntList {
  a: Int32Array;
  n = 0;
  /** `capacity`: a size, or an array to start in (carved out of a Slab). */
  constructor(capacity: number | Int32Array = 1024) {
    this.a = typeof capacity === "number" ? new Int32Array(capacity) : capacity;
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

/** Like IntList, for codes and flags: a quarter of the memory, and done() needs no copy to bytes. */
export class ByteList {
  a: Uint8Array;
  n = 0;
  constructor(capacity: number | Uint8Array = 1024) {
    this.a = typeof capacity === "number" ? new Uint8Array(capacity) : capacity;
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Uint8Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
  done(): Uint8Array {
    return this.a.subarray(0, this.n);
  }
}

export class FloatList {
  a: Float64Array;
  n = 0;
  constructor(capacity: number | Float64Array = 1024) {
    this.a = typeof capacity === "number" ? new Float64Array(capacity) : capacity;
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
 * One ArrayBuffer carved into typed arrays, for structures allocated together. With a large history
 * in the heap each large allocation is costly: once 32 MB of young buffers exist, V8 collects the
 * young generation before every further one, and once external memory has grown by 64 MB, it
 * takes a marking step at each (about 10 ms either way). One allocation pays that once.
 */
export class Slab {
  private readonly buffer: ArrayBuffer;
  private offset = 0;
  /** `bytes`: the sum of Slab.bytes() of every array to be carved. */
  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(bytes);
  }
  /** Room taken by n elements of this size (8-aligned, so any array may follow). */
  static bytes(n: number, elementBytes: 1 | 4 | 8): number {
    return (n * elementBytes + 7) & ~7;
  }
  int32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(n, 4), n);
  }
  float64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.take(n, 8), n);
  }
  uint8(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(n, 1), n);
  }
  private take(n: number, elementBytes: 1 | 4 | 8): number {
    const at = this.offset;
    this.offset += Slab.bytes(n, elementBytes);
    if (this.offset > this.buffer.byteLength) throw new Error("Slab: carved past its size");
    return at;
  }
}

/**
 * A map from integers (or strings) to non-negative ids. Small non-negative integers, which is what
 * values and offsets almost always are, go to a growable direct table (a Map of a million
 * integers costs seconds); anything else goes to a Map. Both give the same answers.
 */
export class IdMap {
  /** id + 1 by integer key, 0: none. */
  private table: Int32Array;
  private map: Map<number | string, number> | undefined;
  /** `capacity`: the table's first size, when the largest integer key is known (growing it by
   *  doubling copies it again and again). */
  constructor(
    private readonly limit: () => number,
    capacity = 0,
  ) {
    this.table = new Int32Array(capacity);
  }

  /** The direct table (id + 1 by integer key, 0: none; keys past its end are in the Map, if
   *  any): for loops that look up millions of integer keys. Not to be written. */
  direct(): Int32Array {
    return this.table;
  }

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

  /** The ids of the integer keys held in the table, in key order, then those of the other keys (in
   *  the order they were set). */
  ids(): { inOrder: Int32Array; rest: number[] } {
    const t = this.table;
    let n = 0;
    for (let k = 0; k < t.length; k++) if (t[k] !== 0) n++;
    const inOrder = new Int32Array(n);
    let j = 0;
    for (let k = 0; k < t.length; k++) if (t[k] !== 0) inOrder[j++] = t[k]! - 1;
    return { inOrder, rest: this.map === undefined ? [] : [...this.map.values()] };
  }
}
