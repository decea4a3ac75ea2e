// The loop of a consumer that fetches by itself (manual assignment, no library poll loop): one
// fetch round after another until stopped; a round that throws is followed by the library's pause
// and the loop goes on, so the consumer never gives up by itself.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function fetchLoop(stopped: () => boolean, round: () => Promise<void>, afterError: () => Promise<void>): Promise<void> {
  while (!stopped()) {
    try {
      await round();
    } catch {
      await afterError();
    }
  }
}
