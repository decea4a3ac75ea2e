// The rootfs cache of the image build: when mmdebstrap runs, and that a tarball only ever appears
// whole. No Docker, no mmdebstrap: a temporary directory stands in for .cache/images/.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  baseStep,
  partialPath,
  pruneRootfsCache,
  rootfsCachePath,
  staleCacheFiles,
  writeAtomically,
} from "../../harness/images/rootfs-cache.ts";

describe("baseStep", () => {
  it("keeps an existing base image, whatever the cache holds", () => {
    expect(baseStep({ baseImageExists: true, rootfsCached: true })).toBe("keep");
    expect(baseStep({ baseImageExists: true, rootfsCached: false })).toBe("keep");
  });
  it("imports the cached tarball when the image is missing (mmdebstrap skipped)", () => {
    expect(baseStep({ baseImageExists: false, rootfsCached: true })).toBe("import-cached");
  });
  it("runs mmdebstrap only when neither exists", () => {
    expect(baseStep({ baseImageExists: false, rootfsCached: false })).toBe("build");
  });
});

describe("cache file names", () => {
  it("names the tarball by the base tag's input hash", () => {
    expect(rootfsCachePath("/c", "0123456789ab")).toBe("/c/rootfs-0123456789ab.tar");
    expect(() => rootfsCachePath("/c", "../x")).toThrow(/not an input hash/);
  });
  it("a partial file is never the cached name, ends in .tar, and differs per call", () => {
    const final = rootfsCachePath("/c", "abc");
    const a = partialPath(final);
    const b = partialPath(final);
    expect(a).not.toBe(final);
    expect(a).not.toBe(b);
    expect(a.endsWith(".tar")).toBe(true);
    expect(basename(a).startsWith("rootfs-abc.partial-")).toBe(true);
  });
  it("stale files are other hashes' tarballs and partial files, never the one kept or foreign files", () => {
    const keep = "rootfs-aaa.tar";
    const names = [keep, "rootfs-bbb.tar", basename(partialPath("/c/rootfs-aaa.tar")), "notes.txt", "other.tar"];
    expect(staleCacheFiles(names, keep)).toEqual([names[1], names[2]]);
  });
});

describe("writeAtomically", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kh-rootfs-cache-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renames the finished file into place and leaves nothing else", async () => {
    const final = rootfsCachePath(dir, "abc");
    let seen = "";
    await writeAtomically(final, async (tmp) => {
      seen = tmp;
      await writeFile(tmp, "whole");
    });
    expect(seen).not.toBe(final);
    expect(await readFile(final, "utf8")).toBe("whole");
    expect(await readdir(dir)).toEqual([basename(final)]);
  });

  it("a failure half way leaves no tarball (so the next build does not reuse a torn one)", async () => {
    const final = rootfsCachePath(dir, "abc");
    await expect(
      writeAtomically(final, async (tmp) => {
        await writeFile(tmp, "torn");
        throw new Error("mmdebstrap died");
      }),
    ).rejects.toThrow("mmdebstrap died");
    expect(await readdir(dir)).toEqual([]);
    expect(baseStep({ baseImageExists: false, rootfsCached: (await readdir(dir)).includes(basename(final)) })).toBe("build");
  });

  it("a failure leaves an existing tarball as it was", async () => {
    const final = rootfsCachePath(dir, "abc");
    await writeFile(final, "old");
    await expect(writeAtomically(final, async () => Promise.reject(new Error("no")))).rejects.toThrow("no");
    expect(await readFile(final, "utf8")).toBe("old");
  });

  it("pruning removes what a crash left and older inputs, keeping the current tarball", async () => {
    const keep = rootfsCachePath(dir, "aaa");
    await writeFile(keep, "x");
    await writeFile(rootfsCachePath(dir, "bbb"), "x");
    await writeFile(partialPath(keep), "torn");
    await writeFile(join(dir, "unrelated"), "x");
    const removed = await pruneRootfsCache(dir, basename(keep));
    expect(removed).toHaveLength(2);
    expect((await readdir(dir)).sort()).toEqual([basename(keep), "unrelated"].sort());
    expect(await pruneRootfsCache(join(dir, "missing"), "x")).toEqual([]);
  });
});
