// services/write/: the write path. Hide and unhide, single or batch, under the one
// serial lane (commands.ts); the one writer of events with their metadata and ids
// (recorder.ts, event-id.ts). May import domain/, projections/, store/, host/,
// concurrency/ and read/ (a command answers with the record after it); nothing above.
import {
  decide,
  failed,
  needsHandOver,
  refusal,
  refusing,
  refusingHolder,
  type Dom0AccessCommand,
} from '../../domain/decide.ts';
import { dependencyWarnings } from '../../domain/dependencies.ts';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { conflict, hostFailure, PassthruError } from '../../domain/errors.ts';
import type { Apply, CommandName, DeviceEvent, Via } from '../../domain/events.ts';
import { editHideList, formatHideList } from '../../domain/hide-list.ts';
import { repairHideList, type HideListRepair } from '../../domain/hide-list-repair.ts';
import { HIDE_KEY } from '../../domain/kernel-cmdline.ts';
import { reconcile } from '../../domain/reconcile.ts';
import { comparePciAddresses, type PciAddress } from '../../domain/pci-address.ts';
import { describeProtections, protectedField, type Protection } from '../../domain/protection.ts';
import { HideListMoved, type HideLists, type Host } from '../host/host.ts';
import type { Holder } from '../../domain/holders.ts';
import type { Projector } from '../read/projector.ts';
import { liveIn, statusIn, type PciRecord, type Records } from '../read/records.ts';
import type { AppendedEvent, CommandContext, Recorder } from './recorder.ts';
import type { Serial } from '../concurrency/serial.ts';
import { HandOver } from './hand-over.ts';
import { refuseSriovHandOver } from './sriov-refusal.ts';
import { refuseTooLongLine } from './line-limit.ts';
import { startingOver } from './start-over.ts';
import { describeChange, hardwareIdentity } from '../../domain/hardware-identity.ts';

export interface CommandOutcome {
  readonly record: PciRecord;
  readonly changed: boolean;
  readonly event: AppendedEvent | null;
}

/** Hide or unhide of several devices at once: one boot configuration edit for all of them. */
export interface BatchCommand {
  readonly name: CommandName;
  readonly pcis: readonly PciAddress[];
  /** Given back in the same edit that hides `pcis`: a desired state applied in `exact` mode. */
  readonly alsoUnhide?: readonly PciAddress[];
  readonly via: Via;
  readonly force?: boolean;
  readonly apply?: Apply;
  /** Run on the lane with the lists just read, before anything is recorded or written: throws to refuse the batch. */
  readonly precondition?: (lists: HideLists) => Promise<void>;
}

export interface RepairOutcome {
  readonly changed: boolean;
  /** The devices the next boot hides after the repair. */
  readonly pending: PciAddress[];
  readonly event: AppendedEvent | null;
  readonly warnings: string[];
}

export interface BatchOutcome {
  readonly results: CommandOutcome[];
  /** What else must be hidden for passthrough of what was asked to work. */
  readonly warnings: string[];
}

interface Confirmation {
  readonly id: PciAddress;
  readonly event: DeviceEvent;
}

interface Target {
  readonly command: Dom0AccessCommand;
  readonly identity: DeviceIdentity;
}

const isUnhide = (command: Dom0AccessCommand) => command.name === 'unhide';

const isHostFailure = (error: unknown): error is PassthruError =>
  error instanceof PassthruError && error.kind === 'host_failure';

/** How a refusal's detail tells a REST client to override it; the CLI says it in flags. */
export const FORCE_OVER_REST = 'send {"force": true} to hide it anyway';

/**
 * Hide and unhide: read the live lists, decide, write the boot configuration,
 * then record. All under the host's one serial lane, so concurrent commands
 * never lose each other's edit of the shared hide list. A batch is all or
 * nothing: every device is checked before anything is written, and one write
 * carries them all.
 */
export class Commands {
  private readonly handOver: HandOver;

  constructor(
    private readonly host: Host,
    private readonly recorder: Recorder,
    private readonly projector: Projector,
    private readonly records: Records,
    private readonly lane: Serial,
    /** Until the reconciler has run once, devices may lack the discovery their history starts with. */
    private readonly reconciled: () => boolean,
  ) {
    this.handOver = new HandOver(host, recorder, projector);
  }

