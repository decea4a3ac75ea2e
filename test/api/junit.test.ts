// JUnit XML of a suite: one test case per scenario, failures with the problems, escaping.
import { describe, expect, it } from "vitest";
import { escapeXml, suiteToJUnit } from "../../harness/suite/junit.ts";
import type { ScenarioOutcome } from "../../index.ts";

const outcome = (name: string, met: boolean, problems: string[] = [], seconds = 61.5): ScenarioOutcome => ({
  name,
  config: "acks=1 minISR=1 inflight=5",
  faults: "isolate @ leader",
  runs: [
    {
      seed: 42,
      dir: `store/${name}/20261125T1`,
      valid: met ? true : false,
      ops: 900,
      sendsOk: 400,
      exercised: { acknowledged: 400, acknowledgedAfterFault: 120, read: 800 },
      loss: { acknowledged: 400, lost: met ? 0 : 3, readBeforeLost: 0, undecided: 0, permitted: met },
      anomalies: met ? {} : { "lost-write": 3 },
      forbidden: met ? [] : ["lost-write"],
      faultsPlanned: 3,
      faults: {
        applied: 3,
        effective: 2,
        refused: 0,
        uncertain: 0,
        byKind: { partition: { applied: 3, effective: 2, refused: 0, uncertain: 0 } },
      },
    },
  ],
  found: met ? 0 : 1,
  seconds,
  met,
  problems,
});

describe("JUnit XML", () => {
  it("escapes markup, quotes and characters XML cannot hold", () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
    expect(escapeXml("x\u0000y\u001bz\ttab\nnl")).toBe("xyz\ttab\nnl");
  });

  it("one testcase per scenario; a failure element with the problems; system-out with the row and reports", () => {
    const xml = suiteToJUnit("reg<1>", [
      outcome("ok-one", true),
      outcome("bad-one", false, ["seed 42: found lost-write, which must never happen here", "a <second> & last"], 70),
    ]);
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kafka-harness" tests="2" failures="1" errors="0" time="131.5">',
      ),
    ).toBe(true);
    expect(xml).toContain('<testsuite name="reg&lt;1&gt;" tests="2" failures="1" errors="0" skipped="0" time="131.5">');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<testcase classname="kafka-harness.reg&lt;1&gt;" name="ok-one" time="61.5">');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain(
      '<failure message="seed 42: found lost-write, which must never happen here" type="expectation-not-met">seed 42: found lost-write, which must never happen here\na &lt;second&gt; &amp; last</failure>',
    );
    expect(xml).toContain("store/bad-one/20261125T1/report.html");
    expect(xml).toMatch(
      /<system-out>scenario +configuration[^<]*\nbad-one +acks=1 minISR=1 inflight=5 +isolate @ leader +3\/2\/0 +1 +3!\/400\/800 +lost-write\*:3 +INVALID +NOT MET/,
    );
    expect(xml.trimEnd().endsWith("</testsuites>")).toBe(true);
    // Well formed at the level CI readers care about: every opened element is closed.
    for (const tag of ["testsuites", "testsuite", "testcase", "failure", "system-out"]) {
      expect((xml.match(new RegExp(`<${tag}[ >]`, "g")) ?? []).length).toBe((xml.match(new RegExp(`</${tag}>`, "g")) ?? []).length);
    }
  });
});
