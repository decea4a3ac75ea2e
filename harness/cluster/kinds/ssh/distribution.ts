// The Kafka distribution the ssh kind's install mode uploads: the same Maven-resolved jars, log
// configurations and entrypoint as the harness's image of that version (harness/images/kafka/), as
// one tarball (kafka/libs, kafka/config, kafka/entrypoint.sh). Built once per version and inputs,
// cached under ${XDG_CACHE_HOME:-~/.cache}/kafka-harness/dist, named by a hash of its inputs so a
// changed pom or entrypoint makes a new one.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { KAFKA_FILES, mavenArgs } from "../../../images/build-images.ts";
import { writeAtomically } from "../../../images/rootfs-cache.ts";
import { run } from "../../../util/exec.ts";
import { packageFile } from "../../../util/package-root.ts";
import { secondsSince } from "../../../util/wait.ts";

const KAFKA_DIR = packageFile("harness", "images", "kafka");
/** What of the image's inputs the distribution carries (the rest, Dockerfile and cds-train.sh, are the image's own). */
const SHIPPED = ["entrypoint.sh", "log4j.properties", "log4j2.properties"] as const;

export const distributionCacheDir = (env = process.env) => join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "kafka-harness", "dist");

/** The tarball's file name for a version and the image inputs' contents (KAFKA_FILES order). Pure. */
export function distributionName(version: string, contents: readonly string[]): string {
  const h = createHash("sha256");
  for (const part of [version, ...mavenArgs(version), ...contents]) h.update(part).update("\0");
  return `kafka-${version}-${h.digest("hex").slice(0, 12)}.tgz`;
}

/** The distribution's tarball for a version: from the cache, else built with Maven (a minute or so,
 *  less when ~/.m2 has the jars). Two processes asking at once build it once. */
export async function kafkaDistribution(version: string, progress: (m: string) => void = () => {}): Promise<string> {
  const contents = await Promise.all(KAFKA_FILES.map((f) => readFile(join(KAFKA_DIR, f), "utf8")));
  const dir = distributionCacheDir();
  const tarball = join(dir, distributionName(version, contents));
  if (existsSync(tarball)) return tarball;
  await mkdir(dir, { recursive: true });
  const release = await lockfile.lock(dir, { retries: { retries: 600, minTimeout: 500, maxTimeout: 1000 }, stale: 300_000 });
  try {
    if (existsSync(tarball)) return tarball;
    const started = performance.now();
    const work = await mkdtemp(join(tmpdir(), "kh-dist-"));
    try {
      await copyFile(join(KAFKA_DIR, "pom.xml"), join(work, "pom.xml"));
      progress(`ssh: resolving Apache Kafka ${version} jars with Maven for the distribution`);
      await run("mvn", mavenArgs(version), { cwd: work });
      const home = join(work, "kafka");
      await mkdir(join(home, "config"), { recursive: true });
      await run("mv", [join(work, "target", "dependency"), join(home, "libs")]);
      for (const f of SHIPPED) await copyFile(join(KAFKA_DIR, f), join(home, f === "entrypoint.sh" ? f : join("config", f)));
      await run("chmod", ["0755", join(home, "entrypoint.sh")]);
      await writeAtomically(tarball, (tmp) => run("tar", ["-czf", tmp, "-C", work, "kafka"]).then(() => undefined));
      progress(`ssh: Kafka ${version} distribution ready in ${secondsSince(started)} s (${tarball})`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return tarball;
  } finally {
    await release();
  }
}
