// The versions a run is stored with (harness, Kafka, kafkajs, Node, image tag), so its report says
// what was tested long after the machine changed. The harness's and Node's come from the run
// folder's module, which names them for any report.
import { createRequire } from "node:module";
import { harnessVersions } from "../../reports/run-folder.ts";
import { kafkaVersion } from "../images/build-images.ts";
import type { ClusterSpec } from "../spec/cluster.ts";

const require = createRequire(import.meta.url);
const versionOf = (packageJson: string) => (require(packageJson) as { version: string }).version;

export function runVersions(
  image?: string,
  cluster?: Pick<ClusterSpec, "metadata" | "kafkaVersion" | "kind"> & { inventory?: { mode: string } },
): Record<string, string> {
  const mode = cluster?.metadata === "kraft" ? "KRaft" : "ZooKeeper mode";
  const own = harnessVersions();
  return {
    "kafka-harness": own["kafka-harness"],
    // An attached cluster runs what it runs: the spec's version is not what was tested.
    // So does the user's own Kafka on ssh hosts (mode existing).
    kafka:
      cluster?.kind === "attach"
        ? "attached cluster (version not read)"
        : cluster?.inventory?.mode === "existing"
          ? `the hosts' own Kafka, version not read (${mode})`
          : `${cluster?.kafkaVersion ?? kafkaVersion()} (${mode})`,
    kafkajs: versionOf("kafkajs/package.json"),
    node: own.node,
    ...(image ? { image } : {}),
  };
}
