// The file check's fast path: history lines as the harness writes them (write.ts: the canonical
// field order, no spaces, string keys, integer offsets and values) read straight into a Deriver,
// without JSON.parse. JSON.parse builds about ten objects per line (the op, its micro-ops, each
// [offset, value]) that the Deriver reads once and drops; building, validating and collecting them
// was most of a file check's time. A line is taken only when it is exactly of that form and is an
// invocation or an `ok` completion of a send, poll or txn op; anything else (other or more fields,
// whitespace, escapes, string values, numbers that are not plain integers, failed and unknown ops,
// nemesis and harness ops...) is left to the general path, JSON.parse and validateOp. So every line
// taken is one validateOp accepts, and the Deriver and the phase marks get exactly the calls that
// add(op) and notePhase(marks, op) would make: same results, same errors.
import type { Deriver } from "./derive.ts";
import type { Op, Process } from "./history.ts";
import { notePhase, type PhaseMarks } from "./phases.ts";

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;

/** Integers of up to 15 digits are exact doubles, whatever JSON.parse does with longer ones. */
const MAX_DIGITS = 15;

/** Slots of the key-name cache (a power of 2). */
const KEY_CACHE = 256;

/** Scratch record kinds, in micro-op order. */
const SEND = 0;
const POLL_KEY = 1;
const POLL_RECORD = 2;

/**
 * An invocation taken by the fast path, as an Op. Its value is parsed only if someone reads it: the
 * Deriver does for an invocation that never completes, trouble notes for one that failed. Until then
 * it is the text (validated while scanning), about half of a history's lines never parsed at all.
 */
class ScannedInvocation {
  readonly type = "invoke";
  private parsed: unknown;
  constructor(
    readonly index: number,
    readonly time: number,
    readonly process: Process,
    readonly f: string,
    private readonly text: string,
  ) {}
  get value(): unknown {
    if (this.parsed === undefined) this.parsed = JSON.parse(this.text);
    return this.parsed;
  }
}

/** Reads canonical history lines into a Deriver (take), one line at a time; reusable scratch. */
export class LineScanner {
  private t: Buffer = Buffer.alloc(0);
  private p = 0;
  private end = 0;

  // The line's fields.
  private index = 0;
  private time = 0;
  private process: Process = 0;
  private invoke = false;
  private f = "";
  private valueStart = 0;

  // Its records, in micro-op order: kind, the key's place in the text, offset (NaN: unknown), value.
  private n = 0;
  private kind = new Uint8Array(256);
  private keyStart = new Int32Array(256);
  private keyEnd = new Int32Array(256);
  private off = new Float64Array(256);
  private val = new Float64Array(256);
  /** Key names made from the text, by a hash of their bytes (keyName). */
  private readonly keyCache: Array<string | undefined> = new Array(KEY_CACHE).fill(undefined);

  /**
   * Takes the line bytes text[start, end) into the deriver and the phase marks when it is a canonical
   * invocation or ok completion of a client op; returns false, having changed nothing, otherwise.
   */
  take(text: Buffer, start: number, end: number, deriver: Deriver, marks: PhaseMarks): boolean {
    if (!this.scan(text, start, end)) return false;
    if (this.invoke) {
      const op = new ScannedInvocation(this.index, this.time, this.process, this.f, text.toString("latin1", this.valueStart, this.p - 1));
      deriver.add(op as unknown as Op);
      notePhase(marks, op as unknown as Op);
      return true;
    }
    const o = deriver.addOk(this.process, this.f, this.index, this.time);
    let k = -1;
    for (let i = 0; i < this.n; i++) {
      const kind = this.kind[i]!;
      if (kind === POLL_RECORD) deriver.pollRecord(o, k, this.off[i]!, this.val[i]!);
      else if (kind === SEND) deriver.sendRecord(o, this.keyName(i), this.off[i]!, this.val[i]!);
      else k = deriver.pollKey(this.keyName(i));
    }
    marks.troubles.noteOk(this.process, this.f);
    return true;
  }

