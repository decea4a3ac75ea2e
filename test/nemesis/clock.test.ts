// The clock family on fake nodes (their libfaketime control file is a field): what it writes, what it
// refuses and why, the strobe's timer stopping on undo, heal-all and close, heal-all asking the
// nodes; the control file's text; the spec's parameters and its cluster.fakeClock.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRecorder } from "../../harness/history/recorder.ts";
import { type ClockSpec, clockFamily, clocksInForce } from "../../harness/nemesis/families/clock.ts";
import { clockScript, offsetOf, offsetText, parseClock } from "../../harness/nemesis/faults/clock.ts";
import { clusterNemesis } from "../../harness/nemesis/nemesis.ts";
import { seededRng } from "../../harness/nemesis/rng.ts";
import { describe as describeScheduled } from "../../harness/nemesis/run-schedule.ts";
import { generateSchedule } from "../../harness/nemesis/schedule.ts";
import { clockParamProblems } from "../../harness/spec/clock.ts";
import { parseTestSpec } from "../../harness/spec/test-spec.ts";
import { faultLabel } from "../../reports/faults.ts";
import { fakeCluster, fakeProbe, part } from "./fakes.ts";

function setup(o: { faked?: boolean; attached?: boolean } = {}) {
  const c = fakeCluster();
  if (o.faked !== false) for (const n of c.all) n.clock = "+0";
  const fp = fakeProbe({ partitions: [part("t", 0, 2, [1, 2, 3])], controller: 1, brokers: c.brokers });
  const recorder = createRecorder();
  const cluster = {
    ...c,
    spec: { zkSessionTimeoutMs: 6000, fakeClock: o.faked !== false },
    ...(o.attached ? { networkFaults: false as const } : {}),
  };
  const nemesis = clusterNemesis(cluster, {
    recorder,
    rng: seededRng(3),
    probe: fp.probe,
    watch: false,
    healOnShutdown: false,
    sessionWaitMs: 0,
  });
  return { c, nemesis, recorder };
}

const on = (names: string[]) => ({ kind: "nodes" as const, names });

afterEach(() => void vi.useRealTimers());

