// Builds the one local image both roles run from, in two cached steps: a Debian base (mmdebstrap
// from the host's apt sources, imported with `docker import`) and the Kafka layer (jars resolved by
// Maven from pom.xml). Tags carry a hash of their inputs, so an existing tag means nothing to do.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import lockfile from "proper-lockfile";
import { run, succeeds } from "../util/exec.ts";
import { hostCodename, hostReleaseSources } from "./apt-sources.ts";
import { secondsSince } from "../util/wait.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const KAFKA_DIR = join(HERE, "kafka");
const ENSURE_TOOLS = join(HERE, "..", "..", "scripts", "ensure-image-tools");
const KAFKA_FILES = ["pom.xml", "Dockerfile", "entrypoint.sh", "log4j.properties"];
export const BASE_PACKAGES = ["openjdk-17-jre-headless", "iproute2", "iptables", "procps", "netcat-openbsd"];
const MMDEBSTRAP_OPTS = [
  "--variant=essential",
  `--include=${BASE_PACKAGES.join(",")}`,
  // Not man pages: the JRE's postinst links into /usr/share/man/man1 and fails without it.
  "--dpkgopt=path-exclude=/usr/share/doc/*",
  "--dpkgopt=path-exclude=/usr/share/locale/*",
];
export const IMAGE_LABEL = "dev.kafka-harness.image";

/** The Apache Kafka version the image carries (from pom.xml, the one place it is set). */
export function kafkaVersion(): string {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(join(KAFKA_DIR, "pom.xml"), "utf8"))?.[1] ?? "unknown";
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

async function baseTag(): Promise<{ tag: string; codename: string; sources: string[] }> {
  const codename = await hostCodename();
  const files = await hostReleaseSources(codename);
  const tag = `kafka-harness/base:${hash([codename, ...MMDEBSTRAP_OPTS, ...files.map((f) => f.text)])}`;
  return { tag, codename, sources: files.map((f) => f.path) };
}

async function kafkaTag(base: string): Promise<string> {
  const contents = await Promise.all(KAFKA_FILES.map((f) => readFile(join(KAFKA_DIR, f), "utf8")));
  return `kafka-harness/kafka:${hash([base, ...contents])}`;
}

/** The tag the current inputs give, without building anything. */
export async function currentImageTag(): Promise<string> {
  return kafkaTag((await baseTag()).tag);
}

async function buildBase(tag: string, codename: string, sources: string[], progress: Progress): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "kafka-harness-rootfs-"));
  try {
    const tar = join(work, "rootfs.tar");
    progress(`base: mmdebstrap ${codename} (${BASE_PACKAGES.join(", ")}) from ${sources.join(", ")}`);
    await run("mmdebstrap", [...MMDEBSTRAP_OPTS, codename, tar, ...sources], {
      onLine: (l) => /^I: (running|downloading|extracting|installing|success)/.test(l) && progress(`base: ${l.slice(3)}`),
    });
    progress(`base: docker import as ${tag}`);
    await run("docker", [
      "import",
      "--change", "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64",
      "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "--change", `LABEL ${IMAGE_LABEL}=base`,
      tar,
      tag,
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function buildKafka(tag: string, base: string, progress: Progress): Promise<void> {
  progress("kafka: resolving Apache Kafka jars with Maven (pom.xml)");
  await run("mvn", ["-q", "-B", "dependency:copy-dependencies", "-DincludeScope=runtime"], { cwd: KAFKA_DIR });
  progress(`kafka: docker build ${tag}`);
  // The classic builder: Debian's docker.io has no buildx plugin.
  await run("docker", ["build", "--build-arg", `BASE_IMAGE=${base}`, "-t", tag, "."], {
    cwd: KAFKA_DIR,
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
    onLine: (l) => /^Step \d+\/\d+/.test(l) && progress(`kafka: ${l}`),
  });
}

/** Makes sure the image exists, building what is missing. Safe to call from several processes. */
export async function ensureImages(progress: Progress = () => {}): Promise<ImageResult> {
  const started = performance.now();
  const seconds = () => secondsSince(started);
  const base = await baseTag();
  const tag = await kafkaTag(base.tag);
  if (await imageExists(tag)) return { tag, built: false, seconds: seconds() };

  const release = await lockfile.lock(KAFKA_DIR, {
    lockfilePath: join(tmpdir(), "kafka-harness-images.lock"),
    retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
    stale: 30_000,
  });
  try {
    if (await imageExists(tag)) return { tag, built: false, seconds: seconds() };
    await run("bash", [ENSURE_TOOLS], { onLine: (l) => l.trim() && progress(l) });
    if (await imageExists(base.tag)) progress(`base: ${base.tag} exists, kept`);
    else await buildBase(base.tag, base.codename, base.sources, progress);
    await buildKafka(tag, base.tag, progress);
    progress(`done: ${tag} in ${seconds()} s`);
    return { tag, built: true, seconds: seconds() };
  } finally {
    await release();
  }
}
