import type { DeviceEvent, HostEvent, PlanEvent, TokenEvent } from '../../domain/events.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { deviceStream, hostStream, planStream, tokenStream } from '../../projections/streams.ts';
import { newEventId } from './event-id.ts';
import { isAppendOutcomeUnknown } from '../store/append-outcome.ts';
import type {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  StoredEvent,
} from '../store/event-store.ts';

/** Pauses before each retry of an append whose outcome is unknown: long enough for a leader election to settle. */
const RETRY_PAUSES_MS = [250, 1000];

/** Who asked, and under which request: the metadata every appended event carries. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Why each device changes, where the request says so device by device (a plan's entries): its events' `reason`. */
  readonly reasons?: ReadonlyMap<PciAddress, string>;
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
    const reason = context.reasons?.get(pci);
    const own = reason === undefined ? context : { ...context, extra: { ...context.extra, reason } };
    return this.append(deviceStream(this.hostId, pci), event, own);
  }

  appendToHost(event: HostEvent, context: CommandContext): Promise<AppendedEvent> {
    return this.append(hostStream(this.hostId), event, context);
  }

  appendToPlans(event: PlanEvent, context: CommandContext): Promise<AppendedEvent> {
    return this.append(planStream(this.hostId), event, context);
  }

  /**
   * `apply` changes what the event records in memory once the event is
   * durable and before any watcher hears of it: a watcher told of a revoke
   * finds the token gone.
   */
  appendToTokens(event: TokenEvent, context: CommandContext, apply: () => void): Promise<AppendedEvent> {
    return this.append(tokenStream(this.hostId), event, context, apply);
  }

  private async append(
    stream: string,
    event: DeviceEvent | HostEvent | TokenEvent | PlanEvent,
    context: CommandContext,
    apply: () => void = () => undefined,
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
    const result = await this.appendRetrying(
      stream,
      [{ id: newEventId(now), type: event.type, data: event.data, metadata }],
      expected,
    );
    apply();
    this.appended();
    return { type: event.type, position: result.position, revision: result.revision };
  }

  /**
   * A retry sends the very same events (ids included) at the same expected
   * revision, so a first attempt that did land makes the retry a success that
   * appends nothing, never a second copy.
   */
  private async appendRetrying(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.store.append(stream, events, expected);
      } catch (error) {
        const pause = RETRY_PAUSES_MS[attempt];
        if (pause === undefined || !isAppendOutcomeUnknown(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  async lastHostEvent(): Promise<StoredEvent | null> {
    const stream = hostStream(this.hostId);
    const revision = await this.store.streamRevision(stream);
    if (revision === null) return null;
    const [last] = await this.store.readStream(stream, { from: revision, limit: 1 });
    return last ?? null;
  }
}
