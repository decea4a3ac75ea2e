// What each fault does to a node, said once: the report's fault legend and band colours, the
// README's fault table (a test holds the two to the same rows) and the nemesis's families
// (test/nemesis/families.test.ts holds each fault's family here to the family that acts on it)
// read it. Plain data beside fault-names.ts, which pairs the faults with their undos.
import type { FaultProper } from "./fault-names.ts";

export interface FaultWords {
  /** The nemesis family that acts on it (harness/nemesis/families/). */
  family: string;
  /** What it does to the target nodes, one line. */
  does: string;
  /** Its band's colour on the timeline: "r,g,b". */
  rgb: string;
}

export const FAULT_VOCABULARY: Readonly<Record<FaultProper, FaultWords>> = {
  kill: {
    family: "process",
    does: "SIGKILL: the node's processes die at once (its page cache survives: nothing it wrote is lost); started again by start",
    rgb: "220,38,38",
  },
  stop: {
    family: "process",
    does: "SIGTERM, then SIGKILL after a timeout: a clean shutdown; started again by start",
    rgb: "180,83,9",
  },
  pause: {
    family: "pause",
    does: "every process frozen (cgroup freezer): sockets stay open, peers see silence until sessions expire; undone by resume",
    rgb: "124,58,237",
  },
  partition: {
    family: "network",
    does: "iptables rules drop the packets between groups of nodes along a shape (isolate, halves, ring, cuts); undone by heal",
    rgb: "234,88,12",
  },
  bounce: {
    family: "bounce",
    does: "a rolling restart: each broker stopped and started in turn, waiting until it is back in sync",
    rgb: "14,116,144",
  },
  "packet-loss": {
    family: "link",
    does: "iptables' statistic match drops a share of the packets to and from chosen peers (brokers, clients, quorum or all); undone by restore-link",
    rgb: "202,138,4",
  },
  "slow-link": {
    family: "link",
    does: "tc limits the bandwidth of what the node sends to chosen peers (tbf or htb; a netem delay where the kernel has it); undone by restore-link",
    rgb: "101,163,13",
  },
  "clock-bump": {
    family: "clock",
    does: "the node's JVM clock (libfaketime) jumps by ±N ms and stays there; the monotonic clock does not move; undone by reset-clock",
    rgb: "219,39,119",
  },
  "clock-strobe": {
    family: "clock",
    does: "the node's JVM clock flips between +N ms and the host's time every period until reset-clock",
    rgb: "157,23,77",
  },
  "corrupt-segment": {
    family: "disk",
    does: "kills a broker, flips a bit in (or cuts short) a segment, offset-index or time-index file of a workload partition, starts it again",
    rgb: "120,53,15",
  },
  "disk-full": {
    family: "disk",
    does: "the broker's log directory (on a FUSE layer) refuses to grow: ENOSPC; Kafka takes it offline and halts; undone by free-disk",
    rgb: "71,85,105",
  },
  "log-dir-failure": {
    family: "disk",
    does: "every operation on the log directory fails with EIO; Kafka takes it offline and halts; undone by repair-disk",
    rgb: "30,41,59",
  },
  reassign: {
    family: "membership",
    does: "the Admin API moves a partition's replicas to another set of brokers (one replaced, preferred leader changed), awaited until complete",
    rgb: "21,128,61",
  },
  "elect-leaders": {
    family: "membership",
    does: "preferred-leader election: each partition's leader moves to the first replica of its assignment",
    rgb: "6,182,212",
  },
  "shrink-replicas": {
    family: "membership",
    does: "replication factor cut to 1 (the leader, or a chosen broker, keeps the only replica); grown back in sync by grow-replicas",
    rgb: "190,24,93",
  },
  "add-broker": {
    family: "membership",
    does: "one more broker started (the next id) and given one replica of each workload partition; moved off and removed by remove-broker",
    rgb: "22,163,74",
  },
  "decommission-broker": {
    family: "membership",
    does: "every workload replica moved off the broker, then a controlled shutdown (KRaft: unregistered); started again by recommission-broker",
    rgb: "79,70,229",
  },
  "power-loss": {
    family: "power",
    does: "cuts a broker's power: its log directory (on a FUSE layer) loses every write it had not fsynced, and it dies at that instant; several targets are cut together; undone by power-on",
    rgb: "234,88,12",
  },
};

/** Grey, for a fault name this version does not know (a history from a later one). */
export const UNKNOWN_FAULT_RGB = "100,116,139";

export const faultRgb = (f: string): string => (FAULT_VOCABULARY as Record<string, FaultWords>)[f]?.rgb ?? UNKNOWN_FAULT_RGB;
