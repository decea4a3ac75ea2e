import { describe, expect, it } from "vitest";
import { runSpecFromFlags, specFromFlags } from "../../harness/run/run-flags.ts";
import { SpecError } from "../../harness/spec/errors.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";

describe("run flags", () => {
  it("map onto the spec and override a spec file", () => {
    const spec = parseTestSpec(
      specFromFlags(
        {
          acks: "1",
          minIsr: "1",
          unclean: true,
          maxInFlight: "1",
          faults: "kill,isolate",
          targets: "leader",
          timeLimit: "20",
          seed: "42",
          partitions: "2",
          opTimeout: "60000",
        },
        { producer: { acks: "all", retries: 9 }, workload: { rate: 80 } },
      ),
    );
    expect(spec.producer).toMatchObject({ acks: 1, maxInFlight: 1, retries: 9, opTimeoutMs: 60_000 });
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
    expect(() => specFromFlags({ rate: "fast" })).toThrow(/--rate must be a number \(got "fast"\)/);
    expect(() => specFromFlags({ rate: "fast" })).toThrow(SpecError);
  });

  it("--acks two says what --acks takes, not what a number is", () => {
    expect(() => specFromFlags({ acks: "two" })).toThrow(/- --acks must be 0, 1 or all \(got "two"\)$/);
    expect(() => specFromFlags({ acks: "al" })).toThrow(/--acks must be 0, 1 or all \(got "al"; did you mean "all"\?\)/);
  });

  it("a value the spec rejects names the flag it came from, with the text typed", () => {
    const said = (flags: Parameters<typeof runSpecFromFlags>[0], base = {}) => {
      try {
        runSpecFromFlags(flags, base);
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return (e as SpecError).problems;
      }
      throw new Error("accepted");
    };
    expect(said({ acks: "2" })).toEqual(['--acks must be 0, 1 or all (got "2")']);
    expect(said({ faults: "kill,kil" })).toEqual([
      expect.stringMatching(/^--faults must be one of kill, .* \(got "kil"; did you mean "kill"\?\)$/),
    ]);
    expect(said({ metadata: "kraf" })).toEqual(['--metadata must be zookeeper or kraft (got "kraf"; did you mean "kraft"?)']);
    expect(said({ faults: "zk", metadata: "kraft" })).toEqual([
      expect.stringMatching(/^--faults zk needs ZooKeeper, and this is a KRaft cluster/),
    ]);
    // A rule between two flags names both; a field no flag set keeps its name.
    expect(said({ workload: "txn", acks: "1" })).toEqual([
      expect.stringMatching(/^--acks must be "all" with --workload "txn" .*\(got "1"\)$/),
    ]);
    expect(said({ minIsr: "3", brokers: "2" })).toEqual(["topic.replicationFactor: must not exceed --brokers (2)"]);
    // From a spec file, the field: the flag only where the flag set it.
    expect(said({ workload: "txn" }, { producer: { acks: 1 } })).toEqual([
      expect.stringMatching(/^producer\.acks: must be "all" with --workload "txn" .*\(got 1\)$/),
    ]);
    expect(said({}, { producer: { acks: 2 } })).toEqual(['producer.acks: must be 0, 1 or "all" (got 2)']);
  });

  it("a value the spec rejects names the spec field", () => {
    expect(() => parseTestSpec(specFromFlags({ acks: "2" }))).toThrow(/producer\.acks: must be 0, 1 or "all" \(got 2\)/);
    expect(() => parseTestSpec(specFromFlags({ faults: "kil" }))).toThrow(/faults\.kinds\.0: must be one of kill/);
    expect(() => parseTestSpec(specFromFlags({ minIsr: "3", brokers: "2" }))).toThrow(
      /topic\.replicationFactor: must not exceed cluster\.brokers/,
    );
  });
});

describe("txn run flags", () => {
  it("--workload, --abort-rate and --isolation map onto the spec", () => {
    const spec = parseTestSpec(specFromFlags({ workload: "txn", abortRate: "0.3", isolation: "read_uncommitted", acks: "all" }));
    expect(spec.workload).toMatchObject({ kind: "txn", abortRate: 0.3 });
    expect(spec.consumer.isolation).toBe("read_uncommitted");
    // A transactional producer is idempotent whatever --idempotent says.
    expect(spec.producer.idempotent).toBe(true);
    const q = parseTestSpec(specFromFlags({}));
    expect([q.workload.kind, q.workload.abortRate, q.consumer.isolation]).toEqual(["queue", 0.1, "read_committed"]);
  });

  it("bad values are errors naming the flag (exit 254: SpecError)", () => {
    expect(() => specFromFlags({ workload: "txns" })).toThrow(
      /--workload must be queue or txn or group or copy \(got "txns"; did you mean "txn"\?\)/,
    );
    expect(() => specFromFlags({ isolation: "serializable" })).toThrow(/--isolation must be read_committed or read_uncommitted/);
    expect(() => specFromFlags({ abortRate: "lots" })).toThrow(/--abort-rate must be a number/);
    expect(() => specFromFlags({ abortRate: "1.5" })).toThrow(/--abort-rate must be a share from 0 to 1 \(got "1.5"\)/);
    expect(() => specFromFlags({ abortRate: "-0.1" })).toThrow(SpecError);
  });

  it("the spec refuses txn without acks all and coordinator targets without txn; takes txn through platformatic and confluent", () => {
    expect(() => parseTestSpec(specFromFlags({ workload: "txn", acks: "1" }))).toThrow(
      /producer\.acks: must be "all" with workload\.kind "txn"/,
    );
    expect(parseTestSpec(specFromFlags({ workload: "txn", client: "confluent" })).client).toBe("confluent");
    expect(parseTestSpec(specFromFlags({ workload: "txn", client: "platformatic" })).client).toBe("platformatic");
    expect(() => parseTestSpec(specFromFlags({ faults: "pause", targets: "txn-coordinator" }))).toThrow(
      /faults\.targets: txn-coordinator needs workload\.kind "txn"/,
    );
    expect(
      parseTestSpec(specFromFlags({ workload: "txn", faults: "pause,kill", targets: "leader,txn-coordinator,group-coordinator" })).faults
        .targets,
    ).toEqual(["leader", "txn-coordinator", "group-coordinator"]);
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
