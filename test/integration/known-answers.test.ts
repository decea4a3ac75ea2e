// Needs real clusters: the known-answer suite (suites/known-answers.yaml, the same file `npm start`
// runs). Each scenario must give its known verdict: what the configuration promises is never
// broken, and where loss is likely the harness finds it within a bounded number of seeds.
import { DEFAULT_SUITE } from "../../harness/cli.ts";
import { readSuiteFile } from "../../harness/suite/suite-file.ts";
import { sharedCluster } from "./shared-cluster.ts";
import { suiteCases } from "./suite-cases.ts";

suiteCases("known answers (a real cluster, faults at partition leaders)", await readSuiteFile(DEFAULT_SUITE), sharedCluster);
