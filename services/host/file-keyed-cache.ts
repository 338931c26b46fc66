import { statSync } from 'node:fs';

/**
 * A value read from the host, kept while the files it comes from are
 * unchanged. The key is taken before the read starts, so a read that starts
 * after a change never gets a value read before it; concurrent reads of an
 * unchanged key share one load.
 */
export class FileKeyedCache<T> {
  private entry: { readonly key: string; readonly value: Promise<T> } | null = null;
  /** The files' signature as taken in this turn of the event loop, for the reads that arrived in it. */
  private turnKey: string | null = null;

  constructor(
    private readonly paths: readonly string[],
    private readonly load: () => Promise<T>,
  ) {}

  /** The value for the files as they are now: they are looked at for this read. */
  get(): Promise<T> {
    if (this.paths.length === 0) return this.load();
    const key = filesSignature(this.paths);
    if (this.turnKey !== null) this.turnKey = key;
    return this.valueFor(key);
  }

  /**
   * The value for the files as they were when this turn of the event loop
   * began serving requests, looked at once a turn, for the reads of requests
   * that came in by I/O: every request answered in a turn arrived by the poll
   * that started it, so a change finished before a request was sent finished
   * before that poll, before the look, and the read sees it. Never for a read
   * that a timer starts: a timer runs before the poll, whose requests could
   * follow a change made after the timer's look.
   */
  getForRequest(): Promise<T> {
    if (this.paths.length === 0) return this.load();
    if (this.turnKey === null) {
      this.turnKey = filesSignature(this.paths);
      setImmediate(() => (this.turnKey = null));
    }
    return this.valueFor(this.turnKey);
  }

  forget(): void {
    this.entry = null;
    this.turnKey = null;
  }

  private valueFor(key: string): Promise<T> {
    if (this.entry?.key === key) return this.entry.value;
    const value = this.load();
    const entry = { key, value };
    this.entry = entry;
    value.catch(() => {
      if (this.entry === entry) this.entry = null;
    });
    return value;
  }
}

/** Inode, size and change times (to the microsecond): a rewrite in place or by rename changes at least one. */
export function fileSignature(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat ? `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}` : 'absent';
}

/** The signatures of several files as one value: it changes when any of them does. */
export function filesSignature(paths: readonly string[]): string {
  return paths.map(fileSignature).join('|');
}
