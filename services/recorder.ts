import type { DeviceEvent, HostEvent } from '../domain/events.ts';
import type { PciAddress } from '../domain/pci-address.ts';
import { deviceStream, hostStream } from '../projections/streams.ts';
import { newEventId } from './event-id.ts';
import type { EventMetadata, EventStore, StoredEvent } from './store/event-store.ts';

/** Who asked, and under which request: the metadata every appended event carries. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface AppendedEvent {
  readonly type: string;
  readonly position: number;
  readonly revision: number;
}

/**
 * Appends domain events with their metadata to this host's streams: the only
 * writer of the store, and the one place that names the streams it writes.
 */
export class Recorder {
  constructor(
    readonly store: EventStore,
    private readonly hostId: string,
    private readonly now: () => Date,
    /** Called after every append, so watchers learn of it at once. */
    private readonly appended: () => void = () => undefined,
  ) {}

  appendToDevice(pci: PciAddress, event: DeviceEvent, context: CommandContext): Promise<AppendedEvent> {
    return this.append(deviceStream(this.hostId, pci), event, context);
  }

  appendToHost(event: HostEvent, context: CommandContext): Promise<AppendedEvent> {
    return this.append(hostStream(this.hostId), event, context);
  }

  private async append(
    stream: string,
    event: DeviceEvent | HostEvent,
    context: CommandContext,
  ): Promise<AppendedEvent> {
    const now = this.now();
    const metadata: EventMetadata = {
      ...context.extra,
      at: now.toISOString(),
      actor: context.actor,
      correlation_id: context.correlationId,
      host: this.hostId,
    };
    const expected = (await this.store.streamRevision(stream)) ?? 'no_stream';
    const result = await this.store.append(
      stream,
      [{ id: newEventId(now), type: event.type, data: event.data, metadata }],
      expected,
    );
    this.appended();
    return { type: event.type, position: result.position, revision: result.revision };
  }

  async lastHostEvent(): Promise<StoredEvent | null> {
    const stream = hostStream(this.hostId);
    const revision = await this.store.streamRevision(stream);
    if (revision === null) return null;
    const [last] = await this.store.readStream(stream, { from: revision, limit: 1 });
    return last ?? null;
  }
}
