// SASL on the harness's raw connections: the two requests as exact bytes, SCRAM-SHA-256 against
// RFC 7677's example exchange, SCRAM-SHA-512 checked the way a broker checks a proof, and the whole
// conversation driven against a scripted broker (PLAIN, SCRAM, a refused mechanism, a wrong
// password, a server that cannot sign).
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { protocolWriter } from "../../harness/protocol/framing.ts";
import {
  decodeSaslAuthenticate,
  decodeSaslHandshake,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
  plainMessage,
  saslAuthenticate,
  scramClientFinal,
  scramClientFirst,
  verifyScramServerFinal,
} from "../../harness/protocol/sasl.ts";
import { readRequest } from "./stand-in-request.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const clientId = Buffer.from("kafka-harness").toString("hex");

describe("SaslHandshake v1 and SaslAuthenticate v2 encodings", () => {
  it("SaslHandshake: size, api key 17, version 1, correlation id, client id, the mechanism", () => {
    expect(encodeSaslHandshake(1, "PLAIN")).toEqual(hex(`0000001e 0011 0001 00000001 000d ${clientId} 0005 504c41494e`));
  });

  it("SaslAuthenticate: api key 36, version 2, header tags, compact bytes (length + 1), body tags", () => {
    expect(encodeSaslAuthenticate(2, Buffer.from("ab"))).toEqual(hex(`0000001c 0024 0002 00000002 000d ${clientId} 00 03 6162 00`));
  });

  it("decodes a handshake answer: error code and the listener's mechanisms", () => {
    const w = protocolWriter();
    w.i32(7);
    w.i16(33);
    w.i32(2);
    w.str("PLAIN");
    w.str("SCRAM-SHA-256");
    expect(decodeSaslHandshake(w.bytes())).toEqual({ correlationId: 7, errorCode: 33, mechanisms: ["PLAIN", "SCRAM-SHA-256"] });
  });

  it("decodes an authenticate answer: header tags, error, message, bytes, session lifetime, tags", () => {
    const w = protocolWriter();
    w.i32(9);
    w.uvarint(0);
    w.i16(58);
    w.uvarint(4);
    w.raw(Buffer.from("bad"));
    w.uvarint(3);
    w.raw(Buffer.from("xy"));
    w.i64(0n);
    w.uvarint(0);
    expect(decodeSaslAuthenticate(w.bytes())).toEqual({
      correlationId: 9,
      errorCode: 58,
      errorMessage: "bad",
      authBytes: Buffer.from("xy"),
    });
  });

  it("PLAIN's message: no authorization id, NUL-separated", () => {
    expect(plainMessage("alice", "s3cret")).toEqual(Buffer.from("\0alice\0s3cret"));
  });
});

