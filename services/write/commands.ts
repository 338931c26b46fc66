// services/write/: the write path. Hide and unhide, single or batch, under the one
// serial lane (commands.ts); the one writer of events with their metadata and ids
// (recorder.ts, event-id.ts). May import domain/, projections/, store/, host/,
// concurrency/ and read/ (a command answers with the record after it); nothing above.
import { decide, failed, refusal, refusing, type Dom0AccessCommand } from '../../domain/decide.ts';
import { dependencyWarnings } from '../../domain/dependencies.ts';
import type { DeviceIdentity } from '../../domain/device.ts';
import type { Dom0AccessStatus } from '../../domain/dom0-access.ts';
import { conflict, hostFailure, PassthruError } from '../../domain/errors.ts';
import type { CommandName, DeviceEvent, Via } from '../../domain/events.ts';
import { editHideList } from '../../domain/hide-list.ts';
import { HIDE_KEY } from '../../domain/kernel-cmdline.ts';
import { reconcile } from '../../domain/reconcile.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { describeProtections, protectedField, type Protection } from '../../domain/protection.ts';
import type { HideLists, Host } from '../host/host.ts';
import type { Projector } from '../read/projector.ts';
import { liveIn, statusIn, type PciRecord, type Records } from '../read/records.ts';
import type { AppendedEvent, CommandContext, Recorder } from './recorder.ts';
import type { Serial } from '../concurrency/serial.ts';

export interface CommandOutcome {
  readonly record: PciRecord;
  readonly changed: boolean;
  readonly event: AppendedEvent | null;
}

/** Hide or unhide of several devices at once: one boot configuration edit for all of them. */
export interface BatchCommand {
  readonly name: CommandName;
  readonly pcis: readonly PciAddress[];
  readonly via: Via;
  readonly force?: boolean;
}

export interface BatchOutcome {
  readonly results: CommandOutcome[];
  /** What else must be hidden for passthrough of what was asked to work. */
  readonly warnings: string[];
}

