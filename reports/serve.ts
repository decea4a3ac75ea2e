// `kafka-harness serve`: the store over HTTP on 127.0.0.1 only. The index is rendered fresh from
// the store on each request (new runs appear), with the runs that are running now above it; a run
// folder opens as its live page (live-page.ts), which polls the run's live state (checkers/live.ts,
// folded from history.jsonl by byte offset, live-tail.ts); every other path is a file of the store,
// and a path that leads outside it (.., an encoded .., a symlink out) is refused.
import { createReadStream, existsSync } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, relative, resolve, sep } from "node:path";
import { lossSentence, verdictWord } from "../checkers/index.ts";
import { liveSummary } from "../checkers/live.ts";
import { lossOf } from "../checkers/loss-summary.ts";
import { checkConfigOfSpec } from "../checkers/spec-config.ts";
import { esc } from "./escape.ts";
import { renderIndex } from "./index-page.ts";
import { renderLivePage } from "./live-page.ts";
import { advanceTail, newTail, type Tail } from "./live-tail.ts";
import { historyNameIn, RUN_FILES, type RunningMarker, readRunningMarker, readStoredResults, readStoredSpec } from "./run-folder.ts";
import { scanStore } from "./store.ts";

/** The port `serve` listens on unless told otherwise. */
export const DEFAULT_PORT = 8347;
/** The one address it listens on: this machine only. */
export const HOST = "127.0.0.1";
/** The server's own routes, apart from the store's paths. */
export const LIVE_ROUTE = "/_serve/live";
export const RUNS_ROUTE = "/_serve/runs.json";

/** running: its marker is there and its process alive; crashed: marker left by a process that is
 *  gone; finished: results stored; stopped: neither (an older crashed run, or one just opened). */
export type RunStatus = "running" | "crashed" | "finished" | "stopped";

/** Whether a process with this id exists (signal 0 tests, sends nothing). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function runStatus(dir: string): Promise<{ status: RunStatus; marker?: RunningMarker }> {
  const marker = await readRunningMarker(dir);
  if (marker) return { status: pidAlive(marker.pid) ? "running" : "crashed", marker };
  return { status: existsSync(join(dir, RUN_FILES.results)) ? "finished" : "stopped" };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "text/plain; charset=utf-8",
  ".edn": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "text/xml; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * The file a request path names inside the store, or undefined when it leads outside: the path is
 * decoded, resolved against the store, and resolved again through symlinks (store/latest is one).
 * `root` is the store's real path.
 */
export async function resolveInStore(root: string, rawPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.includes("\0") || path.includes("\\")) return undefined;
  const inside = (p: string) => p === root || p.startsWith(root + sep);
  const full = resolve(root, `.${path.startsWith("/") ? path : `/${path}`}`);
  if (!inside(full)) return undefined;
  const real = await realpath(full).catch(() => undefined);
  if (real === undefined) return existsSync(full) ? undefined : full;
  return inside(real) ? real : undefined;
}

