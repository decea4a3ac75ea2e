// SASL on the harness's own connections (framing.ts roundTrip), as Kafka's clients do it since
// KIP-152: SaslHandshake (API key 17, v1) names the mechanism, then SaslAuthenticate (API key 36,
// v2, the flexible version: compact bytes and tagged fields; served by 3.x and 4.x, which removed
// only SaslHandshake v0) carries the mechanism's messages as Kafka requests.
// - PLAIN (RFC 4616): one message, "\0user\0password".
// - SCRAM-SHA-256 / -512 (RFC 5802, RFC 7677): client-first, the server's salt and iterations,
//   client-final with the proof; the server's final message carries its signature, checked here
//   (a broker that does not know the password cannot make it).
// The encodings and the SCRAM computations are pure (tested as bytes and against RFC 7677's
// example); saslAuthenticate drives them over any request/response function.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { flexibleRequest, ProtocolReader, protocolWriter, sizePrefixed } from "./framing.ts";
import { type ClientSasl, kafkaMechanismName } from "./security.ts";

const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
const CLIENT_ID = "kafka-harness";

/** Kafka's error codes the exchange may answer. */
const ERRORS: Record<number, string> = {
  33: "UNSUPPORTED_SASL_MECHANISM",
  34: "ILLEGAL_SASL_STATE",
  58: "SASL_AUTHENTICATION_FAILED",
};
const errorName = (code: number) => ERRORS[code] ?? `error code ${code}`;

/** SaslHandshake v1 (header v1): the mechanism's name. Pure. */
export function encodeSaslHandshake(correlationId: number, mechanism: string): Buffer {
  const w = protocolWriter();
  w.i16(SASL_HANDSHAKE);
  w.i16(1);
  w.i32(correlationId);
  w.str(CLIENT_ID);
  w.str(mechanism);
  return sizePrefixed(w.bytes());
}

/** A SaslHandshake v1 response body: its error code and the mechanisms the listener enables. Pure. */
export function decodeSaslHandshake(buf: Buffer): { correlationId: number; errorCode: number; mechanisms: string[] } {
  const r = new ProtocolReader(buf, "SaslHandshake");
  const correlationId = r.i32();
  const errorCode = r.i16();
  const mechanisms = r.array(() => r.str() ?? "");
  return { correlationId, errorCode, mechanisms };
}

/** SaslAuthenticate v2 (flexible: header v2 with its tags, the bytes compact). Pure. */
export function encodeSaslAuthenticate(correlationId: number, authBytes: Buffer): Buffer {
  const w = flexibleRequest(SASL_AUTHENTICATE, 2, correlationId, CLIENT_ID);
  w.uvarint(authBytes.length + 1);
  w.raw(authBytes);
  w.uvarint(0); // body tags
  return sizePrefixed(w.bytes());
}

export interface SaslAuthenticateAnswer {
  correlationId: number;
  errorCode: number;
  errorMessage: string;
  authBytes: Buffer;
}

/** A SaslAuthenticate v2 response body (response header v1: correlation id and tags). Pure. */
export function decodeSaslAuthenticate(buf: Buffer): SaslAuthenticateAnswer {
  const r = new ProtocolReader(buf, "SaslAuthenticate");
  const correlationId = r.i32();
  r.tags();
  const errorCode = r.i16();
  const errorMessage = r.compactString();
  const authBytes = r.compactBytes();
  r.i64(); // session lifetime
  r.tags();
  return { correlationId, errorCode, errorMessage, authBytes };
}

/** PLAIN's one message: no authorization id, the user, the password. Pure. */
export const plainMessage = (username: string, password: string): Buffer => Buffer.from(`\0${username}\0${password}`, "utf8");

type ScramHash = "sha256" | "sha512";
const scramHash = (mechanism: ClientSasl["mechanism"]): ScramHash => (mechanism === "scram-sha-512" ? "sha512" : "sha256");

/** A SCRAM saslname: "=" and "," escaped (RFC 5802 5.1). */
const saslName = (s: string) => s.replaceAll("=", "=3D").replaceAll(",", "=2C");

/** client-first-message: no channel binding ("n,,"), then the bare part the proof signs. Pure. */
export function scramClientFirst(username: string, nonce: string): { message: string; bare: string } {
  const bare = `n=${saslName(username)},r=${nonce}`;
  return { message: `n,,${bare}`, bare };
}

