// @platformatic/kafka's errors → op types (harness/clients/platformatic/classify.ts), with the
// library's own error classes, built as its send path builds them: fail only when the record was
// certainly not appended, info for everything else.
import { MultipleErrors, NetworkError, ProtocolError, ResponseError, TimeoutError, UserError } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { completeBurst } from "../../../harness/clients/burst-outcome.ts";
import { describeError } from "../../../harness/clients/classify.ts";
import { classifyPlatformaticSendError as classify } from "../../../harness/clients/platformatic/classify.ts";

/** A Produce answer with one failed partition, as produce-v*.js's parseResponse raises it. */
const produceAnswer = (errorCode: number) =>
  new ResponseError(0, 11, { "/responses/0/partition_responses/0": [errorCode, null] }, { responses: [] });
/** What send() calls back with: its destinations' errors wrapped (one destination per record here). */
const sent = (...errors: Error[]) => new MultipleErrors("Producing messages failed.", errors);
const MESSAGE_TOO_LARGE = 10;
const NOT_LEADER_OR_FOLLOWER = 6;
const REQUEST_TIMED_OUT = 7;
const NOT_ENOUGH_REPLICAS = 19;
const NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20;
const CORRUPT_MESSAGE = 2;

describe("platformatic send errors", () => {
  it("the errors the library raises carry the fields the rule reads", () => {
    const e = produceAnswer(NOT_LEADER_OR_FOLLOWER);
    expect(e.code).toBe("PLT_KFK_RESPONSE");
    expect(e.errors[0]).toMatchObject({
      code: "PLT_KFK_PROTOCOL",
      apiId: "NOT_LEADER_OR_FOLLOWER",
      canRetry: true,
      hasStaleMetadata: true,
    });
    // TimeoutError passes NetworkError's code: a timed-out request reads PLT_KFK_NETWORK.
    expect(new TimeoutError("Request timed out")).toMatchObject({ code: "PLT_KFK_NETWORK", canRetry: false });
  });

  it("fail: refused by the client before any request, or a single answer the broker gives before appending", () => {
    expect(classify(new UserError("Failed to serialize a message."))).toBe("fail");
    expect(classify(new NetworkError("Client is closed.", { closed: true }))).toBe("fail");
    expect(classify(produceAnswer(MESSAGE_TOO_LARGE))).toBe("fail");
    expect(classify(sent(produceAnswer(MESSAGE_TOO_LARGE)))).toBe("fail");
    expect(classify(sent(produceAnswer(MESSAGE_TOO_LARGE), new UserError("Failed to serialize a message.")))).toBe("fail");
    expect(classify(new ProtocolError("MESSAGE_TOO_LARGE"))).toBe("info"); // not how a produce answer arrives
  });

  it("info: timeouts, closed connections, retried or restarted sends, errors after an append", () => {
    expect(classify(new TimeoutError("Request timed out"))).toBe("info");
    // As seen on a cluster under faults (history error fields):
    expect(classify(sent(new TimeoutError("Request timed out")))).toBe("info");
    expect(
      classify(
        sent(new MultipleErrors("produce failed 6 times.", [new NetworkError("Connection closed"), produceAnswer(NOT_ENOUGH_REPLICAS)])),
      ),
    ).toBe("info");
    expect(classify(sent(produceAnswer(MESSAGE_TOO_LARGE), new TimeoutError("Request timed out")))).toBe("info");
    expect(classify(new NetworkError("Connection closed"))).toBe("info");
    expect(classify(new NetworkError("Connection to 127.0.0.1:19092 failed.", { cause: new Error("ECONNREFUSED") }))).toBe("info");
    expect(classify(produceAnswer(REQUEST_TIMED_OUT))).toBe("info");
    expect(classify(produceAnswer(NOT_ENOUGH_REPLICAS_AFTER_APPEND))).toBe("info");
    // Retriable: with repeatOnStaleMetadata an earlier, maybe appended, attempt is not in the error.
    expect(classify(produceAnswer(NOT_ENOUGH_REPLICAS))).toBe("info");
    expect(classify(produceAnswer(NOT_LEADER_OR_FOLLOWER))).toBe("info");
    expect(classify(produceAnswer(CORRUPT_MESSAGE))).toBe("info");
    expect(
      classify(new MultipleErrors("produce failed 6 times.", [new NetworkError("Connection closed"), produceAnswer(MESSAGE_TOO_LARGE)])),
    ).toBe("info");
    expect(
      classify(new MultipleErrors("produce failed 2 times.", [produceAnswer(MESSAGE_TOO_LARGE), produceAnswer(MESSAGE_TOO_LARGE)])),
    ).toBe("info");
    expect(classify(new UserError("Unknown topic t."))).toBe("info");
    expect(classify(new Error("Connection pool is closed."))).toBe("info");
    expect(classify(undefined)).toBe("info");
  });

  it("a burst completes by the platformatic rule: fail only when every record was refused for certain", () => {
    const refused = { acked: false as const, error: produceAnswer(MESSAGE_TOO_LARGE) };
    const timedOut = { acked: false as const, error: new TimeoutError("Request timed out") };
    expect(completeBurst("t-0", [1, 2], [refused, refused], classify).type).toBe("fail");
    expect(completeBurst("t-0", [1, 2], [refused, timedOut], classify).type).toBe("info");
    expect(completeBurst("t-0", [1, 2], [{ acked: true, offset: 7 }, refused], classify)).toMatchObject({
      type: "info",
      value: [
        ["send", "t-0", [7, 1]],
        ["send", "t-0", 2],
      ],
    });
  });

  it("descriptions name the code, the protocol error and the attempts", () => {
    expect(describeError(produceAnswer(NOT_ENOUGH_REPLICAS))).toMatch(/^PLT_KFK_RESPONSE: .*\[NOT_ENOUGH_REPLICAS: /);
    expect(
      describeError(
        new MultipleErrors("produce failed 2 times.", [new NetworkError("Connection closed"), new TimeoutError("Request timed out")]),
      ),
    ).toBe("PLT_KFK_MULTIPLE: produce failed 2 times. [PLT_KFK_NETWORK: Connection closed; PLT_KFK_NETWORK: Request timed out]");
    expect(
      describeError(
        sent(new MultipleErrors("produce failed 2 times.", [new NetworkError("Connection closed"), produceAnswer(NOT_LEADER_OR_FOLLOWER)])),
      ),
    ).toMatch(/^PLT_KFK_MULTIPLE: Producing messages failed\. \[PLT_KFK_NETWORK: Connection closed; NOT_LEADER_OR_FOLLOWER: /);
    expect(describeError({ name: "KafkaJSProtocolError", type: "NOT_LEADER_OR_FOLLOWER", message: "m" })).toBe("NOT_LEADER_OR_FOLLOWER: m");
  });
});
