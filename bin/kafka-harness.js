#!/usr/bin/env node
// The kafka-harness command: loads the TypeScript CLI through tsx (no build step).
import { register } from "tsx/esm/api";

register();
// `kafka-harness check ... | head` closes stdout early: that is not an error.
process.stdout.on("error", (err) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import("../harness/cli.ts");
process.exitCode = await main(process.argv);
