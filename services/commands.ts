import { decide, failed, type Dom0AccessCommand } from '../domain/decide.ts';
import { hostFailure, PassthruError } from '../domain/errors.ts';
import { deviceStream } from '../projections/streams.ts';
import type { DeviceIdentity } from '../domain/device.ts';
import type { HideLists, Host } from './host/host.ts';
import type { Projector } from './projector.ts';
import { statusIn, type PciRecord, type Records } from './records.ts';
import type { AppendedEvent, CommandContext, Recorder } from './recorder.ts';
import type { Serial } from './serial.ts';

export interface CommandOutcome {
  readonly record: PciRecord;
  readonly changed: boolean;
  readonly event: AppendedEvent | null;
}

/**
 * Hide and unhide: read the live lists, decide, write the boot configuration,
 * then record. All under the host's one serial lane, so concurrent commands
 * never lose each other's edit of the shared hide list.
 */
export class Commands {
  constructor(
    private readonly hostId: string,
    private readonly host: Host,
    private readonly recorder: Recorder,
    private readonly projector: Projector,
    private readonly records: Records,
    private readonly lane: Serial,
  ) {}

  execute(command: Dom0AccessCommand, context: CommandContext): Promise<CommandOutcome> {
    const identity = this.records.require(command.pci);
    return this.lane.run(async () => {
      let lists: HideLists | null = null;
      try {
        lists = await this.host.hideLists();
        return await this.change(command, context, identity, lists);
      } catch (error) {
        if (!(error instanceof PassthruError && error.kind === 'host_failure')) throw error;
        const known = lists ? statusIn(command.pci, lists) : this.projector.pci.devices[command.pci]?.status;
        if (!known) throw error;
        const recorded = await this.recorder.append(
          deviceStream(this.hostId, command.pci),
          failed(command, known, error.message),
          context,
        );
        await this.projector.catchUp();
        throw hostFailure(`could not ${command.name} ${command.pci}, the boot configuration is unchanged: ${error.message}`, {
          id: command.pci,
          event: recorded,
        });
      }
    });
  }

  private async change(
    command: Dom0AccessCommand,
    context: CommandContext,
    identity: DeviceIdentity,
    lists: HideLists,
  ): Promise<CommandOutcome> {
    const live = { current: lists.current.has(command.pci), pending: lists.pending.devices.has(command.pci) };
    const decision = decide(command, live);
    if (decision.kind === 'unchanged') {
      return { record: this.records.pciRecord(identity, lists), changed: false, event: null };
    }
    const pending = new Set(lists.pending.devices);
    if (decision.pendingHidden) pending.add(command.pci);
    else pending.delete(command.pci);
    await this.host.writePendingHideList(pending, lists.pending);
    const event = await this.recorder.append(deviceStream(this.hostId, command.pci), decision.event, context);
    await this.projector.catchUp();
    const after = { current: lists.current, pending: { ...lists.pending, devices: pending } };
    return { record: this.records.pciRecord(identity, after), changed: true, event };
  }
}
