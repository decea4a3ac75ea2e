// The nemesis's fault names as the history records them (a nemesis op's f), and which undo ends
// which fault. Plain data, read by the checkers (fault intervals) and by the nemesis (the undo a
// fault in force returns, which scheduled faults get an undo): the pairing is written here only.

/** Fault proper → the undo that ends it; null: the fault ends when it completes (a rolling restart). */
export const UNDO_OF = {
  kill: "start",
  stop: "start",
  pause: "resume",
  partition: "heal",
  bounce: null,
  "packet-loss": "restore-link",
  "slow-link": "restore-link",
  "clock-bump": "reset-clock",
  "clock-strobe": "reset-clock",
  "corrupt-segment": null,
  "disk-full": "free-disk",
  "log-dir-failure": "repair-disk",
  // membership: a completed reassignment or election leaves a valid cluster (nothing to undo); a lowered RF stays until grown back
  reassign: null,
  "elect-leaders": null,
  "shrink-replicas": "grow-replicas",
  // a broker added stays until removed, one decommissioned stays down until recommissioned
  "add-broker": "remove-broker",
  "decommission-broker": "recommission-broker",
  // power: a cut broker is down until its power is back
  "power-loss": "power-on",
} as const;

export type FaultProper = keyof typeof UNDO_OF;
export type UndoName = NonNullable<(typeof UNDO_OF)[FaultProper]>;
/** Faults that stay in force until undone. */
export type LastingFault = { [K in FaultProper]: (typeof UNDO_OF)[K] extends null ? never : K }[FaultProper];
/** Every f the nemesis invokes: faults proper and their undos (heal-all aside). */
export type FaultName = FaultProper | UndoName;

/** Undoes everything in force, whatever it is. */
export const HEAL_ALL = "heal-all";

export const FAULTS_PROPER = Object.keys(UNDO_OF) as FaultProper[];
export const UNDO_NAMES = [...new Set(Object.values(UNDO_OF).filter((u) => u !== null))] as UndoName[];
export const FAULT_NAMES: readonly FaultName[] = [...FAULTS_PROPER, ...UNDO_NAMES];

/** Whether a fault stays in force until its undo (kill), rather than ending when it completes (bounce). */
export const hasUndo = (f: string): f is LastingFault => f in UNDO_OF && UNDO_OF[f as FaultProper] !== null;

/** The faults this undo ends ("*" for heal-all: all of them); undefined when f is no undo. */
export function undoneBy(f: string): readonly string[] | undefined {
  if (f === HEAL_ALL) return ["*"];
  const ended = FAULTS_PROPER.filter((p) => UNDO_OF[p] === f);
  return ended.length ? ended : undefined;
}
