/**
 * Runs tasks one after another. The hide list is one shared value, so every
 * read-modify-write of it goes through one of these.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
