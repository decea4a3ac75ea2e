// A docker cluster whose EXTERNAL listener (the one clients reach on 127.0.0.1) asks for SASL:
// SASL_PLAINTEXT with PLAIN (user "admin", in the listener's JAAS config) and SCRAM-SHA-256 (user
// "tester", created once the cluster is up with AlterUserScramCredentials, sent as admin); with
// `tlsDir`, SASL_SSL, the brokers' certificate (for 127.0.0.1) made there by openssl, self-signed,
// its PEM given inline (Kafka's PEM keystore). Replication stays on the plaintext INTERNAL
// listener. The passwords and the key are drawn per test run. Used by attach-sasl.test.ts.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alterUserScramCredentialsV0, ConnectionPool } from "@platformatic/kafka";
import { afterAll, beforeAll } from "vitest";
import { type Cluster, startCluster } from "../../harness/cluster/cluster.ts";
import { fetchBrokerMetadata } from "../../harness/protocol/metadata.ts";
import { scramSaltedPassword } from "../../harness/protocol/sasl.ts";
import type { ClientSecurity } from "../../harness/protocol/security.ts";
import type { ClusterSpecInput } from "../../harness/spec/cluster.ts";
import { waitFor } from "../../harness/util/wait.ts";
import { selfSignedCertificate } from "../protocol/self-signed.ts";

export interface SaslCluster {
  cluster: Cluster;
  /** With tlsDir: the file of the certificate the clients trust (the brokers' own, self-signed). */
  caFile?: string;
  /** PLAIN as admin: what the harness's own setup uses. */
  admin: ClientSecurity;
  scram: { username: string; password: string };
}

/** AlterUserScramCredentials' mechanism number for SCRAM-SHA-256. */
const SCRAM_SHA_256 = 1;

/** A PEM text as one properties line (Java's properties read \n as a newline). */
const oneLine = (pem: string) => pem.trim().replaceAll("\n", "\\n");

export async function startSaslCluster(
  progress: (m: string) => void,
  o: { tlsDir?: string; spec?: Omit<ClusterSpecInput, "brokerConfig"> } = {},
): Promise<SaslCluster> {
  const adminPassword = randomBytes(12).toString("hex");
  const scram = { username: "tester", password: randomBytes(12).toString("hex") };
  const cert = o.tlsDir ? selfSignedCertificate(o.tlsDir) : undefined;
  const tls = cert ? { ca: readFileSync(cert.certFile, "utf8"), rejectUnauthorized: true } : undefined;
  const admin: ClientSecurity = { ...(tls ? { tls } : {}), sasl: { mechanism: "plain", username: "admin", password: adminPassword } };
  const cluster = await startCluster(
    {
      ...o.spec,
      brokerConfig: {
        ...(cert
          ? {
              "listener.name.external.ssl.keystore.type": "PEM",
              "listener.name.external.ssl.keystore.certificate.chain": oneLine(readFileSync(cert.certFile, "utf8")),
              "listener.name.external.ssl.keystore.key": oneLine(readFileSync(cert.keyFile, "utf8")),
            }
          : {}),
        // KRaft keeps its CONTROLLER listener (dedicated controllers take the brokerConfig too).
        "listener.security.protocol.map": `INTERNAL:PLAINTEXT,EXTERNAL:${cert ? "SASL_SSL" : "SASL_PLAINTEXT"}${o.spec?.metadata === "kraft" ? ",CONTROLLER:PLAINTEXT" : ""}`,
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256",
        "listener.name.external.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="${adminPassword}";`,
        "listener.name.external.scram-sha-256.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
      },
    },
    { progress, security: admin },
  );
  try {
    const salt = randomBytes(16);
    const iterations = 4096;
    const pool = new ConnectionPool("kafka-harness-test-admin", {
      ...(tls ? { tls } : {}),
      sasl: { mechanism: "PLAIN", username: "admin", password: adminPassword },
    });
    try {
      // ZooKeeper mode: only the controller takes it (NOT_CONTROLLER elsewhere), as Kafka's admin
      // client sends it there; asked again while the controller moves.
      await waitFor(
        `the SCRAM-SHA-256 credential of ${scram.username}`,
        async () => {
          const md = await fetchBrokerMetadata(cluster.brokers[0]!.externalPort!, [], 3000, "127.0.0.1", admin);
          const connection = await pool.get({ host: "127.0.0.1", port: cluster.brokerById(md.controller).externalPort! });
          const r = await alterUserScramCredentialsV0.api.async(
            connection,
            [],
            [
              {
                name: scram.username,
                mechanism: SCRAM_SHA_256,
                iterations,
                salt,
                saltedPassword: scramSaltedPassword("sha256", scram.password, salt, iterations),
              },
            ],
          );
          const failed = r.results.filter((x) => x.errorCode !== 0);
          if (failed.length) throw new Error(`AlterUserScramCredentials: ${JSON.stringify(failed)}`);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 1000 },
      );
    } finally {
      await pool.close();
    }
    // Each broker learns the credential on its own (a config change notification): wait until every
    // one of them takes the user.
    const asTester: ClientSecurity = { ...(tls ? { tls } : {}), sasl: { mechanism: "scram-sha-256", ...scram } };
    for (const b of cluster.brokers)
      await waitFor(
        `${b.name} to take SCRAM-SHA-256 as ${scram.username}`,
        () => fetchBrokerMetadata(b.externalPort!, [], 2000, "127.0.0.1", asTester),
        {
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return { cluster, admin, scram, ...(cert ? { caFile: cert.certFile } : {}) };
}

/** One SASL_SSL cluster for a test file: started before its tests (certificates in a temporary
 *  folder, the SCRAM password in the environment variable `passwordEnv`), removed after them. */
export function saslClusterForFile(log: (m: string) => void, passwordEnv: string): () => SaslCluster {
  let sc: SaslCluster | undefined;
  const certs = mkdtempSync(join(tmpdir(), "kh-attach-tls-"));
  beforeAll(async () => {
    sc = await startSaslCluster(log, { tlsDir: certs });
    process.env[passwordEnv] = sc.scram.password;
  }, 300_000);
  afterAll(async () => {
    delete process.env[passwordEnv];
    await sc?.cluster.stop();
    rmSync(certs, { recursive: true, force: true });
  }, 120_000);
  return () => {
    if (!sc) throw new Error("the SASL cluster is not started (saslClusterForFile's beforeAll did not run or failed)");
    return sc;
  };
}
