// The librdkafka client's pure parts, without the package or a cluster: which librdkafka errors are
// a definite fail, how the spec's settings become librdkafka configuration, how a consume() call's
// messages become deliveries, and the not-installed error (exit 254, the install command, no stack).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { completeBurst } from "../../../harness/clients/burst-outcome.ts";
import {
  ConfluentDeliveryError,
  ConfluentEnqueueError,
  classifyConfluentSendError,
  RD,
} from "../../../harness/clients/confluent/classify.ts";
import { consumerConfig, producerConfig } from "../../../harness/clients/confluent/config.ts";
import { deliveriesOf, positionsPast } from "../../../harness/clients/confluent/consumer.ts";
import { ConfluentNotInstalled, clientsDir, confluentDir, loadConfluent } from "../../../harness/clients/confluent/package.ts";
import { loadClient } from "../../../harness/clients/registry.ts";
import { parseTestSpec } from "../../../harness/spec/test-spec.ts";

const root = resolve(import.meta.dirname, "../../..");
const delivery = (code: number) => new ConfluentDeliveryError(code, "x");

describe("confluent: librdkafka errors -> op type", () => {
  it("fail only when the record was never sent: produce() refused it, or purged from the queue", () => {
    expect(classifyConfluentSendError(new ConfluentEnqueueError(Object.assign(new Error("Local: Queue full"), { code: -184 })), 5)).toBe(
      "fail",
    );
    expect(classifyConfluentSendError(delivery(RD.ERR__PURGE_QUEUE), 5)).toBe("fail");
  });

  it("info for a timeout, a purge in flight, a lost leader, not enough replicas, idempotence errors", () => {
    for (const code of [RD.ERR__MSG_TIMED_OUT, RD.ERR__PURGE_INFLIGHT, -195, 6, 7, 19, 20, 45, -149, -148, -150]) {
      expect(classifyConfluentSendError(delivery(code), 5), `code ${code}`).toBe("info");
    }
  });

  it("a broker error returned before appending is a fail only when librdkafka could not have retried", () => {
    expect(classifyConfluentSendError(delivery(RD.ERR_MSG_SIZE_TOO_LARGE), 0)).toBe("fail");
    expect(classifyConfluentSendError(delivery(RD.ERR_TOPIC_AUTHORIZATION_FAILED), 0)).toBe("fail");
    // With retries an earlier attempt may have timed out after the broker appended it.
    expect(classifyConfluentSendError(delivery(RD.ERR_MSG_SIZE_TOO_LARGE), 3)).toBe("info");
    expect(classifyConfluentSendError(delivery(RD.ERR__MSG_TIMED_OUT), 0)).toBe("info");
  });

  it("anything else (the harness's op timeout, a plain Error) is info", () => {
    expect(classifyConfluentSendError({ name: "HarnessOpTimeout", message: "no answer" }, 0)).toBe("info");
    expect(classifyConfluentSendError(new Error("boom"), 0)).toBe("info");
    expect(classifyConfluentSendError(undefined, 0)).toBe("info");
  });

  it("a burst: acknowledged records keep their offsets whatever happened to the rest", () => {
    const c = completeBurst(
      "t-0",
      [1, 2],
      [
        { acked: true, offset: 4 },
        { acked: false, error: delivery(RD.ERR__MSG_TIMED_OUT) },
      ],
      (e) => classifyConfluentSendError(e, 5),
    );
    expect(c.type).toBe("info");
    expect(c.value).toEqual([
      ["send", "t-0", [4, 1]],
      ["send", "t-0", 2],
    ]);
    expect(c.error).toMatch(/ConfluentDeliveryError: delivery report error -192/);
  });
});

describe("confluent: spec settings -> librdkafka configuration", () => {
  const base = { acks: "all" as const, idempotent: true, maxInFlight: 5, retries: 7, requestTimeoutMs: 4000, opTimeoutMs: 9000 };

  it("acks, idempotence, in flight, retries and timeouts", () => {
    const c = producerConfig(["127.0.0.1:1", "127.0.0.1:2"], base);
    expect(c).toMatchObject({
      "bootstrap.servers": "127.0.0.1:1,127.0.0.1:2",
      acks: -1,
      "enable.idempotence": true,
      "max.in.flight.requests.per.connection": 5,
      "message.send.max.retries": 7,
      "request.timeout.ms": 4000,
      "socket.timeout.ms": 4000,
      // librdkafka's retries last as long as the other libraries' (8 × 4000 + 7 × 100): the op
      // timeout, not librdkafka, decides when the harness stops waiting.
      "message.timeout.ms": 32_700,
      "linger.ms": 0,
      dr_cb: true,
    });
    expect(producerConfig([], { ...base, acks: 1, idempotent: false }).acks).toBe(1);
    expect(producerConfig([], { ...base, acks: 0, idempotent: false }).acks).toBe(0);
  });

  it("consumers: the spec's isolation, nothing committed, a group id of their own each", () => {
    const a = consumerConfig(["127.0.0.1:1"]);
    const b = consumerConfig(["127.0.0.1:1"], "read_uncommitted");
    expect(a).toMatchObject({ "isolation.level": "read_committed", "enable.auto.commit": false, "enable.auto.offset.store": false });
    expect(b["isolation.level"]).toBe("read_uncommitted");
    expect(a["group.id"]).not.toBe(b["group.id"]);
  });

  it("the spec: confluent consumers are assign consumers; transactions too (confluent/txn.ts)", () => {
    expect(parseTestSpec({ client: "confluent" }).client).toBe("confluent");
    expect(() => parseTestSpec({ client: "confluent", consumer: { mode: "subscribe" } })).toThrow(
      /consumer\.mode: must be "assign" with client "confluent"/,
    );
    expect(parseTestSpec({ client: "confluent", workload: { kind: "txn" } }).consumer.mode).toBe("assign");
  });
});

