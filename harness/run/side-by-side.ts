// Parts of a run that go on together (the workload and the fault driver): the first to fail
// cancels the others, and every part is awaited before the failure is thrown, so nothing goes on
// appending to the history after the run has moved on.
import { messageOf } from "../util/errors.ts";

export async function sideBySide<T extends readonly unknown[]>(
  parts: { [K in keyof T]: readonly [name: string, work: Promise<T[K]>] },
  cancel: (reason: string) => void,
): Promise<T> {
  const settled = await Promise.allSettled(
    parts.map(([name, work]) =>
      work.catch((err: unknown) => {
        cancel(`${name} failed: ${messageOf(err)}`);
        throw err;
      }),
    ),
  );
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
