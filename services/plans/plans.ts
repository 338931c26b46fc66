// services/plans/: desired state, planned then applied. A plan is computed on the
// commands' lane from the live host and recorded as `PlanMade` (plans.ts); its apply
// is one batch through write/commands.ts. May import domain/, projections/, store/,
// host/, concurrency/, read/ and write/; nothing above.
import { randomUUID } from 'node:crypto';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { DesiredState } from '../../domain/desired-state/document.ts';
import type { MadePlan, PlanMadeData } from '../../domain/desired-state/made-plan.ts';
import { planDesiredState, type PlannedChange } from '../../domain/desired-state/plan.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { EVENT_TYPES, type PassthruEventType } from '../../domain/events.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { planStream } from '../../projections/streams.ts';
import type { Serial } from '../concurrency/serial.ts';
import type { HideLists, Host } from '../host/host.ts';
import { readHostFeed } from '../read/host-feed.ts';
import { liveIn, type Records } from '../read/records.ts';
import type { EventStore } from '../store/event-store.ts';
import type { BatchOutcome, Commands } from '../write/commands.ts';
import type { CommandContext, Recorder } from '../write/recorder.ts';
import { hideListDigest } from './hide-list-digest.ts';
import type { NextBootPreview } from './types.ts';

/** The events that say a device or the host moved: a plan made before one of them is stale. */
const MOVING_TYPES: readonly PassthruEventType[] = EVENT_TYPES.filter(
  (type) => !['PlanMade', 'TokenIssued', 'TokenRevoked'].includes(type),
);

const SCAN_PAGE = 500;

export interface PlanApplied extends BatchOutcome {
  readonly plan: string;
}

/**
 * Plans what a desired state would change and applies a plan, all or
 * nothing, only while the host is as the plan saw it.
 */
export class Plans {
  /** Where each plan made by this process sits in the plan stream; older ones are looked for there. */
  private readonly revisions = new Map<string, number>();

  constructor(
    private readonly host: Host,
    private readonly records: Records,
    private readonly recorder: Recorder,
    private readonly store: EventStore,
    private readonly commands: Commands,
    private readonly lane: Serial,
    private readonly preview: NextBootPreview,
    private readonly hostId: string,
    private readonly now: () => Date,
  ) {}

  /** Plans on the commands' lane, so the position and the lists it records are those it was computed from. */
  async make(desired: DesiredState, context: CommandContext): Promise<MadePlan> {
    // A change by hand not yet recorded would move the store right after the plan, and make it stale at once.
    await this.commands.recordChangesByHand(context);
    return this.lane.run(async () => {
      const holders = await this.host.refreshHolders();
      const lists = await this.host.hideLists({ fresh: true });
      const position = await this.store.headPosition();
      const planned = planDesiredState(desired, {
        inventory: this.inventory(),
        recorded: this.records.knownIds(),
        pending: lists.pending.list,
        live: (id) => liveIn(id, lists),
        devicesOf: (list) => this.host.devicesOf(list),
        protections: (id) => this.records.protections(id),
        dependencies: (id) => this.records.dependencies(id),
        holderOf: (id) => (holders.known ? (holders.holders.get(id) ?? null) : null),
        holdersUnknown: holders.known ? null : holders.detail,
      });
      const id = randomUUID();
      const plan: PlanMadeData = {
        id,
        made_at: this.now().toISOString(),
        position,
        hide_list_digest: hideListDigest(lists.pending),
        changes: planned.changes,
        refusals: planned.refusals,
        warnings: planned.warnings,
        next_boot: await this.preview(planned.hideList),
        reboot_needed: planned.rebootNeeded,
        apply: desired.apply,
      };
      const event = await this.recorder.appendToPlans(
        { type: 'PlanMade', data: plan },
        { ...context, extra: { ...context.extra, plan: id } },
      );
      this.revisions.set(id, event.revision);
      return answered(plan);
    });
  }

  async read(id: string): Promise<MadePlan> {
    return answered(await this.find(id));
  }

