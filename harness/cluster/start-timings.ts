// Where a cluster's start spends its time. startCluster sets a few marks (epoch ms, plain data);
// each node's container start and its JVM's "up" line come from the engine (Docker's StartedAt and
// the log line's timestamp). startBreakdown lays them on one timeline and gives each gap to the
// phase of the event that closes it, so the phases sum to the whole start even when nodes start in
// parallel, and the same breakdown describes a sequential start and a parallel one. Pure.

/** Marks startCluster sets: begin (the first container is asked for), ensemble (the ZooKeeper
 *  ensemble serves / the KRaft quorum is ready), registered (every broker sees every other),
 *  topicCreated (the readiness topic has leaders), ready (its ISR is full). */
export interface StartMarks {
  begin: number;
  ensemble?: number;
  registered?: number;
  topicCreated?: number;
  ready: number;
}

/** The first log line of a node's own server code: where the JVM's start ends and the node's start
 *  (ZooKeeper's election, a broker's log loading, listeners and registration) begins. A broker of a
 *  combined KRaft cluster that votes starts its controller first: either server's line counts. */
export function serverStartLine(role: "zookeeper" | "broker" | "controller", kraft: boolean, combined = false): RegExp {
  const controller = /\[ControllerServer id=\d+\] Starting controller/;
  if (role === "zookeeper") return /binding to port/;
  if (role === "controller") return controller;
  if (!kraft) return /INFO starting \(kafka\.server\.KafkaServer\)/;
  const broker = /\[BrokerServer id=\d+\] Transition from SHUTDOWN to STARTING/;
  return combined ? new RegExp(`${controller.source}|${broker.source}`) : broker;
}

/** One node's start as the engine reports it (epoch ms). */
export interface NodeStart {
  name: string;
  /** The container is running (Docker's State.StartedAt). */
  running: number;
  /** The node's server code logged its first line (serverStartLine). */
  jvmUp?: number;
}

export const START_PHASES = ["container start", "JVM start", "ensemble/quorum", "broker registration", "topic ready"] as const;
export type StartPhase = (typeof START_PHASES)[number];
export type StartBreakdown = Record<StartPhase | "total", number>;

/** Seconds per phase (to a tenth after summing) and the total from begin to ready. */
export function startBreakdown(marks: StartMarks, nodes: readonly NodeStart[]): StartBreakdown {
  const events: { at: number; phase: StartPhase }[] = [
    ...nodes.map((n) => ({ at: n.running, phase: "container start" as const })),
    ...nodes.flatMap((n) => (n.jvmUp === undefined ? [] : [{ at: n.jvmUp, phase: "JVM start" as const }])),
    ...(marks.ensemble === undefined ? [] : [{ at: marks.ensemble, phase: "ensemble/quorum" as const }]),
    ...(marks.registered === undefined ? [] : [{ at: marks.registered, phase: "broker registration" as const }]),
    ...(marks.topicCreated === undefined ? [] : [{ at: marks.topicCreated, phase: "topic ready" as const }]),
    { at: marks.ready, phase: "topic ready" as const },
  ]
    // Clamped into [begin, ready]: the engine's clock and ours are the same, but rounded differently.
    .map((e) => ({ ...e, at: Math.min(marks.ready, Math.max(marks.begin, e.at)) }))
    .sort((a, b) => a.at - b.at);
  const ms = Object.fromEntries(START_PHASES.map((p) => [p, 0])) as Record<StartPhase, number>;
  let last = marks.begin;
  for (const e of events) {
    ms[e.phase] += e.at - last;
    last = e.at;
  }
  const s = (x: number) => Math.round(x / 100) / 10;
  return {
    ...(Object.fromEntries(START_PHASES.map((p) => [p, s(ms[p])])) as Record<StartPhase, number>),
    total: s(marks.ready - marks.begin),
  };
}
