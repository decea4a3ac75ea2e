// The op timeout against the client's delivery budget (harness/spec/delivery-budget.ts): a queue
// spec whose op timeout is shorter than the time its client library may keep retrying a record is
// refused, naming the field, the flag, both numbers and the ways out, unless it asks to run anyway.
import { describe, expect, it } from "vitest";
import { producerConfig } from "../../harness/clients/confluent/config.ts";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { CLIENT_NAMES } from "../../harness/spec/client.ts";
import { deliveryBudget } from "../../harness/spec/delivery-budget.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

describe("op timeout and the client's delivery budget", () => {
  it("the defaults fit every client: the op outlasts the client's retries", () => {
    for (const client of CLIENT_NAMES) {
      const spec = parseTestSpec({ client });
      expect(spec.producer.opTimeoutMs, client).toBeGreaterThanOrEqual(deliveryBudget(client, spec.producer).ms);
    }
    // kafkajs: 6 attempts × 5000 ms + 5 backoffs of up to 1000 ms.
    expect(deliveryBudget("kafkajs", { retries: 5, requestTimeoutMs: 5000 }).ms).toBe(35_000);
    expect(deliveryBudget("platformatic", { retries: 5, requestTimeoutMs: 5000 }).ms).toBe(30_500);
    // librdkafka: message.timeout.ms (its retries' window) plus one request in flight.
    expect(deliveryBudget("confluent", { retries: 5, requestTimeoutMs: 5000 }).ms).toBe(35_500);
    expect(producerConfig([], parseTestSpec({ client: "confluent" }).producer)["message.timeout.ms"]).toBe(30_500);
  });

  it("refuses a queue spec whose op timeout is below the budget, naming field, flag, both numbers and the fixes", () => {
    const refused = () => parseTestSpec({ producer: { opTimeoutMs: 10_000 } });
    expect(refused).toThrow(SpecError);
    let message = "";
    try {
      refused();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/producer\.opTimeoutMs: 10000 ms is below the kafkajs producer's delivery budget of 35000 ms/);
    expect(message).toContain("6 attempts × 5000 ms request timeout + 5 backoffs of up to 1000 ms");
    expect(message).toContain("--op-timeout");
    expect(message).toContain("to at least 35000");
    expect(message).toContain("producer.allowShortOpTimeout: true (--allow-short-op-timeout)");
    // More retries need a longer op timeout; so does each client by its own sum.
    expect(() => parseTestSpec({ producer: { retries: 10 } })).toThrow(
      /40000 ms is below the kafkajs producer's delivery budget of 65000 ms/,
    );
    expect(() => parseTestSpec({ client: "platformatic", producer: { opTimeoutMs: 30_000 } })).toThrow(/delivery budget of 30500 ms/);
    expect(() => parseTestSpec({ client: "confluent", producer: { opTimeoutMs: 35_000 } })).toThrow(/delivery budget of 35500 ms/);
  });

  it("runs it when asked, by the spec field or the flag", () => {
    expect(parseTestSpec({ producer: { opTimeoutMs: 10_000, allowShortOpTimeout: true } }).producer.opTimeoutMs).toBe(10_000);
    const spec = parseTestSpec(specFromFlags({ opTimeout: "10000", allowShortOpTimeout: true }));
    expect(spec.producer).toMatchObject({ opTimeoutMs: 10_000, allowShortOpTimeout: true });
    expect(() => parseTestSpec(specFromFlags({ opTimeout: "10000" }))).toThrow(/--allow-short-op-timeout/);
    expect(parseTestSpec({ producer: { retries: 10, opTimeoutMs: 65_000 } }).producer.retries).toBe(10);
  });

  it("does not apply to the txn workload, whose op is a transaction settled by its commit or abort", () => {
    expect(parseTestSpec({ workload: { kind: "txn" }, producer: { opTimeoutMs: 3000, requestTimeoutMs: 2000 } }).workload.kind).toBe("txn");
  });
});
