// Child process for the shutdown test: registers two cleanup hooks, then crashes in the way named
// by its argument (an uncaught exception, an unhandled rejection) or waits for a signal. The hooks
// print what they were called with; the exit code tells how the process ended.
import { onShutdown } from "../../harness/util/shutdown.ts";

onShutdown(async (cause) => {
  await new Promise((r) => setTimeout(r, 50)); // cleanup is async: it must still finish
  console.log(`first-registered hook: ${"signal" in cause ? cause.signal : `error ${(cause.error as Error).message}`}`);
});
onShutdown((cause) => console.log(`newest hook runs first: ${"signal" in cause ? "signal" : "error"}`));

const how = process.argv[2];
if (how === "runs") {
  // Two runs winding down (first hooks): each waits up to 2 s for the other to have begun, so
  // side by side both see each other, and one after the other neither does.
  const begun = new Set<string>();
  for (const name of ["run A", "run B"])
    onShutdown(
      async () => {
        begun.add(name);
        const other = name === "run A" ? "run B" : "run A";
        for (let i = 0; i < 40 && !begun.has(other); i++) await new Promise((r) => setTimeout(r, 50));
        console.log(`${name} wound down ${begun.has(other) ? "beside" : "without"} ${other}`);
      },
      { first: true },
    );
}
if (how === "throw")
  setTimeout(() => {
    throw new Error("boom (uncaught)");
  }, 10);
else if (how === "reject") setTimeout(() => void Promise.reject(new Error("boom (unhandled)")), 10);
else {
  console.log("ready"); // "wait" and "runs": until a signal
  setInterval(() => {}, 1000);
}
