// The ssh inventory where a run's spec is loaded: the command line's ssh flags, and an inventory
// given as a file (by --inventory or a spec file's `cluster.inventory: FILE`) read and put inline,
// so the run's stored spec names the hosts it ran on and replays without the file.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { SpecError, specErrorOf } from "../spec/errors.ts";
import {
  inventoryFromFlags,
  type SshFlags,
  type SshInventory,
  type SshInventoryInput,
  SshInventorySchema,
  withConsent,
} from "../spec/ssh-inventory.ts";
import { messageOf } from "../util/errors.ts";
import type { Plain } from "../util/merge.ts";

/** Reads an inventory file's text (YAML or JSON, YAML being a superset). */
export type ReadText = (path: string) => Promise<string>;

/**
 * The spec input with its inventory inline: the flags' inventory over the spec file's, a file name
 * read (relative to the spec file when the spec named it), and --i-own-these-nodes as consent.
 */
export async function inlineInventory(base: Plain, flags: SshFlags, o: { specFile?: string; read?: ReadText } = {}): Promise<Plain> {
  const fromFlags = inventoryFromFlags(flags);
  if (fromFlags && "problem" in fromFlags) throw new SpecError("command line", [fromFlags.problem]);
  const cluster = (base.cluster ?? {}) as Plain;
  const given = fromFlags?.inventory ?? (cluster.inventory as SshInventoryInput | string | undefined);
  if (given === undefined) {
    if (flags.iOwnTheseNodes)
      throw new SpecError("command line", ["--i-own-these-nodes needs the nodes: --ssh-hosts, --inventory or a spec's cluster.inventory"]);
    return base;
  }
  const relativeTo = fromFlags || !o.specFile ? process.cwd() : dirname(o.specFile);
  const inventory = typeof given === "string" ? await readInventory(resolve(relativeTo, given), o.read) : given;
  return { ...base, cluster: { ...cluster, inventory: withConsent(inventory, flags.iOwnTheseNodes) } };
}

export async function readInventory(path: string, read: ReadText = (p) => readFile(p, "utf8")): Promise<SshInventoryInput> {
  let text: string;
  try {
    text = await read(path);
  } catch (e) {
    throw new SpecError(`inventory ${path}`, [`cannot be read: ${messageOf(e)}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new SpecError(`inventory ${path}`, [`is not YAML or JSON: ${messageOf(e)}`]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SpecError(`inventory ${path}`, ["must hold an object (nodes, user, keyFile, mode...)"]);
  return parsed as SshInventoryInput;
}

/** An inventory file read and checked on its own (`clean --ssh`): its hosts and login, not a run's consent. */
export async function loadInventory(path: string, read?: ReadText): Promise<SshInventory> {
  const input = await readInventory(resolve(path), read);
  const r = SshInventorySchema.safeParse(input);
  if (!r.success) throw specErrorOf(`inventory ${path}`, r.error, input, SshInventorySchema);
  return r.data;
}
