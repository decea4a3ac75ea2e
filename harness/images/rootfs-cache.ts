// The Debian root filesystem tarball (mmdebstrap's output, about 30 s to make) is kept on disk under
// the same input hash as the base image tag, so a build that fails after it (docker import, Maven,
// docker build), or a base image removed later, does not make it again. The tarball only ever
// appears complete: it is written under a temporary name, flushed, then renamed into place.
import { open, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { packageFile } from "../util/package-root.ts";

/** Where cached root filesystems live: .cache/images/ in the repository root (git-ignored). */
export const ROOTFS_CACHE_DIR = packageFile(".cache", "images");

const PREFIX = "rootfs-";
const SUFFIX = ".tar";
const PARTIAL = ".partial";

/** The cached tarball for a base image input hash (the part of the base tag after the colon). */
export function rootfsCachePath(dir: string, inputHash: string): string {
  if (!/^[0-9a-f]+$/.test(inputHash)) throw new Error(`not an input hash: ${JSON.stringify(inputHash)}`);
  return join(dir, `${PREFIX}${inputHash}${SUFFIX}`);
}

/** A temporary name next to `final`, unique to this process and call. It ends in .tar too, so a
 *  tool that picks its output format from the file name (mmdebstrap) still writes a tarball. */
export function partialPath(final: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${final.slice(0, -SUFFIX.length)}${PARTIAL}-${process.pid}-${rand}${SUFFIX}`;
}

export type BaseStep =
  /** The base image exists: nothing to do. */
  | "keep"
  /** The base image is missing, the tarball for the same inputs is cached: docker import it. */
  | "import-cached"
  /** Neither: mmdebstrap a new tarball (into the cache), then docker import it. */
  | "build";

/** What the base step has to do, given what exists. */
export function baseStep(state: { baseImageExists: boolean; rootfsCached: boolean }): BaseStep {
  if (state.baseImageExists) return "keep";
  return state.rootfsCached ? "import-cached" : "build";
}

/** The files in the cache directory that are not the tarball to keep: tarballs of older inputs and
 *  partial files left by a crash. Call it only while holding the image build lock. */
export function staleCacheFiles(names: string[], keep: string): string[] {
  return names.filter((n) => n !== keep && n.startsWith(PREFIX) && n.endsWith(SUFFIX));
}

/** Runs `produce` on a temporary path next to `final`, flushes the file to disk and renames it to
 *  `final`. On any failure the temporary file is removed and `final` is left as it was. */
export async function writeAtomically(final: string, produce: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = partialPath(final);
  try {
    await produce(tmp);
    const fh = await open(tmp, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // Make the rename itself durable (best effort: not every filesystem allows fsync on a directory).
  try {
    const dh = await open(dirname(final), "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    /* best effort */
  }
}

/** Removes cached tarballs of other inputs and partial files a crash left behind. */
export async function pruneRootfsCache(dir: string, keep: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stale = staleCacheFiles(names, keep);
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return stale;
}
