// Which subnet a run's network gets and each node's address on it. Pure. A node keeps one address
// for the life of the cluster: Docker otherwise hands a restarted container the lowest free
// address, so two nodes started again in the other order swap addresses (a KRaft voter still
// running then fetches from the wrong controller, and the quorum never heals).
import type { Role } from "./node-container.ts";

/** Runs' networks are /24s of this private /16 (10.213.0.0/24 .. 10.213.255.0/24). */
export const SUBNET_POOL = "10.213.0.0/16";

interface Range {
  first: number;
  last: number;
}

/** An IPv4 CIDR as its first and last address (as unsigned 32-bit numbers); undefined for IPv6 or junk. */
export function cidrRange(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = ip - (ip % size);
  return { first, last: first + size - 1 };
}

const overlaps = (a: Range, b: Range) => a.first <= b.last && b.first <= a.last;

const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/**
 * The first /24 of the pool that overlaps none of `existing` (the engine's networks' subnets, any
 * size; IPv6 ones are ignored) nor `avoid` (subnets already tried and refused by the engine).
 * Undefined when the pool is full.
 */
export function freeSubnet(existing: readonly string[], avoid: readonly string[] = []): string | undefined {
  const pool = cidrRange(SUBNET_POOL)!;
  const taken = [...existing, ...avoid].map(cidrRange).filter((r): r is Range => r !== undefined);
  for (let first = pool.first; first <= pool.last; first += 256) {
    const candidate = { first, last: first + 255 };
    if (!taken.some((t) => overlaps(t, candidate))) return `${dotted(first)}/24`;
  }
  return undefined;
}

/** Host part of each role's first address: zk1 .11, c1 .21, kafka1 .31 (ids 1..5 each). */
const ROLE_BASE: Record<Role, number> = { zookeeper: 10, controller: 20, broker: 30 };

/**
 * A node's fixed address in a /24: by role and its index within the role (ZooKeeper myid, broker id,
 * or a dedicated controller's position 1..K). Never .0-.9, so never an address Docker gives out
 * first (the gateway is .1, dynamically placed containers start at .2).
 */
export function nodeAddress(subnet: string, role: Role, index: number): string {
  const range = cidrRange(subnet);
  if (!range || range.last - range.first !== 255) throw new Error(`node addresses need a /24 subnet, not ${subnet}`);
  if (!Number.isInteger(index) || index < 1 || index > 9) throw new Error(`node index must be 1..9, not ${index}`);
  return dotted(range.first + ROLE_BASE[role] + index);
}
