// Keys, values, process names, fault targets and errors come from histories: all untrusted.
import { describe, expect, it } from "vitest";
import { check, type History } from "../../checkers/index.ts";
import { esc, jsonForScript, scriptText } from "../../reports/escape.ts";
import { renderReport } from "../../reports/index.ts";

const EVIL_KEY = `<img src=x onerror="alert(1)">`;
const EVIL_VALUE = `</script><script>alert("v")</script><!--`;
const EVIL_TARGET = `kafka1<svg onload=alert(2)>`;

describe("escaping", () => {
  it("esc escapes the five HTML specials", () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    expect(esc(42)).toBe("42");
  });

  it("jsonForScript cannot end its script element and parses back unchanged", () => {
    const v = { s: EVIL_VALUE, t: "a\u2028b\u2029c" };
    const text = jsonForScript(v);
    expect(text).not.toMatch(/<\/script/i);
    expect(text).not.toContain("<!--");
    expect(JSON.parse(text)).toEqual(v);
  });

  it("scriptText keeps inlined code from closing its element", () => {
    expect(scriptText('x = "</script>";')).toBe('x = "<\\/script>";');
  });

  it("a report of a hostile history contains no markup from it", () => {
    const h: History = [
      { index: 0, time: 0, process: 0, type: "invoke", f: "send", value: [["send", EVIL_KEY, EVIL_VALUE]] },
      { index: 1, time: 1e6, process: 0, type: "ok", f: "send", value: [["send", EVIL_KEY, [0, EVIL_VALUE]]] },
      { index: 2, time: 2e6, process: "nemesis", type: "invoke", f: "kill<b>", value: { targets: [EVIL_TARGET], leaderOf: EVIL_KEY } },
      {
        index: 3,
        time: 3e6,
        process: "nemesis",
        type: "info",
        f: "kill<b>",
        value: { targets: [EVIL_TARGET], reason: `<script>alert(3)</script>` },
      },
      { index: 4, time: 4e6, process: 1, type: "invoke", f: "poll", value: [["poll"]] },
      // Read at two offsets: a duplicate, so the hostile value lands in the evidence and the log view.
      {
        index: 5,
        time: 5e6,
        process: 1,
        type: "ok",
        f: "poll",
        value: [
          [
            "poll",
            {
              [EVIL_KEY]: [
                [0, EVIL_VALUE],
                [1, EVIL_VALUE],
              ],
            },
          ],
        ],
        error: `<i>err</i>`,
      },
    ];
    const results = check(h, { idempotent: true });
    expect(results.anomalyTypes).toContain("duplicate");
    const html = renderReport({ spec: { name: `<b>name</b>`, seed: 1, faults: { kinds: [`<u>k</u>`] } }, history: h, results });
    for (const raw of [EVIL_KEY, EVIL_TARGET, "<script>alert", "<b>name</b>", "<u>k</u>", "<i>err</i>", "kill<b>"])
      expect(html, raw).not.toContain(raw);
    // Exactly our own script elements: the data, uPlot, the report's script.
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html).toContain(esc(EVIL_KEY));
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.stringify(JSON.parse(data))).toContain(JSON.stringify(EVIL_TARGET).slice(1, -1));
  });
});
