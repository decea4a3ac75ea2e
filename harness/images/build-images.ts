// Builds the local image every role runs from, one per Kafka version, in two cached steps: a Debian
// base (mmdebstrap from the host's apt sources, imported with `docker import`) and the Kafka layer
// (jars resolved by Maven from pom.xml with the version passed as a property, in a scratch copy of
// the build context so two versions never mix their jars). Tags carry a hash of their inputs (the
// files, the version, Maven's arguments), so an existing tag means nothing to do.
// The root filesystem tarball is cached under the base tag's hash (rootfs-cache.ts), so a build
// that fails after mmdebstrap does not run it again.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import lockfile from "proper-lockfile";
import { run, succeeds } from "../util/exec.ts";
import { packageFile } from "../util/package-root.ts";
import { provisionReady, provisionScript, provisionWork } from "../util/provision.ts";
import { secondsSince } from "../util/wait.ts";
import { hostCodename, hostReleaseSources } from "./apt-sources.ts";
import { baseStep, pruneRootfsCache, ROOTFS_CACHE_DIR, rootfsCachePath, writeAtomically } from "./rootfs-cache.ts";

const KAFKA_DIR = packageFile("harness", "images", "kafka");
const ENSURE_TOOLS = packageFile("scripts", "ensure-image-tools");
/** The image's inputs in harness/images/kafka/ (hashed into its tag; shipped in the package). */
export const KAFKA_FILES = [
  "pom.xml",
  "Dockerfile",
  "entrypoint.sh",
  "cds-train.sh",
  "log4j.properties",
  "log4j2.properties",
  "faultfs.py",
];
// iproute2: tc for slow links; libfaketime: a node's own wall clock for clock faults (preloaded
// only when a run asks for them); python3-fusepy: the fault-injecting filesystem under the log
// directory for disk faults (mounted only when a run asks for them).
export const BASE_PACKAGES = [
  "openjdk-17-jre-headless",
  "iproute2",
  "iptables",
  "procps",
  "netcat-openbsd",
  "libfaketime",
  "python3-fusepy",
];
const MMDEBSTRAP_OPTS = [
  "--variant=essential",
  `--include=${BASE_PACKAGES.join(",")}`,
  // Not man pages: the JRE's postinst links into /usr/share/man/man1 and fails without it.
  "--dpkgopt=path-exclude=/usr/share/doc/*",
  "--dpkgopt=path-exclude=/usr/share/locale/*",
];
export const IMAGE_LABEL = "dev.kafka-harness.image";

/** The Apache Kafka version an image carries when none is asked for (pom.xml's default: ZooKeeper
 *  mode's 3.9.1). */
export function kafkaVersion(): string {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(KAFKA_DIR, "pom.xml"), "utf8"))?.[1] ?? "unknown";
}

/** Maven's arguments for one Kafka version: the version as a property, and for 4.x (log4j2, no
 *  ZooKeeper) the profile that binds SLF4J to log4j2 instead of reload4j. Pure. */
export function mavenArgs(version: string): string[] {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`not a Kafka release: ${JSON.stringify(version)}`);
  const major = Number(version.split(".")[0]);
  return [
    "-q",
    "-B",
    "dependency:copy-dependencies",
    "-DincludeScope=runtime",
    `-Dkafka.version=${version}`,
    ...(major >= 4 ? ["-Dkafka.log4j2"] : []),
  ];
}

/** The Kafka image's tag from its inputs: the base tag, the version, Maven's arguments and each
 *  file's contents (in KAFKA_FILES order). Pure. */
export function kafkaImageTag(base: string, version: string, contents: readonly string[]): string {
  return `kafka-harness/kafka:${version}-${hash([base, version, ...mavenArgs(version), ...contents])}`;
}

export type Progress = (message: string) => void;

export interface ImageResult {
  tag: string;
  built: boolean;
  seconds: number;
}

const hash = (parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 12);

export async function imageExists(tag: string): Promise<boolean> {
  return succeeds("docker", ["image", "inspect", "--format", "{{.Id}}", tag]);
}

interface Base {
  tag: string;
  /** The input hash (the tag's part after the colon); also names the cached rootfs tarball. */
  inputHash: string;
  codename: string;
  sources: string[];
}

async function baseTag(): Promise<Base> {
  const codename = await hostCodename();
  const files = await hostReleaseSources(codename);
  const inputHash = hash([codename, ...MMDEBSTRAP_OPTS, ...files.map((f) => f.text)]);
  return { tag: `kafka-harness/base:${inputHash}`, inputHash, codename, sources: files.map((f) => f.path) };
}

async function kafkaTag(base: string, version: string): Promise<string> {
  const contents = await Promise.all(KAFKA_FILES.map((f) => readFile(join(KAFKA_DIR, f), "utf8")));
  return kafkaImageTag(base, version, contents);
}

