// What the nemesis has in force, so that targets skip faulted nodes, contradictory faults are
// refused (no pause of a killed node, no second partition over the first: each family's conflict
// reads this) and heal-all knows what to undo. Heal-all does not trust this alone: it also asks
// every container for its state.
import { type Grudge, nodesOf } from "./grudge.ts";

/** power-loss (families/power.ts): down like a kill, and what it had not synced lost. */
export type ProcessFault = "kill" | "stop" | "pause" | "power-loss";
/** A link fault (families/link.ts): at most one per node. */
export type LinkFault = "packet-loss" | "slow-link";
/** A broker's log directory made full or failing (families/disk.ts). */
export type DiskFault = "disk-full" | "log-dir-failure";

export class FaultState {
  private readonly process = new Map<string, ProcessFault>();
  private grudge: Grudge | undefined;
  private readonly link = new Map<string, LinkFault>();
  private readonly disk = new Map<string, DiskFault>();

  /** Nodes under any fault: down, paused, or named by the partition in force. */
  faulted(): Set<string> {
    return new Set([...this.process.keys(), ...this.partitioned(), ...this.disk.keys()]);
  }

  partitioned(): string[] {
    return this.grudge ? nodesOf(this.grudge) : [];
  }

  partition(): Grudge | undefined {
    return this.grudge;
  }

  /** Nodes under a process fault (kill, stop, pause), with it. */
  processFaults(): [string, ProcessFault][] {
    return [...this.process];
  }

  /** Nodes whose log directory is made full or failing, with the fault. */
  diskFaults(): [string, DiskFault][] {
    return [...this.disk];
  }

  processFaultOf(node: string): ProcessFault | undefined {
    return this.process.get(node);
  }

  /** Whether anything is in force: a node down or paused, a partition, a link fault. */
  inForce(): boolean {
    return this.process.size > 0 || this.grudge !== undefined || this.link.size > 0 || this.disk.size > 0;
  }

  linkFaultOf(node: string): LinkFault | undefined {
    return this.link.get(node);
  }

  /** Nodes under a link fault. */
  linked(): string[] {
    return [...this.link.keys()];
  }

  setLink(nodes: readonly string[], f: LinkFault): void {
    for (const n of nodes) this.link.set(n, f);
  }

  clearLink(nodes: readonly string[]): void {
    for (const n of nodes) this.link.delete(n);
  }

  /**
   * Which of these nodes are under a process fault (and, with partitionedToo, under the partition or
   * a link fault: rules in a namespace that an undo cannot reach while the node is paused), said as
   * a refusal reason; undefined when none is. Each family decides what it may hit (families/*.ts conflict).
   */
  busy(nodes: readonly string[], o: { partitionedToo: boolean }): string | undefined {
    const cut = o.partitionedToo ? [...this.partitioned(), ...this.link.keys()] : [];
    const busy = nodes.filter((n) => this.process.has(n) || cut.includes(n) || this.disk.has(n));
    const what = (n: string) =>
      this.process.get(n) ?? this.disk.get(n) ?? (this.partitioned().includes(n) ? "partition" : this.link.get(n));
    return busy.length ? busy.map((n) => `${n} is under ${what(n)}`).join("; ") : undefined;
  }

  setProcess(nodes: readonly string[], f: ProcessFault): void {
    for (const n of nodes) this.process.set(n, f);
  }

  clearProcess(nodes: readonly string[]): void {
    for (const n of nodes) this.process.delete(n);
  }

  diskFaultOf(node: string): DiskFault | undefined {
    return this.disk.get(node);
  }

  setDisk(nodes: readonly string[], f: DiskFault): void {
    for (const n of nodes) this.disk.set(n, f);
  }

  clearDisk(nodes: readonly string[]): void {
    for (const n of nodes) this.disk.delete(n);
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
    this.link.clear();
    this.disk.clear();
  }
}
