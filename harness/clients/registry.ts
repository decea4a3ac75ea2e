// The client libraries by name: the one module that imports them, each only when a run needs it
// (dynamic import), so a library that is not installed costs nothing until it is chosen. The
// libraries and the shared recording code never import this module's libraries the other way.
import type { ClientName } from "../spec/client.ts";
import { EnvironmentError } from "../util/environment.ts";
import type { KafkaClient } from "./client.ts";
import type { SessionFactory } from "./group-driver.ts";
import type { GroupClient } from "./group-member.ts";
import type { ForkedLibrary } from "./group-process.ts";
import type { TxnClient } from "./txn-client.ts";

/** The client named in the spec. A missing library is an EnvironmentError (nothing was tested).
 *  @platformatic/kafka is an optional peer dependency of the package: 1.35 runs on Node >= 20.19.4,
 *  but two of its own dependencies declare Node >= 22.19 in their engines, so installing it for
 *  every user would warn on Node 20. */
export async function loadClient(name: ClientName): Promise<KafkaClient> {
  switch (name) {
    case "kafkajs":
      return (await import("./kafkajs/client.ts")).kafkajsClient;
    case "platformatic":
      try {
        return (await import("./platformatic/client.ts")).platformaticClient;
      } catch (err) {
        if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String(err).includes("@platformatic/kafka")) {
          throw new EnvironmentError(
            "the platformatic client needs the package @platformatic/kafka, which is not installed",
            "npm install @platformatic/kafka@~1.35.0 (Node >= 20.19.4)",
          );
        }
        throw err;
      }
    case "confluent":
      // Built on demand into the per-user clients folder; ConfluentNotInstalled (exit 2) names the command.
      return (await import("./confluent/client.ts")).loadConfluentClient();
  }
}

/** The transactional driver of the client named in the spec. */
export async function loadTxnClient(name: ClientName): Promise<TxnClient> {
  switch (name) {
    case "kafkajs":
      return (await import("./kafkajs/txn.ts")).kafkajsTxnClient;
    case "platformatic":
      await loadClient("platformatic"); // a missing @platformatic/kafka is an EnvironmentError naming the install
      return (await import("./platformatic/txn.ts")).platformaticTxnClient;
    case "confluent":
      return (await import("./confluent/txn.ts")).loadConfluentTxnClient();
  }
}

/** The consumer-group members of the client named in the spec (the group workload; the spec
 *  refuses it on a client without them: harness/spec/client.ts GROUP_PROTOCOLS_OF). A missing
 *  library fails as loadClient's does. */
export async function loadGroupClient(name: ClientName): Promise<GroupClient> {
  switch (name) {
    case "kafkajs":
      return (await import("./kafkajs/group.ts")).kafkajsGroupClient;
    case "platformatic":
      await loadClient("platformatic"); // a missing @platformatic/kafka is an EnvironmentError naming the install
      return (await import("./platformatic/group.ts")).platformaticGroupClient;
    case "confluent":
      return (await import("./confluent/group.ts")).loadConfluentGroupClient();
  }
}

/** Inside a forked group member's process (group-child.ts): the library's session. */
export async function loadGroupSession(library: ForkedLibrary): Promise<SessionFactory> {
  switch (library) {
    case "platformatic":
      return (await import("./platformatic/group.ts")).openPlatformaticSession;
    case "confluent":
      return (await import("./confluent/group.ts")).openConfluentSession;
  }
}
