// What the nemesis has in force, so that targets skip faulted nodes, contradictory faults are
// refused (no pause of a killed node, no second partition over the first) and heal-all knows what
// to undo. Heal-all does not trust this alone: it also asks every container for its state.
import { nodesOf, type Grudge } from "./grudge.ts";

export type ProcessFault = "kill" | "stop" | "pause";

export class FaultState {
  private readonly process = new Map<string, ProcessFault>();
  private grudge: Grudge | undefined;

  /** Nodes under any fault: down, paused, or named by the partition in force. */
  faulted(): Set<string> {
    return new Set([...this.process.keys(), ...this.partitioned()]);
  }

  partitioned(): string[] {
    return this.grudge ? nodesOf(this.grudge) : [];
  }

  partition(): Grudge | undefined {
    return this.grudge;
  }

  processFaultOf(node: string): ProcessFault | undefined {
    return this.process.get(node);
  }

  /** Why this fault on these nodes would contradict what is in force, or undefined if it would not. */
  conflict(fault: ProcessFault | "partition" | "bounce", nodes: readonly string[]): string | undefined {
    if (fault === "partition" && this.grudge) return "a partition is already in force (heal it first)";
    if (fault === "bounce" && (this.process.size || this.grudge)) return `faults in force on ${[...this.faulted()].join(", ")}`;
    // A partitioned node may be killed or stopped (the 2013 scenario kills a leader that is cut off):
    // its rules live in its network namespace, which Docker recreates when the container starts
    // again, and heal skips nodes that are down. Pausing it would leave rules that outlive the heal.
    const killsThrough = fault === "kill" || fault === "stop";
    const busy = nodes.filter((n) => this.process.has(n) || (fault !== "partition" && !killsThrough && this.partitioned().includes(n)));
    if (busy.length) return busy.map((n) => `${n} is under ${this.process.get(n) ?? "partition"}`).join("; ");
    return undefined;
  }

  setProcess(nodes: readonly string[], f: ProcessFault): void {
    for (const n of nodes) this.process.set(n, f);
  }

  clearProcess(nodes: readonly string[]): void {
    for (const n of nodes) this.process.delete(n);
  }

  setPartition(g: Grudge): void {
    this.grudge = g;
  }

  clearPartition(): void {
    this.grudge = undefined;
  }

  clearAll(): void {
    this.process.clear();
    this.grudge = undefined;
  }
}
