// Headless Debian Chromium driven by playwright-core, for the report tests. No browser download:
// the system's /usr/bin/chromium (scripts/ensure-chromium installs it) or $CHROMIUM_PATH. A missing
// browser is a failure with a message, never a skip.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface OpenBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<OpenBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/ensure-chromium (installs Debian's chromium as root), or set CHROMIUM_PATH`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "kh-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1360, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface Visit {
  page: Page;
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Every request the page made, other than the file itself. */
  requests: string[];
}

/** Opens a local file and records console errors and every request other than the file itself. */
export async function visit(b: OpenBrowser, path: string): Promise<Visit> {
  const url = pathToFileURL(path).href;
  const page = await b.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(`${e.name}: ${e.message}`));
  page.on("request", (r) => {
    if (r.url() !== url && !r.url().startsWith(`${url}#`)) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, errors, requests };
}

export type { Browser };

/**
 * The browser of a test file: launched before its tests, then `prepare` (the file's fixtures); closed
 * after them. Without Chromium every test fails with the launch's message: a failure, never a skip.
 */
export function browserForFile(prepare: () => Promise<void> = async () => {}): { readonly current: OpenBrowser } {
  let browser: OpenBrowser | undefined;
  let launchError: unknown;
  beforeAll(async () => {
    try {
      browser = await launch();
    } catch (e) {
      launchError = e;
      return;
    }
    await prepare();
  });
  beforeEach(() => {
    if (launchError) throw launchError;
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get current() {
      if (!browser) throw launchError ?? new Error("the browser is not launched yet");
      return browser;
    },
  };
}
