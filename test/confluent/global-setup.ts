// `npm run test:confluent` needs the librdkafka client built on this machine (it is not part of
// `npm test`: the build takes about 20 minutes and CI machines do not have it). Without it the run
// FAILS here with what to do; it never skips.
import { loadConfluent } from "../../harness/clients/confluent/package.ts";

export default function setup(): void {
  try {
    const mod = loadConfluent();
    console.error(`confluent: @confluentinc/kafka-javascript with librdkafka ${mod.librdkafkaVersion}`);
  } catch (err) {
    const e = err as Error & { advice?: string };
    throw new Error(
      `npm run test:confluent needs the confluent client: ${e.message}\nwhat to do: ${e.advice ?? "kafka-harness install-client confluent"}`,
    );
  }
}
