// The consumer groups view in a real browser: a generated group run (one member skipped a poll
// and committed past it: a group-loss) renders offline without console errors, with its group
// lanes drawn, rebalances shaded, hover text on who owned a key, and the group's commits beside the
// records of the key logs. Screenshots go to test-output/reports/.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../checkers/index.ts";
import { renderReport } from "../../reports/index.ts";
import { groupSample } from "../fixtures/reports/group-sample.ts";
import { browserForFile, visit } from "./browser.ts";

const OUT = join(process.cwd(), "test-output", "reports");
const PATH = join(OUT, "groups.html");

const browser = browserForFile(async () => {
  await mkdir(OUT, { recursive: true });
  const s = groupSample({ seed: 7, commands: 400, skip: true, msPerOp: 20 });
  const results = check(s.history, { commit: "after-sync", consumerMode: "subscribe" });
  await writeFile(PATH, renderReport({ spec: { name: "groups" }, history: s.history, results }));
});

describe("consumer groups view", () => {
  it("draws the group's lanes, shades rebalances, and marks the commits on the key logs, offline and without errors", async () => {
    const v = await visit(browser.current, PATH);
    try {
      const p = v.page;
      await p.waitForSelector("body[data-ready]", { timeout: 15_000 });
      expect(v.errors, "console errors").toEqual([]);
      expect(v.requests, "requests to anything but the file itself").toEqual([]);
      expect(await p.textContent('nav.toc a[href="#groups"]')).toBe("consumer groups (1)");
      // The five timeline charts and the group's two: its keys' owners, its members.
      expect(await p.locator(".chart canvas").count()).toBe(7);
      expect(await p.locator("#groups .group-chart canvas").count()).toBe(1);
      expect(await p.locator("#groups .member-chart canvas").count()).toBe(1);
      const counts = p.locator("#groups .group-counts");
      expect(Number(await counts.getAttribute("data-rebalances"))).toBeGreaterThan(1);
      expect(Number(await counts.getAttribute("data-crashes"))).toBeGreaterThan(0);
      expect(await p.locator("#groups tr.member").count()).toBe(Number(await counts.getAttribute("data-members")));
      expect(await p.textContent(".legend")).toContain("consumer group rebalance");
      // Hovering the first key's lane names the member that owned it.
      await p.locator("#chart-group-0").scrollIntoViewIfNeeded();
      const over = p.locator("#chart-group-0 .u-over");
      const box = (await over.boundingBox())!;
      const lanes = Number(await counts.getAttribute("data-keys"));
      const tip = p.locator("#chart-group-0 .tip");
      let text = "";
      for (let x = 0.05; x < 0.95 && !text.includes("owned by"); x += 0.05) {
        await p.mouse.move(box.x + box.width * x, box.y + box.height * (0.5 / lanes));
        text = (await tip.isVisible()) ? ((await tip.textContent()) ?? "") : "";
      }
      expect(text).toMatch(/^g-0 owned by p\d+ · /);
      // The group-loss key's log: the commit it lies below, marked as the group's highest.
      const loss = p.locator("#anomaly-group-loss li.finding").first();
      const below = /on key (\S+) at offset \d+ lies below offset (\d+)/.exec((await loss.textContent()) ?? "");
      expect(below).not.toBeNull();
      const log = p.locator(`#logs .keylog[data-key="${below![1]}"]`);
      expect(await log.locator(`.commit-mark.highest[data-offset="${below![2]}"]`).count()).toBe(1);
      expect(await log.locator(".commit-mark").count()).toBeGreaterThan(1);
      await p.locator("#groups").screenshot({ path: join(OUT, "groups-view.png") });
      await p
        .locator("#logs .keylog")
        .first()
        .screenshot({ path: join(OUT, "groups-log.png") });
    } finally {
      await v.page.close();
    }
  });
});