describe("clock family (fake nodes)", () => {
  it("clock-bump writes the offset into each target's control file and records what the node measures; reset-clock puts it back", async () => {
    const { c, nemesis } = setup();
    const r = await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka1", "zk2"]), deltaMs: 3_600_000 });
    expect(r).toMatchObject({
      type: "ok",
      f: "clock-bump",
      value: { targets: ["kafka1", "zk2"], deltaMs: 3_600_000, offsetMs: { kafka1: 3_600_000, zk2: 3_600_000 } },
    });
    expect([c.brokers[0]!.clock, c.zookeepers[1]!.clock, c.brokers[1]!.clock]).toEqual(["+3600.000", "+3600.000", "+0"]);
    expect(r.undo).toEqual({ fault: "reset-clock", targets: on(["kafka1", "zk2"]) });
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "reset-clock", value: { offsetMs: { kafka1: 0, zk2: 0 } } });
    expect([c.brokers[0]!.clock, c.zookeepers[1]!.clock]).toEqual(["+0", "+0"]);
    await nemesis.close();
  });

  it("refuses, saying why: a JVM without libfaketime, a clock already moved, a node down, an attached cluster, a bad parameter", async () => {
    const plain = setup({ faked: false });
    const noFake = await plain.nemesis.invoke({ fault: "clock-bump", targets: on(["kafka1"]), deltaMs: 1000 });
    expect(noFake).toMatchObject({
      type: "fail",
      value: { reason: expect.stringMatching(/kafka1's JVM runs without libfaketime.*cluster\.fakeClock/) },
    });

    const { c, nemesis } = setup();
    await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka1"]), deltaMs: -1000 });
    const again = await nemesis.invoke({ fault: "clock-strobe", targets: on(["kafka1"]), deltaMs: 1000, periodMs: 1000 });
    expect(again).toMatchObject({
      type: "fail",
      value: { reason: "kafka1's clock is already moved (clock-bump -1000 ms): reset-clock first" },
    });
    await nemesis.invoke({ fault: "kill", targets: on(["kafka2"]) });
    const down = await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka2"]), deltaMs: 1000 });
    expect(down).toMatchObject({ type: "fail", value: { reason: "kafka2 is under kill" } });
    const zero = await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka3"]), deltaMs: 0 });
    expect(zero).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/^deltaMs must be a whole number of ms, not 0/) } });
    expect(c.brokers[2]!.clock).toBe("+0");

    const attached = setup({ attached: true });
    const a = await attached.nemesis.invoke({ fault: "clock-bump", targets: on(["kafka1"]), deltaMs: 1000 });
    expect(a).toMatchObject({ type: "fail", value: { reason: expect.stringMatching(/attached cluster/) } });
    await Promise.all([plain.nemesis.close(), nemesis.close(), attached.nemesis.close()]);
  });

  it("a random target skips nodes whose clock is already moved", async () => {
    const { nemesis } = setup();
    await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka1", "kafka2"]), deltaMs: 1000 });
    const r = await nemesis.invoke({ fault: "clock-bump", targets: { kind: "random-broker" }, deltaMs: 1000 });
    expect(r).toMatchObject({ type: "ok", value: { targets: ["kafka3"] } });
    await nemesis.close();
  });

  it("clock-strobe flips between +delta and 0 every period until reset-clock, which stops its timer", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const { c, nemesis } = setup();
    const k1 = c.brokers[0]!;
    const r = await nemesis.invoke({ fault: "clock-strobe", targets: on(["kafka1"]), deltaMs: 5000, periodMs: 2000 });
    expect(r).toMatchObject({ type: "ok", value: { deltaMs: 5000, periodMs: 2000, offsetMs: { kafka1: 5000 } } });
    const seen = [k1.clock];
    for (let i = 0; i < 3; i++) {
      await vi.advanceTimersByTimeAsync(2000);
      seen.push(k1.clock);
    }
    expect(seen).toEqual(["+5.000", "+0", "+5.000", "+0"]);
    await vi.advanceTimersByTimeAsync(2000); // on again
    const u = await nemesis.invoke(r.undo!);
    expect(u).toMatchObject({ type: "ok", f: "reset-clock", value: { flips: 4, offsetMs: { kafka1: 0 } } });
    const writes = k1.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect([k1.clock, k1.calls.length]).toEqual(["+0", writes]);
    await nemesis.close();
  });

  it("heal-all and close stop a strobe too", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    for (const end of ["heal-all", "close"] as const) {
      const { c, nemesis } = setup();
      await nemesis.invoke({ fault: "clock-strobe", targets: on(["kafka2"]), deltaMs: 1000, periodMs: 1000 });
      if (end === "heal-all") await nemesis.healAll();
      else await nemesis.close();
      const calls = c.brokers[1]!.calls.length;
      await vi.advanceTimersByTimeAsync(5000);
      expect(c.brokers[1]!.calls.length, end).toBe(calls);
      if (end === "heal-all") {
        expect(c.brokers[1]!.clock).toBe("+0");
        await nemesis.close();
      }
    }
  });

  it("heal-all asks every node and resets any clock not at +0, even one the nemesis did not move", async () => {
    const { c, nemesis } = setup();
    c.zookeepers[2]!.clock = "-60.000"; // moved behind the nemesis's back (a previous run's leftover)
    await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka3"]), deltaMs: 600_000 });
    const h = await nemesis.healAll();
    expect(h).toMatchObject({ type: "ok", f: "heal-all", value: { healed: { clock: ["kafka3", "zk3"] } } });
    expect(h.value.targets).toEqual(["kafka3", "zk3"]);
    expect(c.all.map((n) => n.clock)).toEqual(c.all.map(() => "+0"));
    await nemesis.close();
  });

  it("heal-all leaves a cluster without libfaketime alone (no visit)", async () => {
    const { c, nemesis } = setup({ faked: false });
    const h = await nemesis.healAll();
    expect(h.type).toBe("ok");
    expect(c.all.flatMap((n) => n.calls)).not.toContain("exec clock");
    await nemesis.close();
  });
});

describe("the control file's text", () => {
  it("offsetText and offsetOf round-trip every offset, in libfaketime's seconds-with-ms form", () => {
    fc.assert(
      fc.property(fc.integer({ min: -30 * 86_400_000, max: 30 * 86_400_000 }), (ms) => {
        const text = offsetText(ms);
        expect(text).toMatch(/^([+-]\d+\.\d{3}|\+0)$/);
        expect(offsetOf(text)).toBe(ms);
      }),
    );
    expect([offsetText(-1500), offsetText(250), offsetText(0)]).toEqual(["-1.500", "+0.250", "+0"]);
  });

  it("parseClock tells a JVM without libfaketime from a host whose PID 1 is no JVM", () => {
    expect(parseClock("KH-CLOCK none java -Xms128m\n", "kafka1")).toMatchObject({
      faked: false,
      reason: expect.stringMatching(/cluster\.fakeClock/),
    });
    expect(parseClock("KH-CLOCK none /sbin/init\n", "kafka1")).toMatchObject({ faked: false, reason: expect.stringMatching(/ssh host/) });
    expect(parseClock("KH-CLOCK file /f\nKH-CLOCK was +0\nKH-CLOCK offset 3600002\n", "kafka1")).toEqual({
      faked: true,
      file: "/f",
      was: "+0",
      offsetMs: 3600002,
    });
    expect(() => parseClock("sh: 1: date: not found", "kafka1")).toThrow(/unexpected answer/);
    expect(clockScript("+1.000")).toContain(`printf '%s\\n' '+1.000' > "$f.kh" && mv "$f.kh" "$f"`);
    expect(clockScript()).not.toContain("mv ");
  });
});