/** The tag the current inputs give for a Kafka version, without building anything. */
export async function currentImageTag(version = kafkaVersion()): Promise<string> {
  return kafkaTag((await baseTag()).tag, version);
}

type Output = (line: string) => void;

/** Makes the rootfs tarball with mmdebstrap, straight into the cache (atomically: a crash or a
 *  failure leaves no tarball there, never a torn one). */
async function makeRootfs(base: Base, tar: string, output: Output): Promise<void> {
  await mkdir(ROOTFS_CACHE_DIR, { recursive: true });
  const stale = await pruneRootfsCache(ROOTFS_CACHE_DIR, basename(tar));
  if (stale.length > 0) output(`removed ${stale.length} stale file(s) from ${ROOTFS_CACHE_DIR}`);
  output(`mmdebstrap ${base.codename} (${BASE_PACKAGES.join(", ")}) from ${base.sources.join(", ")}`);
  const started = performance.now();
  await writeAtomically(tar, (tmp) =>
    run("mmdebstrap", ["--format=tar", ...MMDEBSTRAP_OPTS, base.codename, tmp, ...base.sources], { onLine: output }).then(() => undefined),
  );
  output(`rootfs made in ${secondsSince(started)} s, cached as ${tar}`);
}

async function importBase(tag: string, tar: string, fromCache: boolean, output: Output): Promise<void> {
  output(`docker import as ${tag}`);
  try {
    await run(
      "docker",
      [
        "import",
        "--change",
        "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64",
        "--change",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change",
        `LABEL ${IMAGE_LABEL}=base`,
        tar,
        tag,
      ],
      { onLine: output },
    );
  } catch (err) {
    // Kept for the next try (the engine may just be down); only a damaged file needs removing.
    if (fromCache) (err as Error).message += `\n(the root filesystem came from the cache; if that file is damaged, delete ${tar})`;
    throw err;
  }
}

async function buildBase(base: Base, progress: Progress): Promise<void> {
  const tar = rootfsCachePath(ROOTFS_CACHE_DIR, base.inputHash);
  const step = baseStep({ baseImageExists: await imageExists(base.tag), rootfsCached: existsSync(tar) });
  if (step === "keep") return provisionReady("base image", `${base.tag} exists`, progress);
  const what =
    step === "import-cached"
      ? `${base.tag} is missing: importing its root filesystem from the cache (${tar}) with docker import`
      : `${base.tag} is missing: making a Debian ${base.codename} root filesystem with mmdebstrap from the host's apt sources (about a minute, one time), then docker import`;
  await provisionWork("base image", what, progress, async (output) => {
    if (step === "build") await makeRootfs(base, tar, output);
    await importBase(base.tag, tar, step === "import-cached", output);
  });
}

async function buildKafka(tag: string, base: string, version: string, output: Output): Promise<void> {
  // A scratch build context per build: the package folder may be read-only (installed), and jars of
  // two versions in one target/dependency would end up on one classpath.
  const context = await mkdtemp(join(tmpdir(), `kafka-harness-image-${version}-`));
  try {
    for (const f of KAFKA_FILES) await copyFile(join(KAFKA_DIR, f), join(context, f));
    output(`resolving Apache Kafka ${version} jars with Maven (pom.xml, ${mavenArgs(version).slice(4).join(" ")})`);
    await run("mvn", mavenArgs(version), { cwd: context, onLine: output });
    output(`docker build ${tag}`);
    // The classic builder: Debian's docker.io has no buildx plugin.
    await run("docker", ["build", "--build-arg", `BASE_IMAGE=${base}`, "-t", tag, "."], {
      cwd: context,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
      onLine: output,
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Makes sure the image for a Kafka version exists (default: pom.xml's, ZooKeeper mode's 3.9.1),
 *  building what is missing. Safe to call from several processes. */
export async function ensureImages(progress: Progress = () => {}, version = kafkaVersion()): Promise<ImageResult> {
  const started = performance.now();
  const seconds = () => secondsSince(started);
  const base = await baseTag();
  const tag = await kafkaTag(base.tag, version);
  const exists = () => {
    provisionReady("Kafka image", `${tag} exists`, progress);
    return { tag, built: false, seconds: seconds() };
  };
  if (await imageExists(tag)) return exists();

  const release = await lockfile.lock(KAFKA_DIR, {
    lockfilePath: join(tmpdir(), "kafka-harness-images.lock"),
    retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
    stale: 30_000,
  });
  try {
    if (await imageExists(tag)) return exists();
    await provisionScript("image tools", ENSURE_TOOLS, progress, async () => "mmdebstrap, Maven and a JDK present");
    await buildBase(base, progress);
    await provisionWork(
      "Kafka image",
      `${tag} is missing: resolving Apache Kafka ${version}'s jars with Maven, then docker build`,
      progress,
      (output) => buildKafka(tag, base.tag, version, output),
      () => tag,
    );
    return { tag, built: true, seconds: seconds() };
  } finally {
    await release();
  }
}
