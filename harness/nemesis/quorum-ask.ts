// KRaft: asking the controller quorum who leads, through whichever nodes can answer now. Running
// dedicated controllers are asked directly on their CONTROLLER port (only the leader answers);
// brokers that are up and reach a voter majority forward DescribeQuorum to the controller they know.
import { describeQuorum, type QuorumState } from "../protocol/describe-quorum.ts";
import type { ClientSecurity } from "../protocol/security.ts";
import { messageOf } from "../util/errors.ts";
import { waitFor } from "../util/wait.ts";
import type { NemesisCluster } from "./capabilities.ts";
import type { FaultState } from "./fault-state.ts";
import { firstMatch, reachesQuorum } from "./quorum-watch.ts";

export interface QuorumAsker {
  /** The quorum from its leader asked directly, else from the first broker that answers. */
  now(): Promise<QuorumState>;
  /**
   * The quorum-failover watch's poll, in parallel: every running dedicated controller asked directly
   * (only a leader answers; a killed one refuses at once), and every such broker (which forwards
   * to the controller it knows, so it may still be waiting on a dead one).
   */
  all(): Promise<QuorumState>[];
  /**
   * The quorum leader's id, asked again for up to quorumLeaderWaitMs. A leader elected a few
   * seconds ago may not answer within one ask on a loaded machine, and brokers forward to the
   * controller they knew: asked once, a third active-controller kill was refused while c1 had led
   * for 6 s (its log said so).
   */
  leader(): Promise<number>;
}

export function quorumAsker(
  cluster: NemesisCluster,
  state: FaultState,
  o: {
    describeQuorum?: (port: number, timeoutMs: number, host?: string, security?: ClientSecurity) => Promise<QuorumState>;
    quorumLeaderWaitMs?: number;
  },
): QuorumAsker {
  const ask = o.describeQuorum ?? describeQuorum;
  const brokerSet = new Set(cluster.brokers.map((b) => b.name));
  const ownControllers = (cluster.controllers ?? []).filter((c) => !brokerSet.has(c.name));
  const voterNames = (cluster.controllers ?? []).map((v) => v.name);
  /** Brokers that can describe the quorum now: up, and reaching a voter majority. */
  const quorumBrokers = () => {
    const g = state.partition();
    return cluster.brokers.filter(
      (b) => b.externalPort !== undefined && !state.processFaultOf(b.name) && (!g || reachesQuorum(b.name, voterNames, g)),
    );
  };
  const askControllers = () =>
    ownControllers
      .filter((c) => c.controllerPort !== undefined && !state.processFaultOf(c.name))
      .map((c) => ask(c.controllerPort!, 1000, c.externalHost));
  const now = async () => {
    const direct = await firstMatch(askControllers(), (q) => q.leaderId >= 0);
    if (direct) return direct;
    const problems: string[] = [];
    for (const b of quorumBrokers()) {
      try {
        return await ask(b.externalPort!, 2000, b.externalHost, cluster.security);
      } catch (err) {
        problems.push(`${b.name}: ${messageOf(err)}`);
      }
    }
    throw new Error(`no broker described the quorum (${problems.join("; ") || "none is up and reaching a voter majority"})`);
  };
  return {
    now,
    all: () => [...askControllers(), ...quorumBrokers().map((b) => ask(b.externalPort!, 2000, b.externalHost))],
    leader: () =>
      waitFor(
        "a quorum leader to aim at",
        async () => {
          const q = await now();
          if (q.leaderId < 0) throw new Error(`the quorum has no leader (epoch ${q.leaderEpoch})`);
          return q.leaderId;
        },
        { timeoutMs: o.quorumLeaderWaitMs ?? 10_000, intervalMs: 500 },
      ),
  };
}
