import { conflict } from '../../domain/errors.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import { virtualFunctions } from '../host/sriov.ts';

/**
 * Handing a physical function to pciback now unbinds its driver, and a
 * driver disables SR-IOV as it lets go: every virtual function goes with it,
 * those passed through to guests and those dom0 uses included. So a hide
 * applied now of a physical function whose virtual functions exist is
 * refused; at next boot it is not, as the boot that hides it creates none.
 * `force` does not override it: force accepts a risk to the device named,
 * while this takes other devices away, and no undo brings them back (given
 * back, the driver starts with SR-IOV off), so the batch could not stay all
 * or nothing. The operator removes the virtual functions first, knowingly.
 */
export async function refuseSriovHandOver(sysfsPci: string, ids: readonly PciAddress[]): Promise<void> {
  const found = await Promise.all(ids.map(async (id) => ({ id, vfs: await virtualFunctions(sysfsPci, id) })));
  const refused = found.filter(({ vfs }) => vfs.length > 0);
  if (refused.length === 0) return;
  const why = refused.map(({ id, vfs }) => `${id} has ${vfs.length} SR-IOV virtual functions now (${vfs.join(', ')})`);
  const [first] = refused;
  throw conflict(
    `${ids.length > 1 ? 'the batch is refused, nothing changed: ' : ''}${why.join('; ')}: handing it to pciback now unbinds its driver, which removes every virtual function, those guests use included; ` +
      `hide it at next boot, or remove them first (xe network-sriov-destroy, or echo 0 > sriov_numvfs) and hand it over then`,
    {
      reason: 'sriov_vfs_present',
      subject: `${first!.id} has SR-IOV virtual functions ${first!.vfs.join(', ')}: handing it over now would remove them`,
      virtual_functions: first!.vfs,
      refused: refused.map(({ id, vfs }) => ({ id, virtual_functions: vfs })),
    },
  );
}
