import { decide, failed, type Dom0AccessCommand } from '../domain/decide.ts';
import type { DeviceIdentity } from '../domain/device.ts';
import type { Dom0AccessStatus } from '../domain/dom0-access.ts';
import { hostFailure, PassthruError } from '../domain/errors.ts';
import { reconcile } from '../domain/reconcile.ts';
import type { PciAddress } from '../domain/pci-address.ts';
import type { HideLists, Host } from './host/host.ts';
import type { Projector } from './projector.ts';
import { liveIn, statusIn, type PciRecord, type Records } from './records.ts';
import type { AppendedEvent, CommandContext, Recorder } from './recorder.ts';
import type { Serial } from './serial.ts';

export interface CommandOutcome {
  readonly record: PciRecord;
  readonly changed: boolean;
  readonly event: AppendedEvent | null;
}

const isHostFailure = (error: unknown): error is PassthruError =>
  error instanceof PassthruError && error.kind === 'host_failure';

/**
 * Hide and unhide: read the live lists, decide, write the boot configuration,
 * then record. All under the host's one serial lane, so concurrent commands
 * never lose each other's edit of the shared hide list.
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

  execute(command: Dom0AccessCommand, context: CommandContext): Promise<CommandOutcome> {
    if (!this.reconciled()) {
      throw new PassthruError(
        'not_ready',
        'the service has not reconciled with the host yet (see the log); retry after a successful POST /v1/reconcile',
      );
    }
    const identity = this.records.require(command.pci);
    return this.lane.run(async () => {
      let lists: HideLists;
      try {
        lists = await this.host.hideLists({ fresh: true });
      } catch (error) {
        const known = this.projector.pci.devices[command.pci]?.status;
        if (!isHostFailure(error) || !known) throw error;
        throw await this.recordFailure(command, context, error, known, 'unchanged');
      }
      await this.recordOutsideChange(command.pci, identity, lists, context);
      return this.change(command, context, identity, lists);
    });
  }

  private async change(
    command: Dom0AccessCommand,
    context: CommandContext,
    identity: DeviceIdentity,
    lists: HideLists,
  ): Promise<CommandOutcome> {
    const decision = decide(command, liveIn(command.pci, lists));
    if (decision.kind === 'unchanged') {
      return { record: this.records.pciRecord(identity, lists), changed: false, event: null };
    }
    const pending = new Set(lists.pending.devices);
    if (decision.pendingHidden) pending.add(command.pci);
    else pending.delete(command.pci);
    let after: HideLists = { current: lists.current, pending: { ...lists.pending, devices: pending } };
    try {
      await this.host.writePendingHideList(pending, lists.pending);
    } catch (error) {
      if (!isHostFailure(error)) throw error;
      // A write of several steps can fail after its first: what counts is what xen-cmdline holds now.
      const reread = await this.host.hideLists({ fresh: true }).catch(() => null);
      if (reread?.pending.devices.has(command.pci) !== decision.pendingHidden) {
        const known = statusIn(command.pci, reread ?? lists);
        throw await this.recordFailure(command, context, error, known, reread ? 'unchanged' : 'unknown');
      }
      after = reread;
    }
    const event = await this.recorder.appendToDevice(command.pci, decision.event, context);
    await this.projector.catchUp();
    return { record: this.records.pciRecord(identity, after), changed: true, event };
  }

  /**
   * Records the changes made by hand of every device, on the commands' lane:
   * whichever of a command, the reconciler or this gets there first records
   * a change, and the others then find nothing left to record.
   */
  recordChangesByHand(context: CommandContext): Promise<void> {
    if (!this.reconciled()) return Promise.resolve();
    return this.lane.run(async () => {
      // The files changed, so this reads xen-cmdline again unless a read after the change already did.
      const lists = await this.host.hideLists();
      for (const id of this.records.knownIds()) {
        const identity = this.records.identity(id);
        if (identity) await this.recordOutsideChange(id, identity, lists, context);
      }
    });
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

  private async recordFailure(
    command: Dom0AccessCommand,
    context: CommandContext,
    error: PassthruError,
    known: Dom0AccessStatus,
    configuration: 'unchanged' | 'unknown',
  ): Promise<PassthruError> {
    const recorded = await this.recorder.appendToDevice(command.pci, failed(command, known, error.message), context);
    await this.projector.catchUp();
    const state =
      configuration === 'unchanged'
        ? `it stays ${known}`
        : 'and the boot configuration could not be read back: the reconciler records what it holds';
    return hostFailure(`could not ${command.name} ${command.pci}, ${state}: ${error.message}`, {
      id: command.pci,
      event: recorded,
    });
  }
}
