// Prints ops as EDN the way Jepsen does: keyword keys, op types and micro-op names, vectors, nil,
// integer keys in poll maps; optionally tagged (#jepsen.history.Op).
import type { Op } from "../../checkers/index.ts";

export function toEdn(x: unknown, keyword = false): string {
  if (x === null || x === undefined) return "nil";
  if (typeof x === "number") return String(x);
  if (typeof x === "string") return keyword ? `:${x}` : JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map((e, i) => toEdn(e, i === 0 && (e === "send" || e === "poll"))).join(" ")}]`;
  const o = x as Record<string, unknown>;
  return `{${Object.entries(o)
    .map(([k, v]) => `${/^\d+$/.test(k) ? k : JSON.stringify(k)} ${toEdn(v)}`)
    .join(", ")}}`;
}

export function opToEdn(op: Op, tagged: boolean): string {
  const fields = Object.entries(op).map(([k, v]) => {
    const kw = k === "type" || k === "f" || (k === "process" && typeof v === "string");
    return `:${k} ${toEdn(v, kw)}`;
  });
  return `${tagged ? "#jepsen.history.Op" : ""}{${fields.join(", ")}}`;
}
