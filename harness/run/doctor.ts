// `kafka-harness doctor`: proves the whole foundation on this machine — engine, images, a default
// cluster, an acks=all round trip of 1000 records — then tears down and checks nothing is left.
import { produceValues, readValues } from "../clients/kafkajs/round-trip.ts";
import { findLeftovers } from "../cluster/cleanup.ts";
import { createTopic, startCluster } from "../cluster/cluster.ts";
import { ensureImages } from "../images/build-images.ts";
import { type ClusterSpecInput, type MetadataMode, parseClusterSpec } from "../spec/cluster.ts";
import { ensureEngine } from "../util/engine.ts";
import { secondsSince } from "../util/wait.ts";

export interface DoctorReport {
  ok: boolean;
  metadata: MetadataMode;
  kafkaVersion: string;
  engine: string;
  image: string;
  imagesBuilt: boolean;
  imagesSeconds: number;
  clusterReadySeconds: number;
  produced: number;
  consumed: number;
  missing: number;
  roundTripSeconds: number;
  teardownSeconds: number;
  leftoverContainers: number;
  leftoverNetworks: number;
  error?: string;
}

const RECORDS = 1000;

export async function doctor(progress: (m: string) => void, clusterInput: ClusterSpecInput = {}): Promise<DoctorReport> {
  const spec = parseClusterSpec(clusterInput); // a bad flag fails before anything starts
  const r: DoctorReport = {
    ok: false,
    metadata: spec.metadata,
    kafkaVersion: spec.kafkaVersion,
    engine: "",
    image: "",
    imagesBuilt: false,
    imagesSeconds: 0,
    clusterReadySeconds: 0,
    produced: 0,
    consumed: 0,
    missing: RECORDS,
    roundTripSeconds: 0,
    teardownSeconds: 0,
    leftoverContainers: 0,
    leftoverNetworks: 0,
  };
  let runId: string | undefined;
  try {
    progress("doctor: checking the Docker engine");
    r.engine = await ensureEngine(progress);
    progress(`doctor: engine ${r.engine}; checking images`);
    const img = await ensureImages(progress, spec.kafkaVersion);
    Object.assign(r, { image: img.tag, imagesBuilt: img.built, imagesSeconds: img.seconds });

    const cluster = await startCluster(spec, { progress, image: img.tag });
    runId = cluster.runId;
    r.clusterReadySeconds = cluster.readySeconds;
    try {
      const t = performance.now();
      const rf = Math.min(3, cluster.brokers.length);
      await createTopic(cluster.bootstrap(), "doctor", {
        partitions: 3,
        replicationFactor: rf,
        config: { "min.insync.replicas": String(Math.min(2, rf)) },
      });
      const values = Array.from({ length: RECORDS }, (_, i) => i);
      progress(`doctor: producing ${RECORDS} records with acks=all`);
      r.produced = await produceValues(cluster.bootstrap(), "doctor", values, -1);
      progress("doctor: reading them back");
      const read = new Set(await readValues(cluster.bootstrap(), "doctor", RECORDS));
      r.consumed = read.size;
      r.missing = values.filter((v) => !read.has(v)).length;
      r.roundTripSeconds = secondsSince(t);
    } finally {
      const t = performance.now();
      progress("doctor: tearing down");
      await cluster.stop();
      r.teardownSeconds = secondsSince(t);
    }
  } catch (err) {
    r.error = (err as Error).message;
  }
  const left = await findLeftovers(runId).catch(() => ({ containers: ["?"], networks: ["?"] }));
  r.leftoverContainers = left.containers.length;
  r.leftoverNetworks = left.networks.length;
  r.ok =
    !r.error &&
    r.produced === RECORDS &&
    r.consumed === RECORDS &&
    r.missing === 0 &&
    r.leftoverContainers === 0 &&
    r.leftoverNetworks === 0;
  return r;
}
