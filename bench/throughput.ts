// `npm run bench -- throughput [--clients a,b] [--seconds N] [--faultfs]`: the highest rate of acknowledged
// writes per second the harness sustains with full recording, per client library, beside the same
// library driving the same cluster without recording, and the ratio of the two.
//
// Recorded: the run's own path: the library's recording producer (harness/clients/*, opened through
// the registry as a run opens it) and one history.jsonl per step, written line by line by the
// recorder. Raw: bench/throughput/<client>.ts, the same library with the same settings and the same
// send pattern, nothing recorded. Both ramp the offered load (producers x burst in flight,
// throughput/ramp.ts) until the acknowledged rate stops rising or p99 explodes; the ceiling is the
// best step. acks=all (the spec's default producer settings) on a default 3-broker ZooKeeper
// cluster; each client on its own fresh topic (3 partitions, replication 3, min ISR 2), the raw and
// recorded steps of a level alternating which goes first. Each client is warmed up first (the
// brokers' JIT warms over the first minute). Only producers: a run's consumers are not part of it.
// A client that is not installed prints how to install it instead of figures; the bench goes on.
// Prints figures; asserts nothing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProducerSettings } from "../harness/clients/client.ts";
import { processCounter } from "../harness/clients/context.ts";
import { loadClient } from "../harness/clients/registry.ts";
import { type Cluster, createTopic, startCluster } from "../harness/cluster/cluster.ts";
import { createRecorder } from "../harness/history/recorder.ts";
import { CLIENT_NAMES, type ClientName } from "../harness/spec/client.ts";
import { parseTestSpec } from "../harness/spec/test-spec.ts";
import { ensureEngine } from "../harness/util/engine.ts";
import { EnvironmentError } from "../harness/util/environment.ts";
import { DEFAULT_RULE, type Level, percentile, RAMP_LEVELS, type RampVerdict, rampVerdict, type Step } from "./throughput/ramp.ts";
import { loadRawProducer, type RawProducer } from "./throughput/raw-producer.ts";
import { type ClientRow, clientRow, formatStep, formatTable, type Mode } from "./throughput/table.ts";

export interface ThroughputOptions {
  clients: ClientName[];
  /** Seconds each step sends for. */
  seconds: number;
  /** The brokers' log directories on the fault-injecting filesystem (disk and power-loss runs):
   *  what the layer costs. */
  faultfs?: boolean;
}

