import type { Logger } from 'pino';

/** The bound: who holds a device is never older than this while the service runs. */
export const HOLDER_POLL_MS = 5000;

/**
 * Reads who holds each device (xenstore) and what pciback is bound to again
 * every few seconds, one read at a time (a slow xenstore never stacks up
 * reads): guests start, stop and take devices without passthru being asked,
 * and a read request must never run the xenstore client itself.
 */
export class HolderPoll {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly refresh: () => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.schedule();
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    return this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.refresh()
        .catch((err: unknown) => this.log.warn({ err }, 'reading who holds each device failed'))
        .finally(() => this.schedule());
    }, HOLDER_POLL_MS).unref();
  }
}