describe("confluent: deliveries of one consume() call", () => {
  const m = (partition: number, offset: number, value: number) => ({ topic: "t", partition, offset, value: Buffer.from(String(value)) });

  it("per key, in offset order; records below the consumer's position (a rewind by librdkafka) are dropped", () => {
    const out = deliveriesOf([m(0, 3, 30), m(1, 0, 5), m(0, 4, 40), m(0, 5, 50), m(1, 1, 6)], new Map([["t-0", 4]]));
    expect(Object.fromEntries(out)).toEqual({
      "t-0": [
        [4, 40],
        [5, 50],
      ],
      "t-1": [
        [0, 5],
        [1, 6],
      ],
    });
  });

  it("an offset handed out twice in one call is delivered once", () => {
    expect(Object.fromEntries(deliveriesOf([m(0, 0, 1), m(0, 1, 2), m(0, 1, 2)], new Map()))).toEqual({
      "t-0": [
        [0, 1],
        [1, 2],
      ],
    });
  });
});

describe("confluent: not installed", () => {
  it("the clients folder: KAFKA_HARNESS_CLIENTS_DIR, else XDG_CACHE_HOME, else ~/.cache", () => {
    expect(clientsDir({ KAFKA_HARNESS_CLIENTS_DIR: "/x" }, "/home/u")).toBe("/x");
    expect(clientsDir({ XDG_CACHE_HOME: "/c" }, "/home/u")).toBe("/c/kafka-harness/clients");
    expect(confluentDir({}, "/home/u")).toBe("/home/u/.cache/kafka-harness/clients/confluent");
  });

  it("loading it from an empty folder names the install command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kh-noconfluent-"));
    expect(() => loadConfluent(dir)).toThrow(ConfluentNotInstalled);
    expect(() => loadConfluent(dir)).toThrow(/is not installed in .*kh-noconfluent-/);
    try {
      loadConfluent(dir);
    } catch (err) {
      expect((err as ConfluentNotInstalled).advice).toMatch(/^kafka-harness install-client confluent/);
    }
  });

  it("a run naming it: exit 254, what to run, no stack trace, no run folder", () => {
    const clients = mkdtempSync(join(tmpdir(), "kh-noconfluent-"));
    const store = join(clients, "store");
    const r = spawnSync(
      process.execPath,
      [join(root, "bin/kafka-harness.js"), "run", "--client", "confluent", "--time-limit", "5", "--store", store],
      {
        encoding: "utf8",
        env: { ...process.env, KAFKA_HARNESS_CLIENTS_DIR: clients },
        timeout: 60_000,
      },
    );
    expect(r.status, r.stderr).toBe(254);
    expect(r.stderr).toMatch(/the confluent client \(@confluentinc\/kafka-javascript 1\.10\.1, librdkafka\) is not installed in /);
    expect(r.stderr).toMatch(/what to do: kafka-harness install-client confluent/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/cannot run a cluster/);
    expect(existsSync(store)).toBe(false);
  });

  it("loadClient raises the same error when the folder is empty", async () => {
    const prev = process.env.KAFKA_HARNESS_CLIENTS_DIR;
    process.env.KAFKA_HARNESS_CLIENTS_DIR = mkdtempSync(join(tmpdir(), "kh-noconfluent-"));
    try {
      await expect(loadClient("confluent")).rejects.toThrow(ConfluentNotInstalled);
    } finally {
      if (prev === undefined) delete process.env.KAFKA_HARNESS_CLIENTS_DIR;
      else process.env.KAFKA_HARNESS_CLIENTS_DIR = prev;
    }
  });
});

describe("confluent: past a transaction's markers", () => {
  it("a key moves to librdkafka's position when it is ahead (a commit or abort marker consumed); never back, not on an error", () => {
    const positions = new Map([
      ["t-0", 41],
      ["t-1", 10],
    ]);
    expect(
      positionsPast(
        [{ topic: "t", partition: 0, offset: 42 }, { topic: "t", partition: 1, offset: 7 }, { topic: "t", partition: 2 }, new Error("x")],
        positions,
      ),
    ).toEqual([["t-0", 42]]);
    expect(positionsPast([{ topic: "t", partition: 3, offset: 2 }], positions)).toEqual([["t-3", 2]]);
  });
});
