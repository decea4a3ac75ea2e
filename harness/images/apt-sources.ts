// Finds the host's own apt sources for its Debian release, to hand to mmdebstrap as its mirror
// argument. No mirror host is ever named here: whatever the host uses, the image uses.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface SourcesFile {
  path: string;
  text: string;
}

/** Keeps the files that serve the host's release: a suite equal to the codename or `codename-*`
 *  (so `bookworm-security` stays and a third-party `cloud-sdk-bookworm` or `nodistro` goes). */
export function pickReleaseSources(files: SourcesFile[], codename: string): SourcesFile[] {
  const suite = new RegExp(`(^|\\s)${codename}(-[a-z]+)?(\\s|$)`, "m");
  return files.filter((f) => {
    const active = f.text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const oneLine = active.filter((l) => /^deb\s/.test(l)).some((l) => suite.test(l.replace(/\[[^\]]*\]/, "")));
    const deb822 = /^Types:.*\bdeb\b/m.test(f.text) && active.some((l) => l.startsWith("Suites:") && suite.test(l.slice(7)));
    const enabled = !/^Enabled:\s*no/im.test(f.text);
    return enabled && (oneLine || deb822);
  });
}

export async function hostCodename(): Promise<string> {
  const text = await readFile("/etc/os-release", "utf8").catch(() => "");
  const m = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(text);
  if (!m?.[2])
    throw new Error(
      "cannot tell the host's Debian release: /etc/os-release has no VERSION_CODENAME (the image build needs a Debian host with apt)",
    );
  return m[2];
}

export async function hostReleaseSources(codename: string): Promise<SourcesFile[]> {
  const override = process.env.KAFKA_HARNESS_APT_SOURCES;
  const paths = override
    ? override.split(":")
    : [
        "/etc/apt/sources.list",
        ...(await readdir("/etc/apt/sources.list.d").catch(() => [] as string[]))
          .filter((n) => n.endsWith(".list") || n.endsWith(".sources"))
          .map((n) => join("/etc/apt/sources.list.d", n)),
      ];
  const files: SourcesFile[] = [];
  for (const path of paths) {
    const text = await readFile(path, "utf8").catch(() => null);
    if (text !== null) files.push({ path, text });
  }
  const picked = override ? files : pickReleaseSources(files, codename);
  if (picked.length === 0) {
    throw new Error(
      `no apt sources for Debian ${codename} found in /etc/apt (sources.list or sources.list.d); set KAFKA_HARNESS_APT_SOURCES to a sources file`,
    );
  }
  return picked;
}
