// vitest setupFiles: what the entry points do before anything else (index.ts, harness/cli.ts), once
// per test file, before the test's own imports load kafkajs or start a container.
import { configureTestcontainers } from "../harness/cluster/runtime-env.ts";
import { installKafkajsFixes } from "../harness/kafkajs/fixes.ts";

installKafkajsFixes();
configureTestcontainers();