describe("clock faults in specs and schedules", () => {
  it("the generated ones have valid parameters, target brokers or ZooKeeper nodes, and are undone by reset-clock", () => {
    const s = generateSchedule(7, {
      faults: ["clock-bump", "clock-strobe"],
      timeLimitMs: 120_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 4000 },
      partitions: ["t-0"],
    });
    expect(new Set(s.map((f) => f.fault))).toEqual(new Set(["clock-bump", "clock-strobe"]));
    for (const f of s) expect(clockParamProblems(f as ClockSpec)).toEqual([]);
    expect(s.some((f) => "targets" in f && f.targets?.kind.startsWith("zk-"))).toBe(true);
    expect(s.some((f) => "targets" in f && !f.targets?.kind.startsWith("zk-"))).toBe(true);
  });

  it("KRaft: no ZooKeeper targets", () => {
    const s = generateSchedule(7, {
      faults: ["clock-bump"],
      timeLimitMs: 60_000,
      meanIntervalMs: 5000,
      durationMs: { min: 1000, max: 2000 },
      metadata: "kraft",
      targets: ["random-broker", "controllers"],
    });
    expect(s.length).toBeGreaterThan(3);
    expect(s.every((f) => "targets" in f && !f.targets?.kind.startsWith("zk-"))).toBe(true);
  });

  it("a spec whose faults may move a clock starts its cluster under libfaketime; one whose cannot does not", () => {
    expect(parseTestSpec({ faults: { kinds: ["clock-strobe"] } }).cluster.fakeClock).toBe(true);
    const explicit = parseTestSpec({
      faults: { schedule: [{ at: 0, duration: 1000, fault: "clock-bump", targets: { kind: "zk-leader" }, deltaMs: -1000 }] },
    });
    expect(explicit.cluster.fakeClock).toBe(true);
    expect(parseTestSpec({ faults: { kinds: ["kill", "partition"] } }).cluster.fakeClock).toBeUndefined();
  });

  it("an explicit schedule's bad clock parameters are each named by their own message", () => {
    const bad = (entry: object) => {
      try {
        parseTestSpec({ faults: { schedule: [{ at: 0, duration: 1000, targets: { kind: "random-broker" }, ...entry }] } });
        return "parsed";
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(bad({ fault: "clock-bump", deltaMs: 0 })).toMatch(/faults\.schedule\.0\.deltaMs: must be a whole number of ms, not 0/);
    expect(bad({ fault: "clock-bump", deltaMs: 31 * 86_400_000 })).toMatch(/deltaMs: .*30 days/);
    expect(bad({ fault: "clock-strobe", deltaMs: 1000, periodMs: 100 })).toMatch(
      /faults\.schedule\.0\.periodMs: must be a whole number of ms between 1000 \(libfaketime/,
    );
    expect(bad({ fault: "clock-strobe", deltaMs: 1000 })).toMatch(/periodMs: must be/);
    expect(bad({ fault: "clock-bump", deltaMs: 1000, periodMs: 1000 })).toMatch(/periodMs: is for clock-strobe only/);
    expect(bad({ fault: "clock-bump" })).toMatch(/faults\.schedule\.0\.deltaMs: must be a number of ms \(how far the clock jumps/);
    expect(bad({ fault: "clock-strobe", deltaMs: -2000, periodMs: 3000 })).toBe("parsed");
  });

  it("an attached cluster refuses clock faults when the spec is read", () => {
    expect(() => parseTestSpec({ cluster: { kind: "attach", bootstrap: ["h:9092"] }, faults: { kinds: ["clock-bump"] } })).toThrow(
      /clock-bump cannot run on cluster kind "attach"/,
    );
  });
});

it("the family is registered with its kinds", () => {
  expect(clockFamily.kinds).toEqual(["clock-bump", "clock-strobe"]);
});

it("the report labels a clock fault with its jump and a strobe's period", () => {
  expect(faultLabel("clock-bump", { targets: ["kafka1"], selector: "leader", leaderOf: "t-0", deltaMs: 3_600_000 })).toBe(
    "clock-bump kafka1 (leader of t-0, +1 h)",
  );
  expect(faultLabel("clock-strobe", { targets: ["zk2"], selector: "zk-random", deltaMs: -1500, periodMs: 2000 })).toBe(
    "clock-strobe zk2 (zk-random, -1.5 s every 2 s)",
  );
});

it("the schedule's line names a clock fault's jump and period", () => {
  expect(
    describeScheduled({ fault: "clock-strobe", targets: { kind: "zk-leader" }, deltaMs: -10_000, periodMs: 2000, at: 0, duration: 7000 }),
  ).toBe("clock-strobe -10000 ms every 2000 ms zk-leader for 7000 ms");
  expect(describeScheduled({ fault: "clock-bump", targets: { kind: "controller" }, deltaMs: 60_000, at: 0, duration: 3000 })).toBe(
    "clock-bump +60000 ms controller for 3000 ms",
  );
});

it("the run's progress line lists the clocks in force until they are reset", async () => {
  const { nemesis } = setup();
  const r = await nemesis.invoke({ fault: "clock-bump", targets: on(["kafka2"]), deltaMs: -60_000 });
  expect(clocksInForce(nemesis.state)).toEqual(["kafka2 clock-bump -60000 ms"]);
  await nemesis.invoke(r.undo!);
  expect(clocksInForce(nemesis.state)).toEqual([]);
  await nemesis.close();
});
