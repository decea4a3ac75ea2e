import { describe, expect, it } from "vitest";
import { coordinatorPartition, javaHashCode } from "../../harness/nemesis/coordinator.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { resolveTargets } from "../../harness/nemesis/targets.ts";
import { fakeCluster, fakeProbe, part } from "./fakes.ts";

describe("coordinator partition (Kafka's Utils.abs(id.hashCode()) % partitions)", () => {
  it("hashes strings as Java's String.hashCode does", () => {
    expect(javaHashCode("")).toBe(0);
    expect(javaHashCode("a")).toBe(97);
    expect(javaHashCode("hello")).toBe(99162322);
    // Overflows 32 bits: "Hello, World!".hashCode() in Java.
    expect(javaHashCode("Hello, World!")).toBe(1498789909);
    expect(javaHashCode("polygenelubricants")).toBe(-2147483648);
  });

  it("maps an id to a partition, Integer.MIN_VALUE to 0 as Kafka's abs does", () => {
    expect(coordinatorPartition("hello", 50)).toBe(99162322 % 50);
    expect(coordinatorPartition("polygenelubricants", 50)).toBe(0);
    // A negative hash: abs, then modulo.
    expect(javaHashCode("kafka-harness")).toBe(-1561330487);
    expect(coordinatorPartition("kafka-harness", 50)).toBe(1561330487 % 50);
    expect(() => coordinatorPartition("x", 0)).toThrow(/positive integer/);
  });
});

describe("txn-coordinator / group-coordinator targets", () => {
  const c = fakeCluster();
  // 50 __transaction_state partitions led round robin by brokers 1-3; 5 __consumer_offsets partitions.
  const partitions = [
    ...Array.from({ length: 50 }, (_, p) => part("__transaction_state", p, (p % 3) + 1, [1, 2, 3])),
    ...Array.from({ length: 5 }, (_, p) => part("__consumer_offsets", p, ((p + 1) % 3) + 1, [1, 2, 3])),
  ];
  const ctx = (faulted: string[] = []) => ({
    brokers: c.brokers,
    zookeepers: c.zookeepers,
    rng: seededRng(1),
    probe: fakeProbe({ partitions }).probe,
    faulted: new Set(faulted),
  });

  it("resolve to the leader of the state partition holding the id, and say which", async () => {
    const p = coordinatorPartition("t-txn-0", 50);
    expect(await resolveTargets({ kind: "txn-coordinator", of: "t-txn-0" }, ctx())).toEqual({
      nodes: [`kafka${(p % 3) + 1}`],
      leaderOf: `__transaction_state-${p}`,
      coordinatorOf: { transactionalId: "t-txn-0", partition: `__transaction_state-${p}` },
    });
    const g = coordinatorPartition("t-txn-group-1", 5);
    expect(await resolveTargets({ kind: "group-coordinator", of: "t-txn-group-1" }, ctx())).toMatchObject({
      nodes: [`kafka${((g + 1) % 3) + 1}`],
      coordinatorOf: { groupId: "t-txn-group-1", partition: `__consumer_offsets-${g}` },
    });
  });

  it("refuse when the coordinator is already faulted or the state topic does not exist", async () => {
    const p = coordinatorPartition("t-txn-0", 50);
    await expect(resolveTargets({ kind: "txn-coordinator", of: "t-txn-0" }, ctx([`kafka${(p % 3) + 1}`]))).rejects.toThrow(
      /already under a fault/,
    );
    const empty = { ...ctx(), probe: fakeProbe({ partitions: [part("t", 0, 1, [1, 2, 3])] }).probe };
    await expect(resolveTargets({ kind: "txn-coordinator", of: "t-txn-0" }, empty)).rejects.toThrow(
      /__transaction_state does not exist yet/,
    );
  });
});
