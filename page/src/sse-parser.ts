/** One dispatched Server-Sent Events message. */
export interface SseMessage {
  /** The last event id seen, as the EventSource spec keeps it across messages. */
  readonly id: string | null;
  readonly event: string;
  readonly data: string;
}

/**
 * The text/event-stream format, fed chunk by chunk as fetch() delivers it
 * (chunks split lines, and even a CR LF pair, anywhere).
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private lastId: string | null = null;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A lone CR at the end may be the first half of a CR LF still in flight.
      if (end === -1 || (end === this.buffer.length - 1 && this.buffer[end] === '\r')) return messages;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      const message = this.line(line);
      if (message) messages.push(message);
    }
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    return null;
  }

  private dispatch(): SseMessage | null {
    const message =
      this.data.length === 0 ? null : { id: this.lastId, event: this.event || 'message', data: this.data.join('\n') };
    this.data = [];
    this.event = '';
    return message;
  }
}
