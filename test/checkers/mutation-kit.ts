// Shared pieces of the mutations: what a mutant is, and a builder that appends small constructs
// (fresh keys, processes and values) after the final reads of a generated history.
import { expect } from "vitest";
import type { AnomalyType, CheckConfig, Finding, History, Key, Op, Process, Results, Value } from "../../checkers/index.ts";
import type { Model } from "./model.ts";

export interface Mutant {
  history: History;
  config?: CheckConfig;
  /** Anomalies that necessarily come with this one. */
  companions?: AnomalyType[];
  /** Asserts the evidence: a finding of the type naming the mutated ops and values. */
  verify(r: Results): void;
}

export type Mutation = (m: Model, pick: number) => Mutant;

export type Rec = [number, Value];
export type Draft = Omit<Op, "index" | "time">;

/** Appends ops (numbered on) to a copy of the history, on fresh processes and keys. */
export class Construct {
  readonly h: History;
  private proc: number;
  private value: number;
  private keyN = 0;
  constructor(m: Model) {
    this.h = structuredClone(m.history);
    this.proc = m.nextProc + 10;
    this.value = m.nextValue + 1000;
  }
  p(): number {
    return this.proc++;
  }
  v(): number {
    return this.value++;
  }
  k(): string {
    return `m-${this.keyN++}`;
  }
  add(d: Draft): number {
    this.h.push({ index: this.h.length, time: this.h.length * 1000, ...d } as Op);
    return this.h.length - 1;
  }
  sendOk(p: Process, sends: Array<[Key, Value, number | null]>): number {
    this.add({ process: p, type: "invoke", f: "send", value: sends.map(([k, v]) => ["send", k, v]) });
    return this.add({
      process: p,
      type: "ok",
      f: "send",
      value: sends.map(([k, v, o]) => (o === null ? ["send", k, v] : ["send", k, [o, v]])),
    });
  }
  pollOk(p: Process, result: Record<string, Rec[]>): number {
    this.add({ process: p, type: "invoke", f: "poll", value: [["poll"]] });
    return this.add({ process: p, type: "ok", f: "poll", value: [["poll", result]] });
  }
}

/** The examples of a type that match, failing when none does. */
export function findingsOf(r: Results, type: AnomalyType, match: (f: Finding & Record<string, unknown>) => boolean): Finding[] {
  const found = (r.anomalies[type]?.examples ?? []).filter((f) => match(f as Finding & Record<string, unknown>));
  expect(found, `${type} finding matching the mutation in ${JSON.stringify(r.anomalies[type]?.examples)}`).not.toEqual([]);
  return found;
}
