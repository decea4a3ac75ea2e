// What the two forked group members make of their libraries' answers (harness/clients/platformatic/
// group.ts, harness/clients/confluent/group.ts): commit errors as fail/info, assignments as keys, and
// librdkafka's settings per protocol. Pure: no library loaded, no cluster.
import { describe, expect, it } from "vitest";
import { classifyConfluentCommitError, groupConsumerConfig } from "../../harness/clients/confluent/group.ts";
import type { GroupMemberOptions } from "../../harness/clients/group-member.ts";
import { classifyPlatformaticCommitError, kafkaErrorNames, keysOfAssignments } from "../../harness/clients/platformatic/group.ts";

const protocolError = (apiId: string) => ({ code: "PLT_KFK_PROTOCOL", apiId });
const response = (...errors: unknown[]) => ({ code: "PLT_KFK_RESPONSE", errors });
const network = { code: "PLT_KFK_NETWORK", message: "Connection closed" };

describe("@platformatic/kafka commit errors", () => {
  it("a refusal before the append is fail, through the library's wrappers", () => {
    expect(classifyPlatformaticCommitError(response(protocolError("ILLEGAL_GENERATION")))).toBe("fail");
    // retries exhausted: every attempt refused
    expect(
      classifyPlatformaticCommitError({
        code: "PLT_KFK_MULTIPLE",
        errors: [response(protocolError("COORDINATOR_LOAD_IN_PROGRESS")), response(protocolError("REBALANCE_IN_PROGRESS"))],
      }),
    ).toBe("fail");
  });

  it("anything that may have been stored is info: a lost connection, a timeout, a coordinator error after the append", () => {
    expect(classifyPlatformaticCommitError(network)).toBe("info");
    expect(
      classifyPlatformaticCommitError({ code: "PLT_KFK_MULTIPLE", errors: [response(protocolError("NOT_COORDINATOR")), network] }),
    ).toBe("info");
    expect(classifyPlatformaticCommitError(response(protocolError("NOT_COORDINATOR")))).toBe("info");
    expect(classifyPlatformaticCommitError(response(protocolError("REQUEST_TIMED_OUT")))).toBe("info");
    expect(classifyPlatformaticCommitError(new Error("Request timed out"))).toBe("info");
  });

  it("kafkaErrorNames: every broker answer's name, or nothing when some part was not an answer", () => {
    expect(kafkaErrorNames(response(protocolError("A"), protocolError("B")))).toEqual(["A", "B"]);
    expect(kafkaErrorNames({ code: "PLT_KFK_MULTIPLE", errors: [response(protocolError("A")), network] })).toBeUndefined();
  });

  it("keysOfAssignments: the library's assignments as sorted keys; none when it left", () => {
    expect(keysOfAssignments([{ topic: "t", partitions: [2, 0] }])).toEqual(["t-0", "t-2"]);
    expect(keysOfAssignments(null)).toEqual([]);
  });
});

describe("librdkafka commit errors and settings", () => {
  it("librdkafka's own refusals and the coordinator's refusals are fail; transport, timeouts, coordinator moves info", () => {
    expect(classifyConfluentCommitError({ code: -168 })).toBe("fail"); // ERR__NO_OFFSET
    expect(classifyConfluentCommitError({ code: 22 })).toBe("fail"); // ILLEGAL_GENERATION
    expect(classifyConfluentCommitError({ code: 27 })).toBe("fail"); // REBALANCE_IN_PROGRESS
    expect(classifyConfluentCommitError({ code: 113 })).toBe("fail"); // STALE_MEMBER_EPOCH
    expect(classifyConfluentCommitError({ code: -185 })).toBe("info"); // ERR__TIMED_OUT
    expect(classifyConfluentCommitError({ code: -195 })).toBe("info"); // ERR__TRANSPORT
    expect(classifyConfluentCommitError({ code: 16 })).toBe("info"); // NOT_COORDINATOR
    expect(classifyConfluentCommitError(new Error("?"))).toBe("info");
  });

  const opts = (o: Partial<GroupMemberOptions>): GroupMemberOptions => ({
    topic: "t",
    keys: ["t-0"],
    groupId: "g",
    commit: "after-sync",
    protocol: "classic",
    sessionTimeoutMs: 6000,
    maxPollIntervalMs: 4000,
    autoCommitIntervalMs: 700,
    ...o,
  });

  it("classic: the client's session, heartbeat and eager assignor; max.poll.interval.ms at least the session", () => {
    const c = groupConsumerConfig({ opts: opts({}), bootstrap: ["h:1"] });
    expect(c).toMatchObject({
      "group.protocol": "classic",
      "session.timeout.ms": 6000,
      "heartbeat.interval.ms": 2000,
      "partition.assignment.strategy": "range",
      "max.poll.interval.ms": 6000,
      "enable.auto.commit": false,
      "enable.auto.offset.store": false,
    });
  });

  it("consumer (KIP-848): none of the client-side group settings librdkafka refuses there; auto-commit on its timer", () => {
    const c = groupConsumerConfig({ opts: opts({ protocol: "consumer", commit: "auto" }), bootstrap: ["h:1"] });
    expect(c["group.protocol"]).toBe("consumer");
    for (const k of ["session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy"]) expect(c).not.toHaveProperty(k);
    expect(c).toMatchObject({
      "max.poll.interval.ms": 4000,
      "enable.auto.commit": true,
      "enable.auto.offset.store": true,
      "auto.commit.interval.ms": 700,
    });
  });
});
