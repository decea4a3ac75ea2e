// A container's files through Docker's archive API, which works on a stopped container (one whose
// PID 1, the JVM, is gone cannot exec): what corrupt-segment reads and writes while a broker is down.
import { posix } from "node:path";
import { Readable } from "node:stream";
import type { Container } from "dockerode";
import { getContainerRuntimeClient } from "testcontainers";
import type { NodeFiles } from "./node-handle.ts";
import { readTar, tarOfFile } from "./tar.ts";

async function bufferOf(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export async function containerFiles(
  container: Container,
  log: () => Promise<string>,
  paths: { logDir: string; diskControl?: string },
): Promise<NodeFiles> {
  const client = await getContainerRuntimeClient();
  const archive = async (path: string) => readTar(await bufferOf(await client.container.fetchArchive(container, path)));
  return {
    ...paths,
    async list(dir) {
      // The archive of a folder names its entries under the folder's own name.
      return (await archive(dir))
        .filter((e) => e.type === "file" && e.name.split("/").length === 2)
        .map((e) => ({ name: e.name.split("/")[1]!, size: e.data.length }));
    },
    async read(path) {
      const f = (await archive(path)).find((e) => e.type === "file");
      if (!f) throw new Error(`${path}: no such file`);
      return f.data;
    },
    async write(path, data) {
      await client.container.putArchive(container, Readable.from([tarOfFile(posix.basename(path), data)]), posix.dirname(path));
    },
    log,
  };
}
