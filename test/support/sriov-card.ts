import type { KernelSysfs } from './kernel-sysfs.ts';

export const SRIOV_PORT = '0000:00:1c.2';
export const SRIOV_PF = '0000:06:00.0';
/** With ARI the card's 15 virtual functions follow its physical function: 06:00.1 to 06:01.7, one "slot" and the next. */
export const SRIOV_VFS = Array.from({ length: 15 }, (_, i) => {
  const fn = i + 1;
  return `0000:06:0${fn >> 3}.${fn & 7}`;
});

/**
 * An SR-IOV NIC with ARI behind its own root port, its virtual functions
 * enabled, as the kernel shows them: on the physical function's bus, each
 * with a `physfn` link, the physical function with `virtfn0` to `virtfn14`.
 */
export function sriovCard(sys: KernelSysfs): KernelSysfs {
  sys
    .pci({ id: SRIOV_PORT, class: '0x060400', express: true })
    .pci({ id: SRIOV_PF, class: '0x020000', vendor: '0x15b3', device: '0x1007', parent: SRIOV_PORT, express: true });
  for (const id of SRIOV_VFS) {
    sys.pci({
      id,
      class: '0x020000',
      vendor: '0x15b3',
      device: '0x1004',
      parent: SRIOV_PORT,
      express: true,
      physfn: SRIOV_PF,
    });
  }
  return sys;
}
