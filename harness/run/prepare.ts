// Everything a run decides before it touches a cluster, so that what can fail without one fails
// first: the spec, validated once (a bad spec is a SpecError); the client library and the
// workload's (a missing one is an EnvironmentError, not a run); the workload plan and the fault
// schedule from the seed; the machine's engine and image (also EnvironmentErrors: no run folder);
// an attached cluster's certificate files and password (SpecErrors when missing).
import type { KafkaClient } from "../clients/client.ts";
import { loadClient } from "../clients/registry.ts";
import { type Cluster, prepareMachine } from "../cluster/cluster.ts";
import { resolveSecurity } from "../cluster/security.ts";
import type { Schedule } from "../nemesis/index.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { clusterKind } from "../spec/cluster.ts";
import { parseTestSpec, type TestSpec } from "../spec/test-spec.ts";
import { loadWorkload, type Workload } from "../workload/workload.ts";
import { faultSchedule } from "./fault-driver.ts";

export interface PreparedRun {
  spec: TestSpec;
  client: KafkaClient;
  workload: Workload;
  schedule: Schedule;
  /** The image to start the cluster from; undefined on a shared cluster. */
  image?: string;
  /** An attached cluster's TLS and SASL, read (files, the password's variable). */
  security?: ClientSecurity;
}

let sharedTopicSeq = 0;

/** The prefix of every topic a run creates on a cluster it did not start (attached, or ssh mode existing). */
export const ATTACH_TOPIC_PREFIX = "kafka_harness_";

export async function prepareRun(input: unknown, shared: Cluster | undefined, progress: (m: string) => void): Promise<PreparedRun> {
  let spec = parseTestSpec(input);
  const kind = clusterKind(spec.cluster);
  // Clusters the harness did not start: an attached one, or the user's own Kafka on ssh hosts.
  const attached = kind === "attach" || (kind === "ssh" && spec.cluster.inventory?.mode === "existing");
  if (attached) {
    // A cluster the harness does not own: a topic of its own per run, its name saying whose it is
    // (and the only kind of topic the harness deletes there).
    spec = renameTopic(spec, `${ATTACH_TOPIC_PREFIX}${baseTopicName(spec.topic.name)}_${Date.now().toString(36)}${sharedTopicSeq++}`);
  } else if (shared) {
    // A fresh topic per run on a shared cluster, so runs never read each other's records.
    spec = onSharedCluster(spec, shared.spec, `${spec.topic.name}${Date.now().toString(36)}${sharedTopicSeq++}`);
  }
  const client = await loadClient(spec.client);
  const workload = await loadWorkload(spec, client);
  const schedule = faultSchedule(spec);
  // Only the docker kind runs the image (an ssh cluster in mode install uploads the jars instead).
  const image = shared || kind !== "docker" ? undefined : (await prepareMachine(progress, spec.cluster.kafkaVersion)).image;
  const security = await resolveSecurity(spec.cluster.security);
  return { spec, client, workload, schedule, ...(image ? { image } : {}), ...(security ? { security } : {}) };
}

/** The topic a spec asked for: a stored attached run's spec (replayed) holds the name its run made. */
export const baseTopicName = (name: string): string =>
  name.startsWith(ATTACH_TOPIC_PREFIX) ? name.slice(ATTACH_TOPIC_PREFIX.length).replace(/_[0-9a-z]+$/, "") : name;

/** A run's spec on a shared cluster: a topic of its own, named `name` (an explicit schedule's
 *  leader targets and `of` renamed with it, or they would name a topic no run writes), and the
 *  shared cluster's settings. Pure. */
export const onSharedCluster = (spec: TestSpec, cluster: TestSpec["cluster"], name: string): TestSpec => ({
  ...renameTopic(spec, name),
  cluster,
});

/** The spec with its topic renamed, and an explicit schedule's "leader of <topic>-<p>" targets and
 *  membership faults' `of` with it. */
export function renameTopic(spec: TestSpec, name: string): TestSpec {
  const was = `${spec.topic.name}-`;
  const renamed = (of: string) => (of.startsWith(was) ? `${name}-${of.slice(was.length)}` : of);
  const schedule = spec.faults.schedule?.map((f) => {
    const g = "of" in f && f.of ? { ...f, of: renamed(f.of) } : f;
    return "targets" in g && g.targets?.kind === "leader" ? { ...g, targets: { ...g.targets, of: renamed(g.targets.of) } } : g;
  });
  return { ...spec, topic: { ...spec.topic, name }, faults: { ...spec.faults, ...(schedule ? { schedule } : {}) } };
}
