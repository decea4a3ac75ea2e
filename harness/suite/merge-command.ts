// `kafka-harness merge <stores|files...> [--junit f] [--json]`: the shards of a suite (suite --shard
// i/n, on as many machines) joined into the table, JUnit file, detection rates and JSON the unsharded
// suite would have given; exit 0 when every expectation is met, 1 when one is not, 254 for shards
// that do not make one suite. Reads files only: no cluster, no engine.
import type { Command } from "commander";
import { EXIT } from "../../checkers/exit-codes.ts";

export function registerMergeCommand(program: Command, exit: (code: number) => void, jsonHelp: string): void {
  program
    .command("merge <shards...>")
    .description(
      "join the results of suite --shard i/n (their stores, or the suite-results/*.json files in them) into one suite's table, JUnit file and detection rates; exit 0 when every expectation is met, 1 when one is not",
    )
    .option("--junit <file>", "also write a JUnit XML file (one test case per scenario) for CI (default: none)")
    .option("--json", jsonHelp)
    .action(async (shards: string[], o: { junit?: string; json?: boolean }) => {
      const [{ mergeShards, readShardInputs }, { suiteJson, suiteText }, { writeJUnit }] = await Promise.all([
        import("./shard-result.ts"),
        import("./output.ts"),
        import("./junit.ts"),
      ]);
      const inputs = await readShardInputs(shards);
      const { suite, aims, outcomes } = mergeShards(inputs);
      if (o.junit) await writeJUnit(o.junit, suite, outcomes);
      if (o.json) console.log(JSON.stringify(suiteJson(suite, outcomes)));
      else {
        console.log(suiteText(suite, outcomes, aims));
        console.log(`\nmerged ${inputs.length} shard(s): ${inputs.map((i) => i.source).join(", ")}`);
      }
      exit(outcomes.every((x) => x.met) ? EXIT.valid : EXIT.invalid);
    });
}
