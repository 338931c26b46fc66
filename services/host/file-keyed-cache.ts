import { statSync } from 'node:fs';

/**
 * A value read from the host, kept while the files it comes from are
 * unchanged. The key is taken before the read starts, so a read that starts
 * after a change never gets a value read before it; concurrent reads of an
 * unchanged key share one load.
 */
export class FileKeyedCache<T> {
  private entry: { readonly key: string; readonly value: Promise<T> } | null = null;

  constructor(
    private readonly paths: readonly string[],
    private readonly load: () => Promise<T>,
  ) {}

  get(): Promise<T> {
    if (this.paths.length === 0) return this.load();
    const key = this.paths.map(fileSignature).join('|');
    if (this.entry?.key === key) return this.entry.value;
    const value = this.load();
    const entry = { key, value };
    this.entry = entry;
    value.catch(() => {
      if (this.entry === entry) this.entry = null;
    });
    return value;
  }

  forget(): void {
    this.entry = null;
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
