// Which faults an attached cluster can have (cluster kind "attach"): the harness touches no broker
// process and no network there, so a fault is carried out by the user's own hook command, and only
// where one command on one broker can do it (kill, stop, pause). Everything else is refused when
// the spec is read, naming the fault and the kind, before anything connects.
import type { FaultKind } from "./fault-kinds.ts";

/** The faults a hook can carry out: one broker's process, ended by the same hook's "stop" phase. */
export const HOOK_FAULTS = ["kill", "stop", "pause"] as const;
export type HookFault = (typeof HOOK_FAULTS)[number];

/** faults.hooks: a shell command per fault (run with /bin/sh -c), and how long one may take. */
export type FaultHooks = Partial<Record<HookFault, string>> & { timeoutSeconds?: number };

/** What an attached cluster can aim at: brokers, found in Kafka's own metadata. Its ZooKeeper
 *  nodes and KRaft controllers are not known to the harness. */
const BROKER_ONLY = /^(zk-|controller-|active-controller$|all-controllers$|controllers$)/;

interface FaultsPart {
  kinds: readonly FaultKind[];
  targets: readonly string[];
  schedule?: ReadonlyArray<{ fault: string; targets?: { kind: string } }>;
  hooks?: FaultHooks;
}

export interface KindProblem {
  path: (string | number)[];
  message: string;
}

const isHookFault = (f: string): f is HookFault => (HOOK_FAULTS as readonly string[]).includes(f);

/** Faults through the Admin API (moving the topic's replicas): no hook, but only with cluster.alterReplicas. */
const MEMBERSHIP_FAULTS: readonly string[] = ["reassign", "elect-leaders", "shrink-replicas"];

/** Faults that start a node the cluster did not have (a container of the run's image). */
const DOCKER_ONLY_FAULTS: readonly string[] = ["add-broker"];

/** ssh: the hosts are the inventory's; the harness adds none. */
function dockerOnly(faults: FaultsPart): KindProblem[] {
  const problem = (f: string, path: (string | number)[]): KindProblem[] =>
    DOCKER_ONLY_FAULTS.includes(f)
      ? [{ path, message: `${f} starts one more broker: only on cluster kind "docker" (an ssh cluster's hosts are its inventory's)` }]
      : [];
  return [
    ...faults.kinds.flatMap((k, i) => problem(k, ["faults", "kinds", i])),
    ...(faults.schedule ?? []).flatMap((f, i) => problem(f.fault, ["faults", "schedule", i, "fault"])),
  ];
}

/** Why these faults cannot run on a cluster of this kind (empty: they can). */
export function faultProblemsOfKind(
  kind: "docker" | "attach" | "ssh",
  faults: FaultsPart,
  o: { alterReplicas?: boolean } = {},
): KindProblem[] {
  if (kind !== "attach") {
    const hooks: KindProblem[] =
      faults.hooks === undefined
        ? []
        : [{ path: ["faults", "hooks"], message: `run only on cluster kind "attach" (a ${kind} cluster's faults are the harness's own)` }];
    return kind === "ssh" ? [...hooks, ...dockerOnly(faults)] : hooks;
  }
  const problems: KindProblem[] = [];
  const fault = (f: string, path: (string | number)[]) => {
    if (MEMBERSHIP_FAULTS.includes(f)) {
      if (!o.alterReplicas)
        problems.push({
          path,
          message: `${f} moves the topic's replicas: on cluster kind "attach" only with cluster.alterReplicas: true (the cluster is not the harness's own)`,
        });
    } else if (!isHookFault(f))
      problems.push({
        path,
        message: `${f} cannot run on cluster kind "attach": the harness touches no broker process or network there, and a hook (faults.hooks) can carry out only ${HOOK_FAULTS.join(", ")}`,
      });
    else if (!faults.hooks?.[f])
      problems.push({
        path,
        message: `${f} on cluster kind "attach" needs a hook: faults.hooks.${f}, a command that does it to the broker at $KH_TARGET_HOST (and undoes it when KH_PHASE=stop)`,
      });
  };
  const target = (t: string, path: (string | number)[]) => {
    if (BROKER_ONLY.test(t))
      problems.push({
        path,
        message: `${t} cannot be aimed at on cluster kind "attach": only brokers are known there (from Kafka's metadata), not ZooKeeper nodes or controllers`,
      });
  };
  for (const [i, k] of faults.kinds.entries()) fault(k, ["faults", "kinds", i]);
  if (faults.kinds.length) for (const [i, t] of faults.targets.entries()) target(t, ["faults", "targets", i]);
  for (const [i, f] of (faults.schedule ?? []).entries()) {
    fault(f.fault, ["faults", "schedule", i, "fault"]);
    if (f.targets) target(f.targets.kind, ["faults", "schedule", i, "targets"]);
  }
  return problems;
}
