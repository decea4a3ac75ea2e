// Link quality inside a node's network namespace (the link family, families/link.ts): random packet
// drops with iptables' statistic match, and a bandwidth limit with tc. Both are removed by reading
// what is there (rules in our chains, a root qdisc with our handle), so heal-all finds what a failed
// action half-made.
//
// Packet loss lives in chains of its own, KH-LINK-IN (from INPUT) and KH-LINK-OUT (from OUTPUT):
// partitions' KH-NEMESIS (iptables.ts) and these never remove each other's rules. Both directions
// lose packets, so the node's peers see a lossy link both ways. Each matched peer gets a counting
// rule (no target) before its DROP, so the counters say how many packets crossed the link and how
// many of them were dropped. Loopback is never touched (Docker's embedded DNS answers on it).
//
// The bandwidth limit shapes the node's EGRESS only (tc shapes what leaves an interface): a slow
// leader sends its followers and clients little; a slow follower still receives at full speed but
// its fetch requests and acknowledgements queue. "all" is a tbf on the interface; a peer selection
// is an htb whose default class is unlimited, with u32 filters sending the selected peers' packets
// to a limited class (for "others", the other way round). Delay needs netem, which not every kernel
// has: probed once per node, refused where missing.
import type { Partitionable } from "../capabilities.ts";
import { assertIpv4, type IptablesVariant } from "../iptables.ts";

export const LINK_CHAINS = { in: "KH-LINK-IN", out: "KH-LINK-OUT" } as const;
/** The root qdisc handle of our shaping (hex "KH"), so heal tells ours from the default qdisc. */
export const QDISC_HANDLE = "4b48";

/**
 * Which packets a link fault touches: those to/from these peers, those to/from anything but these
 * (the clients: whatever is not a cluster node), or all but loopback.
 */
export type PeerMatch = { peers: readonly string[] } | { except: readonly string[] } | "all";

/** The node's interface towards its peers: the default route's, else the first that is not lo. */
const DEV = `dev=$(ip -o route show default 2>/dev/null | awk '{print $5; exit}'); [ -n "$dev" ] || dev=$(ls /sys/class/net | grep -vx lo | head -n1); [ -n "$dev" ] || { echo "no network interface" >&2; exit 1; }`;

/** One chain's rules for a match: a counting rule, then the coin flip. */
function chainRules(v: IptablesVariant, chain: string, dir: "in" | "out", m: PeerMatch, probability: number): string[] {
  const flag = dir === "in" ? "-s" : "-d";
  const notLo = dir === "in" ? "! -i lo" : "! -o lo";
  const drop = `-m statistic --mode random --probability ${probability} -j DROP`;
  const rule = (match: string, tail = "") => `${v} -w -A ${chain} ${match}${tail ? ` ${tail}` : ""}`;
  if (m === "all") return [rule(notLo), rule(notLo, drop)];
  if ("peers" in m) return m.peers.flatMap((a) => [rule(`${flag} ${assertIpv4(a)}`), rule(`${flag} ${assertIpv4(a)}`, drop)]);
  return [...m.except.map((a) => rule(`${flag} ${assertIpv4(a)}`, "-j RETURN")), rule(notLo), rule(notLo, drop)];
}

/** Shell that creates both chains (failing if they exist: one link fault per node), hooks them first and fills them. */
export function lossScript(v: IptablesVariant, m: PeerMatch, probability: number): string {
  if (!(probability > 0 && probability <= 1)) throw new Error(`probability must be in (0, 1], not ${probability}`);
  const lines = (["in", "out"] as const).flatMap((dir) => {
    const chain = LINK_CHAINS[dir];
    const hook = dir === "in" ? "INPUT" : "OUTPUT";
    return [`${v} -w -N ${chain}`, ...chainRules(v, chain, dir, m, probability), `${v} -w -I ${hook} 1 -j ${chain}`];
  });
  return `set -e\n${lines.join("\n")}`;
}

/** Shell that prints our chains' rules with their counters (nothing when there are none). */
export const lossCountersScript = (v: IptablesVariant) =>
  Object.values(LINK_CHAINS)
    .map((c) => `${v} -w -v -S ${c} 2>/dev/null || true`)
    .join("\n");

/** Shell that unhooks and removes our chains, printing "had-link-rules" if there were any. */
export function lossFlushScript(v: IptablesVariant): string {
  return [
    ...Object.entries(LINK_CHAINS).flatMap(([dir, c]) => [
      `if ${v} -w -S ${c} >/dev/null 2>&1; then echo had-link-rules; fi`,
      `while ${v} -w -D ${dir === "in" ? "INPUT" : "OUTPUT"} -j ${c} 2>/dev/null; do :; done`,
      `${v} -w -F ${c} 2>/dev/null || true`,
      `${v} -w -X ${c} 2>/dev/null || true`,
    ]),
    ...Object.values(LINK_CHAINS).map((c) => `! ${v} -w -S ${c} >/dev/null 2>&1`),
  ].join("\n");
}

export interface LossCounters {
  /** Packets that matched the link (before the coin flip). */
  seen: number;
  /** Packets the statistic rules dropped. */
  dropped: number;
}

/** Sums `-v -S` output: counting rules (no target) are seen, DROP rules dropped; RETURN rules are other traffic. */
export function parseLossCounters(output: string): LossCounters {
  const c = { seen: 0, dropped: 0 };
  for (const line of output.split("\n")) {
    const m = /^-A KH-LINK-\S+ .*-c (\d+) \d+(.*)$/.exec(line.trim());
    if (!m) continue;
    const target = /-j (\S+)/.exec(m[2]!)?.[1];
    if (target === "DROP") c.dropped += Number(m[1]);
    else if (target === undefined) c.seen += Number(m[1]);
  }
  return c;
}

