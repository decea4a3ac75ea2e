// The harness's own requests (framing.ts roundTrip, here through fetchBrokerMetadata) against a
// stand-in broker on 127.0.0.1 that asks for SASL PLAIN, over plain TCP and over TLS: the request
// is sent only after the authentication, a wrong password gets Kafka's error, and TLS checks the
// broker's certificate against the CA given (a certificate made here by openssl, for this test).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NemesisCluster } from "../../harness/nemesis/capabilities.ts";
import { clusterProbe } from "../../harness/nemesis/probe.ts";
import { sizePrefixed } from "../../harness/protocol/framing.ts";
import { fetchBrokerMetadata } from "../../harness/protocol/metadata.ts";
import type { ClientSecurity } from "../../harness/protocol/security.ts";
import { selfSignedCertificate } from "./self-signed.ts";
import { readRequest } from "./stand-in-request.ts";

const PASSWORD = "pw-for-this-test";

/** Answers SaslHandshake, SaslAuthenticate (PLAIN, alice) and Metadata v1; notes each request. */
function serve(socket: Socket, seen: string[]) {
  let got = Buffer.alloc(0);
  let authenticated = false;
  socket.on("data", (chunk) => {
    got = Buffer.concat([got, chunk]);
    while (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
      const frame = got.subarray(4, 4 + got.readInt32BE(0));
      got = got.subarray(4 + frame.length);
      const { apiKey, r, w } = readRequest(frame);
      if (apiKey === 17) {
        seen.push(`handshake ${r.str()}`);
        w.i16(0);
        w.i32(1);
        w.str("PLAIN");
      } else if (apiKey === 36) {
        r.tags();
        const [, user, password] = r.compactBytes().toString("utf8").split("\0");
        authenticated = user === "alice" && password === PASSWORD;
        seen.push(`authenticate ${user} ${authenticated ? "ok" : "refused"}`);
        w.uvarint(0);
        w.i16(authenticated ? 0 : 58);
        w.uvarint(0);
        w.uvarint(1);
        w.i64(0n);
        w.uvarint(0);
      } else {
        seen.push(`api ${apiKey}${authenticated ? "" : " before authentication"}`);
        w.i32(1); // brokers
        w.i32(1);
        w.str("127.0.0.1");
        w.i32(9092);
        w.str(null);
        w.i32(1); // controller
        w.i32(0); // topics
      }
      socket.write(sizePrefixed(w.bytes()));
    }
  });
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));

describe("roundTrip with SASL and TLS", () => {
  const seen: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "kh-tls-"));
  let plainPort = 0;
  let tlsPort = 0;
  let ca = "";
  const servers: Server[] = [];

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, which is its own CA.
    const { certFile, keyFile } = selfSignedCertificate(dir);
    ca = readFileSync(certFile, "utf8");
    const plain = createNetServer((s) => serve(s, seen));
    const tls = createTlsServer({ key: readFileSync(keyFile), cert: ca }, (s) => serve(s, seen));
    servers.push(plain, tls);
    plainPort = await listen(plain);
    tlsPort = await listen(tls);
  });
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sasl = (password: string): ClientSecurity["sasl"] => ({ mechanism: "plain", username: "alice", password });

  it("SASL PLAIN over TCP: authenticated first, then the request", async () => {
    seen.length = 0;
    const md = await fetchBrokerMetadata(plainPort, [], 2000, "127.0.0.1", { sasl: sasl(PASSWORD) });
    expect(md.controller).toBe(1);
    expect(seen).toEqual(["handshake PLAIN", "authenticate alice ok", "api 3"]);
  });

  it("a wrong password: Kafka's error, and the request is never sent", async () => {
    seen.length = 0;
    await expect(fetchBrokerMetadata(plainPort, [], 2000, "127.0.0.1", { sasl: sasl("wrong") })).rejects.toThrow(
      /metadata from 127\.0\.0\.1:\d+: SASL PLAIN as alice: SASL_AUTHENTICATION_FAILED/,
    );
    expect(seen).toEqual(["handshake PLAIN", "authenticate alice refused"]);
  });

  it("TLS with the CA given, then SASL: the same exchange inside TLS", async () => {
    seen.length = 0;
    const md = await fetchBrokerMetadata(tlsPort, [], 2000, "127.0.0.1", { tls: { ca, rejectUnauthorized: true }, sasl: sasl(PASSWORD) });
    expect(md.brokers).toEqual([1]);
    expect(seen).toEqual(["handshake PLAIN", "authenticate alice ok", "api 3"]);
  });

  it("TLS checks the broker's certificate: without its CA the connection is refused, with rejectUnauthorized false it is not", async () => {
    await expect(
      fetchBrokerMetadata(tlsPort, [], 2000, "127.0.0.1", { tls: { rejectUnauthorized: true }, sasl: sasl(PASSWORD) }),
    ).rejects.toThrow(/self-signed certificate/);
    const md = await fetchBrokerMetadata(tlsPort, [], 2000, "127.0.0.1", { tls: { rejectUnauthorized: false }, sasl: sasl(PASSWORD) });
    expect(md.controller).toBe(1);
  });

  it("the nemesis's probe asks the brokers with the cluster's security", async () => {
    seen.length = 0;
    const broker = { name: "kafka1", role: "broker", id: 1, externalPort: plainPort, externalHost: "127.0.0.1" };
    const probe = clusterProbe({ brokers: [broker], zookeepers: [], security: { sasl: sasl(PASSWORD) } } as unknown as NemesisCluster);
    expect((await probe.metadata({ topics: [] })).from).toBe("kafka1");
    expect(seen).toEqual(["handshake PLAIN", "authenticate alice ok", "api 3"]);
  });

  it("plaintext without security is unchanged: the request goes first", async () => {
    seen.length = 0;
    await fetchBrokerMetadata(plainPort, [], 2000);
    expect(seen).toEqual(["api 3 before authentication"]);
  });
});
