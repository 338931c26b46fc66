import type { PciAddress } from '../../domain/pci-address.ts';
import {
  heldDevices,
  PCI_BACKEND,
  unescapeXenstore,
  vmUuidOf,
  type Holder,
  type HolderReading,
} from '../../domain/holders.ts';
import { ProgramFailure, runProgram } from './run-program.ts';

/**
 * Who holds each device, from xenstore: xenopsd writes every device it passes
 * through under the PCI backend (libxl too, for the guests it starts), while
 * `xl pci-list` shows nothing for an HVM guest on XCP-ng. Any failure makes
 * the reading unknown, never empty.
 */
export async function readHolders(program: string | null, timeoutMs: number): Promise<HolderReading> {
  // Only a simulated host has none (a Xen host always has a path to try): no hypervisor, so no guest holds anything.
  if (program === null) return { known: true, holders: new Map() };
  try {
    const held = await listBackend(program, timeoutMs);
    const domids = [...new Set(held.values())];
    const guests = new Map(
      await Promise.all(domids.map(async (domid) => [domid, await readGuest(program, domid, timeoutMs)] as const)),
    );
    return { known: true, holders: new Map([...held].map(([id, domid]) => [id, guests.get(domid)!])) };
  } catch (error) {
    return { known: false, detail: (error as Error).message };
  }
}

async function listBackend(program: string, timeoutMs: number): Promise<Map<PciAddress, number>> {
  try {
    return heldDevices((await runProgram(program, ['ls', '-f', PCI_BACKEND], timeoutMs)).stdout);
  } catch (error) {
    // No guest has ever had a device this boot: the client fails with the errno of xs_directory (do_ls, `err(1, ...)`).
    if (
      error instanceof ProgramFailure &&
      error.reason === 'exit' &&
      /xs_directory \(.*\): No such file or directory/.test(error.stderr)
    ) {
      return new Map();
    }
    throw error;
  }
}

/** One `xenstore read` of both keys: it prints each value on a line of its own, escaped, and fails whole if one is missing. */
async function readGuest(program: string, domid: number, timeoutMs: number): Promise<Holder> {
  const { stdout } = await runProgram(
    program,
    ['read', `/local/domain/${domid}/name`, `/local/domain/${domid}/vm`],
    timeoutMs,
  );
  const [name = '', vm = ''] = stdout.split('\n');
  return { domid, name: unescapeXenstore(name), vm_uuid: vmUuidOf(unescapeXenstore(vm)) };
}