// RFC 7677, section 3: user "user", password "pencil".
const RFC = {
  nonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

describe("SCRAM", () => {
  it("SCRAM-SHA-256 makes RFC 7677's client messages and expects its server signature", () => {
    const first = scramClientFirst("user", RFC.nonce);
    expect(first.message).toBe(RFC.clientFirst);
    const final = scramClientFinal("sha256", "pencil", first.bare, RFC.nonce, RFC.serverFirst);
    expect(final.message).toBe(RFC.clientFinal);
    expect(() => verifyScramServerFinal(RFC.serverFinal, final.serverSignature)).not.toThrow();
    expect(() => verifyScramServerFinal("v=AAAA", final.serverSignature)).toThrow(/signature is wrong/);
    expect(() => verifyScramServerFinal("e=invalid-proof", final.serverSignature)).toThrow(/refused: invalid-proof/);
  });

  it("escapes = and , in the user name; refuses a server nonce that does not extend the client's", () => {
    expect(scramClientFirst("a=b,c", "N").message).toBe("n,,n=a=3Db=2Cc,r=N");
    expect(() => scramClientFinal("sha256", "p", "n=u,r=abc", "abc", "r=xyz,s=AAAA,i=4096")).toThrow(/nonce/);
    expect(() => scramClientFinal("sha256", "p", "n=u,r=abc", "abc", "r=abcd,i=4096")).toThrow(/salt/);
  });

  it("SCRAM-SHA-512: a broker holding only the stored key accepts the proof (RFC 5802's check)", () => {
    const salt = Buffer.from("0123456789abcdef");
    const iterations = 4096;
    const serverFirst = `r=clientnonceSERVER,s=${salt.toString("base64")},i=${iterations}`;
    const first = scramClientFirst("bob", "clientnonce");
    const final = scramClientFinal("sha512", "hunter2", first.bare, "clientnonce", serverFirst);
    // The broker's side: StoredKey and ServerKey from the password it was given once.
    const salted = pbkdf2Sync("hunter2", salt, iterations, 64, "sha512");
    const hmac = (k: Buffer, d: string) => createHmac("sha512", k).update(d).digest();
    const storedKey = createHash("sha512").update(hmac(salted, "Client Key")).digest();
    const withoutProof = final.message.slice(0, final.message.indexOf(",p="));
    const authMessage = `${first.bare},${serverFirst},${withoutProof}`;
    const proof = Buffer.from(final.message.slice(final.message.indexOf(",p=") + 3), "base64");
    const signature = hmac(storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    expect(createHash("sha512").update(clientKey).digest()).toEqual(storedKey);
    expect(final.serverSignature).toBe(hmac(hmac(salted, "Server Key"), authMessage).toString("base64"));
  });
});

/** A scripted broker: each request's (api key, auth bytes), answered by `answer`. */
function broker(answer: (apiKey: number, payload: string) => { error?: number; bytes?: string; mechanisms?: string[] }) {
  const seen: string[] = [];
  const send = async (frame: Buffer): Promise<Buffer> => {
    const { apiKey, r, w } = readRequest(frame.subarray(4));
    if (apiKey === 17) {
      const mechanism = r.str() ?? "";
      seen.push(`handshake ${mechanism}`);
      const a = answer(17, mechanism);
      w.i16(a.error ?? 0);
      const ms = a.mechanisms ?? ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
      w.i32(ms.length);
      ms.forEach(w.str);
    } else {
      r.tags();
      const payload = r.compactBytes().toString("utf8");
      seen.push(`authenticate ${JSON.stringify(payload)}`);
      const a = answer(36, payload);
      const bytes = Buffer.from(a.bytes ?? "");
      w.uvarint(0);
      w.i16(a.error ?? 0);
      w.uvarint(a.error ? 8 : 0); // "refused", or null
      if (a.error) w.raw(Buffer.from("refused"));
      w.uvarint(bytes.length + 1);
      w.raw(bytes);
      w.i64(0n);
      w.uvarint(0);
    }
    return w.bytes();
  };
  return { send, seen };
}

describe("saslAuthenticate over a scripted broker", () => {
  it("PLAIN: handshake, then one authenticate with the credentials", async () => {
    const b = broker(() => ({}));
    await saslAuthenticate(b.send, { mechanism: "plain", username: "alice", password: "pw" });
    expect(b.seen).toEqual(["handshake PLAIN", `authenticate ${JSON.stringify("\0alice\0pw")}`]);
  });

  it("SCRAM-SHA-256: RFC 7677's exchange, the server's signature checked", async () => {
    const b = broker((key, payload) =>
      key === 17 ? {} : payload === RFC.clientFirst ? { bytes: RFC.serverFirst } : { bytes: RFC.serverFinal },
    );
    await saslAuthenticate(b.send, { mechanism: "scram-sha-256", username: "user", password: "pencil" }, RFC.nonce);
    expect(b.seen).toEqual([
      "handshake SCRAM-SHA-256",
      `authenticate ${JSON.stringify(RFC.clientFirst)}`,
      `authenticate ${JSON.stringify(RFC.clientFinal)}`,
    ]);
  });

  it("a broker that answers the right proof with a wrong signature is refused", async () => {
    const b = broker((key, payload) => (key === 17 ? {} : payload === RFC.clientFirst ? { bytes: RFC.serverFirst } : { bytes: "v=AAAA" }));
    await expect(saslAuthenticate(b.send, { mechanism: "scram-sha-256", username: "user", password: "pencil" }, RFC.nonce)).rejects.toThrow(
      /signature is wrong/,
    );
  });

  it("a mechanism the listener does not enable names the ones it does; a wrong password says Kafka's error", async () => {
    const refused = broker(() => ({ error: 33, mechanisms: ["PLAIN"] }));
    await expect(saslAuthenticate(refused.send, { mechanism: "scram-sha-512", username: "u", password: "p" })).rejects.toThrow(
      "SASL SCRAM-SHA-512: UNSUPPORTED_SASL_MECHANISM (the listener enables PLAIN)",
    );
    const wrong = broker((key) => (key === 17 ? {} : { error: 58 }));
    await expect(saslAuthenticate(wrong.send, { mechanism: "plain", username: "u", password: "p" })).rejects.toThrow(
      "SASL PLAIN as u: SASL_AUTHENTICATION_FAILED: refused",
    );
  });
});