/** The attributes of a SCRAM message ("r=...,s=...,i=..."). */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const at = part.indexOf("=");
    if (at > 0) out.set(part.slice(0, at), part.slice(at + 1));
  }
  return out;
}

const hmac = (hash: ScramHash, key: Buffer, data: string) => createHmac(hash, key).update(data, "utf8").digest();

/** SaltedPassword: Hi(password, salt, i), PBKDF2 with the mechanism's HMAC. Pure. */
export const scramSaltedPassword = (hash: ScramHash, password: string, salt: Buffer, iterations: number): Buffer =>
  pbkdf2Sync(password, salt, iterations, hash === "sha512" ? 64 : 32, hash);

/**
 * client-final-message for the server-first message: the proof of the password, and the server
 * signature the server's final message must carry. Throws on a server nonce that does not extend
 * the client's, or a server-first message without salt or iterations. Pure.
 */
export function scramClientFinal(
  hash: ScramHash,
  password: string,
  clientFirstBare: string,
  clientNonce: string,
  serverFirst: string,
): { message: string; serverSignature: string } {
  const a = attributes(serverFirst);
  const nonce = a.get("r");
  const salt = a.get("s");
  const iterations = Number(a.get("i"));
  if (a.has("e")) throw new Error(`SCRAM: the server refused: ${a.get("e")}`);
  if (!nonce?.startsWith(clientNonce) || nonce.length === clientNonce.length)
    throw new Error("SCRAM: the server's nonce does not extend the client's");
  if (salt === undefined || !Number.isInteger(iterations) || iterations < 1)
    throw new Error(`SCRAM: no salt or iteration count in the server's first message (${JSON.stringify(serverFirst)})`);
  const salted = scramSaltedPassword(hash, password, Buffer.from(salt, "base64"), iterations);
  const clientKey = hmac(hash, salted, "Client Key");
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${nonce}`; // biws: base64 of "n,,", no channel binding
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(hash, storedKey, authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
  const serverSignature = hmac(hash, hmac(hash, salted, "Server Key"), authMessage).toString("base64");
  return { message: `${withoutProof},p=${proof.toString("base64")}`, serverSignature };
}

/** Checks the server-final-message ("v=<signature>", or "e=<error>"). Pure. */
export function verifyScramServerFinal(serverFinal: string, expectedSignature: string): void {
  const a = attributes(serverFinal);
  if (a.has("e")) throw new Error(`SCRAM: the server refused: ${a.get("e")}`);
  const got = Buffer.from(a.get("v") ?? "", "utf8");
  const want = Buffer.from(expectedSignature, "utf8");
  if (got.length !== want.length || !timingSafeEqual(got, want))
    throw new Error("SCRAM: the server's signature is wrong (it does not know the password: not the cluster meant)");
}

/** Sends one size-prefixed request on the connection and resolves with the response's body. */
export type Exchange = (request: Buffer) => Promise<Buffer>;

/** Authenticates the connection `send` talks on; rejects with Kafka's error (wrong password, a
 *  mechanism the listener does not enable). `nonce` is for tests. */
export async function saslAuthenticate(send: Exchange, sasl: ClientSasl, nonce = randomBytes(18).toString("base64")): Promise<void> {
  let correlationId = 0;
  const name = kafkaMechanismName(sasl.mechanism);
  const hs = decodeSaslHandshake(await send(encodeSaslHandshake(++correlationId, name)));
  if (hs.errorCode !== 0)
    throw new Error(`SASL ${name}: ${errorName(hs.errorCode)} (the listener enables ${hs.mechanisms.join(", ") || "none"})`);
  const step = async (message: string | Buffer): Promise<Buffer> => {
    const a = decodeSaslAuthenticate(await send(encodeSaslAuthenticate(++correlationId, Buffer.from(message))));
    if (a.errorCode !== 0)
      throw new Error(`SASL ${name} as ${sasl.username}: ${errorName(a.errorCode)}${a.errorMessage ? `: ${a.errorMessage}` : ""}`);
    return a.authBytes;
  };
  if (sasl.mechanism === "plain") {
    await step(plainMessage(sasl.username, sasl.password));
    return;
  }
  const first = scramClientFirst(sasl.username, nonce);
  const serverFirst = (await step(first.message)).toString("utf8");
  const final = scramClientFinal(scramHash(sasl.mechanism), sasl.password, first.bare, nonce, serverFirst);
  verifyScramServerFinal((await step(final.message)).toString("utf8"), final.serverSignature);
}
