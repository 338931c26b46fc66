import { hiddenIn, type Dom0AccessStatus } from './dom0-access.ts';
import type { PciAddress } from './pci-address.ts';
import type { HideListProblem } from './unheeded-hides.ts';
import { describeChange, type IdentityChange } from './hardware-identity.ts';
import type { RunningLineCut } from './dom0-line.ts';

/** The driver xen-pciback registers: a device it holds is free for a guest. */
export const PCIBACK = 'pciback';

export const PASSTHROUGH_PROBLEM_CODES = [
  'iommu_disabled',
  'not_claimed',
  'not_persistent',
  'dependency_in_dom0',
  'hide_list_rejected',
  'hide_key_ignored',
  'device_changed',
  'command_line_cut',
  'holder_unknown',
  'left_without_driver',
] as const;
export type PassthroughProblemCode = (typeof PASSTHROUGH_PROBLEM_CODES)[number];

export interface PassthroughProblem {
  readonly code: PassthroughProblemCode;
  /** What is wrong and what to do about it, in one sentence. */
  readonly detail: string;
}

export interface PassthroughVerdict {
  readonly ready: boolean;
  readonly problems: PassthroughProblem[];
}

export interface DriverSighting {
  readonly id: PciAddress;
  /** The driver bound now; null when none is. */
  readonly driver: string | null;
}

export interface PassthroughFacts extends DriverSighting {
  readonly status: Dom0AccessStatus;
  readonly dependencies: readonly DriverSighting[];
  /** The devices dom0 needs to come back after a reboot (protected): a driver of theirs is never to be blacklisted. */
  readonly needed: readonly DriverSighting[];
  /** Whether Xen can remap DMA for a guest; null when it cannot be known. */
  readonly iommu: boolean | null;
  /** Why the hide lists that name the device do not hide it. */
  readonly unheeded: readonly HideListProblem[];
  /** Whether the running kernel's command line hides it. */
  readonly bootHidden: boolean;
  /** Why who holds it cannot be known (xenstore could not be read), when it cannot: then no guest may be given it. */
  readonly holderUnknown: string | null;
  /** Whether a give-back left it with no driver, and none is bound since. */
  readonly leftWithoutDriver: boolean;
  /** Another device than the one hidden found at its address; null when it is the same, or unknown. */
  readonly changed?: IdentityChange | null;
  /** How Xen cut the running dom0 line; null when it is whole. */
  readonly cut?: RunningLineCut | null;
  /**
   * The host's PCI bus in sysfs, where advice says to write (`/sys/bus/pci` on a Xen host): a simulated host's
   * own, so no advice names the devices of a machine that is not a Xen host.
   */
  readonly pciBus: string;
}

function notClaimed(id: PciAddress, driver: string | null, needed: readonly DriverSighting[], bus: string): string {
  if (driver === null) {
    return `the boot hid ${id} but pciback did not claim it: load xen-pciback at boot (built in, or in the initrd) and check that the hide list names ${id}`;
  }
  const sharing = needed.find((device) => device.id !== id && device.driver === driver);
  if (!sharing) {
    return `the boot hid ${id} but dom0's ${driver} driver holds it: load xen-pciback before ${driver} (put it in the initrd, or blacklist ${driver}) and reboot`;
  }
  // Blacklisting it would take a device dom0 boots from (or is managed through) away with it.
  return `the boot hid ${id} but dom0's ${driver} driver holds it, and ${driver} also drives ${sharing.id}, which dom0 needs: do not blacklist ${driver}; give ${id} alone to pciback with xl pci-assignable-add ${id}, or unbind it (echo ${id} > ${bus}/devices/${id}/driver/unbind) and bind it to pciback (echo ${id} > ${bus}/drivers/pciback/new_slot; echo ${id} > ${bus}/drivers/pciback/bind)`;
}

/**
 * Whether a guest could be given the device now, from what dom0 actually did
 * at boot rather than what the command lines say.
 */
export function passthroughVerdict(facts: PassthroughFacts): PassthroughVerdict {
  const { id, driver, status, iommu, bootHidden } = facts;
  const live = hiddenIn(status);
  const assignable = driver === PCIBACK;
  const meantForGuests = live.current || live.pending;
  const problems: PassthroughProblem[] = [];
  if (meantForGuests && iommu === false) {
    problems.push({
      code: 'iommu_disabled',
      detail:
        'Xen reports no IOMMU (no hvm_directio in xl info virt_caps): turn on VT-d or AMD-Vi in the firmware setup and check that Xen is not booted with iommu=0',
    });
  }
  // A device given back since the boot is no longer hidden now, though the running line names it.
  if (bootHidden && live.current && !assignable) {
    problems.push({ code: 'not_claimed', detail: notClaimed(id, driver, facts.needed, facts.pciBus) });
  }
  if (assignable && !live.pending) {
    problems.push({
      code: 'not_persistent',
      detail: `pciback holds ${id} now, but the next boot gives it back to dom0: hide it (passthru hide ${id}) to keep it for passthrough`,
    });
  }
  if (meantForGuests) {
    for (const dependency of facts.dependencies) {
      if (dependency.driver === null || dependency.driver === PCIBACK) continue;
      problems.push({
        code: 'dependency_in_dom0',
        detail: `${dependency.id} must be passed through with ${id} but dom0's ${dependency.driver} driver holds it: hide it as well (passthru hide ${dependency.id})`,
      });
    }
  }
  if (meantForGuests && facts.changed) {
    problems.push({
      code: 'device_changed',
      detail: describeChange(id, facts.changed),
    });
  }
  if (facts.cut && facts.cut.hide_list !== 'whole' && live.pending && !bootHidden) {
    problems.push({
      code: 'command_line_cut',
      detail: `${id} may have been in the part of the hide list Xen cut off this boot: ${facts.cut.detail}`,
    });
  }
  for (const problem of facts.unheeded)
    problems.push({ code: problem.code, detail: `${id} is not hidden: ${problem.detail}` });
  if (facts.holderUnknown !== null && (meantForGuests || assignable)) {
    problems.push({
      code: 'holder_unknown',
      detail: `which guest holds ${id} cannot be known (${facts.holderUnknown}): it is not free until xenstore can be read`,
    });
  }
  if (facts.leftWithoutDriver && driver === null) {
    problems.push({
      code: 'left_without_driver',
      detail: `${id} was given back to dom0 but no driver took it: load its driver, or bind one (echo ${id} > ${facts.pciBus}/drivers_probe)`,
    });
  }
  return { ready: assignable && status === 'disabled' && problems.length === 0, problems };
}
