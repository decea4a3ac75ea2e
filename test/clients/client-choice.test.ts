// The client under test is part of the spec (`client`, `--client`), shown wherever the
// configuration is, and loaded only when a run needs it.
import { describe, expect, it } from "vitest";
import { loadClient } from "../../harness/clients/registry.ts";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { configLabel } from "../../harness/suite/table.ts";
import { reconstructCommand } from "../../reports/details.ts";
import { runChips } from "../../reports/verdict.ts";

describe("client choice", () => {
  it("kafkajs by default; --client picks the library; anything else names the field", () => {
    expect(parseTestSpec({}).client).toBe("kafkajs");
    expect(parseTestSpec(specFromFlags({ client: "platformatic" })).client).toBe("platformatic");
    expect(() => parseTestSpec(specFromFlags({ client: "rdkafka" }))).toThrow(/client: must be one of kafkajs, platformatic/);
  });

  it("platformatic consumers are assign consumers", () => {
    expect(() => parseTestSpec({ client: "platformatic", consumer: { mode: "subscribe" } })).toThrow(
      /consumer\.mode: must be "assign" with client "platformatic"/,
    );
  });

  it("the suite table, the report chips and the reconstructed command show the client", () => {
    const spec = parseTestSpec({ client: "platformatic", producer: { acks: 1 }, topic: { minInsyncReplicas: 1 } });
    expect(configLabel(spec)).toBe("platformatic acks=1 minISR=1 inflight=5");
    expect(runChips(spec)).toContain("client: platformatic");
    expect(reconstructCommand(spec)).toMatch(/^kafka-harness run --client platformatic --acks 1/);
  });

  it("each client loads behind the same interface", async () => {
    for (const name of ["kafkajs", "platformatic"] as const) {
      const client = await loadClient(name);
      expect(client.name).toBe(name);
      expect(typeof client.openProducer).toBe("function");
      expect(typeof client.openConsumer).toBe("function");
    }
  });
});
