// The stand-in host image the ssh kind's tests log in to: a Kafka image of the project's own plus
// openssh-server (harness/images/sshd/). The base image has no apt, so the .deb files come from
// the host: apt-get, with the host's own sources, resolves openssh-server against the image's dpkg
// status (read with docker create + cp: no container runs) and downloads only what the image
// lacks; the Dockerfile installs them with dpkg. Like the Kafka image, its tag carries a hash of
// its inputs, so an existing tag means nothing to do.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../util/exec.ts";
import { packageFile } from "../util/package-root.ts";
import { imageExists, type Progress } from "./build-images.ts";

const SSHD_DIR = packageFile("harness", "images", "sshd");
export const SSHD_FILES = ["Dockerfile", "sshd-entrypoint.sh"];
export const SSHD_PACKAGES = ["openssh-server"];

/** The stand-in image's tag: the Kafka image it is made from and its own files. Pure. */
export function sshdImageTag(kafkaImage: string, contents: readonly string[]): string {
  const version = /^kafka-harness\/kafka:(\d+\.\d+\.\d+)-/.exec(kafkaImage)?.[1];
  if (!version) throw new Error(`not a kafka-harness Kafka image: ${JSON.stringify(kafkaImage)}`);
  const hash = createHash("sha256")
    .update([kafkaImage, ...SSHD_PACKAGES, ...contents].join("\0"))
    .digest("hex")
    .slice(0, 12);
  return `kafka-harness/sshd:${version}-${hash}`;
}

/** apt-get's arguments to download what `packages` need beyond an image's installed set (its
 *  dpkg status file), into `archives`, from the host's own sources. Pure. */
export const aptDownloadArgs = (status: string, archives: string, packages: readonly string[]): string[] => [
  "-q",
  "-o",
  `Dir::State::status=${status}`,
  "-o",
  `Dir::Cache::archives=${archives}`,
  // Its own status and cache: the host's apt lock and dpkg database are never taken.
  "-o",
  "Debug::NoLocking=1",
  "--download-only",
  "--no-install-recommends",
  "-y",
  "install",
  ...packages,
];

/** Makes sure the stand-in image for this Kafka image exists; returns its tag. */
export async function ensureSshdImage(kafkaImage: string, progress: Progress = () => {}): Promise<string> {
  const contents = await Promise.all(SSHD_FILES.map((f) => readFile(join(SSHD_DIR, f), "utf8")));
  const tag = sshdImageTag(kafkaImage, contents);
  if (await imageExists(tag)) return tag;
  const context = await mkdtemp(join(tmpdir(), "kafka-harness-sshd-"));
  try {
    for (const [i, f] of SSHD_FILES.entries()) await writeFile(join(context, f), contents[i]!);
    const status = join(context, "status");
    const id = (await run("docker", ["create", kafkaImage])).trim();
    try {
      await run("docker", ["cp", `${id}:/var/lib/dpkg/status`, status]);
    } finally {
      await run("docker", ["rm", id]);
    }
    const debs = join(context, "debs");
    await mkdir(join(debs, "partial"), { recursive: true });
    progress(`stand-in host image ${tag}: downloading ${SSHD_PACKAGES.join(", ")} and what it needs with the host's apt sources`);
    await run("apt-get", aptDownloadArgs(status, debs, SSHD_PACKAGES)).catch((err: Error) => {
      throw new Error(
        `apt-get could not download ${SSHD_PACKAGES.join(", ")} (is the host's package list current? apt-get update): ${err.message}`,
      );
    });
    await rm(join(debs, "partial"), { recursive: true, force: true });
    await rm(join(debs, "lock"), { force: true });
    progress(`stand-in host image ${tag}: docker build (${(await readdir(debs)).length} packages)`);
    await run("docker", ["build", "--build-arg", `KAFKA_IMAGE=${kafkaImage}`, "-t", tag, "."], {
      cwd: context,
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    return tag;
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}
