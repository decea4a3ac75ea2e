// The little of tar (ustar) that Docker's archive API needs to read and write a node's files while
// its container is stopped (a stopped container cannot exec): the regular files of an archive, and
// an archive of one file. Plain functions over buffers.

const BLOCK = 512;

export interface TarEntry {
  /** The path inside the archive, e.g. "t-0/00000000000000000000.log". */
  name: string;
  /** "file", "dir" or another typeflag as a character. */
  type: "file" | "dir" | string;
  data: Buffer;
}

const field = (b: Buffer, at: number, len: number) => {
  const s = b.subarray(at, at + len);
  const end = s.indexOf(0);
  return s.subarray(0, end < 0 ? len : end).toString("utf8");
};

/** The entries of a tar archive (GNU long names and pax headers understood for paths). */
export function readTar(tar: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((x) => x === 0)) break;
    const size = Number.parseInt(field(h, 124, 12).trim() || "0", 8);
    const flag = String.fromCharCode(h[156] || 48);
    const prefix = field(h, 345, 155);
    const data = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === "L") {
      longName = field(data, 0, data.length);
      continue;
    }
    if (flag === "x") {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
      if (path) longName = path[1];
      continue;
    }
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    out.push({ name: name.replace(/\/$/, ""), type: flag === "0" || flag === "\0" ? "file" : flag === "5" ? "dir" : flag, data });
  }
  return out;
}

/** A ustar archive of one regular file (mode 0644, owner root), for putArchive into its folder. */
export function tarOfFile(name: string, data: Buffer, mtimeSeconds = Math.floor(Date.now() / 1000)): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  const put = (at: number, len: number, s: string) => h.write(s, at, len, "utf8");
  const oct = (at: number, len: number, n: number) => put(at, len, `${n.toString(8).padStart(len - 1, "0")}\0`);
  put(0, 100, name);
  oct(100, 8, 0o644);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, data.length);
  oct(136, 12, mtimeSeconds);
  h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  put(156, 1, "0");
  put(257, 8, "ustar\x0000");
  const sum = h.reduce((a, x) => a + x, 0);
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const pad = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return Buffer.concat([h, data, pad, Buffer.alloc(BLOCK * 2)]);
}
