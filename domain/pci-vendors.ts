/**
 * Names for a host without pci.ids (a minimal dom0, a container): the
 * vendors of the devices a server holds, and the devices of the machines a
 * newcomer tries passthru in (virtio, QEMU, Xen's platform device) and of the
 * common BMC displays. Spelled as pci.ids spells them (pciutils' database,
 * https://pci-ids.ucw.cz), so a name does not change when the file is installed.
 */
const VENDORS: Readonly<Record<string, string>> = {
  '1000': 'Broadcom / LSI',
  '1002': 'Advanced Micro Devices, Inc. [AMD/ATI]',
  '1022': 'Advanced Micro Devices, Inc. [AMD]',
  '1028': 'Dell',
  '102b': 'Matrox Electronics Systems Ltd.',
  '103c': 'Hewlett-Packard Company',
  '1077': 'QLogic Corp.',
  '10de': 'NVIDIA Corporation',
  '10df': 'Emulex Corporation',
  '10ec': 'Realtek Semiconductor Co., Ltd.',
  '1137': 'Cisco Systems Inc',
  '11ab': 'Marvell Technology Group Ltd.',
  '1344': 'Micron Technology Inc',
  '1425': 'Chelsio Communications Inc',
  '144d': 'Samsung Electronics Co Ltd',
  '14e4': 'Broadcom Inc. and subsidiaries',
  '1590': 'Hewlett Packard Enterprise',
  '15ad': 'VMware',
  '15b3': 'Mellanox Technologies',
  '15b7': 'Sandisk Corp',
  '1924': 'Solarflare Communications',
  '19a2': 'Emulex Corporation',
  '19e5': 'Huawei Technologies Co., Ltd.',
  '1a03': 'ASPEED Technology, Inc.',
  '1af4': 'Red Hat, Inc.',
  '1b21': 'ASMedia Technology Inc.',
  '1b36': 'Red Hat, Inc.',
  '1b4b': 'Marvell Technology Group Ltd.',
  '1b96': 'Western Digital',
  '1bb1': 'Seagate Technology PLC',
  '1c5c': 'SK hynix',
  '1d6a': 'Aquantia Corp.',
  '1e0f': 'KIOXIA Corporation',
  '5853': 'XenSource, Inc.',
  '8086': 'Intel Corporation',
  '9005': 'Adaptec',
};

/** Keyed `vendor:device`. */
const DEVICES: Readonly<Record<string, string>> = {
  '1af4:1000': 'Virtio network device',
  '1af4:1001': 'Virtio block device',
  '1af4:1002': 'Virtio memory balloon',
  '1af4:1003': 'Virtio console',
  '1af4:1004': 'Virtio SCSI',
  '1af4:1005': 'Virtio RNG',
  '1af4:1041': 'Virtio 1.0 network device',
  '1af4:1042': 'Virtio 1.0 block device',
  '1af4:1043': 'Virtio 1.0 console',
  '1af4:1044': 'Virtio 1.0 RNG',
  '1af4:1045': 'Virtio 1.0 balloon',
  '1af4:1048': 'Virtio 1.0 SCSI',
  '1af4:1050': 'Virtio 1.0 GPU',
  '1af4:1053': 'Virtio 1.0 socket',
  '1b36:0001': 'QEMU PCI-PCI bridge',
  '1b36:000c': 'QEMU PCIe Root port',
  '1b36:000d': 'QEMU XHCI Host Controller',
  '1b36:0010': 'QEMU NVM Express Controller',
  '1234:1111': 'QEMU Virtual Video Controller',
  '5853:0001': 'Xen Platform Device',
  '1a03:1150': 'AST1150 PCI-to-PCI Bridge',
  '1a03:2000': 'ASPEED Graphics Family',
  '102b:0522': 'MGA G200e [Pilot] ServerEngines (SEP1)',
  '102b:0532': 'MGA G200eW WPCM450',
  '102b:0534': 'G200eR2',
};

/** A vendor's name from the built-in table (`vendorId` four hex digits), or null. */
export function builtInVendorName(vendorId: string): string | null {
  return VENDORS[vendorId.toLowerCase()] ?? null;
}

/** A device's name from the built-in table, or null. */
export function builtInDeviceName(vendorId: string, deviceId: string): string | null {
  return DEVICES[`${vendorId}:${deviceId}`.toLowerCase()] ?? null;
}
