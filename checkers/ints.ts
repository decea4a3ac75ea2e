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
  /** A trimmed copy. */
  done(): Int32Array {
    return this.a.slice(0, this.n);
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
    return this.a.slice(0, this.n);
  }
}
