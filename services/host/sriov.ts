import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { comparePciAddresses, type PciAddress } from '../../domain/pci-address.ts';
import { pciFunctionsOn, resolved } from './sysfs-path.ts';

/**
 * The SR-IOV virtual functions a physical function has now: the kernel links
 * each as `virtfnN` in the physical function's directory while they exist
 * (drivers/pci/iov.c, `pci_iov_add_virtfn`), and removes them all when its
 * driver disables SR-IOV, as it does on unbind. Read live, at each ask.
 */
export async function virtualFunctions(sysfsPci: string, id: PciAddress): Promise<PciAddress[]> {
  const dir = join(sysfsPci, id);
  const links = (await readdir(dir).catch((): string[] => [])).filter((name) => /^virtfn\d+$/.test(name));
  const found = await Promise.all(links.map((link) => resolved(join(dir, link))));
  return found.flatMap((path) => (path === null ? [] : pciFunctionsOn(path).slice(-1))).sort(comparePciAddresses);
}