  /** One device: a batch of one. */
  async execute(
    command: Dom0AccessCommand,
    context: CommandContext,
  ): Promise<CommandOutcome & Pick<BatchOutcome, 'warnings'>> {
    const { name, pci, via, force, apply } = command;
    const { results, warnings } = await this.executeBatch(
      { name, pcis: [pci], via, ...(force ? { force } : {}), ...(apply ? { apply } : {}) },
      context,
    );
    return { ...results[0]!, warnings };
  }

  executeBatch(batch: BatchCommand, context: CommandContext): Promise<BatchOutcome> {
    if (!this.reconciled()) throw notReady();
    const named = [
      ...batch.pcis.map((pci) => ({ name: batch.name, pci })),
      ...(batch.alsoUnhide ?? []).map((pci) => ({ name: 'unhide' as const, pci })),
    ];
    const targets: Target[] = named.map(({ name, pci }) => ({
      command: {
        name,
        pci,
        via: batch.via,
        ...(batch.force ? { force: true } : {}),
        ...(batch.apply ? { apply: batch.apply } : {}),
      },
      identity: this.records.require(pci),
    }));
    return this.lane.run(() => startingOver(() => this.attempt(batch, targets, context)));
  }

  /** One read-decide-write of a batch; run again from the start when the list moved before the write. */
  private async attempt(
    batch: BatchCommand,
    targets: readonly Target[],
    context: CommandContext,
  ): Promise<BatchOutcome> {
    // Whenever a command runs: who holds a device decides an unhide. Read beside the lists, which need not wait for it.
    const [holders, read] = await Promise.all([
      this.host.refreshHolders(),
      this.host.hideLists({ fresh: true }).then(
        (lists) => ({ lists }),
        (error: unknown) => ({ error }),
      ),
    ]);
    if (batch.apply === 'now') {
      if (!holders.known) throw holdersUnknown(holders.detail);
      await this.handOver.requireIommu();
    }
    if ('error' in read) {
      const { error } = read;
      if (!isHostFailure(error)) throw error;
      const known = targets.map(({ command }) => this.projector.pci.devices[command.pci]?.status);
      if (known.some((status) => !status)) throw error;
      throw await this.recordFailures(targets, context, error, known as Dom0AccessStatus[], 'unchanged');
    }
    const { lists } = read;
    await batch.precondition?.(lists);
    // Every device's, not the targets' alone: this command's write will hide the files' change from the watcher.
    await this.recordChangesIn(lists, context);
    refuseRejectedList(lists);
    const hides = targets.filter(({ command }) => command.name === 'hide').map(({ command }) => command.pci);
    this.refuseHiddenByBridge(
      targets.filter(({ command }) => command.name === 'unhide'),
      lists,
    );
    // What dom0 needs changes while it runs (xapi plugs a local SR after start): a hide asks afresh.
    if (hides.length > 0) await this.records.refreshSafety();
    await this.refuseObstacles(targets, context, lists);
    if (batch.apply === 'now') await refuseSriovHandOver(this.host.paths.sysfsPci, hides);
    const confirming = this.confirmations(targets, lists, context);
    return this.change(targets, context, lists, confirming);
  }

  /**
   * Every protected device of a hide, and every device of an unhide a guest
   * holds, is refused, and recorded as refused, before anything is written.
   */
  private async refuseObstacles(targets: readonly Target[], context: CommandContext, lists: HideLists): Promise<void> {
    const refused: { id: PciAddress; protections: Protection[]; event: DeviceEvent }[] = [];
    const held: { id: PciAddress; holder: Holder }[] = [];
    for (const { command } of targets) {
      const protections = this.records.protections(command.pci);
      const holder = this.holderOf(command.pci);
      const event = refusal(command, protections, statusIn(command.pci, lists), holder);
      if (!event) continue;
      refused.push({ id: command.pci, protections: refusing(command, protections), event });
      const taken = refusingHolder(command, holder);
      if (taken) held.push({ id: command.pci, holder: taken });
    }
    if (refused.length === 0) return;
    const events: AppendedEvent[] = [];
    for (const { id, event } of refused) events.push(await this.recorder.appendToDevice(id, event, context));
    await this.projector.catchUp();
    const scope = targets.length > 1 ? 'the batch is refused, nothing changed: ' : '';
    const recorded = events.length === 1 ? { id: refused[0]!.id, event: events[0] } : { events };
    if (held.length > 0) {
      const [first] = held;
      const why = held.map(({ id, holder }) => `${id} is passed through to ${describeHolder(holder)}`);
      throw conflict(
        `${scope}${why.join('; ')}: shut the guest down or detach the device first (xl pci-detach), or send {"force": true} to unhide it anyway`,
        {
          reason: 'assigned',
          assigned_to: first!.holder,
          subject: `${first!.id} is passed through to ${describeHolder(first!.holder)}`,
          refused: held,
          ...recorded,
        },
      );
    }
    const [first] = refused[0]!.protections;
    const why = refused.map(({ id, protections }) => `${id} is protected (${describeProtections(protections)})`);
    throw conflict(`${scope}${why.join('; ')}: dom0 needs it to come back after a reboot; ${FORCE_OVER_REST}`, {
      reason: first!.reason,
      path: first!.detail,
      ...(first!.reason === 'management_interface' ? { interface: first!.subject } : {}),
      subject: first!.subject,
      refused: refused.map(({ id, protections }) => ({ id, protected: protectedField(protections) })),
      ...recorded,
    });
  }

