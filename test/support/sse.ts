import { request, type IncomingMessage } from 'node:http';
import { TOKEN } from './world.ts';

export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

/** A text/event-stream client over plain HTTP, reading messages and comments as they come. */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  ended = false;
  private buffer = '';
  private readonly waiters = new Set<() => void>();

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.take(chunk));
    response.on('end', () => this.finish());
    response.on('close', () => this.finish());
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      request(
        url,
        { headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}`, ...headers } },
        (response) => resolve(new SseClient(response)),
      )
        .on('error', reject)
        .end();
    });
  }

  /** Waits until `done` holds of what arrived, failing past a safety deadline far above normal. */
  async until(done: (client: SseClient) => boolean, what: string, deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!done(this)) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${deadlineMs} ms`);
      if (this.ended) throw new Error(`the stream ended before ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 100);
      });
    }
  }

  /** The data of every message without an event name: the feed entries. */
  entries(): any[] {
    return this.messages.filter((m) => m.event === undefined).map((m) => JSON.parse(m.data));
  }

  close(): void {
    this.response.destroy();
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else {
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
        }
      }
      if (fields.data !== undefined) {
        this.messages.push({
          data: fields.data,
          ...(fields.id !== undefined ? { id: fields.id } : {}),
          ...(fields.event !== undefined ? { event: fields.event } : {}),
        });
      }
    }
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
