import { appliedNow, applyNowFailed, type Dom0AccessCommand } from '../../domain/decide.ts';
import { conflict, hostFailure, PassthruError } from '../../domain/errors.ts';
import type { CommandName } from '../../domain/events.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { describeDriver, type HideLists, type Host } from '../host/host.ts';
import { PCIBACK } from '../../domain/passthrough.ts';
import type { Projector } from '../read/projector.ts';
import { statusIn } from '../read/records.ts';
import type { AppendedEvent, CommandContext, Recorder } from './recorder.ts';

/** A device handed over, the driver it was taken from, and the one bound after (null when none took it back). */
export interface HandedOver {
  readonly command: Dom0AccessCommand;
  readonly fromDriver: string | null;
  readonly toDriver: string | null;
}

const OPPOSITE: Record<CommandName, CommandName> = { hide: 'unhide', unhide: 'hide' };

/**
 * `apply: "now"`: each device handed to pciback (hide) or given back to
 * dom0's driver (unhide), one at a time, all or nothing, each checked on its
 * driver link. When one fails, those already handed over are handed back and
 * the caller's boot list edit undone before the failure is recorded on every
 * device, with what is true of the host afterwards.
 */
export class HandOver {
  constructor(
    private readonly host: Host,
    private readonly recorder: Recorder,
    private readonly projector: Projector,
  ) {}

  /** A guest can only be given a device through the IOMMU: without one, handing it over now is refused. */
  async requireIommu(): Promise<void> {
    const { iommu, unknown } = await this.host.iommu();
    if (iommu === true) return;
    throw conflict(
      iommu === false
        ? 'Xen reports no IOMMU (no hvm_directio in xl info virt_caps): no device can be handed to a guest now; apply at next boot, or turn the IOMMU on'
        : `the IOMMU cannot be known (${unknown}): a device is handed over now only on a host whose xl info lists hvm_directio`,
      { reason: 'iommu_disabled', iommu },
    );
  }

  async run(
    commands: readonly Dom0AccessCommand[],
    context: CommandContext,
    undoBootList: () => Promise<void>,
  ): Promise<HandedOver[]> {
    const done: HandedOver[] = [];
    for (const command of commands) {
      const fromDriver = await this.host.driver(command.pci);
      let toDriver: string | null;
      try {
        toDriver = await this.apply(command.name, command.pci);
      } catch (error) {
        if (!(error instanceof PassthruError && error.kind === 'host_failure')) throw error;
        throw await this.fail(commands, command.pci, error.message, done, context, undoBootList);
      }
      done.push({ command, fromDriver, toDriver });
    }
    return done;
  }

  /** Answers the driver bound after. */
  private async apply(action: CommandName, id: PciAddress): Promise<string | null> {
    if (action === 'unhide') return this.host.giveBack(id);
    await this.host.handToPciback(id);
    return PCIBACK;
  }

  /** Hands back what was handed over, latest first. */
  async undo(done: readonly HandedOver[]): Promise<void> {
    for (const { command } of [...done].reverse()) await this.apply(OPPOSITE[command.name], command.pci);
  }

  /** The events of the devices handed over, each with its status after the command. */
  async record(
    done: readonly HandedOver[],
    lists: HideLists,
    context: CommandContext,
  ): Promise<Map<PciAddress, AppendedEvent>> {
    const events = new Map<PciAddress, AppendedEvent>();
    for (const { command, fromDriver, toDriver } of done) {
      const event = appliedNow(command, statusIn(command.pci, lists), fromDriver, toDriver);
      events.set(command.pci, await this.recorder.appendToDevice(command.pci, event, context));
    }
    return events;
  }

  private async fail(
    commands: readonly Dom0AccessCommand[],
    failedOn: PciAddress,
    xlMessage: string,
    done: readonly HandedOver[],
    context: CommandContext,
    undoBootList: () => Promise<void>,
  ): Promise<PassthruError> {
    const undone = await this.undo(done)
      .then(undoBootList)
      .then(
        () => null,
        (error: unknown) => (error as Error).message,
      );
    const lists = await this.host.hideLists({ fresh: true }).catch(() => null);
    const drivers = await Promise.all(
      commands.map(async (command) => `${command.pci}: ${describeDriver(await this.host.driver(command.pci))}`),
    );
    const events: AppendedEvent[] = [];
    for (const command of commands) {
      const status = lists ? statusIn(command.pci, lists) : this.projector.pci.devices[command.pci]!.status;
      events.push(await this.recorder.appendToDevice(command.pci, applyNowFailed(command, status, xlMessage), context));
    }
    await this.projector.catchUp();
    const { name } = commands[0]!;
    const ids = commands.map((command) => command.pci);
    const state =
      undone === null
        ? done.length > 0
          ? 'what was handed over was handed back and the boot list restored'
          : 'the boot list is unchanged'
        : `and undoing failed too (${undone}): the reconciler records what the host holds`;
    return hostFailure(
      `could not ${name} ${ids.join(', ')} now, it failed on ${failedOn}, ${state}; afterwards ${drivers.join('; ')}: ${xlMessage}`,
      ids.length === 1
        ? { id: ids[0], event: events[0], xl_message: xlMessage }
        : { ids, events, xl_message: xlMessage },
    );
  }
}
