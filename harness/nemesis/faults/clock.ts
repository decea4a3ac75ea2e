// A node's clock offset, through libfaketime's control file (harness/images/kafka/entrypoint.sh): one
// shell script per visit that finds the file from the JVM's own environment (PID 1 of its
// container), says what it holds, rewrites it if asked, and measures the offset the file now gives
// (libfaketime's `date` against the host's: the JVM follows within two seconds, its cache). Asking
// the JVM's environment rather than trusting the spec tells a node started without libfaketime (or
// an ssh host, whose PID 1 is not the JVM) from one that has it.
import type { Partitionable } from "../capabilities.ts";

/** What a node says of its clock. */
export type ClockReading =
  | { faked: false; reason: string }
  | {
      faked: true;
      /** The control file's path. */
      file: string;
      /** What it held before this visit ("+0": the host's clock). */
      was: string;
      /** The offset it gives now, measured: libfaketime's clock minus the host's, in ms. */
      offsetMs: number;
    };

/** libfaketime's relative offset, in seconds with ms ("+3600.000", "-1.500"); "+0" for none. */
export function offsetText(deltaMs: number): string {
  if (deltaMs === 0) return "+0";
  const sign = deltaMs > 0 ? "+" : "-";
  const abs = Math.abs(deltaMs);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
}

/** The offset in ms a control file's text names (undefined when it is not a plain relative offset). */
export function offsetOf(text: string): number | undefined {
  const m = /^([+-])(\d+)(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[2]) * 1000 + Number((m[3] ?? "0").padEnd(3, "0"));
  return m[1] === "-" ? -ms : ms;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The script: KH-CLOCK lines the parser reads. `write` (an offsetText) replaces the file atomically
 * (rename), so libfaketime never reads half a file.
 */
export function clockScript(write?: string): string {
  return [
    "env=$(tr '\\0' '\\n' < /proc/1/environ 2>/dev/null)",
    `f=$(printf '%s\\n' "$env" | sed -n 's/^FAKETIME_TIMESTAMP_FILE=//p')`,
    `lib=$(printf '%s\\n' "$env" | sed -n 's/^LD_PRELOAD=//p')`,
    `if [ -z "$f" ] || [ -z "$lib" ]; then echo "KH-CLOCK none $(tr '\\0' ' ' < /proc/1/cmdline 2>/dev/null | cut -c1-40)"; exit 0; fi`,
    `echo "KH-CLOCK file $f"`,
    `echo "KH-CLOCK was $(cat "$f" 2>/dev/null)"`,
    ...(write === undefined ? [] : [`printf '%s\\n' ${q(write)} > "$f.kh" && mv "$f.kh" "$f"`]),
    `real=$(date +%s%3N); fake=$(LD_PRELOAD="$lib" FAKETIME_TIMESTAMP_FILE="$f" FAKETIME_DONT_FAKE_MONOTONIC=1 date +%s%3N)`,
    `echo "KH-CLOCK offset $((fake - real))"`,
  ].join("\n");
}

/** Reads the script's output. */
export function parseClock(output: string, node: string): ClockReading {
  const lines = output.split("\n").map((l) => l.trim());
  const value = (tag: string) =>
    lines
      .find((l) => l.startsWith(`KH-CLOCK ${tag}`))
      ?.slice(`KH-CLOCK ${tag}`.length)
      .trim();
  const none = value("none");
  if (none !== undefined)
    return {
      faked: false,
      reason: /\bjava\b/.test(none)
        ? `${node}'s JVM runs without libfaketime: its cluster was started without cluster.fakeClock (the harness sets it when faults.kinds or faults.schedule name a clock fault)`
        : `${node}'s PID 1 is not its JVM (${none || "unknown"}): clock faults need the harness's own containers (an ssh host's clock is not faked)`,
    };
  const file = value("file");
  const offset = Number(value("offset"));
  if (!file || !Number.isFinite(offset)) throw new Error(`${node}: unexpected answer about its clock: ${output.trim().slice(0, 200)}`);
  return { faked: true, file, was: value("was") ?? "", offsetMs: offset };
}

/** Visits a node: what its clock is, after writing `write` (an offsetText) if given. */
export async function visitClock(node: Partitionable, write?: string): Promise<ClockReading> {
  const r = await node.exec(["sh", "-c", clockScript(write)]);
  if (r.exitCode !== 0) throw new Error(`${node.name}: the clock script exited ${r.exitCode}: ${r.output.trim().slice(0, 200)}`);
  return parseClock(r.output, node.name);
}
