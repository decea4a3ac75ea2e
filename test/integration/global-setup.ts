// Integration tests need a Docker engine and the local image. Without an engine they FAIL with a
// clear message (never skip silently); KAFKA_HARNESS_SKIP_INTEGRATION=1 (see vitest.config.ts)
// leaves the whole project out instead.
import { ensureImages } from "../../harness/images/build-images.ts";
import { ensureEngine } from "../../harness/util/engine.ts";

export default async function setup(): Promise<void> {
  try {
    const engine = await ensureEngine((m) => console.error(m));
    const img = await ensureImages((m) => console.error(m));
    console.error(`integration: Docker ${engine}, image ${img.tag} (${img.built ? `built in ${img.seconds} s` : "cached"})`);
  } catch (err) {
    throw new Error(
      `Integration tests need a Docker engine and the local Kafka image, and could not get them:\n${(err as Error).message}\n` +
        "Install Docker (Debian: apt-get install docker.io) or set KAFKA_HARNESS_SKIP_INTEGRATION=1 to opt out explicitly.",
    );
  }
}
