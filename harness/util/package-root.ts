// Files shipped beside the code (the image's pom.xml and Dockerfile, the suites, the provisioning
// scripts) are found from the package root, so the same lookup works when running the TypeScript
// sources and the compiled dist/ tree, which sits one level deeper. The package resolves itself by
// name (its package.json exports "./package.json").
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The directory holding kafka-harness's package.json. */
export const PACKAGE_ROOT = dirname(createRequire(import.meta.url).resolve("kafka-harness/package.json"));

/** A path inside the package, e.g. packageFile("suites", "known-answers.yaml"). */
export const packageFile = (...segments: string[]) => join(PACKAGE_ROOT, ...segments);
