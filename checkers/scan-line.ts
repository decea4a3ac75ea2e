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

/** The fixed parts of a canonical line, as bytes (compared byte by byte: no string made). */
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const INDEX = ascii('{"index":');
const TIME = ascii(',"time":');
const PROCESS = ascii(',"process":');
const TYPE = ascii(',"type":"');
const INVOKE = ascii('invoke"');
const OK = ascii('ok"');
const F = ascii(',"f":"');
const SEND_F = ascii('send"');
const POLL_F = ascii('poll"');
const TXN_F = ascii('txn"');
const VALUE = ascii(',"value":');
const SEND_MOP = ascii('["send",');
const NULL = ascii("null");
const POLL_MOP = ascii('["poll"]');
const POLL_RESULT = ascii('["poll",{');

const POLL_VALUE = '[["poll"]]';
const POLL_VALUE_BYTES = ascii(POLL_VALUE);

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
  private end = 0;

  // The line's fields.
  private index = 0;
  private time = 0;
  private process: Process = 0;
  private invoke = false;
  private f = "";
  private valueStart = 0;
  private valueEnd = 0;

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
      const op = new ScannedInvocation(this.index, this.time, this.process, this.f, this.valueText());
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

  /** The invocation's value as text; a poll's, half of them, is always the same (no string made). */
  private valueText(): string {
    const n = this.valueEnd - this.valueStart;
    return n === POLL_VALUE.length && at(this.t, this.valueStart, this.valueEnd, POLL_VALUE_BYTES)
      ? POLL_VALUE
      : this.t.toString("latin1", this.valueStart, this.valueEnd);
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

  /** `{"index":I,"time":T,"process":P,"type":"invoke"|"ok","f":"send"|"poll"|"txn","value":[...]}`.
   *  Positions are kept in locals (p: the next byte), fields are set once: the hot loop of a file check. */
  private scan(t: Buffer, start: number, end: number): boolean {
    this.t = t;
    this.end = end;
    this.n = 0;
    let p = start;
    if (!at(t, p, end, INDEX)) return false;
    this.index = readInt(t, p + INDEX.length, end);
    p = intEnd;
    if (this.index < 0 || !at(t, p, end, TIME)) return false;
    this.time = readInt(t, p + TIME.length, end);
    p = intEnd;
    if (this.time < 0 || !at(t, p, end, PROCESS)) return false;
    p += PROCESS.length;
    const c = t[p]!;
    if (c >= ZERO && c <= NINE) {
      this.process = readInt(t, p, end);
      p = intEnd;
      if (this.process < 0) return false;
    } else {
      p = this.str(p);
      if (p < 0) return false;
      const name = t.toString("latin1", this.sStart, this.sEnd);
      // Their ops are phase marks and faults (phases.ts): the general path notes them whole.
      if (name === "nemesis" || name === "harness") return false;
      this.process = name;
    }
    if (!at(t, p, end, TYPE)) return false;
    p += TYPE.length;
    if (at(t, p, end, INVOKE)) {
      this.invoke = true;
      p += INVOKE.length;
    } else if (at(t, p, end, OK)) {
      this.invoke = false;
      p += OK.length;
    } else return false;
    if (!at(t, p, end, F)) return false;
    p += F.length;
    if (at(t, p, end, SEND_F)) this.f = "send";
    else if (at(t, p, end, POLL_F)) this.f = "poll";
    else if (at(t, p, end, TXN_F)) this.f = "txn";
    else return false;
    p += this.f.length + 1;
    if (!at(t, p, end, VALUE)) return false;
    p += VALUE.length;
    this.valueStart = p;
    p = this.microOps(p);
    if (p < 0 || t[p] !== CLOSE_BRACE) return false;
    this.valueEnd = p;
    // Only whitespace may follow (JSON.parse allows it; a writer on Windows leaves a \r).
    for (let q = p + 1; q < end; q++) {
      const w = t[q]!;
      if (w !== 32 && w !== 9 && w !== 13) return false;
    }
    return true;
  }

  /** `[]` or `[mop,...]` from p: the position after it, or -1. Records are kept for an ok op only
   *  (an invocation's value is parsed if it is ever read). */
  private microOps(p: number): number {
    const t = this.t;
    if (t[p] !== OPEN_BRACKET) return -1;
    p++;
    if (t[p] === CLOSE_BRACKET) return p + 1;
    for (;;) {
      p = this.microOp(p);
      if (p < 0) return -1;
      const c = t[p++];
      if (c === COMMA) continue;
      return c === CLOSE_BRACKET && p <= this.end ? p : -1;
    }
  }

  private microOp(p: number): number {
    const t = this.t;
    const end = this.end;
    if (at(t, p, end, SEND_MOP)) {
      p = this.str(p + SEND_MOP.length);
      if (p < 0) return -1;
      const ks = this.sStart;
      const ke = this.sEnd;
      if (t[p++] !== COMMA) return -1;
      let offset = Number.NaN;
      let value: number;
      if (t[p] === OPEN_BRACKET) {
        p++;
        if (at(t, p, end, NULL)) p += NULL.length;
        else {
          offset = readInt(t, p, end);
          if (offset < 0) return -1;
          p = intEnd;
        }
        if (t[p++] !== COMMA) return -1;
        value = readInt(t, p, end);
        p = intEnd;
        if (value < 0 || t[p++] !== CLOSE_BRACKET) return -1;
      } else {
        value = readInt(t, p, end);
        if (value < 0) return -1;
        p = intEnd;
      }
      this.push(SEND, ks, ke, offset, value);
      return t[p] === CLOSE_BRACKET && p < end ? p + 1 : -1;
    }
    if (at(t, p, end, POLL_MOP)) return p + POLL_MOP.length;
    if (!at(t, p, end, POLL_RESULT)) return -1;
    p += POLL_RESULT.length;
    if (t[p] === CLOSE_BRACE) p++;
    else {
      const firstKey = this.n;
      for (;;) {
        p = this.str(p);
        if (p < 0) return -1;
        const ks = this.sStart;
        const ke = this.sEnd;
        // An object iterates its integer-like keys first, in numeric order, and keeps the last of
        // repeated keys: left to JSON.parse, so the records come in the order the general path sees.
        const c = t[ks]!;
        if ((c >= ZERO && c <= NINE) || this.repeatsKey(firstKey, ks, ke)) return -1;
        if (t[p++] !== COLON || t[p++] !== OPEN_BRACKET) return -1;
        this.push(POLL_KEY, ks, ke, 0, 0);
        if (t[p] === CLOSE_BRACKET) p++;
        else {
          for (;;) {
            if (t[p++] !== OPEN_BRACKET) return -1;
            const offset = readInt(t, p, end);
            p = intEnd;
            if (offset < 0 || t[p++] !== COMMA) return -1;
            const value = readInt(t, p, end);
            p = intEnd;
            if (value < 0 || t[p++] !== CLOSE_BRACKET) return -1;
            this.push(POLL_RECORD, ks, ke, offset, value);
            const next = t[p++];
            if (next === COMMA) continue;
            if (next !== CLOSE_BRACKET) return -1;
            break;
          }
        }
        const next = t[p++];
        if (next === COMMA) continue;
        if (next !== CLOSE_BRACE) return -1;
        break;
      }
    }
    return t[p] === CLOSE_BRACKET && p < end ? p + 1 : -1;
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

  // The last string scanned: its characters are text[sStart, sEnd).
  private sStart = 0;
  private sEnd = 0;

  /** A string at p of ASCII characters, no escapes or control characters: its bytes are then its
   *  value, one character each (UTF-8 is left to the general path, which decodes it). The position
   *  after it, or -1; its characters are t[sStart, sEnd). */
  private str(p: number): number {
    const t = this.t;
    if (t[p] !== QUOTE) return -1;
    const s = ++p;
    for (;;) {
      if (p >= this.end) return -1;
      const c = t[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 32 || c > 126) return -1;
      p++;
    }
    this.sStart = s;
    this.sEnd = p;
    return p + 1;
  }
}

/** Whether the bytes `s` are at t[p..] (before end). */
function at(t: Uint8Array, p: number, end: number, s: Uint8Array): boolean {
  const n = s.length;
  if (p + n > end) return false;
  for (let i = 0; i < n; i++) if (t[p + i] !== s[i]) return false;
  return true;
}

/** Where the number readInt read last ends. */
let intEnd = 0;

/**
 * A non-negative integer at t[p..] as JSON writes it (no sign, no leading zero, no fraction or
 * exponent: the grammar then expects a bracket or comma, so "1.5" or "1e3" fails there), its end in
 * intEnd; -1 otherwise.
 */
function readInt(t: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  let c = t[p]!;
  if (c < ZERO || c > NINE) return -1;
  if (c === ZERO) {
    intEnd = p + 1;
    return 0;
  }
  let v = 0;
  const last = Math.min(end, p + MAX_DIGITS);
  while (p < last && c >= ZERO && c <= NINE) {
    v = v * 10 + (c - ZERO);
    c = t[++p]!;
  }
  // A 16th digit: longer than an exact integer, left to JSON.parse.
  if (c >= ZERO && c <= NINE && p < end) return -1;
  intEnd = p;
  return v;
}
