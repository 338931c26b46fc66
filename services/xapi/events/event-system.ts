import type { Dom0AccessStatus } from '../../../domain/dom0-access.ts';
import type { PciAddress } from '../../../domain/pci-address.ts';
import { asDeviceEvent } from '../../../projections/recorded-event.ts';
import type { Passthru } from '../../startup/passthru.ts';
import type { StoredEvent } from '../../store/event-store.ts';
import { XapiFailure } from '../errors.ts';
import type { Refs } from '../refs.ts';
import type { Subscriptions } from './from-arguments.ts';
import { formatToken } from './token.ts';
import type { Stamp, XapiEvent, XapiObject } from './types.ts';
import { isHostEvent } from '../../read/host-feed.ts';
import { changedBy, currentObjects } from './xapi-objects.ts';

export type EventFromResult = {
  readonly events: XapiEvent[];
  readonly valid_ref_counts: Record<string, number>;
  readonly token: string;
};

interface Change {
  readonly at: string;
  readonly position: number;
  created: boolean;
}

interface Injection {
  readonly ref: string;
  readonly injection: number;
  readonly at: string;
}

const PAGE = 1_000;
// Injections are kept a while for watchers that are a few calls behind; one that is further behind sees the object's next real change.
const INJECTIONS_KEPT = 1_000;

export const eventsLost = () => new XapiFailure('EVENTS_LOST', []);

const seconds = (iso: string) => (Date.parse(iso) / 1000).toFixed(3);

/**
 * XAPI's event.from over the store: an object's generation is the store
 * position of the last event that changed it, so tokens are store positions
 * and stay good across restarts. event.inject's touches live in memory only,
 * numbered from the clock so that numbers never go back across a restart.
 */
export class EventSystem {
  private lastInjection = 0;
  private injections: Injection[] = [];
  private readonly waiting = new Set<() => void>();
  /** Answers computed since the last change, shared by the watchers that ask the same: after a change, most do. */
  private answers = new Map<string, ReturnType<EventSystem['answer']>>();
  private closing = false;

  constructor(
    private readonly passthru: Passthru,
    private readonly refs: Refs,
  ) {
    passthru.tail.listen((events) => {
      if (events.some((event) => isHostEvent(event, passthru.config.hostId))) this.wake();
    });
  }

  get head(): number {
    return this.passthru.tail.head;
  }

  /** A `mod` of the object, and a token from just before it. */
  inject(ref: string): string {
    this.lastInjection = Math.max(this.lastInjection + 1, Date.now());
    this.injections.push({ ref, injection: this.lastInjection, at: new Date().toISOString() });
    if (this.injections.length > INJECTIONS_KEPT) this.injections.shift();
    this.wake();
    return formatToken({ position: this.head, injection: this.lastInjection - 1 });
  }

  /**
   * What changed since `since` (everything, as adds, when null), waiting up to
   * `timeoutMs` for a change the subscriptions select.
   */
  async from(
    subscriptions: Subscriptions,
    classesKey: string,
    since: Stamp | null,
    timeoutMs: number,
    /** Throws once the caller may no longer watch; asked after every wait. */
    stillAllowed: () => void,
  ): Promise<EventFromResult> {
    if (since && since.position > this.head) throw eventsLost();
    const deadline = Date.now() + timeoutMs;
    let from = since;
    for (;;) {
      const waiting = Date.now() < deadline && !this.closing;
      // A watcher that has seen everything waits before anything is worked out: most of a thousand are there.
      if (waiting && from && from.position === this.head && from.injection === this.lastInjection) {
        await this.wait(deadline);
        stillAllowed();
        continue;
      }
      const key = `${from ? formatToken(from) : ''} ${classesKey}`;
      let answering = this.answers.get(key);
      if (!answering) {
        answering = this.answer(subscriptions, from);
        this.answers.set(key, answering);
        answering.catch(() => this.answers.delete(key));
      }
      const result = await answering;
      if (result.events.length > 0 || !waiting) return result.value;
      from = result.seen;
    }
  }

