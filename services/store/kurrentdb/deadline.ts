/** What the adapter throws when the server has not answered a call within its deadline. */
export class NoAnswerError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms`);
    this.name = 'NoAnswerError';
  }
}

/** Settles as `work` does, or rejects with NoAnswerError once `deadlineMs` have passed since `started`. */
export function withDeadline<T>(work: Promise<T>, deadlineMs: number, started = Date.now()): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(deadlineMs)), Math.max(0, started + deadlineMs - Date.now()));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/**
 * Reads a server's answer one item at a time until `visit` returns false or
 * the answer ends, all within one deadline. Stopping early, failing or running
 * out of time ends the iterator, which ends the server's read.
 */
export async function readWithin<T>(
  reading: AsyncIterableIterator<T>,
  deadlineMs: number,
  visit: (item: T) => boolean,
): Promise<void> {
  const started = Date.now();
  let finished = false;
  try {
    for (;;) {
      const next = await withDeadline(reading.next(), deadlineMs, started);
      if (next.done) {
        finished = true;
        return;
      }
      if (!visit(next.value)) return;
    }
  } finally {
    // Not awaited: an iterator still waiting on a hung server ends only once it gets an answer.
    if (!finished) reading.return?.().catch(() => undefined);
  }
}
