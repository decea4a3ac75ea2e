// An attached cluster's TLS and SASL reach each library's configuration, in that library's words:
// kafkajs's ssl / sasl, @platformatic/kafka's tls / sasl (producer, consumer, raw fetches),
// librdkafka's security.protocol, ssl.*.pem and sasl.* keys. No security: no such option at all.
import { describe, expect, it } from "vitest";
import type { ProducerSettings } from "../../harness/clients/client.ts";
import { consumerConfig, producerConfig, rdkafkaSecurity } from "../../harness/clients/confluent/config.ts";
import { platformaticProducerOptions } from "../../harness/clients/platformatic/producer.ts";
import { platformaticSecurity } from "../../harness/clients/platformatic/security.ts";
import { kafkajsSecurity } from "../../harness/kafkajs/factory.ts";
import type { ClientSecurity } from "../../harness/protocol/security.ts";

const tls = { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", rejectUnauthorized: true, servername: "kafka.example" };
const both: ClientSecurity = { tls, sasl: { mechanism: "scram-sha-256", username: "bob", password: "pw" } };
const settings: ProducerSettings = {
  acks: "all",
  idempotent: false,
  maxInFlight: 5,
  retries: 3,
  requestTimeoutMs: 5000,
  opTimeoutMs: 30_000,
};

describe("kafkajs", () => {
  it("ssl is node:tls's options, sasl the mechanism as kafkajs spells it", () => {
    expect(kafkajsSecurity(both)).toEqual({
      ssl: { ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", rejectUnauthorized: true, servername: "kafka.example" },
      sasl: { mechanism: "scram-sha-256", username: "bob", password: "pw" },
    });
    expect(kafkajsSecurity({ tls: { rejectUnauthorized: false } })).toEqual({ ssl: { rejectUnauthorized: false } });
    expect(kafkajsSecurity(undefined)).toEqual({});
  });
});

describe("@platformatic/kafka", () => {
  it("tls and sasl (Kafka's mechanism names) in the producer's options", () => {
    const o = platformaticProducerOptions("p", ["k1:9092"], settings, both);
    expect(o.tls).toEqual({ ca: "CA PEM", cert: "CERT PEM", key: "KEY PEM", rejectUnauthorized: true, servername: "kafka.example" });
    expect(o.sasl).toEqual({ mechanism: "SCRAM-SHA-256", username: "bob", password: "pw" });
    expect(platformaticSecurity({ sasl: { mechanism: "plain", username: "a", password: "p" } })).toEqual({
      sasl: { mechanism: "PLAIN", username: "a", password: "p" },
    });
    const plain = platformaticProducerOptions("p", ["k1:9092"], settings);
    expect("tls" in plain || "sasl" in plain).toBe(false);
  });
});

describe("librdkafka", () => {
  it("security.protocol by what is asked; the PEM texts; the SASL keys", () => {
    expect(rdkafkaSecurity(both)).toEqual({
      "security.protocol": "sasl_ssl",
      "ssl.ca.pem": "CA PEM",
      "ssl.certificate.pem": "CERT PEM",
      "ssl.key.pem": "KEY PEM",
      "sasl.mechanisms": "SCRAM-SHA-256",
      "sasl.username": "bob",
      "sasl.password": "pw",
    });
    expect(rdkafkaSecurity({ sasl: { mechanism: "scram-sha-512", username: "a", password: "p" } })).toMatchObject({
      "security.protocol": "sasl_plaintext",
      "sasl.mechanisms": "SCRAM-SHA-512",
    });
    expect(rdkafkaSecurity({ tls: { rejectUnauthorized: false } })).toEqual({
      "security.protocol": "ssl",
      "enable.ssl.certificate.verification": false,
      "ssl.endpoint.identification.algorithm": "none",
    });
    expect(rdkafkaSecurity(undefined)).toEqual({});
  });

  it("reaches the producer's and the consumer's configuration", () => {
    expect(producerConfig(["k1:9092"], settings, both)).toMatchObject({ "security.protocol": "sasl_ssl", "ssl.ca.pem": "CA PEM" });
    expect(consumerConfig(["k1:9092"], "read_committed", "g", both)).toMatchObject({ "sasl.username": "bob", "group.id": "g" });
    expect(producerConfig(["k1:9092"], settings)).not.toHaveProperty("security.protocol");
  });
});
