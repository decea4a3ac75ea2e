// The tar the archive API speaks: a one-file archive reads back as that file, with GNU long names.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTar, tarOfFile } from "../../harness/cluster/tar.ts";

describe("tar", () => {
  it("an archive of one file reads back as that file, byte for byte", () => {
    const data = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 251));
    expect(readTar(tarOfFile("00000000000000000000.log", data))).toEqual([{ name: "00000000000000000000.log", type: "file", data }]);
  });

  it("reads what GNU tar writes: a folder, its files and a name longer than 100 bytes", () => {
    const root = mkdtempSync(join(tmpdir(), "tar-"));
    const long = `${"x".repeat(120)}.log`;
    mkdirSync(join(root, "t-0"));
    writeFileSync(join(root, "t-0", "a.index"), Buffer.alloc(700, 1));
    writeFileSync(join(root, "t-0", long), "abc");
    const tar = execFileSync("tar", ["-cf", "-", "-C", root, "t-0"]);
    const got = readTar(tar).map((e) => [e.name, e.type, e.data.length]);
    expect(got).toEqual(
      expect.arrayContaining([
        ["t-0", "dir", 0],
        ["t-0/a.index", "file", 700],
        [`t-0/${long}`, "file", 3],
      ]),
    );
    // Our own archive is one tar understands too.
    writeFileSync(join(root, "one.tar"), tarOfFile("b.log", Buffer.from("hello")));
    expect(execFileSync("tar", ["-xOf", join(root, "one.tar"), "b.log"]).toString()).toBe("hello");
  });
});
