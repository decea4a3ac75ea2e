// Packet drops inside a container with iptables, for network partitions. Rules live in one chain of
// our own (KH-NEMESIS, jumped to from INPUT of the filter table), so healing removes exactly what we
// added: Docker's embedded DNS keeps its nat rules in the same network namespace, and flushing
// those would break name resolution of kafkaN / zkN.
//
// Only INPUT is filtered (as Jepsen does): a TCP connection cannot work when one side drops the
// other's packets, and rules on both sides make a symmetric cut. Rules match only the run's own
// containers' addresses, never the gateway, so the harness's clients (which reach brokers through
// the published 127.0.0.1 ports) still reach an isolated broker, as in Jepsen.
//
// A restarted container gets a fresh network namespace without our rules.
import { IPTABLES_FRONT_ENDS } from "../cluster/iptables-front-ends.ts";
import type { Partitionable } from "./capabilities.ts";

export const CHAIN = "KH-NEMESIS";

/** Both front-ends exist in the image, and on this machine's kernel both work; the order is
 *  IPTABLES_FRONT_ENDS's. */
export const VARIANTS = IPTABLES_FRONT_ENDS;
export type IptablesVariant = (typeof VARIANTS)[number];

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function assertIpv4(address: string): string {
  const m = IPV4.exec(address);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) throw new Error(`not an IPv4 address: ${JSON.stringify(address)}`);
  return address;
}

async function sh(node: Partitionable, script: string): Promise<string> {
  const r = await node.exec(["bash", "-c", script]);
  if (r.exitCode !== 0) throw new Error(`${node.name}: iptables failed (exit ${r.exitCode}): ${r.output.trim().slice(-400)}`);
  return r.output;
}

/** Finds a variant that can create and delete a chain in this container. */
export async function detectVariant(node: Partitionable): Promise<IptablesVariant> {
  const problems: string[] = [];
  for (const v of VARIANTS) {
    const probe = `${v} -w -N KH-PROBE && ${v} -w -X KH-PROBE`;
    const r = await node.exec(["bash", "-c", probe]);
    if (r.exitCode === 0) return v;
    problems.push(`${v}: ${r.output.trim().split("\n").pop()}`);
  }
  throw new Error(`${node.name}: no working iptables (${problems.join("; ")})`);
}

/** Shell that (idempotently) creates the chain, hooks it into INPUT and drops packets from each address. */
export function dropScript(v: IptablesVariant, addresses: readonly string[]): string {
  const lines = [
    `${v} -w -N ${CHAIN} 2>/dev/null || true`,
    `${v} -w -C INPUT -j ${CHAIN} 2>/dev/null || ${v} -w -I INPUT 1 -j ${CHAIN}`,
    ...addresses.map((a) => `${v} -w -A ${CHAIN} -s ${assertIpv4(a)} -j DROP`),
  ];
  return `set -e\n${lines.join("\n")}`;
}

/** Shell that removes our hook and chain if present (printing "had-rules" if it was); succeeds when there is nothing to remove. */
export function flushScript(v: IptablesVariant): string {
  return [
    `if ${v} -w -S ${CHAIN} >/dev/null 2>&1; then echo had-rules; fi`,
    `while ${v} -w -D INPUT -j ${CHAIN} 2>/dev/null; do :; done`,
    `${v} -w -F ${CHAIN} 2>/dev/null || true`,
    `${v} -w -X ${CHAIN} 2>/dev/null || true`,
    `! ${v} -w -S ${CHAIN} >/dev/null 2>&1`,
  ].join("\n");
}

export async function dropFrom(node: Partitionable, v: IptablesVariant, addresses: readonly string[]): Promise<void> {
  if (addresses.length === 0) return;
  await sh(node, dropScript(v, addresses));
}

/** Removes our rules; true if there were any. */
export async function flushRules(node: Partitionable, v: IptablesVariant): Promise<boolean> {
  return (await sh(node, flushScript(v))).includes("had-rules");
}

/**
 * Every filter-table rule (not policy) in the container, from both front-ends, so a test can say
 * "nothing left" whichever one was used.
 */
export async function filterRules(node: Partitionable): Promise<string[]> {
  const out: string[] = [];
  for (const v of VARIANTS) {
    const r = await node.exec(["bash", "-c", `${v} -w -S 2>/dev/null`]);
    for (const line of r.output.split("\n")) {
      const l = line.trim();
      if (l.startsWith("-A ") || l.startsWith("-N ")) out.push(`${v}: ${l}`);
    }
  }
  return out;
}
