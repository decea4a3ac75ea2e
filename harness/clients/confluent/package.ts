// Where the librdkafka client lives and how it is loaded. @confluentinc/kafka-javascript is a native
// addon built from source (about 20 minutes on 2 cores), so it is never a dependency of the package:
// `kafka-harness install-client confluent` (harness/run/install-client.ts) builds it once into a
// per-user cache folder, and a run loads it from there with createRequire. Nothing else of the
// harness needs it; a run that names the client when it is not built stops with exit 2 and the
// install command (ConfluentNotInstalled), before anything starts.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { ClientLibraryError } from "../../util/environment.ts";

export const CONFLUENT_PACKAGE = "@confluentinc/kafka-javascript";
/** The release the harness is written and documented against (librdkafka 2.15.1). */
export const CONFLUENT_VERSION = "1.10.1";
export const CONFLUENT_INSTALL_COMMAND = "kafka-harness install-client confluent";

/** The folder holding every on-demand client: $KAFKA_HARNESS_CLIENTS_DIR, else
 *  ${XDG_CACHE_HOME:-~/.cache}/kafka-harness/clients. */
export function clientsDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.KAFKA_HARNESS_CLIENTS_DIR) return env.KAFKA_HARNESS_CLIENTS_DIR;
  const cache = env.XDG_CACHE_HOME || join(home, ".cache");
  return join(cache, "kafka-harness", "clients");
}

/** The npm project the confluent client is installed into (its node_modules holds the package). */
export const confluentDir = (env: NodeJS.ProcessEnv = process.env, home = homedir()) => join(clientsDir(env, home), "confluent");

/** The confluent client is named but not built: what to run, not a stack trace (exit 2). */
export class ConfluentNotInstalled extends ClientLibraryError {
  constructor(dir: string, detail?: string) {
    super(
      `the confluent client (${CONFLUENT_PACKAGE} ${CONFLUENT_VERSION}, librdkafka) is not installed in ${dir}${detail ? ` (${detail})` : ""}`,
      `${CONFLUENT_INSTALL_COMMAND}   (builds it from the npm package, about 20 minutes on 2 cores; KAFKA_HARNESS_CLIENTS_DIR moves the folder)`,
    );
  }
}

// The few parts of the package the harness uses (its own types live in the cache folder, not here).
export interface RdKafkaError extends Error {
  code: number;
  origin?: string;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}
export interface RdDeliveryReport {
  topic: string;
  partition: number;
  offset: number;
  opaque?: unknown;
}
export interface RdMessage {
  topic: string;
  partition: number;
  offset: number;
  value: Buffer | null;
}
export interface RdMetadata {
  topics: { name: string; partitions: { id: number; leader: number }[] }[];
}
export interface RdClient {
  connect(opts: { timeout?: number; topic?: string } | undefined, cb: (err: RdKafkaError | null, md: RdMetadata) => void): unknown;
  getMetadata(opts: { topic?: string; timeout?: number }, cb: (err: RdKafkaError | null, md: RdMetadata) => void): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  isConnected(): boolean;
}
export interface RdProducer extends RdClient {
  produce(topic: string, partition: number, value: Buffer, key?: null, timestamp?: null, opaque?: unknown): unknown;
  setPollInBackground(set: boolean): void;
  initTransactions(timeout: number, cb: (err: RdKafkaError | null) => void): void;
  beginTransaction(cb: (err: RdKafkaError | null) => void): void;
  commitTransaction(timeout: number, cb: (err: RdKafkaError | null) => void): void;
  abortTransaction(timeout: number, cb: (err: RdKafkaError | null) => void): void;
  sendOffsetsToTransaction(
    offsets: { topic: string; partition: number; offset: number }[],
    consumer: RdConsumer,
    timeout: number,
    cb: (err: RdKafkaError | null) => void,
  ): void;
}
/** A topic partition in the package's answers: an Error in place of one that carries an error
 *  (committed(), offset_commit_cb); `offset` absent when there is none (RD_KAFKA_OFFSET_INVALID). */
export type RdTopicPartitionAnswer = { topic: string; partition: number; offset?: number } | Error;
export interface RdConsumer extends RdClient {
  assign(assignments: { topic: string; partition: number; offset: number }[]): unknown;
  committed(
    toppars: { topic: string; partition: number }[],
    timeoutMs: number,
    cb: (err: RdKafkaError | null, answer: RdTopicPartitionAnswer[]) => void,
  ): unknown;
  position(toppars: { topic: string; partition: number }[]): RdTopicPartitionAnswer[];
  commitCb(toppars: { topic: string; partition: number; offset: number }[], cb: (err: RdKafkaError | null) => void): unknown;
  seek(toppar: { topic: string; partition: number; offset: number }, timeout: number, cb: (err?: RdKafkaError) => void): unknown;
  consume(n: number, cb: (err: RdKafkaError | null, messages: RdMessage[]) => void): void;
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage(set: boolean): void;
}
export interface ConfluentModule {
  Producer: new (conf: Record<string, unknown>) => RdProducer;
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => RdConsumer;
  librdkafkaVersion: string;
  CODES: { ERRORS: Record<string, number> };
}

let loaded: { dir: string; mod: ConfluentModule } | undefined;

/** The package as built by the install command, or ConfluentNotInstalled. */
export function loadConfluent(dir = confluentDir()): ConfluentModule {
  if (loaded?.dir === dir) return loaded.mod;
  const manifest = join(dir, "package.json");
  if (!existsSync(join(dir, "node_modules", ...CONFLUENT_PACKAGE.split("/"), "package.json"))) throw new ConfluentNotInstalled(dir);
  let mod: ConfluentModule;
  try {
    mod = createRequire(manifest)(CONFLUENT_PACKAGE) as ConfluentModule;
  } catch (err) {
    // Built for another Node (ABI) or half built: the addon does not load.
    throw new ConfluentNotInstalled(
      dir,
      `it is there but does not load: ${String((err as Error).message ?? err).split("\n")[0]}; install again`,
    );
  }
  loaded = { dir, mod };
  return mod;
}

/** The installed package's version, or undefined. */
export function installedConfluentVersion(dir = confluentDir()): string | undefined {
  try {
    return (createRequire(join(dir, "package.json"))(`${CONFLUENT_PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** One consume() call of up to `max` records (librdkafka's worker thread); a throw is a rejection. */
export function consumeBatch(consumer: Pick<RdConsumer, "consume">, max: number): Promise<RdMessage[]> {
  return new Promise((resolve, reject) => {
    try {
      consumer.consume(max, (err, messages) => (err ? reject(err) : resolve(messages ?? [])));
    } catch (err) {
      reject(err);
    }
  });
}
