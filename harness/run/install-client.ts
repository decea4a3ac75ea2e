// `kafka-harness install-client confluent`: builds @confluentinc/kafka-javascript (librdkafka) from
// its npm package into the per-user clients folder (harness/clients/confluent/package.ts), where a
// run loads it. Never a step of `npm install`: it compiles librdkafka and the addon, about 20
// minutes on 2 cores.
//
// Nothing is downloaded from outside the npm registry (npm's own client, the user's registry):
//   npm_config_build_from_source=true  node-pre-gyp skips its prebuilt-binary download and builds;
//   npm_config_nodedir=<prefix>        node-gyp uses the Node headers on this machine instead of
//                                      downloading them (refused here when they are missing);
//   CKJS_LINKING=dynamic               librdkafka is configured against the system's OpenSSL and
//                                      zlib; the default static build has librdkafka's configure
//                                      download the sources of OpenSSL, zlib, zstd and more.
// Parallelism: librdkafka's own build is `make -j` with no limit (deps/librdkafka.gyp: about 50
// compilers at once), so a `make` shim first on PATH turns a bare -j into -j<cores>. node-gyp's
// outer make stays serial (no JOBS, no MAKEFLAGS -j): its generated Makefile races librdkafka's
// ./configure against the build step that needs config.h ("No rule to make target
// '../deps/librdkafka/config.h'", seen with -j2).
//
// The build goes to <folder>.partial and replaces <folder> only once it loads, so a failed or
// interrupted build never leaves a half-built client where runs look for it.
import { existsSync } from "node:fs";
import { chmod, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { CONFLUENT_PACKAGE, CONFLUENT_VERSION, confluentDir, installedConfluentVersion } from "../clients/confluent/package.ts";
import { ClientLibraryError, tailOf } from "../util/environment.ts";
import { run, succeeds } from "../util/exec.ts";

export const INSTALLABLE_CLIENTS = ["confluent"] as const;

/** About how many C/C++ sources a build of 1.10.1 compiles (librdkafka, librdkafka++, the addon). */
export const ABOUT_SOURCES = 113;

/** The folder holding node.h for this Node, as node-gyp's --nodedir wants it (its prefix). */
export function nodeHeadersPrefix(execPath = process.execPath, exists: (p: string) => boolean = existsSync): string | undefined {
  const prefixes = [dirname(dirname(execPath)), "/usr", "/usr/local"];
  return prefixes.find((p) => exists(join(p, "include", "node", "node.h")));
}

/** The environment of the npm install that builds the package (see the header). */
export function buildEnv(base: NodeJS.ProcessEnv, opts: { nodedir: string; shimDir: string }): NodeJS.ProcessEnv {
  const { JOBS: _jobs, MAKEFLAGS: _makeflags, ...rest } = base;
  return {
    ...rest,
    CKJS_LINKING: "dynamic",
    npm_config_build_from_source: "true",
    npm_config_nodedir: opts.nodedir,
    PATH: `${opts.shimDir}:${base.PATH ?? "/usr/bin:/bin"}`,
  };
}

/** The make shim: a bare -j (unlimited) becomes -j<jobs>; everything else passes through. */
export function makeShim(realMake: string, jobs: number): string {
  return `#!/bin/sh
# kafka-harness install-client: librdkafka's build runs \`make -j\` with no limit; cap it at ${jobs}.
for a in "$@"; do
  shift
  if [ "$a" = "-j" ]; then set -- "$@" "-j${jobs}"; else set -- "$@" "$a"; fi
done
exec ${realMake} "$@"
`;
}

/** Progress of the build from its output lines: which step, and how many sources were compiled. */
export class BuildProgress {
  step = "npm: fetching the package";
  compiled = 0;

  /** Reads one output line; returns true when it moved the step (worth printing at once). */
  line(l: string): boolean {
    let moved = false;
    if (/^\s*(gcc|g\+\+|cc|c\+\+|clang\+?\+?)\s.*\s-c\s/.test(l) || /^\s*(CXX|CC)\(target\)/.test(l)) {
      this.compiled++;
      moved = this.compiled % 10 === 0;
    }
    const step = /build requesting source compile/.test(l)
      ? "node-gyp: configuring"
      : /checking for OS or distribution/.test(l)
        ? "librdkafka: ./configure"
        : /make\[1\]: Entering directory .*deps\/librdkafka/.test(l)
          ? "librdkafka: compiling"
          : /CXX\(target\).*src\/binding\.o/.test(l)
            ? "addon: compiling"
            : /SOLINK_MODULE\(target\)/.test(l)
              ? "addon: linking"
              : /^added \d+ packages?/.test(l)
                ? "npm: done"
                : undefined;
    if (!step || step === this.step) return moved;
    this.step = step;
    return true;
  }

  describe(): string {
    return `${this.step}; ${this.compiled} of about ${ABOUT_SOURCES} sources compiled`;
  }
}

const APT_ADVICE = "on Debian/Ubuntu: apt-get install build-essential python3 libssl-dev zlib1g-dev pkg-config";

async function checkPrerequisites(): Promise<string> {
  const missing: string[] = [];
  for (const cmd of ["make", "gcc", "g++", "python3", "npm"]) if (!(await succeeds("sh", ["-c", `command -v ${cmd}`]))) missing.push(cmd);
  for (const header of ["/usr/include/openssl/ssl.h", "/usr/include/zlib.h"]) if (!existsSync(header)) missing.push(header);
  if (missing.length)
    throw new ClientLibraryError(`building the confluent client needs ${missing.join(", ")}, which this machine lacks`, APT_ADVICE);
  const nodedir = nodeHeadersPrefix();
  if (!nodedir) {
    throw new ClientLibraryError(
      `no Node.js headers (include/node/node.h) beside ${process.execPath}: node-gyp would download them, which the install refuses`,
      "install the headers of this Node (Debian: the nodejs package's /usr/include/node, or libnode-dev), then run the command again",
    );
  }
  return nodedir;
}

export interface InstallResult {
  dir: string;
  version: string;
  librdkafka: string;
  built: boolean;
  seconds: number;
  log?: string;
}

export async function installClient(
  name: string,
  progress: (m: string) => void,
  opts: { force?: boolean; dir?: string } = {},
): Promise<InstallResult> {
  if (!(INSTALLABLE_CLIENTS as readonly string[]).includes(name)) {
    throw new ClientLibraryError(
      `no client named ${JSON.stringify(name)} to install`,
      `kafka-harness install-client ${INSTALLABLE_CLIENTS.join(" | ")} (kafkajs comes with the harness; platformatic: npm install @platformatic/kafka@~1.35.0)`,
    );
  }
  const dir = opts.dir ?? confluentDir();
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  if (!opts.force && installedConfluentVersion(dir) === CONFLUENT_VERSION) {
    const librdkafka = await loadsIn(dir).catch(() => undefined);
    if (librdkafka) {
      progress(
        `install-client: ${CONFLUENT_PACKAGE} ${CONFLUENT_VERSION} is already installed in ${dir} (librdkafka ${librdkafka}); --force builds it again`,
      );
      return { dir, version: CONFLUENT_VERSION, librdkafka, built: false, seconds: seconds() };
    }
  }
  const nodedir = await checkPrerequisites();
  const jobs = Math.max(1, availableParallelism());
  const staging = `${dir}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, ".shim"), { recursive: true });
  const logPath = join(staging, "install.log");
  progress(
    `install-client: building ${CONFLUENT_PACKAGE} ${CONFLUENT_VERSION} (librdkafka) from its npm package into ${dir}.\n` +
      `  This takes about 20 minutes on 2 cores (librdkafka's compilers capped at ${jobs} here). Full output: ${join(dir, "install.log")}`,
  );
  const realMake = (await run("sh", ["-c", "command -v make"])).trim();
  await writeFile(join(staging, ".shim", "make"), makeShim(realMake, jobs));
  await chmod(join(staging, ".shim", "make"), 0o755);
  await writeFile(
    join(staging, "package.json"),
    `${JSON.stringify({ name: "kafka-harness-client-confluent", private: true, description: `built by ${"kafka-harness install-client confluent"}` }, null, 2)}\n`,
  );

  const log = await open(logPath, "w");
  const state = new BuildProgress();
  let lastPrint = 0;
  const say = () => {
    lastPrint = performance.now();
    progress(`install-client: [${formatElapsed(seconds())}] ${state.describe()}`);
  };
  const ticker = setInterval(() => {
    if (performance.now() - lastPrint > 60_000) say();
  }, 5000);
  try {
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", "--foreground-scripts", "--loglevel=http", `${CONFLUENT_PACKAGE}@${CONFLUENT_VERSION}`],
      {
        cwd: staging,
        env: buildEnv(process.env, { nodedir, shimDir: join(staging, ".shim") }),
        onLine: (l) => {
          void log.write(`${l}\n`);
          if (state.line(l)) say();
        },
      },
    );
  } catch (err) {
    throw new ClientLibraryError(
      `building ${CONFLUENT_PACKAGE} ${CONFLUENT_VERSION} failed after ${formatElapsed(seconds())}:\n${tailOf(err, 15)}`,
      `read ${logPath}; the folder ${staging} is left for it`,
    );
  } finally {
    clearInterval(ticker);
    await log.close();
  }
  const librdkafka = await loadsIn(staging).catch((err: unknown) => {
    throw new ClientLibraryError(
      `the build of ${CONFLUENT_PACKAGE} finished but the addon does not load: ${tailOf(err, 5)}`,
      `read ${logPath}`,
    );
  });
  await rm(join(staging, ".shim"), { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  progress(
    `install-client: done in ${formatElapsed(seconds())}: ${CONFLUENT_PACKAGE} ${CONFLUENT_VERSION}, librdkafka ${librdkafka}, in ${dir}`,
  );
  return { dir, version: CONFLUENT_VERSION, librdkafka, built: true, seconds: seconds(), log: join(dir, "install.log") };
}

/** Loads the addon in a child Node (a crash there cannot take this process down); its librdkafka version. */
async function loadsIn(dir: string): Promise<string> {
  const out = await run(process.execPath, ["-e", `process.stdout.write(require(${JSON.stringify(CONFLUENT_PACKAGE)}).librdkafkaVersion)`], {
    cwd: dir,
  });
  return out.trim();
}

export function formatElapsed(s: number): string {
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.round(s)} s`;
}
