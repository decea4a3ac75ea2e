// Cluster kind "ssh": the nodes the harness logs in to, as plain data (docs/design.md "Cluster
// kinds"). One process per host: a network fault is iptables rules on a host, so two processes on
// one host could not be cut from each other. What the nodes cannot be asked to do is refused when
// the spec is read, before any connection: no consent, roles that do not make the metadata mode's
// cluster, an existing-mode node without its start command, pid, log or data directory.
import { z } from "zod";
import type { MetadataMode } from "./fault-kinds.ts";
import { int } from "./numbers.ts";

/** What a host runs: a ZooKeeper node, a dedicated KRaft controller, a broker, or a KRaft node
 *  that is both broker and controller (process.roles=broker,controller). */
export const SSH_ROLES = ["zookeeper", "controller", "broker", "combined"] as const;
export type SshRole = (typeof SSH_ROLES)[number];

/** install: the harness uploads Kafka, writes the config, starts and stops the processes and
 *  removes everything at teardown. existing: the user's Kafka, started by the user's command. */
export const SSH_MODES = ["install", "existing"] as const;
export type SshMode = (typeof SSH_MODES)[number];

/** How the harness drives a process it did not install (mode existing). */
const ExistingProcessSchema = z
  .object({
    /** A shell command that starts the process (run with sh -c, as the inventory's user). */
    start: z.string().min(1),
    /** A shell command that prints the process's pid (`cat /run/kafka.pid`, `pgrep -f kafka.Kafka`). */
    pid: z.string().min(1),
    /** The process's log file, downloaded into the run's logs folder. */
    log: z.string().min(1),
    /** Its data directory (log.dirs, or ZooKeeper's dataDir). */
    dataDir: z.string().min(1),
    /** The port the harness reaches it at: a broker's client listener (default 9092), a dedicated
     *  controller's CONTROLLER listener (default 9093). */
    port: int(1, 65535).optional(),
  })
  .strict();
export type ExistingProcess = z.output<typeof ExistingProcessSchema>;
const PartialExisting = ExistingProcessSchema.partial();

const Host = z.string().regex(/^[A-Za-z0-9._:[\]-]+$/, { error: "must be a host name or address" });
const Port = int(1, 65535);

const SshNodeSchema = z
  .object({
    host: Host,
    role: z.enum(SSH_ROLES, { error: `must be one of ${SSH_ROLES.join(", ")}` }),
    /** Overrides of the inventory's user and port for this host. */
    user: z.string().min(1).optional(),
    port: Port.optional(),
    /** existing: this host's process, over the inventory's `existing` for its role. */
    existing: PartialExisting.optional(),
  })
  .strict();
export type SshNode = z.output<typeof SshNodeSchema>;

export const SshInventorySchema = z
  .object({
    /** The consent: the harness kills, pauses and cuts these hosts, and (install) removes what it
     *  put there. Refused unless true (--i-own-these-nodes). */
    destructive: z.boolean().optional(),
    mode: z.enum(SSH_MODES, { error: 'must be "install" or "existing"' }).default("install"),
    user: z.string().min(1).default("root"),
    /** The private key file (absent: the SSH agent at $SSH_AUTH_SOCK). */
    keyFile: z.string().min(1).optional(),
    port: Port.default(22),
    /** existing: each role's process, as a node's `existing` fills in or overrides. */
    existing: z.partialRecord(z.enum(SSH_ROLES), PartialExisting).optional(),
    nodes: z.array(SshNodeSchema).min(1, { error: "must name at least one host" }),
  })
  .strict();
export type SshInventoryInput = z.input<typeof SshInventorySchema>;
export type SshInventory = z.output<typeof SshInventorySchema>;

/** A problem at a path under cluster.inventory. */
export interface InventoryProblem {
  path: (string | number)[];
  message: string;
}

/** How many of each role the inventory has: the cluster's counts (brokers, zookeepers,
 *  controllers, combined), so the rest of the harness reads an ssh cluster as a docker one. */
export function inventoryCounts(inv: Pick<SshInventory, "nodes">) {
  const n = (r: SshRole) => inv.nodes.filter((x) => x.role === r).length;
  const combined = n("combined");
  return {
    brokers: n("broker") + combined,
    zookeepers: n("zookeeper"),
    controllers: n("controller") + combined,
    combined: combined > 0,
  };
}

/** A node's existing-mode process: the inventory's for its role, then its own. */
export const existingOf = (inv: SshInventory, node: SshNode): Partial<ExistingProcess> => ({
  ...inv.existing?.[node.role],
  ...node.existing,
});

const EXISTING_FIELDS = ["start", "pid", "log", "dataDir"] as const;