/** --clients a,b, --seconds N and --faultfs, checked: a typo must not silently measure something else. */
export function parseThroughputArgs(args: readonly string[]): ThroughputOptions {
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const clients = (flag("--clients")?.split(",") ?? [...CLIENT_NAMES]).map((c) => c.trim());
  for (const c of clients) {
    if (!(CLIENT_NAMES as readonly string[]).includes(c))
      throw new Error(`--clients: no client ${JSON.stringify(c)} (known: ${CLIENT_NAMES.join(", ")})`);
  }
  const seconds = Number(flag("--seconds") ?? 5);
  if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, not ${flag("--seconds")}`);
  return { clients: clients as ClientName[], seconds, ...(args.includes("--faultfs") ? { faultfs: true } : {}) };
}

const PARTITIONS = 3;
const WARM_UP_LEVEL: Level = { producers: 16, burst: 4 };
/** The brokers' JIT warms over the first minute on 2 cores: the first client measured sends this
 *  long more before its ramp, so it does not get only the colder cluster. */
const CLUSTER_WARM_UP_SECONDS = 10;

/** One step: `level.producers` producers opened (not timed), each sending bursts back to back
 *  until the step's time is up; the rate counts until the last burst is answered. */
async function measure(open: () => Promise<RawProducer>, level: Level, seconds: number): Promise<Step> {
  const producers = await Promise.all(Array.from({ length: level.producers }, open));
  let acked = 0;
  let failed = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    await Promise.all(
      producers.map(async (producer, p) => {
        for (let next = 0; performance.now() < deadline; ) {
          // Unique per key, as a run's values are.
          const values = Array.from({ length: level.burst }, () => next++ * level.producers + p);
          const t = performance.now();
          const n = await producer.send(p % PARTITIONS, values);
          latencies.push(performance.now() - t);
          acked += n;
          failed += values.length - n;
        }
      }),
    );
  } finally {
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
  }
  // Closing is outside the time: it waits for nothing the step counted.
  const elapsed = (performance.now() - started) / 1000;
  return { level, acked: acked / elapsed, p99Ms: percentile(latencies, 99), failed };
}

async function rampClient(
  name: ClientName,
  bootstrap: string[],
  settings: ProducerSettings,
  opts: { seconds: number; dir: string; warmCluster: boolean },
): Promise<ClientRow> {
  const { seconds, dir } = opts;
  const topic = `throughput_${name}`;
  let openers: Record<Mode, (historyPath: string) => () => Promise<RawProducer>>;
  try {
    const client = await loadClient(name);
    const openRaw = await loadRawProducer(name);
    openers = {
      raw: () => () => openRaw(bootstrap, topic, settings),
      // One recorder per step, shared by its producers: one history file, as a run writes.
      recorded: (historyPath) => {
        const ctx = { bootstrap: () => bootstrap, recorder: createRecorder({ path: historyPath }), nextProcess: processCounter() };
        return async () => {
          const p = await client.openProducer(ctx, settings, [topic]);
          return {
            send: async (partition, values) => ((await p.send(`${topic}-${partition}`, values)) === "ok" ? values.length : 0),
            close: () => p.close(),
          };
        };
      },
    };
  } catch (err) {
    if (err instanceof EnvironmentError) return { client: name, absent: `not installed: ${err.advice}` };
    throw err;
  }
  await createTopic(bootstrap, topic, {
    partitions: PARTITIONS,
    replicationFactor: 3,
    config: { "min.insync.replicas": "2" },
  });
  let n = 0;
  const step = (mode: Mode, level: Level, s = seconds) => measure(openers[mode](join(dir, `${name}-${n++}.jsonl`)), level, s);
  await step("raw", WARM_UP_LEVEL, opts.warmCluster ? CLUSTER_WARM_UP_SECONDS : Math.min(3, seconds));
  await step("recorded", WARM_UP_LEVEL, Math.min(3, seconds));

  const steps: Record<Mode, Step[]> = { raw: [], recorded: [] };
  const verdicts: Record<Mode, RampVerdict> = { raw: { go: true }, recorded: { go: true } };
  for (const [i, level] of RAMP_LEVELS.entries()) {
    for (const mode of i % 2 === 0 ? (["raw", "recorded"] as const) : (["recorded", "raw"] as const)) {
      if (!verdicts[mode].go) continue;
      const s = await step(mode, level);
      console.log(formatStep(name, mode, s));
      steps[mode].push(s);
      verdicts[mode] = rampVerdict(steps[mode], RAMP_LEVELS.length, DEFAULT_RULE);
    }
    if (!verdicts.raw.go && !verdicts.recorded.go) break;
  }
  return clientRow(name, steps, verdicts);
}

/** The bench on a fresh default cluster (or the one given, left running). */
export async function benchThroughput(opts: ThroughputOptions, given?: Cluster): Promise<ClientRow[]> {
  const spec = parseTestSpec({});
  const settings: ProducerSettings = spec.producer;
  let cluster = given;
  if (!cluster) {
    await ensureEngine();
    cluster = await startCluster(opts.faultfs ? { faultfs: true } : {});
    console.log(
      `cluster: 3 ZooKeeper + 3 brokers ready in ${cluster.readySeconds} s${opts.faultfs ? ", log directories on the fault-injecting filesystem" : ""}`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "kafka-harness-throughput-"));
  const started = performance.now();
  const rows: ClientRow[] = [];
  try {
    console.log(
      `acks=${settings.acks}, maxInFlight ${settings.maxInFlight}, idempotent ${settings.idempotent}; ${opts.seconds} s per step; ramp ${RAMP_LEVELS.map((l) => `${l.producers}x${l.burst}`).join(", ")} until +${DEFAULT_RULE.minGain * 100}% fails ${DEFAULT_RULE.patience} times or p99 > ${DEFAULT_RULE.maxP99Ms} ms`,
    );
    for (const name of opts.clients) {
      try {
        const warmCluster = rows.every((r) => "absent" in r);
        rows.push(await rampClient(name, cluster.bootstrap(), settings, { seconds: opts.seconds, dir, warmCluster }));
      } catch (err) {
        rows.push({ client: name, absent: `failed: ${String((err as Error).message ?? err).split("\n")[0]}` });
      }
    }
    for (const l of formatTable(rows)) console.log(l);
    const meanBurst = (1 + spec.workload.maxBurst) / 2;
    console.log(
      `the default workload offers ${spec.workload.rate} send ops/s, about ${Math.round(spec.workload.rate * meanBurst)} writes/s (bursts of 1-${spec.workload.maxBurst}); cluster time ${Math.round((performance.now() - started) / 1000)} s`,
    );
  } finally {
    if (!given) await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