  /**
   * A hide of a device already hidden, where another device now sits than the
   * one hidden, confirms the new one: with a reason, recorded as such; without
   * one, refused, so that a hardware change is never waved through unseen.
   */
  private confirmations(targets: readonly Target[], lists: HideLists, context: CommandContext): Confirmation[] {
    const changed = targets.flatMap(({ command }) => {
      const change =
        command.name === 'hide' && lists.pending.devices.has(command.pci)
          ? this.records.hardwareChange(command.pci)
          : null;
      return change ? [{ command, change }] : [];
    });
    if (changed.length === 0) return [];
    if (typeof context.extra?.reason !== 'string' || context.extra.reason.trim() === '') {
      throw conflict(
        `nothing changed: ${changed.map(({ command, change }) => describeChange(command.pci, change)).join('; ')}; ` +
          'a hide that confirms it needs a reason the history keeps (send "reason")',
        { reason: 'device_changed', ids: changed.map(({ command }) => command.pci) },
      );
    }
    return changed.map(({ command, change }) => ({
      id: command.pci,
      event: {
        type: 'HiddenDeviceConfirmed',
        data: {
          pci: command.pci,
          status: statusIn(command.pci, lists),
          identity: change.found,
          previous: change.recorded,
          cause: 'command',
          via: command.via,
        },
      },
    }));
  }

  private holderOf(id: PciAddress): Holder | null {
    const holders = this.host.holders;
    return holders.known ? (holders.holders.get(id) ?? null) : null;
  }

  private async change(
    targets: readonly Target[],
    context: CommandContext,
    lists: HideLists,
    confirming: readonly Confirmation[],
  ): Promise<BatchOutcome> {
    const handing = targets
      .map(({ command }) => command)
      .filter((command) => needsHandOver(command, lists.pciback.has(command.pci)));
    // An unhide gives the devices back before the boot list changes, a hide hands them over after: a failure leaves neither half done.
    const given = await this.handOver.run(handing.filter(isUnhide), context, async () => {});
    const before = given.length > 0 ? await this.withPcibackNow(lists) : lists;
    const decisions = targets.map((target) => ({
      target,
      decision: decide(
        target.command,
        liveIn(target.command.pci, before),
        this.records.protections(target.command.pci),
        this.holderOf(target.command.pci),
      ),
    }));
    const changing = decisions.flatMap(({ target, decision }) =>
      decision.kind === 'change' ? [{ target, event: withHardware(decision.event, target.identity) }] : [],
    );
    let after = before;
    if (changing.length > 0) {
      const ids = (unhide: boolean) =>
        changing.filter(({ target }) => isUnhide(target.command) === unhide).map(({ target }) => target.command.pci);
      const list = editHideList(lists.pending.list, { hide: ids(false), unhide: ids(true) }, this.host.knownDevices);
      await refuseTooLongLine(this.host, list, lists.pending);
      try {
        after = { ...before, pending: await this.host.writePendingHideList(list, lists.pending) };
      } catch (error) {
        if (error instanceof HideListMoved) await this.handOver.undo(given);
        if (!isHostFailure(error)) throw error;
        await this.handOver.undo(given);
        after = await this.afterFailedWrite(
          changing.map(({ target }) => target),
          context,
          lists,
          error,
        );
      }
    }
    const written = after;
    const taken = await this.handOver.run(
      handing.filter((command) => !isUnhide(command)),
      context,
      async () => {
        if (changing.length > 0) await this.host.writePendingHideList(lists.pending.list, written.pending);
      },
    );
    if (taken.length > 0) after = await this.withPcibackNow(after);
    const events = new Map<PciAddress, AppendedEvent>();
    // In the order they happened, each with the status it left.
    if (given.length > 0)
      for (const [id, event] of await this.handOver.record(given, before, context)) events.set(id, event);
    for (const { target, event } of changing) {
      events.set(target.command.pci, await this.recorder.appendToDevice(target.command.pci, event, context));
    }
    if (taken.length > 0)
      for (const [id, event] of await this.handOver.record(taken, after, context)) events.set(id, event);
    for (const { id, event } of confirming) events.set(id, await this.recorder.appendToDevice(id, event, context));
    if (events.size > 0) await this.projector.catchUp();
    const results = await Promise.all(
      targets.map(async ({ command, identity }) => {
        const event = events.get(command.pci) ?? null;
        return { record: await this.records.pciRecord(identity, after), changed: event !== null, event };
      }),
    );
    const driverless = given.filter(({ toDriver }) => toDriver === null).map(({ command }) => command.pci);
    return {
      results,
      warnings: [...this.warnings(targets, after), ...driverlessWarnings(driverless, this.host.pciBus)],
    };
  }

