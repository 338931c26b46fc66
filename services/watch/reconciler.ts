// services/watch/: keeping the record true to the host. The reconciler at start and
// on demand (reconciler.ts), and the watcher of the boot configuration files that
// has changes by hand recorded (boot-config-watcher.ts). May import domain/, host/,
// concurrency/, read/ and write/.
import type { Logger } from 'pino';
import { reconcile, type DeviceSighting } from '../../domain/reconcile.ts';
import type { HostEvent } from '../../domain/events.ts';
import type { HideLists, Host } from '../host/host.ts';
import type { Projector } from '../read/projector.ts';
import { liveIn, statusIn, type Records } from '../read/records.ts';
import { bootClaims, type BootClaims } from '../../domain/boot-claims.ts';
import type { AppendedEvent, CommandContext, Recorder } from '../write/recorder.ts';
import type { Serial } from '../concurrency/serial.ts';
import { hardwareChanges } from '../../domain/hidden-hardware.ts';
import { hardwareIdentity } from '../../domain/hardware-identity.ts';

export interface ReconcileReport {
  readonly boot_id: string;
  readonly new_boot: boolean;
  readonly appended: AppendedEvent[];
}

/**
 * Makes the projection equal the live status: a new boot id is recorded on
 * the host's stream, then every device whose live status differs from its
 * projected one gets an event saying so and why.
 */
export class Reconciler {
  lastRun: ReconcileReport | null = null;

  constructor(
    private readonly host: Host,
    private readonly recorder: Recorder,
    private readonly projector: Projector,
    private readonly records: Records,
    private readonly lane: Serial,
    private readonly log: Logger,
  ) {}

  /** Whether pciback took up each device this boot hid, read from the drivers bound now. */
  private async bootClaims(lists: HideLists, bootId: string): Promise<BootClaims> {
    const hidden = this.records.knownIds().filter((id) => lists.current.has(id));
    const sightings = await Promise.all(
      hidden.map(async (id) => ({
        id,
        status: statusIn(id, lists),
        driver: await this.host.driver(id),
        recordedNotClaimedAt: this.projector.pci.devices[id]?.not_claimed_at_boot,
      })),
    );
    const claims = bootClaims(sightings, bootId);
    for (const pci of claims.notClaimed) {
      this.log.warn({ pci, boot_id: bootId }, 'the boot hid %s but pciback does not hold it', pci);
    }
    return claims;
  }

  run(context: CommandContext): Promise<ReconcileReport> {
    return this.lane.run(async () => {
      this.host.forgetRunningKernel();
      // The inventory first: the hide lists' wildcards are matched against it.
      const [bootId, { lists, inventory }, { iommu, unknown }] = await Promise.all([
        this.host.bootId(),
        // Who holds each device, read here and by the poll, never per read.
        Promise.all([this.records.refreshInventory(), this.host.refreshHolders()]).then(async ([inventory]) => ({
          inventory,
          lists: await this.host.hideLists({ fresh: true }),
        })),
        // Like the running kernel's list, fixed for the boot: read with it, never per request.
        this.host.iommu(),
      ]);
      if (iommu === false)
        this.log.warn('xl info lists no hvm_directio: Xen has no IOMMU, and no device can be passed through');
      if (iommu === null) this.log.info({ reason: unknown }, 'the IOMMU cannot be known');
      for (const problem of this.records.safetyProblems) this.log.warn({ problem }, 'protected devices: %s', problem);
      for (const problem of [...lists.running.problems, ...lists.pending.problems]) {
        this.log.warn({ problem: problem.code, list: problem.list, entries: problem.entries }, problem.detail);
      }
      await this.projector.catchUp();
      const appended: AppendedEvent[] = [];
      const lastBoot = await this.recorder.lastHostEvent();
      const previousBootId = (lastBoot?.data as HostEvent['data'] | undefined)?.boot_id ?? null;
      const newBoot = previousBootId !== bootId;
      const inInventory = new Map(inventory.map((d) => [d.id, d]));
      const sightings: DeviceSighting[] = this.records.knownIds().map((id) => ({
        id,
        identity: inInventory.get(id) ?? null,
        projected: this.projector.pci.devices[id]?.status ?? null,
        live: liveIn(id, lists),
      }));
      for (const { pci, event } of reconcile(sightings, { id: bootId, isNew: newBoot })) {
        appended.push(await this.recorder.appendToDevice(pci, event, context));
      }
      await this.projector.catchUp();
      // After the statuses are brought up to date: a hide recorded by hand counts as hidden here too.
      const hardware = sightings.map(({ id, identity }) => ({
        id,
        state: this.projector.pci.devices[id],
        status: statusIn(id, lists),
        found: identity ? hardwareIdentity(identity) : null,
      }));
      for (const { pci, event } of hardwareChanges(hardware, bootId)) {
        this.log.warn({ pci, data: event.data }, 'another device than the one hidden sits at %s', pci);
        appended.push(await this.recorder.appendToDevice(pci, event, context));
      }
      // Last, so a reconcile cut short is run again in full: the boot is new until it is recorded.
      if (newBoot) {
        const claims = await this.bootClaims(lists, bootId);
        for (const { pci, event } of claims.events) {
          appended.push(await this.recorder.appendToDevice(pci, event, context));
        }
        const event: HostEvent = {
          type: 'BootObserved',
          data: {
            boot_id: bootId,
            previous_boot_id: previousBootId,
            current: [...lists.current],
            pending: [...lists.pending.devices],
            claimed: claims.claimed,
            not_claimed: claims.notClaimed,
          },
        };
        appended.push(await this.recorder.appendToHost(event, context));
      }
      await this.projector.catchUp();
      const report = { boot_id: bootId, new_boot: newBoot, appended };
      this.log.info(
        { boot_id: bootId, new_boot: newBoot, appended: appended.length, devices: sightings.length },
        'reconciled with the live host',
      );
      this.lastRun = report;
      return report;
    });
  }
}
