import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { filesSignature } from '../host/file-keyed-cache.ts';

// A rename or an editor's save touches a file several times in a row: one look after the burst.
const SETTLE_MS = 25;
// Where change notification is missing or lossy (network file systems), a look this often still finds a change within 1 s.
const POLL_MS = 400;

/**
 * Notices every change of the boot configuration files, however it is made:
 * the directories are watched, since xen-cmdline replaces a file by rename
 * (a watch on the file itself would follow the old inode), and their
 * signatures are polled as well in case notifications are lost.
 */
export class BootConfigWatcher {
  private readonly watchers: FSWatcher[] = [];
  private poller: NodeJS.Timeout | undefined;
  private settling: NodeJS.Timeout | undefined;
  private signatures: string;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly onChange: () => Promise<void>,
    private readonly log: Logger,
  ) {
    this.signatures = this.signature();
  }

  start(): void {
    if (this.paths.length === 0) return;
    const names = new Set(this.paths.map((path) => basename(path)));
    for (const dir of new Set(this.paths.map((path) => dirname(path)))) {
      try {
        const watcher = watch(dir, { persistent: false }, (_type, name) => {
          if (name === null || names.has(basename(name))) this.settle();
        });
        watcher.on('error', (err) => this.log.warn({ err, dir }, 'watching the boot configuration failed; polling'));
        this.watchers.push(watcher);
      } catch (err) {
        this.log.warn({ err, dir }, 'cannot watch the boot configuration directory; polling it');
      }
    }
    this.poller = setInterval(() => {
      if (this.signature() !== this.signatures) this.settle();
    }, POLL_MS).unref();
  }

  /** Resolves once every change made so far has been handled, so a caller can tell its effects from later ones. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.paths.length === 0 || this.signature() === this.signatures) return;
      else {
        clearTimeout(this.settling);
        this.run();
      }
    }
  }

  close(): Promise<void> {
    for (const watcher of this.watchers) watcher.close();
    clearInterval(this.poller);
    clearTimeout(this.settling);
    return this.running ?? Promise.resolve();
  }

  private settle(): void {
    clearTimeout(this.settling);
    this.settling = setTimeout(() => this.run(), SETTLE_MS).unref();
  }

  private run(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.signatures = this.signature();
    this.running = this.onChange()
      .catch((err: unknown) => this.log.warn({ err }, 'recording a change of the boot configuration failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.run();
        }
      });
  }

  private signature(): string {
    return filesSignature(this.paths);
  }
}