  /**
   * A device below a bridge the list names stays hidden with the bridge: only
   * unhiding the bridge frees it. Refused before anything is handed back.
   */
  private refuseHiddenByBridge(targets: readonly Target[], lists: HideLists): void {
    const ids = targets.map(({ command }) => command.pci);
    const list = editHideList(lists.pending.list, { hide: [], unhide: ids }, this.host.knownDevices);
    const held = ids.flatMap((id) => {
      const bridge = this.host.hidingBridge(list, id);
      return bridge ? [{ id, bridge }] : [];
    });
    if (held.length === 0) return;
    throw conflict(
      `${held.map(({ id, bridge }) => `${id} is below the bridge ${bridge}, which the hide list names`).join('; ')}: ` +
        'xen-pciback hides every device below a hidden bridge; unhide the bridge to give them back to dom0',
      { reason: 'hidden_by_bridge', held },
    );
  }

  /** The lists with what pciback is bound to and is to seize after a hand-over, read again. */
  private async withPcibackNow(lists: HideLists): Promise<HideLists> {
    return { ...lists, ...(await this.host.pcibackNow()) };
  }

  /**
   * A write can fail yet have landed, in whole or in part (a xen-cmdline cut
   * short by its timeout): what counts is what xen-cmdline holds now. When it holds every change, the batch succeeded;
   * when it holds some, the old list is written back, so no batch is ever half done.
   */
  private async afterFailedWrite(
    changing: readonly Target[],
    context: CommandContext,
    lists: HideLists,
    error: PassthruError,
  ): Promise<HideLists> {
    const reread = await this.host.hideLists({ fresh: true }).catch(() => null);
    const landed = (l: HideLists | null) =>
      changing.filter(({ command }) => l?.pending.devices.has(command.pci) === !isUnhide(command));
    if (reread && landed(reread).length === changing.length) return reread;
    let now = reread;
    if (reread && landed(reread).length > 0) {
      // Only the key passthru writes is set back: removing another is the step that can fail.
      now = await this.host
        .writePendingHideList(lists.pending.list, { ...reread.pending, keys: [HIDE_KEY] })
        .then(() => this.host.hideLists({ fresh: true }))
        .catch(() => null);
    }
    throw await this.recordFailures(
      changing,
      context,
      error,
      changing.map(({ command }) => statusIn(command.pci, now ?? lists)),
      now ? 'unchanged' : 'unknown',
    );
  }

  /** The devices hidden, and those depending on devices given back. */
  private warnings(targets: readonly Target[], after: HideLists): string[] {
    const given = new Set(targets.filter(({ command }) => isUnhide(command)).map(({ command }) => command.pci));
    const subjects = [
      ...targets.filter(({ command }) => !isUnhide(command)).map(({ command }) => command.pci),
      ...this.records.knownIds().filter((id) => this.records.dependencies(id).some((d) => given.has(d))),
    ];
    return dependencyWarnings(subjects, after.pending.devices, (id) => this.records.dependencies(id));
  }

