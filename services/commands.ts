import { decide, failed, type Dom0AccessCommand } from '../domain/decide.ts';
import { hostFailure, PassthruError } from '../domain/errors.ts';
import { deviceStream } from '../projections/streams.ts';
import type { Host } from './host/host.ts';
import type { Projector } from './projector.ts';
import type { PciRecord, Records } from './records.ts';
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
      const lists = await this.host.hideLists();
      const live = { current: lists.current.has(command.pci), pending: lists.pending.devices.has(command.pci) };
      const decision = decide(command, live);
      if (decision.kind === 'unchanged') {
        return { record: this.records.pciRecord(identity, lists), changed: false, event: null };
      }
      const pending = new Set(lists.pending.devices);
      if (decision.pendingHidden) pending.add(command.pci);
      else pending.delete(command.pci);
      const stream = deviceStream(this.hostId, command.pci);
      try {
        await this.host.writePendingHideList(pending, lists.pending);
      } catch (error) {
        const reason = error instanceof PassthruError ? error.message : String(error);
        const recorded = await this.recorder.append(stream, failed(command, live, reason), context);
        await this.projector.catchUp();
        throw hostFailure(`could not ${command.name} ${command.pci}, the boot configuration is unchanged: ${reason}`, {
          id: command.pci,
          event: recorded,
        });
      }
      const event = await this.recorder.append(stream, decision.event, context);
      await this.projector.catchUp();
      const record = this.records.pciRecord(identity, { current: lists.current, pending: { ...lists.pending, devices: pending } });
      return { record, changed: true, event };
    });
  }
}
