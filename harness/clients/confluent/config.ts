// The spec's producer and consumer settings as librdkafka configuration (CONFIGURATION.md of
// librdkafka 2.15.1). Pure, so the mapping is tested without the package or a cluster.
//
//   spec                         librdkafka
//   producer.acks 0 / 1 / all    acks 0 / 1 / -1 (request.required.acks)
//   producer.idempotent          enable.idempotence
//   producer.maxInFlight         max.in.flight.requests.per.connection (librdkafka caps it at 5
//                                when idempotent, as Kafka requires)
//   producer.retries             message.send.max.retries (retries)
//   producer.requestTimeoutMs    request.timeout.ms (the broker's ack timeout, sent in the Produce
//                                request) and socket.timeout.ms (the client's wait for any answer)
//   producer.retries and         message.timeout.ms: librdkafka gives up on a record (delivery
//   requestTimeoutMs             report ERR__MSG_TIMED_OUT) after as long as the other libraries'
//                                retry loops last (spec/delivery-budget.ts); the spec's op timeout
//                                covers it and one request in flight
//   (consumers)                  isolation.level read_committed, as the other clients' queue consumers
// linger.ms 0: a record goes out at once; what is queued when librdkafka builds a request (the
// rest of a burst, issued in the same tick) goes into the same batch, which is librdkafka's way.
// Connections: short setup and reconnect backoffs, so a healed broker is used again within about a
// second, as the other clients do.
// An attached cluster's security (rdkafkaSecurity): security.protocol ssl / sasl_plaintext /
// sasl_ssl; the CA and the client's certificate and key as PEM text (ssl.ca.pem,
// ssl.certificate.pem, ssl.key.pem); rejectUnauthorized false turns off both the certificate and
// the host name checks; sasl.mechanisms, sasl.username, sasl.password. librdkafka has no setting
// for another name than the host's (servername): the certificate must name the bootstrap host.
import { type ClientSecurity, kafkaMechanismName } from "../../protocol/security.ts";
import { RDKAFKA_RETRY_BACKOFF_MS, rdkafkaMessageTimeoutMs } from "../../spec/delivery-budget.ts";
import type { IsolationLevel } from "../../spec/test-spec.ts";
import type { ProducerSettings } from "../client.ts";

type Conf = Record<string, string | number | boolean>;

/** The cluster's TLS and SASL as librdkafka's keys (none: plaintext, librdkafka's default). Pure. */
export function rdkafkaSecurity(security: ClientSecurity | undefined): Conf {
  const { tls, sasl } = security ?? {};
  if (!tls && !sasl) return {};
  return {
    "security.protocol": sasl ? (tls ? "sasl_ssl" : "sasl_plaintext") : "ssl",
    ...(tls?.ca === undefined ? {} : { "ssl.ca.pem": tls.ca }),
    ...(tls?.cert === undefined ? {} : { "ssl.certificate.pem": tls.cert }),
    ...(tls?.key === undefined ? {} : { "ssl.key.pem": tls.key }),
    ...(tls && !tls.rejectUnauthorized
      ? { "enable.ssl.certificate.verification": false, "ssl.endpoint.identification.algorithm": "none" }
      : {}),
    ...(sasl
      ? { "sasl.mechanisms": kafkaMechanismName(sasl.mechanism), "sasl.username": sasl.username, "sasl.password": sasl.password }
      : {}),
  };
}

/** What every librdkafka client of the harness shares. */
export function commonConfig(bootstrap: string[], clientId: string, security?: ClientSecurity): Conf {
  return {
    ...rdkafkaSecurity(security),
    "bootstrap.servers": bootstrap.join(","),
    "client.id": clientId,
    "broker.address.family": "v4",
    "socket.connection.setup.timeout.ms": 3000,
    "reconnect.backoff.ms": 100,
    "reconnect.backoff.max.ms": 1000,
    "topic.metadata.refresh.interval.ms": 5000,
    // librdkafka's own log lines would go to stderr: errors reach the harness as error codes.
    log_level: 0,
  };
}

export function producerConfig(bootstrap: string[], s: ProducerSettings, security?: ClientSecurity): Conf {
  return {
    ...commonConfig(bootstrap, "kafka-harness-producer", security),
    acks: s.acks === "all" ? -1 : s.acks,
    "enable.idempotence": s.idempotent,
    "max.in.flight.requests.per.connection": s.maxInFlight,
    "message.send.max.retries": s.retries,
    "retry.backoff.ms": RDKAFKA_RETRY_BACKOFF_MS,
    "request.timeout.ms": s.requestTimeoutMs,
    "socket.timeout.ms": s.requestTimeoutMs,
    "message.timeout.ms": rdkafkaMessageTimeoutMs(s),
    "linger.ms": 0,
    // The package delivers a report per record (offset or error) to the 'delivery-report' event.
    dr_cb: true,
  };
}

/** The transactional producer (confluent/txn.ts): idempotent, acks=all, the spec's transactional id
 *  and transaction timeout. librdkafka refuses message.timeout.ms above transaction.timeout.ms, so a
 *  record is given up on (its delivery report an error) within the transaction's time; retries at
 *  least 8, as the other clients' transactional producers (an idempotent producer needs some). */
export function txnProducerConfig(
  bootstrap: string[],
  s: { transactionalId: string; retries: number; requestTimeoutMs: number; transactionTimeoutMs: number },
  security?: ClientSecurity,
): Conf {
  return {
    ...commonConfig(bootstrap, "kafka-harness-txn-producer", security),
    "transactional.id": s.transactionalId,
    "transaction.timeout.ms": s.transactionTimeoutMs,
    "enable.idempotence": true,
    acks: -1,
    "message.send.max.retries": Math.max(s.retries, 8),
    "retry.backoff.ms": RDKAFKA_RETRY_BACKOFF_MS,
    "request.timeout.ms": s.requestTimeoutMs,
    "socket.timeout.ms": s.requestTimeoutMs,
    "message.timeout.ms": s.transactionTimeoutMs,
    "linger.ms": 0,
    dr_cb: true,
  };
}

export const FETCH_WAIT_MS = 500;

let groupSeq = 0;

/** A consumer with manual assignment only: nothing subscribed, nothing committed. librdkafka's C++
 *  KafkaConsumer refuses to start without a group.id ("\"group.id\" must be configured"), so each
 *  gets a unique one it never joins (no subscribe: no JoinGroup, no rebalance). A position the
 *  broker calls out of range (past the end after a truncation) resets to the log end: the harness
 *  keeps its own positions and drops records below them (consumer.ts), so its reads
 *  never go back whatever librdkafka does. */
export function consumerConfig(
  bootstrap: string[],
  isolation: IsolationLevel = "read_committed",
  groupId = `kafka-harness-assign-${process.pid}-${Date.now()}-${groupSeq++}`,
  security?: ClientSecurity,
): Conf {
  return {
    ...commonConfig(bootstrap, "kafka-harness-consumer", security),
    "group.id": groupId,
    "enable.auto.commit": false,
    "enable.auto.offset.store": false,
    "enable.partition.eof": false,
    "isolation.level": isolation,
    "auto.offset.reset": "latest",
    "fetch.wait.max.ms": FETCH_WAIT_MS,
    "fetch.error.backoff.ms": 100,
    "socket.timeout.ms": 10_000,
  };
}