  /** Answers every waiting event.from now, so a closing service is not held up by long polls. */
  close(): void {
    this.closing = true;
    this.wake();
  }

  private async answer(subscriptions: Subscriptions, since: Stamp | null) {
    const changes = new Map<string, Change>();
    const statuses = new Map<PciAddress, Dom0AccessStatus>();
    let position = since?.position ?? this.head;
    const injection = this.lastInjection;
    if (since) {
      for (;;) {
        const page = await this.passthru.tail.read(position, PAGE);
        for (const event of page) this.note(changes, statuses, event);
        if (page.length === 0) break;
        position = page[page.length - 1]!.position;
      }
      for (const touch of this.injections) {
        if (touch.injection > since.injection && touch.injection <= injection && !changes.has(touch.ref))
          changes.set(touch.ref, { at: touch.at, position, created: false });
      }
    }
    const objects = currentObjects(this.passthru, this.refs, await this.statusOf(statuses));
    const shown: { object: XapiObject; id: string; at: string; created: boolean }[] = [];
    if (since) {
      for (const [ref, change] of changes) {
        const object = objects.get(ref);
        if (object && subscriptions(object.cls, ref))
          shown.push({ object, id: String(change.position), at: change.at, created: change.created });
      }
    } else {
      const at = new Date().toISOString();
      for (const object of objects.values()) {
        if (subscriptions(object.cls, object.ref)) shown.push({ object, id: String(position), at, created: true });
      }
    }
    const events = await Promise.all(
      shown.map(async ({ object, id, at, created }): Promise<XapiEvent> => ({
        id,
        timestamp: seconds(at),
        class: object.cls,
        operation: created ? 'add' : 'mod',
        ref: object.ref,
        snapshot: await object.snapshot(),
      })),
    );
    const counts: Record<string, number> = { pci: 0, pgpu: 0, host: 0, pool: 0, task: 0 };
    for (const object of objects.values()) counts[object.cls]! += 1;
    const seen = { position, injection };
    return {
      events,
      seen,
      value: { events, valid_ref_counts: counts, token: formatToken(seen) } satisfies EventFromResult,
    };
  }

  /**
   * The status a snapshot shows: as the newest event of the device recorded
   * it, which is the live status right after that change (a change by hand
   * since is recorded within a second, and makes its own event). No snapshot
   * waits for xen-cmdline: every watcher hears of a change as soon as it is stored.
   */
  private async statusOf(
    recorded: ReadonlyMap<PciAddress, Dom0AccessStatus>,
  ): Promise<(id: PciAddress) => Dom0AccessStatus> {
    const { projector, records } = this.passthru;
    const known = (id: PciAddress) => recorded.get(id) ?? projector.pci.devices[id]?.status;
    // Before its first reconcile a device may have no record yet: then it is read live.
    const live = records.pgpuIds().every((id) => known(id) !== undefined)
      ? new Map<PciAddress, Dom0AccessStatus>()
      : new Map((await records.pgpus()).map((pgpu) => [pgpu.id, pgpu.dom0_access]));
    return (id) => known(id) ?? live.get(id) ?? 'enabled';
  }

  /** Several changes of one object collapse into one event, at its latest; an add stays an add. */
  private note(changes: Map<string, Change>, statuses: Map<PciAddress, Dom0AccessStatus>, event: StoredEvent): void {
    if (!isHostEvent(event, this.passthru.config.hostId)) return;
    const device = asDeviceEvent(event);
    if (device) statuses.set(device.data.pci, device.data.status);
    const { refs, created } = changedBy(event, this.refs);
    for (const ref of refs) {
      const known = changes.get(ref);
      changes.set(ref, {
        at: event.metadata.at,
        position: event.position,
        created: created || (known?.created ?? false),
      });
    }
  }

  private wait(deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      this.waiting.add(done);
    });
  }

  private wake(): void {
    this.answers = new Map();
    for (const done of [...this.waiting]) done();
  }
}
