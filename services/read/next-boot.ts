import type { HideList } from '../../domain/hide-list.ts';
import { preflight, type HiddenHardware, type NextBootVerdict } from '../../domain/next-boot.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { Protection } from '../../domain/protection.ts';
import type { Host } from '../host/host.ts';

/** What the preflight needs beside the host: `Records` gives both; doctor, without the store, no recorded hardware. */
export interface NextBootInputs {
  protections(id: PciAddress): readonly Protection[];
  hiddenHardware(id: PciAddress): HiddenHardware;
}

/**
 * The preflight verdict on the next boot: for the hide list the boot
 * configuration holds now, or, given `list`, for that list as a write of it
 * would leave the dom0 line (what a plan would write).
 */
export async function nextBootVerdict(
  host: Host,
  inputs: NextBootInputs,
  list?: HideList,
  /** As for `Host.writePendingHideList`: whether the write would also remove `pciback.hide`. */
  options: { dropIgnored?: boolean } = {},
): Promise<NextBootVerdict> {
  const pending = await host.pendingHideList();
  const [dom0Line, hidden] =
    list === undefined
      ? [await host.dom0Line(), [...pending.devices]]
      : [await host.dom0LineAfterWrite(list, pending, options), [...host.devicesOf(list)]];
  return preflight({
    dom0Line,
    hideList: list ?? pending.list,
    hidden,
    protections: new Map(hidden.map((id) => [id, inputs.protections(id)])),
    hardware: new Map(hidden.map((id) => [id, inputs.hiddenHardware(id)])),
  });
}
