// Provisioning (the Docker engine, the image tools, the base and Kafka images, Chromium) as a few
// lines a user can read, not hundreds of lines of apt, mmdebstrap, Maven and docker build: each step
// prints one line when it starts (what and why) and one when it is done (with seconds), or a single
// line when there is nothing to do; every line of the tools' output goes to a log file whose path
// is printed once. On failure: the step, the last lines of its output and the log's path. Pure: a
// fold over events; harness/util/provision.ts feeds it and writes what it returns.

export type ProvisionEvent =
  /** A step begins work: `what` it does and why (in one phrase). */
  | { kind: "start"; step: string; what: string }
  /** One line of a tool's output during a step: for the log only. */
  | { kind: "output"; step: string; line: string }
  | { kind: "done"; step: string; seconds: number; result?: string }
  /** Nothing to do: what is already there. */
  | { kind: "ready"; step: string; what: string }
  | { kind: "failed"; step: string; seconds: number; error: string };

export interface ProvisionState {
  /** Whether the log's path was printed (it is, once, with the first step that does work). */
  readonly announced: boolean;
  /** Steps whose "nothing to do" line was printed: a suite checks before every run, says it once. */
  readonly readySaid: readonly string[];
  /** The last lines of output of each step, for a failure's message. */
  readonly tails: Readonly<Record<string, readonly string[]>>;
}

export const INITIAL_PROVISION_STATE: ProvisionState = { announced: false, readySaid: [], tails: {} };

/** How many of a failed step's last output lines are printed. */
export const FAILURE_TAIL = 20;

export interface ProvisionStep {
  state: ProvisionState;
  /** Lines for the terminal. */
  print: string[];
  /** Lines for the log file: every printed line and every line of output. */
  log: string[];
}

const PREFIX = "provision";

export function provisionStep(state: ProvisionState, e: ProvisionEvent, logPath: string): ProvisionStep {
  const announce = (s: ProvisionState): { state: ProvisionState; lines: string[] } =>
    s.announced ? { state: s, lines: [] } : { state: { ...s, announced: true }, lines: [`${PREFIX}: full output in ${logPath}`] };
  switch (e.kind) {
    case "start": {
      const a = announce({ ...state, tails: { ...state.tails, [e.step]: [] } });
      const print = [...a.lines, `${PREFIX}: ${e.step}: ${e.what}`];
      return { state: a.state, print, log: print };
    }
    case "output": {
      const tail = [...(state.tails[e.step] ?? []), e.line].slice(-FAILURE_TAIL);
      return { state: { ...state, tails: { ...state.tails, [e.step]: tail } }, print: [], log: [`  [${e.step}] ${e.line}`] };
    }
    case "done": {
      const line = `${PREFIX}: ${e.step}: done in ${e.seconds} s${e.result ? ` (${e.result})` : ""}`;
      return { state, print: [line], log: [line] };
    }
    case "ready": {
      if (state.readySaid.includes(e.step)) return { state, print: [], log: [] };
      const line = `${PREFIX}: ${e.step}: ${e.what}, nothing to do`;
      return { state: { ...state, readySaid: [...state.readySaid, e.step] }, print: [line], log: [line] };
    }
    case "failed": {
      // The log's path again, even when said before: it is where the whole story is.
      const tail = state.tails[e.step] ?? [];
      const print = [
        `${PREFIX}: ${e.step}: FAILED after ${e.seconds} s`,
        ...(tail.length ? [`${PREFIX}: its last ${tail.length} line(s) of output:`, ...tail.map((l) => `  | ${l}`)] : []),
        `${PREFIX}: full output in ${logPath}`,
      ];
      return { state: { ...state, announced: true }, print, log: [...print, `  [${e.step}] error: ${e.error}`] };
    }
  }
}

/** Every event in turn, from the start: what is printed and what is logged. */
export function summariseProvisioning(events: readonly ProvisionEvent[], logPath: string): { print: string[]; log: string[] } {
  let state = INITIAL_PROVISION_STATE;
  const print: string[] = [];
  const log: string[] = [];
  for (const e of events) {
    const r = provisionStep(state, e, logPath);
    state = r.state;
    print.push(...r.print);
    log.push(...r.log);
  }
  return { print, log };
}