/** A sane bucket for a rate: 100 ms of it, at least a few full frames. */
export const burstBytes = (rateKbit: number) => Math.max(4096, Math.round((rateKbit * 1000) / 8 / 10));

/** Shell that installs the shaping (and netem delay under it, when asked). Fails if a root qdisc of ours is there. */
export function shapeScript(m: PeerMatch, rateKbit: number, delayMs?: number): string {
  if (!(Number.isInteger(rateKbit) && rateKbit > 0)) throw new Error(`rateKbit must be a positive integer, not ${rateKbit}`);
  const h = QDISC_HANDLE;
  const rate = `${rateKbit}kbit`;
  const burst = burstBytes(rateKbit);
  const netem = (parent: string) => (delayMs ? [`tc qdisc add dev "$dev" parent ${parent} handle 4b49: netem delay ${delayMs}ms`] : []);
  const lines = [
    DEV,
    `if tc qdisc show dev "$dev" root | grep -q " ${h}: "; then echo "a link fault is already shaping $dev" >&2; exit 1; fi`,
  ];
  if (m === "all") {
    lines.push(`tc qdisc replace dev "$dev" root handle ${h}: tbf rate ${rate} burst ${burst} latency 400ms`, ...netem(`${h}:1`));
  } else {
    // Class 10 unlimited, class 20 limited; the default is where unfiltered packets go.
    const [filtered, dflt] = "peers" in m ? ["20", "10"] : ["10", "20"];
    const addresses = "peers" in m ? m.peers : m.except;
    lines.push(
      `tc qdisc replace dev "$dev" root handle ${h}: htb default ${dflt}`,
      `tc class add dev "$dev" parent ${h}: classid ${h}:10 htb rate 10gbit quantum 60000`,
      `tc class add dev "$dev" parent ${h}: classid ${h}:20 htb rate ${rate} ceil ${rate} burst ${burst} cburst ${burst} quantum 1514`,
      ...addresses.map(
        (a) => `tc filter add dev "$dev" parent ${h}: protocol ip prio 1 u32 match ip dst ${assertIpv4(a)}/32 flowid ${h}:${filtered}`,
      ),
      ...netem(`${h}:20`),
    );
  }
  return `set -e\n${lines.join("\n")}`;
}

/** Shell that prints the limited qdisc's or class's statistics (nothing when no shaping of ours is there). */
export const shapeStatsScript = () =>
  [
    DEV,
    `root=$(tc qdisc show dev "$dev" root)`,
    `case "$root" in *" ${QDISC_HANDLE}: "*) ;; *) exit 0;; esac`,
    `case "$root" in *htb*) tc -s class show dev "$dev" classid ${QDISC_HANDLE}:20;; *) tc -s qdisc show dev "$dev" root;; esac`,
  ].join("\n");

/** Shell that removes our root qdisc, printing "had-link-qdisc" if there was one. */
export const shapeFlushScript = () =>
  [DEV, `if tc qdisc show dev "$dev" root | grep -q " ${QDISC_HANDLE}: "; then echo had-link-qdisc; tc qdisc del dev "$dev" root; fi`].join(
    "\n",
  );

export interface ShapeStats {
  sentBytes: number;
  sentPackets: number;
  dropped: number;
  /** Times a packet had to wait for tokens: the limit was reached. */
  overlimits: number;
}

export function parseShapeStats(output: string): ShapeStats | undefined {
  const m = /Sent (\d+) bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)/.exec(output);
  return m ? { sentBytes: Number(m[1]), sentPackets: Number(m[2]), dropped: Number(m[3]), overlimits: Number(m[4]) } : undefined;
}

/** Shell that probes netem: exit 0 where a netem qdisc can be added (on lo, removed at once). */
export const NETEM_PROBE = "tc qdisc add dev lo root handle 4b4a: netem delay 1ms && tc qdisc del dev lo root";

/** Shell that says which link tools are missing (prints their names). */
export const TOOLS_PROBE = "for t in tc ip; do command -v $t >/dev/null 2>&1 || echo $t; done";

export async function run(node: Partitionable, script: string, what: string): Promise<string> {
  const r = await node.exec(["bash", "-c", script]);
  if (r.exitCode !== 0) throw new Error(`${node.name}: ${what} failed (exit ${r.exitCode}): ${r.output.trim().slice(-400)}`);
  return r.output;
}

/** What restore measured and removed on one node. */
export interface LinkUndone {
  loss?: LossCounters;
  shaped?: ShapeStats;
  /** Whether anything of ours was there. */
  had: boolean;
}

/** Reads the counters, then removes our rules and qdisc from a node. */
export async function undoLink(node: Partitionable, v: IptablesVariant | undefined): Promise<LinkUndone> {
  const out: LinkUndone = { had: false };
  if (v) {
    const counters = await run(node, lossCountersScript(v), "reading link counters");
    if (counters.includes("-A KH-LINK")) out.loss = parseLossCounters(counters);
    if ((await run(node, lossFlushScript(v), "removing link rules")).includes("had-link-rules")) out.had = true;
  }
  const stats = parseShapeStats(await run(node, shapeStatsScript(), "reading tc statistics"));
  if (stats) out.shaped = stats;
  if ((await run(node, shapeFlushScript(), "removing the link's qdisc")).includes("had-link-qdisc")) out.had = true;
  return out;
}