  /**
   * Rewrites the next boot's hide list as the operator repairs it, on the
   * commands' lane and through the same write: the repair is recorded on the
   * host's stream, and each device whose status it changes gets its own event.
   * A repair that would start hiding a protected device is refused unless forced.
   */
  repairHideList(
    repair: HideListRepair & { readonly force?: boolean },
    context: CommandContext,
  ): Promise<RepairOutcome> {
    if (!this.reconciled()) throw notReady();
    // As a hide of it would be: a fix may not write an address this host has never had into the boot configuration.
    for (const { pci } of repair.fix) this.records.require(pci);
    return this.lane.run(() => startingOver(() => this.repairOnce(repair, context)));
  }

  private async repairOnce(
    repair: HideListRepair & { readonly force?: boolean },
    context: CommandContext,
  ): Promise<RepairOutcome> {
    const lists = await this.host.hideLists({ fresh: true });
    await this.recordChangesIn(lists, context);
    const repaired = repairHideList(lists.pending, repair);
    if (!repaired) return { changed: false, pending: [...lists.pending.devices].sort(), event: null, warnings: [] };
    const newlyHidden = [...this.host.devicesOf(repaired.list)].filter((id) => !lists.pending.devices.has(id));
    const guarded = newlyHidden.filter((id) => this.records.protections(id).length > 0);
    if (guarded.length > 0 && !repair.force) {
      throw conflict(
        `nothing changed: the repaired list would hide ${guarded.map((id) => `${id} (${describeProtections(this.records.protections(id))})`).join('; ')}: ` +
          'dom0 needs it to come back after a reboot; drop its entry, or send {"force": true} to repair the list anyway',
        {
          reason: 'protected',
          refused: guarded.map((id) => ({ id, protected: protectedField(this.records.protections(id)) })),
        },
      );
    }
    await refuseTooLongLine(this.host, repaired.list, lists.pending, { dropIgnored: repaired.dropIgnored });
    let after: HideLists;
    try {
      after = {
        ...lists,
        pending: await this.host.writePendingHideList(repaired.list, lists.pending, {
          dropIgnored: repaired.dropIgnored,
        }),
      };
    } catch (error) {
      if (!isHostFailure(error)) throw error;
      // A write of two steps (set, then remove pciback.hide) may have done its first: record what it did.
      await this.recordChangesIn(await this.host.hideLists({ fresh: true }), context).catch(() => undefined);
      throw hostFailure(`could not repair the hide list: ${error.message}; GET /v1/host shows what it holds now`);
    }
    const bootId = await this.host.bootId();
    for (const id of this.records.knownIds()) {
      const [previous, status] = [statusIn(id, lists), statusIn(id, after)];
      if (previous === status) continue;
      await this.recorder.appendToDevice(
        id,
        {
          type: 'Dom0AccessReconciled',
          data: { pci: id, status, previous, cause: 'hide_list_repair', boot_id: bootId },
        },
        context,
      );
    }
    const pending = [...after.pending.devices].sort(comparePciAddresses);
    const event = await this.recorder.appendToHost(
      {
        type: 'HideListRepaired',
        data: {
          dropped: [...repair.drop],
          fixed: repair.fix.map(({ entry, pci }) => ({ entry, pci })),
          pciback_hide: repair.pcibackHide,
          hide_list: formatHideList(repaired.list),
          pending,
          boot_id: bootId,
        },
      },
      context,
    );
    await this.projector.catchUp();
    const warnings = dependencyWarnings(newlyHidden, after.pending.devices, (id) => this.records.dependencies(id));
    return { changed: true, pending, event, warnings };
  }

  /**
   * Records the changes made by hand of every device, on the commands' lane:
   * whichever of a command, the reconciler or this gets there first records
   * a change, and the others then find nothing left to record.
   */
  recordChangesByHand(context: CommandContext): Promise<void> {
    if (!this.reconciled()) return Promise.resolve();
    return this.lane.run(async () => {
      // A command records what it finds changed before it writes, so its own write leaves nothing to record.
      if (this.host.isOwnWrite()) return;
      // The files changed, so this reads xen-cmdline again unless a read after the change already did.
      await this.recordChangesIn(await this.host.hideLists(), context);
    });
  }