export interface Served {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (port 0: any free port) and resolves once it listens. */
export async function serveStore(store: string, port = DEFAULT_PORT): Promise<Served> {
  const root = await realpath(store);
  const tails = new Map<string, Tail>();
  const server = createServer((req, res) => {
    handle(root, tails, req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", `internal error: ${err.message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, HOST, () => {
      server.off("error", fail);
      ok();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${HOST}:${actual}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

const isRunFolder = (dir: string) => existsSync(join(dir, RUN_FILES.spec)) || historyNameIn(dir) !== undefined;

async function handle(root: string, tails: Map<string, Tail>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "only GET\n");
  // The raw path, not a URL-normalized one: a ".." must be seen to be refused.
  const raw = req.url ?? "/";
  const [path = "/", query = ""] = raw.split("?", 2);
  if (path === "/" || path === "/index.html") return send(res, 200, TYPES[".html"]!, await indexPage(root));
  if (path === "/favicon.ico") return void res.writeHead(204).end();
  if (path === RUNS_ROUTE) return send(res, 200, TYPES[".json"]!, JSON.stringify(await liveRuns(root)));
  if (path === LIVE_ROUTE) {
    const run = new URLSearchParams(query).get("run") ?? "";
    const dir = await resolveInStore(root, `/${run}`);
    if (!dir || dir === root || !isRunFolder(dir)) return send(res, 404, TYPES[".json"]!, JSON.stringify({ error: `no run ${run}` }));
    return send(res, 200, TYPES[".json"]!, JSON.stringify(await liveOf(root, tails, dir)));
  }
  const target = await resolveInStore(root, path);
  if (target === undefined) return send(res, 403, "text/plain; charset=utf-8", "outside the store\n");
  const st = await stat(target).catch(() => undefined);
  if (!st) return send(res, 404, "text/plain; charset=utf-8", "not found\n");
  if (st.isDirectory()) {
    if (!path.endsWith("/")) {
      res.writeHead(301, { location: `${path}/` });
      return void res.end();
    }
    if (target !== root && isRunFolder(target)) return send(res, 200, TYPES[".html"]!, renderLivePage(relPath(root, target)));
    return send(res, 200, TYPES[".html"]!, await listing(root, target));
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(target).toLowerCase()] ?? "application/octet-stream",
    "content-length": st.size,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") return void res.end();
  createReadStream(target).pipe(res);
}

const relPath = (root: string, dir: string) => relative(root, dir).split(sep).join("/");

/** The index as `report --index` writes it, with the runs running now above it (kept fresh by polling). */
async function indexPage(root: string): Promise<string> {
  const html = renderIndex(await scanStore(root));
  const live = `<section id="live-runs" style="margin:0 0 1em"></section>
<script>(() => {
  const box = document.getElementById("live-runs");
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  async function tick() {
    try {
      const runs = await (await fetch(${JSON.stringify(RUNS_ROUTE)}, { cache: "no-store" })).json();
      box.innerHTML = runs.length
        ? "<h2>Running now</h2><ul>" + runs.map((r) => '<li class="live-run ' + esc(r.status) + '"><a href="' + encodeURI(r.path) + '/">' + esc(r.test) + (r.seed !== undefined ? " (seed " + esc(r.seed) + ")" : "") + "</a> " + (r.status === "running" ? "running" : "crashed (its process is gone)") + ", started " + esc(r.startedAt) + "</li>").join("") + "</ul>"
        : "";
    } catch {}
  }
  tick();
  setInterval(tick, 2000);
})();</script>`;
  // The page's policy allows no requests; this one polls its own server.
  return html.replace("default-src 'none';", "default-src 'none'; connect-src 'self';").replace(/<body>/, `<body>\n${live}`);
}

/** The store's runs that have a running marker: running, or crashed when their process is gone. */
async function liveRuns(root: string) {
  const out: Array<{ path: string; test: string; seed?: unknown; status: RunStatus; startedAt: string }> = [];
  for (const t of await readdir(root, { withFileTypes: true })) {
    if (!t.isDirectory()) continue;
    for (const r of await readdir(join(root, t.name), { withFileTypes: true }).catch(() => [])) {
      if (!r.isDirectory()) continue;
      const dir = join(root, t.name, r.name);
      if (!existsSync(join(dir, RUN_FILES.running))) continue;
      const { status, marker } = await runStatus(dir);
      const spec = await readStoredSpec(dir).catch(() => undefined);
      out.push({
        path: relPath(root, dir),
        test: typeof spec?.name === "string" ? spec.name : t.name,
        ...(spec?.seed !== undefined ? { seed: spec.seed } : {}),
        status,
        startedAt: marker?.startedAt ?? "",
      });
    }
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A run's live state: its status, what its history shows so far, and its verdict once finished. */
async function liveOf(root: string, tails: Map<string, Tail>, dir: string) {
  const spec = await readStoredSpec(dir).catch(() => undefined);
  const { status, marker } = await runStatus(dir);
  const historyName = historyNameIn(dir);
  let tail = tails.get(dir);
  if (!tail) {
    tail = newTail({ transactional: checkConfigOfSpec(spec as never).transactional === true });
    tails.set(dir, tail);
  }
  if (historyName === RUN_FILES.history) {
    // A history shorter than what was folded was written anew: start over.
    const size = (await stat(join(dir, historyName)).catch(() => undefined))?.size ?? 0;
    if (size < tail.offset) {
      tail = newTail({ transactional: tail.state.anomalies.transactional });
      tails.set(dir, tail);
    }
    await advanceTail(tail, join(dir, historyName));
  }
  const results =
    status === "finished" ? ((await readStoredResults(dir).catch(() => undefined)) as Record<string, unknown> | undefined) : undefined;
  const workload = (spec?.workload ?? {}) as { timeLimitSeconds?: number };
  const started = marker?.startedAt ?? (spec?.meta as { startedAt?: string } | undefined)?.startedAt;
  return {
    run: relPath(root, dir),
    test: typeof spec?.name === "string" ? spec.name : undefined,
    seed: spec?.seed,
    client: spec?.client,
    status,
    startedAt: started,
    secondsSinceStart: started ? Math.max(0, Math.round((Date.now() - Date.parse(started)) / 1000)) : undefined,
    timeLimitSeconds: marker?.timeLimitSeconds ?? workload.timeLimitSeconds,
    ...(existsSync(join(dir, RUN_FILES.report)) ? { report: RUN_FILES.report } : {}),
    ...(results && "valid" in results
      ? {
          verdict: verdictWord(results.valid as never),
          ...(results.stats ? { loss: lossSentence(lossOf(results as never)) } : {}),
        }
      : {}),
    badLines: tail.bad,
    summary: liveSummary(tail.state),
  };
}

/** A plain listing of a folder that is not a run (logs/, a test's folder). */
async function listing(root: string, dir: string): Promise<string> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const rel = relPath(root, dir);
  const items = entries.map((e) => {
    const name = e.name + (e.isDirectory() ? "/" : "");
    return `<li><a href="${esc(encodeURIComponent(e.name) + (e.isDirectory() ? "/" : ""))}">${esc(name)}</a></li>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(rel)}/</title></head><body>
<p><a href="/">index</a></p><h1>${esc(rel)}/</h1><ul>${items.join("\n")}</ul></body></html>`;
}