interface Target {
  readonly command: Dom0AccessCommand;
  readonly identity: DeviceIdentity;
}

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
  constructor(
    private readonly host: Host,
    private readonly recorder: Recorder,
    private readonly projector: Projector,
    private readonly records: Records,
    private readonly lane: Serial,
    /** Until the reconciler has run once, devices may lack the discovery their history starts with. */
    private readonly reconciled: () => boolean,
  ) {}

  /** One device: a batch of one. */
  async execute(
    command: Dom0AccessCommand,
    context: CommandContext,
  ): Promise<CommandOutcome & Pick<BatchOutcome, 'warnings'>> {
    const { name, pci, via, force } = command;
    const { results, warnings } = await this.executeBatch(
      { name, pcis: [pci], via, ...(force ? { force } : {}) },
      context,
    );
    return { ...results[0]!, warnings };
  }

  executeBatch(batch: BatchCommand, context: CommandContext): Promise<BatchOutcome> {
    if (!this.reconciled()) {
      throw new PassthruError(
        'not_ready',
        'the service has not reconciled with the host yet (see the log); retry after a successful POST /v1/reconcile',
      );
    }
    const targets: Target[] = batch.pcis.map((pci) => ({
      command: { name: batch.name, pci, via: batch.via, ...(batch.force ? { force: true } : {}) },
      identity: this.records.require(pci),
    }));
    return this.lane.run(async () => {
      let lists: HideLists;
      try {
        lists = await this.host.hideLists({ fresh: true });
      } catch (error) {
        if (!isHostFailure(error)) throw error;
        const known = targets.map(({ command }) => this.projector.pci.devices[command.pci]?.status);
        if (known.some((status) => !status)) throw error;
        throw await this.recordFailures(targets, context, error, known as Dom0AccessStatus[], 'unchanged');
      }
      // Every device's, not the targets' alone: this command's write will hide the files' change from the watcher.
      await this.recordChangesIn(lists, context);
      await this.refuseProtected(targets, context, lists);
      return this.change(batch, targets, context, lists);
    });
  }

  /** Every protected device of a hide is refused, and recorded as refused, before anything is written. */
  private async refuseProtected(targets: readonly Target[], context: CommandContext, lists: HideLists): Promise<void> {
    const refused: { id: PciAddress; protections: Protection[]; event: DeviceEvent }[] = [];
    for (const { command } of targets) {
      const protections = this.records.protections(command.pci);
      const event = refusal(command, protections, statusIn(command.pci, lists));
      if (event) refused.push({ id: command.pci, protections: refusing(command, protections), event });
    }
    if (refused.length === 0) return;
    const events: AppendedEvent[] = [];
    for (const { id, event } of refused) events.push(await this.recorder.appendToDevice(id, event, context));
    await this.projector.catchUp();
    const [first] = refused[0]!.protections;
    const why = refused.map(({ id, protections }) => `${id} is protected (${describeProtections(protections)})`);
    const scope = targets.length > 1 ? 'the batch is refused, nothing changed: ' : '';
    throw conflict(`${scope}${why.join('; ')}: dom0 needs it to come back after a reboot; ${FORCE_OVER_REST}`, {
      reason: first!.reason,
      path: first!.detail,
      ...(first!.reason === 'management_interface' ? { interface: first!.subject } : {}),
      subject: first!.subject,
      refused: refused.map(({ id, protections }) => ({ id, protected: protectedField(protections) })),
      ...(events.length === 1 ? { id: refused[0]!.id, event: events[0] } : { events }),
    });
  }

  private async change(
    batch: BatchCommand,
    targets: readonly Target[],
    context: CommandContext,
    lists: HideLists,
  ): Promise<BatchOutcome> {
    const decisions = targets.map((target) => ({
      target,
      decision: decide(target.command, liveIn(target.command.pci, lists), this.records.protections(target.command.pci)),
    }));
    const changing = decisions.flatMap(({ target, decision }) =>
      decision.kind === 'change' ? [{ target, event: decision.event }] : [],
    );
    let after = lists;
    if (changing.length > 0) {
      const ids = changing.map(({ target }) => target.command.pci);
      const list = editHideList(
        lists.pending.list,
        batch.name === 'hide' ? { hide: ids, unhide: [] } : { hide: [], unhide: ids },
        this.host.knownDevices,
      );
      after = { ...lists, pending: { devices: this.host.devicesOf(list), keys: [HIDE_KEY], list } };
      try {
        await this.host.writePendingHideList(list, lists.pending);
      } catch (error) {
        if (!isHostFailure(error)) throw error;
        after = await this.afterFailedWrite(
          batch.name,
          changing.map(({ target }) => target),
          context,
          lists,
          error,
        );
      }
    }
    const events = new Map<PciAddress, AppendedEvent>();
    for (const { target, event } of changing) {
      events.set(target.command.pci, await this.recorder.appendToDevice(target.command.pci, event, context));
    }
    if (changing.length > 0) await this.projector.catchUp();
    const results = await Promise.all(
      targets.map(async ({ command, identity }) => {
        const event = events.get(command.pci) ?? null;
        return { record: await this.records.pciRecord(identity, after), changed: event !== null, event };
      }),
    );
    return { results, warnings: this.warnings(batch, after) };
  }

  /**
   * A write of several steps can fail after its first: what counts is what
   * xen-cmdline holds now. When it holds every change, the batch succeeded;
   * when it holds some, the old list is written back, so no batch is ever half done.
   */
  private async afterFailedWrite(
    name: CommandName,
    changing: readonly Target[],
    context: CommandContext,
    lists: HideLists,
    error: PassthruError,
  ): Promise<HideLists> {
    const hidden = name === 'hide';
    const reread = await this.host.hideLists({ fresh: true }).catch(() => null);
    const landed = (l: HideLists | null) =>
      changing.filter(({ command }) => l?.pending.devices.has(command.pci) === hidden);
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

  private warnings(batch: BatchCommand, after: HideLists): string[] {
    const asked = new Set(batch.pcis);
    const subjects =
      batch.name === 'hide'
        ? batch.pcis
        : this.records.knownIds().filter((id) => this.records.dependencies(id).some((d) => asked.has(d)));
    return dependencyWarnings(subjects, after.pending.devices, (id) => this.records.dependencies(id));
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