  /**
   * Reads who holds each device again, on the commands' lane, with what
   * pciback is bound to: a device handed over or given back outside the
   * service is recorded as a change by hand. A read that fails records nothing.
   */
  refreshHolders(context: CommandContext): Promise<void> {
    if (!this.reconciled()) return Promise.resolve();
    return this.lane.run(async () => {
      await this.host.refreshHolders();
      await this.recordChangesIn(await this.host.hideLists(), context);
    });
  }

  private async recordChangesIn(lists: HideLists, context: CommandContext): Promise<void> {
    for (const id of this.records.knownIds()) {
      const identity = this.records.identity(id);
      if (identity) await this.recordOutsideChange(id, identity, lists, context);
    }
  }

  /** A change made by hand since the last record is recorded as such before the command's own. */
  private async recordOutsideChange(
    pci: PciAddress,
    identity: DeviceIdentity,
    lists: HideLists,
    context: CommandContext,
  ): Promise<void> {
    const projected = this.projector.pci.devices[pci]?.status ?? null;
    if (projected === null || projected === statusIn(pci, lists)) return;
    const boot = { id: await this.host.bootId(), isNew: false };
    for (const { event } of reconcile([{ id: pci, identity, projected, live: liveIn(pci, lists) }], boot)) {
      await this.recorder.appendToDevice(pci, event, context);
    }
    await this.projector.catchUp();
  }

  private async recordFailures(
    targets: readonly Target[],
    context: CommandContext,
    error: PassthruError,
    statuses: readonly Dom0AccessStatus[],
    configuration: 'unchanged' | 'unknown',
  ): Promise<PassthruError> {
    const events: AppendedEvent[] = [];
    for (const [i, { command }] of targets.entries()) {
      const status = statuses[i]!;
      events.push(await this.recorder.appendToDevice(command.pci, failed(command, status, error.message), context));
    }
    await this.projector.catchUp();
    const { name } = targets[0]!.command;
    const ids = targets.map(({ command }) => command.pci);
    const state =
      configuration === 'unknown'
        ? 'and the boot configuration could not be read back: the reconciler records what it holds'
        : ids.length === 1
          ? `it stays ${statuses[0]}`
          : 'they stay as they were';
    return hostFailure(
      `could not ${name} ${ids.join(', ')}, ${state}: ${error.message}`,
      ids.length === 1 ? { id: ids[0], event: events[0] } : { ids, events },
    );
  }
}

/**
 * xen-pciback rejects a whole list over one entry it cannot read: writing
 * the list again, with or without that entry, is the operator's call, made
 * by a repair, never a side effect of a hide or unhide.
 */
function refuseRejectedList(lists: HideLists): void {
  const rejected = lists.pending.problems.find((p) => p.code === 'hide_list_rejected');
  if (!rejected) return;
  const drops = rejected.entries.map((entry) => `--drop '${entry}'`).join(' ');
  throw conflict(
    `nothing changed: ${rejected.detail}. Until then passthru writes no hide list; e.g. passthru repair-hide-list ${drops}`,
    { reason: 'hide_list_rejected', unreadable: rejected.entries, repair: '/v1/host/hide-list/repair' },
  );
}

/** A hide records the hardware it hid, so that another device found at the address later is told apart. */
function withHardware(event: DeviceEvent, identity: DeviceIdentity): DeviceEvent {
  return event.type === 'Dom0AccessDisabled'
    ? { ...event, data: { ...event.data, identity: hardwareIdentity(identity) } }
    : event;
}

/** Devices pciback let go of that no driver of dom0 took: not given back, and the answer says so. */
function driverlessWarnings(ids: readonly PciAddress[], pciBus: string): string[] {
  return ids.map(
    (id) =>
      `${id} is not given back: pciback let go of it, but no driver of dom0 took it; load its driver, or bind one (echo ${id} > ${pciBus}/drivers_probe)`,
  );
}

const holdersUnknown = (detail: string) =>
  new PassthruError(
    'not_ready',
    `which guest holds each device cannot be read from xenstore (${detail}): nothing is handed over now until it can; apply at next boot, or retry`,
    { reason: 'holders_unknown' },
  );

const notReady = () =>
  new PassthruError(
    'not_ready',
    'the service has not reconciled with the host yet (see the log); retry after a successful POST /v1/reconcile',
  );

function describeHolder(holder: Holder): string {
  return `${holder.name} (domain ${holder.domid})`;
}