/** Why this inventory cannot make a cluster of this metadata mode (empty: it can). */
export function inventoryProblems(inv: SshInventory, metadata: MetadataMode): InventoryProblem[] {
  const problems: InventoryProblem[] = [];
  if (inv.destructive !== true)
    problems.push({
      path: ["destructive"],
      message:
        "must be true: the harness kills, pauses and cuts off these hosts' processes (and in mode install removes what it put there); say so with destructive: true or --i-own-these-nodes",
    });
  const seen = new Map<string, number>();
  for (const [i, node] of inv.nodes.entries()) {
    const key = `${node.host}:${node.port ?? inv.port}`;
    const first = seen.get(key);
    if (first !== undefined)
      problems.push({
        path: ["nodes", i, "host"],
        message: `${node.host} is also nodes.${first}: one process per host (a network fault cuts a whole host)`,
      });
    else seen.set(key, i);
    const wrong = metadata === "kraft" ? node.role === "zookeeper" : node.role === "controller" || node.role === "combined";
    if (wrong)
      problems.push({
        path: ["nodes", i, "role"],
        message:
          metadata === "kraft"
            ? "zookeeper is no role in a KRaft cluster (cluster.metadata is kraft)"
            : `${node.role} is a KRaft role, and this is ZooKeeper mode (cluster.metadata "kraft" for it)`,
      });
    if (inv.mode === "existing") {
      const have = existingOf(inv, node);
      const missing = EXISTING_FIELDS.filter((f) => have[f] === undefined);
      if (missing.length)
        problems.push({
          path: ["nodes", i, "existing"],
          message: `mode existing needs ${missing.join(", ")} for ${node.host} (in nodes.${i}.existing or existing.${node.role})`,
        });
    } else if (node.existing !== undefined)
      problems.push({ path: ["nodes", i, "existing"], message: "is for mode existing only (mode install starts its own processes)" });
  }
  if (inv.mode === "install" && inv.existing !== undefined)
    problems.push({ path: ["existing"], message: "is for mode existing only (mode install starts its own processes)" });
  const c = inventoryCounts(inv);
  if (c.brokers === 0) problems.push({ path: ["nodes"], message: "has no broker (role broker or combined)" });
  if (metadata === "zookeeper" && c.zookeepers === 0)
    problems.push({ path: ["nodes"], message: "has no zookeeper node, and this is ZooKeeper mode" });
  if (metadata === "kraft") {
    if (c.controllers === 0)
      problems.push({ path: ["nodes"], message: "has no controller (role controller or combined), and this is KRaft mode" });
    if (c.combined && inv.nodes.some((n) => n.role === "controller"))
      problems.push({
        path: ["nodes"],
        message: "mixes combined nodes with dedicated controllers: the quorum is either every combined node or every controller node",
      });
  }
  return problems;
}

/** The simple case on the command line: every host a combined KRaft node, in mode install. */
export interface SshFlags {
  sshHosts?: string;
  sshUser?: string;
  sshKey?: string;
  sshPort?: string;
  inventory?: string;
  iOwnTheseNodes?: boolean;
}

/**
 * The inventory the ssh flags give (undefined: none given): `--inventory FILE` names a file
 * (read where the spec is loaded, and stored inline in the run's spec), `--ssh-hosts a,b,c` makes
 * every host a combined KRaft node (one process per host, so no ZooKeeper layout fits a bare list).
 * --i-own-these-nodes is the consent either way.
 */
export function inventoryFromFlags(f: SshFlags): { inventory: SshInventoryInput | string } | { problem: string } | undefined {
  const simple = f.sshHosts !== undefined || f.sshUser !== undefined || f.sshKey !== undefined || f.sshPort !== undefined;
  if (f.inventory !== undefined && simple)
    return { problem: "--inventory and --ssh-hosts/--ssh-user/--ssh-key/--ssh-port are two ways to name the nodes: give one" };
  if (f.inventory !== undefined) return { inventory: f.inventory };
  if (!simple) return undefined;
  if (f.sshHosts === undefined) return { problem: "--ssh-user, --ssh-key and --ssh-port need --ssh-hosts a,b,c" };
  const port = f.sshPort === undefined ? undefined : Number(f.sshPort);
  if (port !== undefined && !Number.isInteger(port)) return { problem: `--ssh-port must be a whole number (got "${f.sshPort}")` };
  const hosts = f.sshHosts
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  return {
    inventory: {
      ...(f.iOwnTheseNodes ? { destructive: true } : {}),
      ...(f.sshUser !== undefined ? { user: f.sshUser } : {}),
      ...(f.sshKey !== undefined ? { keyFile: f.sshKey } : {}),
      ...(port !== undefined ? { port } : {}),
      nodes: hosts.map((host) => ({ host, role: "combined" as const })),
    },
  };
}

/** The consent given on the command line over an inventory file that lacks it. */
export const withConsent = (inv: SshInventoryInput, given: boolean | undefined): SshInventoryInput =>
  given ? { ...inv, destructive: true } : inv;
