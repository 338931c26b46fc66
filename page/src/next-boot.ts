import { dom0AccessStatus, hiddenIn, type Dom0AccessStatus } from '../../domain/dom0-access.ts';
import type { Apply } from '../../domain/events.ts';
import type { CommandName, HostView, PciRecord, Protection } from './api-types.ts';

/**
 * The status a command leaves. At next boot it sets the next boot's list and
 * never touches the running kernel. Handed over now, pciback takes the device
 * or lets go of it at once too, but one the running kernel's own list hides
 * stays hidden until the reboot: that list cannot change.
 */
export const statusAfter = (
  status: Dom0AccessStatus,
  command: CommandName,
  apply: Apply = 'next-boot',
  runningKernelHides = false,
): Dom0AccessStatus =>
  dom0AccessStatus({
    current: apply === 'now' ? command === 'hide' || runningKernelHides : hiddenIn(status).current,
    pending: command === 'hide',
  });

export interface BootChange {
  readonly id: string;
  readonly record: PciRecord | null;
  readonly hidden: boolean;
}

/**
 * Exactly what the next boot changes: what its hide list hides that is not
 * hidden now (hidden from then on) and what is hidden now that it does not
 * hide (back with dom0), devices the inventory does not show included. A
 * record's status says what is hidden now, pciback's devices handed over now
 * included; the running kernel's list says it for the others.
 */
export function nextBootChanges(host: HostView, pcis: readonly PciRecord[]): BootChange[] {
  const byId = new Map(pcis.map((p) => [p.id, p]));
  const now = [
    ...host.current.filter((id) => !byId.has(id)),
    ...pcis.filter((p) => hiddenIn(p.dom0_access).current).map((p) => p.id),
  ];
  const hiddenNow = new Set(now);
  const pending = new Set(host.pending);
  const change = (id: string, hidden: boolean): BootChange => ({ id, record: byId.get(id) ?? null, hidden });
  return [
    ...host.pending.filter((id) => !hiddenNow.has(id)).map((id) => change(id, true)),
    ...now.filter((id) => !pending.has(id)).map((id) => change(id, false)),
  ].sort((a, b) => a.id.localeCompare(b.id));
}

/** A record's protections as a list, empty for a device dom0 can do without. */
export const protections = (record: PciRecord): readonly Protection[] => record.protected ?? [];

const hiddenNextBoot = (record: PciRecord) => hiddenIn(record.dom0_access).pending;

/**
 * What a hide would leave behind: dependencies of the chosen devices that
 * stay with dom0 after the next boot, though passthrough needs them hidden too.
 */
export function leftBehind(chosen: readonly PciRecord[], pcis: readonly PciRecord[]): string[] {
  const byId = new Map(pcis.map((p) => [p.id, p]));
  const ids = new Set(chosen.map((p) => p.id));
  const warnings: string[] = [];
  for (const record of chosen) {
    for (const dependency of record.dependencies) {
      const other = byId.get(dependency);
      if (ids.has(dependency) || (other && hiddenNextBoot(other))) continue;
      const name = other ? ` (${other.device_name})` : '';
      warnings.push(`${dependency}${name} stays with dom0: passthrough of ${record.id} needs it hidden too`);
    }
  }
  return warnings;
}
