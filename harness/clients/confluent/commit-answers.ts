// Asynchronous commits waiting for librdkafka's answer. librdkafka answers a commit through
// offset_commit_cb (the binding's 'offset.commit' event) with the request's error and its
// partitions, served only while the consumer is polled; the binding's own commitCb callback comes
// once the commit is queued and says nothing about the broker (docs/clients.md). A commit waits for
// an answer naming each of its partitions at its offset; the first error settles it as failed.
// Answers naming no waiting commit (a library commit, or one already settled) are ignored.

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

export class CommitAnswers {
  private readonly waiting = new Map<string, Waiter[]>();

  /** Commits still waiting for an answer. */
  get size(): number {
    return this.waiting.size;
  }

  /** A commit of these next offsets ("<topic>-<partition>" -> offset); settles with its answer. */
  expect(offsets: Record<string, number>): { answered: Promise<void>; refuse(err: unknown): void } {
    const ids = Object.entries(offsets).map(([key, offset]) => `${key}@${offset}`);
    let waiter!: Waiter;
    const answered = new Promise<void>((resolve, reject) => {
      let left = ids.length;
      let done = false;
      waiter = {
        resolve: () => {
          if (--left === 0 && !done) {
            done = true;
            resolve();
          }
        },
        reject: (err) => {
          if (done) return;
          done = true;
          this.forget(ids, waiter);
          reject(err);
        },
      };
    });
    for (const id of ids) this.waiting.set(id, [...(this.waiting.get(id) ?? []), waiter]);
    return { answered, refuse: (err) => waiter.reject(err) };
  }

  /** An answer: the request's error (or none) and the partitions it named, each "<topic>-<partition>" at an offset. */
  answer(err: unknown, partitions: ReadonlyArray<{ key: string; offset: number | undefined }>): void {
    for (const { key, offset } of partitions) {
      const id = `${key}@${offset}`;
      const list = this.waiting.get(id);
      const w = list?.shift();
      if (!w) continue;
      if (!list!.length) this.waiting.delete(id);
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  private forget(ids: readonly string[], w: Waiter): void {
    for (const id of ids) {
      const rest = (this.waiting.get(id) ?? []).filter((x) => x !== w);
      if (rest.length) this.waiting.set(id, rest);
      else this.waiting.delete(id);
    }
  }
}