  /** Key i's name: a string made once per key, found again by its bytes (the lines name a few keys
   *  over and over; a string made per record would be a million allocations). */
  private keyName(i: number): string {
    const t = this.t;
    const s = this.keyStart[i]!;
    const e = this.keyEnd[i]!;
    let h = e - s;
    for (let j = s; j < e; j++) h = (h * 31 + t[j]!) | 0;
    const slot = h & (KEY_CACHE - 1);
    const known = this.keyCache[slot];
    if (known !== undefined && known.length === e - s) {
      let j = 0;
      while (j < known.length && known.charCodeAt(j) === t[s + j]) j++;
      if (j === known.length) return known;
    }
    const name = t.toString("latin1", s, e);
    this.keyCache[slot] = name;
    return name;
  }

  /** `{"index":I,"time":T,"process":P,"type":"invoke"|"ok","f":"send"|"poll"|"txn","value":[...]}`. */
  private scan(text: Buffer, start: number, end: number): boolean {
    this.t = text;
    this.p = start;
    this.end = end;
    this.n = 0;
    if (!this.lit('{"index":')) return false;
    this.index = this.int();
    if (this.index < 0 || !this.lit(',"time":')) return false;
    this.time = this.int();
    if (this.time < 0 || !this.lit(',"process":')) return false;
    const c = text[this.p]!;
    if (c >= ZERO && c <= NINE) {
      this.process = this.int();
      if (this.process < 0) return false;
    } else {
      if (!this.str()) return false;
      const name = text.toString("latin1", this.sStart, this.sEnd);
      // Their ops are phase marks and faults (phases.ts): the general path notes them whole.
      if (name === "nemesis" || name === "harness") return false;
      this.process = name;
    }
    if (!this.lit(',"type":"')) return false;
    if (this.lit('invoke"')) this.invoke = true;
    else if (this.lit('ok"')) this.invoke = false;
    else return false;
    if (!this.lit(',"f":"')) return false;
    if (this.lit('send"')) this.f = "send";
    else if (this.lit('poll"')) this.f = "poll";
    else if (this.lit('txn"')) this.f = "txn";
    else return false;
    if (!this.lit(',"value":')) return false;
    this.valueStart = this.p;
    if (!this.microOps()) return false;
    if (this.t[this.p] !== CLOSE_BRACE) return false;
    this.p++;
    // Only whitespace may follow (JSON.parse allows it; a writer on Windows leaves a \r).
    for (let q = this.p; q < end; q++) {
      const w = text[q]!;
      if (w !== 32 && w !== 9 && w !== 13) return false;
    }
    return true;
  }

  /** `[]` or `[mop,...]`; records are kept for an ok op only (an invocation's are read lazily). */
  private microOps(): boolean {
    if (!this.ch(OPEN_BRACKET)) return false;
    if (this.ch(CLOSE_BRACKET)) return true;
    for (;;) {
      if (!this.microOp()) return false;
      if (this.ch(COMMA)) continue;
      return this.ch(CLOSE_BRACKET);
    }
  }

  private microOp(): boolean {
    if (this.lit('["send",')) {
      if (!this.str()) return false;
      const ks = this.sStart;
      const ke = this.sEnd;
      if (!this.ch(COMMA)) return false;
      let offset = Number.NaN;
      if (this.ch(OPEN_BRACKET)) {
        if (!this.lit("null")) {
          offset = this.int();
          if (offset < 0) return false;
        }
        if (!this.ch(COMMA)) return false;
        const value = this.int();
        if (value < 0 || !this.ch(CLOSE_BRACKET)) return false;
        this.push(SEND, ks, ke, offset, value);
      } else {
        const value = this.int();
        if (value < 0) return false;
        this.push(SEND, ks, ke, offset, value);
      }
      return this.ch(CLOSE_BRACKET);
    }
    if (this.lit('["poll"]')) return true;
    if (!this.lit('["poll",{')) return false;
    if (!this.ch(CLOSE_BRACE)) {
      const firstKey = this.n;
      for (;;) {
        if (!this.str()) return false;
        const ks = this.sStart;
        const ke = this.sEnd;
        // An object iterates its integer-like keys first, in numeric order, and keeps the last of
        // repeated keys: left to JSON.parse, so the records come in the order the general path sees.
        const c = this.t[ks]!;
        if ((c >= ZERO && c <= NINE) || this.repeatsKey(firstKey, ks, ke)) return false;
        if (!this.ch(COLON) || !this.ch(OPEN_BRACKET)) return false;
        this.push(POLL_KEY, ks, ke, 0, 0);
        if (!this.ch(CLOSE_BRACKET)) {
          for (;;) {
            if (!this.ch(OPEN_BRACKET)) return false;
            const offset = this.int();
            if (offset < 0 || !this.ch(COMMA)) return false;
            const value = this.int();
            if (value < 0 || !this.ch(CLOSE_BRACKET)) return false;
            this.push(POLL_RECORD, ks, ke, offset, value);
            if (this.ch(COMMA)) continue;
            if (!this.ch(CLOSE_BRACKET)) return false;
            break;
          }
        }
        if (this.ch(COMMA)) continue;
        if (!this.ch(CLOSE_BRACE)) return false;
        break;
      }
    }
    return this.ch(CLOSE_BRACKET);
  }

