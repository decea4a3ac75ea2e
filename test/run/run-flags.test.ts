import { describe, expect, it } from "vitest";
import { SpecError } from "../../harness/spec/errors.ts";
import { specFromFlags } from "../../harness/run/run-flags.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

describe("run flags", () => {
  it("map onto the spec and override a spec file", () => {
    const spec = parseTestSpec(
      specFromFlags(
        { acks: "1", minIsr: "1", unclean: true, maxInFlight: "1", faults: "kill,isolate", targets: "leader", timeLimit: "20", seed: "42", partitions: "2" },
        { producer: { acks: "all", retries: 9 }, workload: { rate: 80 } },
      ),
    );
    expect(spec.producer).toMatchObject({ acks: 1, maxInFlight: 1, retries: 9 });
    expect(spec.topic).toMatchObject({ minInsyncReplicas: 1, uncleanLeaderElection: true, partitions: 2 });
    expect(spec.faults).toMatchObject({ kinds: ["kill", "isolate"], targets: ["leader"] });
    expect(spec.workload).toMatchObject({ timeLimitSeconds: 20, rate: 80 });
    expect(spec.seed).toBe(42);
  });

  it("--acks all and -1 both mean all", () => {
    expect(parseTestSpec(specFromFlags({ acks: "-1" })).producer.acks).toBe("all");
    expect(parseTestSpec(specFromFlags({ acks: "all" })).producer.acks).toBe("all");
  });

  it("a flag that is not a number is an error naming the flag", () => {
    expect(() => specFromFlags({ rate: "fast" })).toThrow(/--rate: expected a number \(got "fast"\)/);
    expect(() => specFromFlags({ rate: "fast" })).toThrow(SpecError);
  });

  it("a value the spec rejects names the spec field", () => {
    expect(() => parseTestSpec(specFromFlags({ acks: "2" }))).toThrow(/producer\.acks: must be 0, 1 or "all" \(got 2\)/);
    expect(() => parseTestSpec(specFromFlags({ faults: "kil" }))).toThrow(/faults\.kinds\.0: must be one of kill/);
    expect(() => parseTestSpec(specFromFlags({ minIsr: "3", brokers: "2" }))).toThrow(/topic\.replicationFactor: must not exceed cluster\.brokers/);
  });
});

describe("test spec", () => {
  it("draws a seed when none is given and keeps one that is", () => {
    expect(parseTestSpec({ seed: 5 }).seed).toBe(5);
    expect(Number.isInteger(parseTestSpec({}).seed)).toBe(true);
  });

  it("rejects idempotence without acks=all, and unknown fields", () => {
    expect(() => parseTestSpec({ producer: { acks: 1, idempotent: true } })).toThrow(/producer\.idempotent: needs producer\.acks "all"/);
    expect(() => parseTestSpec({ producr: {} })).toThrow(/producr/);
  });
});
