// What ZooKeeper knows, read with its four-letter words from inside a ZooKeeper container (no JVM
// to start, no port to publish): `srvr` gives a node's mode, `dump` lists every session with its
// ephemeral nodes. A broker's registration (/brokers/ids/N) and the /controller node are ephemerals
// of the broker's one session, so the session that owns /controller tells which broker is the
// controller, straight from ZooKeeper.
import type { NodeHandle } from "./node-handle.ts";

/** What asking a ZooKeeper node needs: a name and a command run inside its container. */
type ZooKeeperNode = Pick<NodeHandle, "name" | "exec">;

const fourLetter = (word: string) => ["timeout", "5", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/2181; echo ${word} >&3; cat <&3`];

export interface EphemeralsDump {
  /** session id → ephemeral paths it owns */
  sessions: Record<string, string[]>;
}

export function parseSrvrMode(output: string): string | undefined {
  return /^Mode: (\w+)/m.exec(output)?.[1];
}

export function parseDump(output: string): EphemeralsDump {
  const sessions: Record<string, string[]> = {};
  const at = output.indexOf("Sessions with Ephemerals");
  if (at < 0) throw new Error(`no ephemerals section in dump output: ${output.slice(0, 200)}`);
  let current: string | undefined;
  for (const line of output.slice(at).split("\n").slice(1)) {
    const session = /^(0x[0-9a-f]+):\s*$/i.exec(line);
    if (session) {
      current = session[1]!;
      sessions[current] = [];
    } else if (/^\s+\//.test(line) && current) {
      sessions[current]!.push(line.trim());
    } else if (line.trim() && !/^\s/.test(line)) {
      break; // next section ("Connections dump:")
    }
  }
  return { sessions };
}

/** Broker id → the ZooKeeper session that registered it. */
export function registeredBrokers(d: EphemeralsDump): Map<number, string> {
  const out = new Map<number, string>();
  for (const [session, paths] of Object.entries(d.sessions)) {
    for (const p of paths) {
      const m = /^\/brokers\/ids\/(\d+)$/.exec(p);
      if (m) out.set(Number(m[1]), session);
    }
  }
  return out;
}

/** The controller's broker id: the broker registered by the session that owns /controller. */
export function controllerOf(d: EphemeralsDump): number | undefined {
  const owner = Object.entries(d.sessions).find(([, paths]) => paths.includes("/controller"))?.[0];
  if (!owner) return undefined;
  return [...registeredBrokers(d)].find(([, s]) => s === owner)?.[0];
}

/** The node's ZooKeeper mode (leader, follower, standalone), or undefined if it does not serve. */
export async function zkMode(node: ZooKeeperNode): Promise<string | undefined> {
  return parseSrvrMode((await node.exec(fourLetter("srvr"))).output);
}

/** The ephemerals as seen by the first of the given ZooKeeper nodes that serves (leader first). */
export async function readEphemerals(zookeepers: readonly ZooKeeperNode[]): Promise<EphemeralsDump> {
  const modes = await Promise.all(zookeepers.map(async (z) => ({ z, mode: await zkMode(z).catch(() => undefined) })));
  const serving = modes.filter((m) => m.mode).sort((a, b) => Number(b.mode === "leader") - Number(a.mode === "leader"));
  if (serving.length === 0) throw new Error(`no ZooKeeper node serves (asked ${zookeepers.map((z) => z.name).join(", ")})`);
  const problems: string[] = [];
  for (const { z } of serving) {
    try {
      return parseDump((await z.exec(fourLetter("dump"))).output);
    } catch (err) {
      problems.push(`${z.name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`could not read ZooKeeper's ephemerals: ${problems.join("; ")}`);
}