  /** Whether the key text[ks, ke) is one of this poll result's keys already scanned. */
  private repeatsKey(from: number, ks: number, ke: number): boolean {
    const len = ke - ks;
    for (let i = from; i < this.n; i++) {
      if (this.kind[i] !== POLL_KEY) continue;
      const s = this.keyStart[i]!;
      if (this.keyEnd[i]! - s !== len) continue;
      let j = 0;
      while (j < len && this.t[s + j] === this.t[ks + j]) j++;
      if (j === len) return true;
    }
    return false;
  }

  private push(kind: number, ks: number, ke: number, offset: number, value: number): void {
    if (this.invoke) return;
    if (this.n === this.kind.length) this.grow();
    const i = this.n++;
    this.kind[i] = kind;
    this.keyStart[i] = ks;
    this.keyEnd[i] = ke;
    this.off[i] = offset;
    this.val[i] = value;
  }

  private grow(): void {
    const size = this.kind.length * 2;
    const kind = new Uint8Array(size);
    kind.set(this.kind);
    this.kind = kind;
    const keyStart = new Int32Array(size);
    keyStart.set(this.keyStart);
    this.keyStart = keyStart;
    const keyEnd = new Int32Array(size);
    keyEnd.set(this.keyEnd);
    this.keyEnd = keyEnd;
    const off = new Float64Array(size);
    off.set(this.off);
    this.off = off;
    const val = new Float64Array(size);
    val.set(this.val);
    this.val = val;
  }

  /** Steps over `s` if the text goes on with it. */
  private lit(s: string): boolean {
    // A loop the compiler inlines: startsWith is a call into the runtime, ten of them a line.
    const n = s.length;
    const p = this.p;
    if (p + n > this.end) return false;
    const t = this.t;
    for (let i = 0; i < n; i++) if (t[p + i] !== s.charCodeAt(i)) return false;
    this.p = p + n;
    return true;
  }

  /** Steps over the character `c` if it comes next. */
  private ch(c: number): boolean {
    if (this.p >= this.end || this.t[this.p] !== c) return false;
    this.p++;
    return true;
  }

  /** A non-negative integer as JSON writes it (no sign, no leading zero, no fraction or exponent:
   *  the grammar then expects a bracket or comma, so "1.5" or "1e3" fails there); -1 otherwise. */
  private int(): number {
    const t = this.t;
    let p = this.p;
    if (p >= this.end) return -1;
    let c = t[p]!;
    if (c < ZERO || c > NINE) return -1;
    if (c === ZERO) {
      this.p = p + 1;
      return 0;
    }
    let v = 0;
    const last = Math.min(this.end, p + MAX_DIGITS);
    while (p < last && c >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      c = t[++p]!;
    }
    // A 16th digit: longer than an exact integer, left to JSON.parse.
    if (c >= ZERO && c <= NINE && p < this.end) return -1;
    this.p = p;
    return v;
  }

  // The last string scanned: its characters are text[sStart, sEnd).
  private sStart = 0;
  private sEnd = 0;

  /** A string of ASCII characters, no escapes or control characters: its bytes are then its value,
   *  one character each (UTF-8 is left to the general path, which decodes it). */
  private str(): boolean {
    if (!this.ch(QUOTE)) return false;
    const t = this.t;
    const s = this.p;
    let p = s;
    for (;;) {
      if (p >= this.end) return false;
      const c = t[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 32 || c > 126) return false;
      p++;
    }
    this.sStart = s;
    this.sEnd = p;
    this.p = p + 1;
    return true;
  }
}
