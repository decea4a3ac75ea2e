// Kafka's wire format where the harness speaks it itself (DescribeQuorum, Metadata from one chosen
// broker, ListOffsets at a chosen isolation level): big-endian primitives, the int32 size prefix of
// every frame, and one request / response round trip over a fresh socket. No client library: each
// of them hides which broker it asks, or what it asks.
import { Socket } from "node:net";

/** Writes Kafka's big-endian primitives (requests here; tests write responses with it). */
export function protocolWriter() {
  const parts: Buffer[] = [];
  const int = (bytes: 1 | 2 | 4) => (n: number) => {
    const b = Buffer.alloc(bytes);
    if (bytes === 1) b.writeInt8(n);
    else if (bytes === 2) b.writeInt16BE(n);
    else b.writeInt32BE(n);
    parts.push(b);
  };
  const i16 = int(2);
  /** A nullable string: int16 length (-1 for null), then UTF-8 bytes. */
  const str = (s: string | null) => {
    if (s === null) return i16(-1);
    const b = Buffer.from(s, "utf8");
    i16(b.length);
    parts.push(b);
  };
  /** An unsigned varint (compact lengths and tag counts of flexible versions). */
  const uvarint = (n: number) => {
    const out: number[] = [];
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    parts.push(Buffer.from(out));
  };
  const i64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    parts.push(b);
  };
  const raw = (b: Buffer) => parts.push(b);
  return { i8: int(1), i16, i32: int(4), i64, str, uvarint, raw, bytes: () => Buffer.concat(parts) };
}

/** A request or response body with its int32 size prefix. */
export function sizePrefixed(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** Reads Kafka's primitives from a response body (after the size prefix), in order. */
export class ProtocolReader {
  private at = 0;
  constructor(
    private readonly buf: Buffer,
    /** Names the response in errors. */
    private readonly what = "Kafka",
  ) {}
  i8() {
    return this.buf.readInt8((this.at += 1) - 1);
  }
  i16() {
    return this.buf.readInt16BE((this.at += 2) - 2);
  }
  i32() {
    return this.buf.readInt32BE((this.at += 4) - 4);
  }
  i64() {
    return this.buf.readBigInt64BE((this.at += 8) - 8);
  }
  /** A nullable string: int16 length (-1 for null), then UTF-8 bytes. */
  str(): string | null {
    const n = this.i16();
    if (n < 0) return null;
    const s = this.buf.toString("utf8", this.at, this.at + n);
    this.at += n;
    return s;
  }
  /** An int32-counted array (-1, null, read as empty). */
  array<T>(item: () => T): T[] {
    const n = this.i32();
    return n < 0 ? [] : Array.from({ length: n }, item);
  }
  uvarint() {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error(`${this.what}: response ends inside a varint`);
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  }
  /** A compact array's element count (its length is stored plus one; 0 means null). */
  compactLength() {
    return Math.max(0, this.uvarint() - 1);
  }
  compactString() {
    const n = this.compactLength();
    const s = this.buf.toString("utf8", this.at, this.at + n);
    this.at += n;
    return s;
  }
  /** Skips a tagged-fields section. */
  tags() {
    for (let n = this.uvarint(); n > 0; n--) {
      this.uvarint(); // tag
      this.at += this.uvarint(); // size, then skip the data
    }
  }
}

/** Sends one size-prefixed request to host:port and resolves with the first response's body
 *  (without its size prefix). Rejects on a socket error, a close before the answer, or after
 *  timeoutMs (a paused broker never answers). `what` names the request in errors. */
export function roundTrip(port: number, request: Buffer, what: string, timeoutMs: number, host = "127.0.0.1"): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let got = Buffer.alloc(0);
    const done = (err: Error | undefined, body?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(body!);
    };
    const timer = setTimeout(() => done(new Error(`broker at ${host}:${port} did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (err) => done(new Error(`${what} from ${host}:${port}: ${err.message}`)));
    socket.on("close", () => done(new Error(`${what} from ${host}:${port}: connection closed before an answer`)));
    socket.on("data", (chunk) => {
      got = Buffer.concat([got, chunk]);
      if (got.length < 4) return;
      const size = got.readInt32BE(0);
      if (got.length >= 4 + size) done(undefined, got.subarray(4, 4 + size));
    });
    socket.connect(port, host, () => socket.write(request));
  });
}