  /**
   * One batch of hides and give-backs through the commands' path, every
   * event correlated to the plan; refused when the plan has refusals, and,
   * checked on the lane before anything is written, when the store or the
   * hide list moved since. A plan with no changes writes nothing, and says so while it still holds.
   */
  async apply(id: string, context: CommandContext): Promise<PlanApplied> {
    const plan = await this.find(id);
    if (plan.refusals.length > 0) {
      throw conflict(`plan ${id} has refusals, nothing changed: ${plan.refusals.map((r) => r.detail).join('; ')}`, {
        reason: 'plan_refused',
        refusals: plan.refusals,
      });
    }
    if (plan.changes.length === 0) {
      // Nothing to write, yet "nothing to change" holds only while the host is as the plan saw it.
      await this.lane.run(async () => this.requireUnmoved(plan, await this.host.hideLists({ fresh: true })));
      return { results: [], warnings: [], plan: id };
    }
    const hide = plan.changes.filter((c) => c.entry !== null).map((c) => c.id);
    const unhide = plan.changes.filter((c) => c.entry === null).map((c) => c.id);
    const outcome = await this.commands.executeBatch(
      {
        name: hide.length > 0 ? 'hide' : 'unhide',
        pcis: hide.length > 0 ? hide : unhide,
        ...(hide.length > 0 && unhide.length > 0 ? { alsoUnhide: unhide } : {}),
        via: 'pci',
        apply: plan.apply,
        precondition: (lists) => this.requireUnmoved(plan, lists),
      },
      { ...context, correlationId: id, extra: { ...context.extra, plan: id }, reasons: entryReasons(plan.changes) },
    );
    return { ...outcome, plan: id };
  }

  private async requireUnmoved(plan: MadePlan, lists: HideLists): Promise<void> {
    const digest = hideListDigest(lists.pending);
    if (digest !== plan.hide_list_digest) {
      throw conflict(
        `plan ${plan.id} is stale, nothing changed: the next boot's hide list changed since it was made; plan again`,
        { reason: 'plan_stale', hide_list_digest: digest, plan_digest: plan.hide_list_digest },
      );
    }
    const [moved] = await readHostFeed(this.store, this.hostId, {
      after: plan.position,
      limit: 1,
      types: MOVING_TYPES,
    });
    if (moved) {
      throw conflict(
        `plan ${plan.id} is stale, nothing changed: ${moved.type} at position ${moved.position} came after it (position ${plan.position}); plan again`,
        { reason: 'plan_stale', position: moved.position, plan_position: plan.position },
      );
    }
  }

  /** The devices the host shows now: a card no longer there is not matched where it was. */
  private inventory(): DeviceIdentity[] {
    return this.host.knownDevices.flatMap((id) => this.records.identity(id) ?? []);
  }

  private async find(id: string): Promise<PlanMadeData> {
    const stream = planStream(this.hostId);
    const known = this.revisions.get(id);
    if (known !== undefined) {
      const [event] = await this.store.readStream(stream, { from: known, limit: 1 });
      if (event) return event.data as PlanMadeData;
    }
    for (let from = 0; ; from += SCAN_PAGE) {
      const events = await this.store.readStream(stream, { from, limit: SCAN_PAGE });
      const found = events.find((e) => e.type === 'PlanMade' && (e.data as PlanMadeData).id === id);
      if (found) {
        this.revisions.set(id, found.revision);
        return found.data as PlanMadeData;
      }
      if (events.length < SCAN_PAGE) throw notFound(`no plan ${id} on this host`, { id });
    }
  }
}

/** Each changed device's reason, as the document's entry that took it gives one. */
function entryReasons(changes: readonly PlannedChange[]): Map<PciAddress, string> {
  return new Map(
    changes.flatMap((change) => (change.entry?.reason === undefined ? [] : [[change.id, change.entry.reason]])),
  );
}

/** The plan as answered: how it is applied stays in its event. */
function answered({ apply: _apply, ...plan }: PlanMadeData): MadePlan {
  return plan;
}
