// Kafka's wire format where the harness speaks it itself (DescribeQuorum, Metadata from one chosen
// broker, ListOffsets at a chosen isolation level): big-endian primitives, the int32 size prefix of
// every frame, and one request / response round trip over a fresh socket (TLS and SASL first when
// the cluster asks for them: security.ts, sasl.ts). No client library: each of them hides which
// broker it asks, or what it asks.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { type Exchange, saslAuthenticate } from "./sasl.ts";
import { type ClientSecurity, tlsConnectOptions } from "./security.ts";

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
  /** A compact string (flexible versions): length + 1 as an unsigned varint, then UTF-8 bytes. */
  const compactStr = (s: string) => {
    const b = Buffer.from(s, "utf8");
    uvarint(b.length + 1);
    raw(b);
  };
  return { i8: int(1), i16, i32: int(4), i64, str, uvarint, raw, compactStr, bytes: () => Buffer.concat(parts) };
}

/** A writer holding a flexible version's request header (v2): api key, version, correlation id,
 *  client id (an int16-length string, not compact), no tags. The body follows. */
export function flexibleRequest(apiKey: number, version: number, correlationId: number, clientId: string) {
  const w = protocolWriter();
  w.i16(apiKey);
  w.i16(version);
  w.i32(correlationId);
  w.str(clientId);
  w.uvarint(0);
  return w;
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
    return this.compactBytes().toString("utf8");
  }
  /** A compact nullable string: length + 1, 0 for null. */
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const s = this.buf.toString("utf8", this.at, this.at + n - 1);
    this.at += n - 1;
    return s;
  }
  /** Compact (nullable) bytes: a null reads as empty. */
  compactBytes(): Buffer {
    const n = this.compactLength();
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
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
 *  (without its size prefix), over TLS and after SASL when `security` asks for them. Rejects on a
 *  socket error, a close before the answer, a failed authentication, or after timeoutMs (a paused
 *  broker never answers). `what` names the request in errors. */
export async function roundTrip(
  port: number,
  request: Buffer,
  what: string,
  timeoutMs: number,
  host = "127.0.0.1",
  security?: ClientSecurity,
): Promise<Buffer> {
  const conn = frameConnection(host, port, what, security);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`broker at ${host}:${port} did not answer ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        await conn.ready;
        if (security?.sasl)
          await saslAuthenticate(conn.send, security.sasl).catch((err: Error) => {
            throw new Error(`${what} from ${host}:${port}: ${err.message}`);
          });
        return conn.send(request);
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

/** A socket (TLS when asked) whose responses are handed out in order, one per request sent. */
function frameConnection(host: string, port: number, what: string, security: ClientSecurity | undefined) {
  const socket: Socket = security?.tls ? tlsConnect({ host, port, ...tlsConnectOptions(security.tls) }) : netConnect({ host, port });
  let failed: Error | undefined;
  let got = Buffer.alloc(0);
  const waiting: Array<{ resolve: (b: Buffer) => void; reject: (e: Error) => void }> = [];
  const fail = (err: Error) => {
    failed ??= err;
    for (const w of waiting.splice(0)) w.reject(failed);
  };
  const ready = new Promise<void>((resolve, reject) => {
    socket.once(security?.tls ? "secureConnect" : "connect", () => resolve());
    socket.once("error", reject);
    socket.once("close", () => reject(failed));
  });
  ready.catch(() => undefined); // the caller sees it through `ready` or a send
  socket.on("error", (err) => fail(new Error(`${what} from ${host}:${port}: ${err.message}`)));
  socket.on("close", () => fail(new Error(`${what} from ${host}:${port}: connection closed before an answer`)));
  socket.on("data", (chunk) => {
    got = Buffer.concat([got, chunk]);
    while (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
      const size = got.readInt32BE(0);
      const body = got.subarray(4, 4 + size);
      got = got.subarray(4 + size);
      waiting.shift()?.resolve(body);
    }
  });
  const send: Exchange = (frame) =>
    new Promise<Buffer>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.push({ resolve, reject });
      socket.write(frame);
    });
  return {
    ready: ready.catch(() => Promise.reject(failed ?? new Error(`${what} from ${host}:${port}: could not connect`))),
    send,
    close: () => socket.destroy(),
  };
}
