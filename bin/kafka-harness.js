#!/usr/bin/env node
// The kafka-harness command. An installed package runs the compiled dist/ (plain JavaScript: fast to
// start). A checkout of the repository, where the TypeScript sources sit beside this file and tsx is
// installed, runs the sources, so an edit needs no rebuild.
import { existsSync } from "node:fs";

// `kafka-harness check ... | head` closes stdout early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

// librdkafka's binding (the confluent client) runs every blocking call in libuv's thread pool:
// consume(), and in a copy or txn run each transactional call and each close, which may block for
// seconds while a broker is down: four threads (libuv's default) can all be taken while the
// consumers wait. The pool reads this when first used, which is the first import below.
process.env.UV_THREADPOOL_SIZE ??= "32";

async function loadCli() {
  const sources = new URL("../harness/cli.ts", import.meta.url);
  if (existsSync(sources)) {
    const tsx = await import("tsx/esm/api").catch(() => undefined);
    if (tsx) {
      tsx.register();
      return import(sources.href);
    }
  }
  return import(new URL("../dist/harness/cli.js", import.meta.url).href);
}

const { main } = await loadCli();
process.exitCode = await main(process.argv);
// Done: the process ends once nothing holds the event loop. A native client (librdkafka) whose
// destroy never returns keeps its callback handles open (seen after copy runs through confluent
// whose transactions hit the op timeout): say so and end anyway, so a finished run never holds a
// cluster slot or a CI job.
setTimeout(() => {
  process.stderr.write("kafka-harness: a client library still holds the process open after the command ended; exiting\n");
  process.exit();
}, 10_000).unref();
