// How a client reaches a cluster that asks for TLS or SASL (an attached cluster's
// cluster.security), resolved: certificate files read, the password read from its environment
// variable (harness/cluster/security.ts). One plain value, passed to every place that connects:
// the client libraries' options (each library's own mapping, next to its config) and the
// harness's own requests (framing.ts). Absent: plaintext, no authentication.
import type { ConnectionOptions } from "node:tls";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface ClientTls {
  /** PEM text of the CA that signed the brokers' certificates (absent: Node's default CAs). */
  readonly ca?: string;
  /** PEM text of the client's certificate and key (mutual TLS). */
  readonly cert?: string;
  readonly key?: string;
  /** false accepts any broker certificate (a test cluster's self-signed one). */
  readonly rejectUnauthorized: boolean;
  /** The name the broker's certificate is checked against, and sent as SNI (absent: the host). */
  readonly servername?: string;
}

export interface ClientSasl {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface ClientSecurity {
  readonly tls?: ClientTls;
  readonly sasl?: ClientSasl;
}

/** node:tls's connect options for the settings: what kafkajs's `ssl` and @platformatic/kafka's
 *  `tls` take too. Pure. */
export function tlsConnectOptions(tls: ClientTls): ConnectionOptions {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
}

/** Kafka's name of a mechanism (SaslHandshake, librdkafka's sasl.mechanisms). */
export const kafkaMechanismName = (m: SaslMechanism): "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" =>
  m === "plain" ? "PLAIN" : m === "scram-sha-256" ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
