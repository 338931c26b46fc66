import { appendFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SafetyPaths } from '../../services/host/safety/safety-types.ts';
import { OvsVsctlStandIn } from './ovs-vsctl-standin.ts';
import { PvsStandIn } from './pvs-standin.ts';

export interface KernelPci {
  readonly id: string;
  readonly class: string;
  readonly vendor?: string;
  readonly device?: string;
  /** The bridge it sits behind; on the root bus when absent. */
  readonly parent?: string;
  /** Has a PCI Express capability, so sysfs shows its link attributes. */
  readonly express?: boolean;
  readonly bootVga?: boolean;
  readonly iommuGroup?: number;
  /** The physical function it is an SR-IOV virtual function of: `physfn` links there, and that one's next `virtfnN` here. */
  readonly physfn?: string;
}

/** Where an iSCSI disk's session sits, and the portal addresses its connection shows. */
export interface IscsiSession {
  readonly host: number;
  readonly session: number;
  readonly address?: string;
  readonly persistentAddress?: string;
}

/**
 * A fake sysfs laid out as the kernel lays it out: functions nested under
 * `devices/pciDDDD:BB/` along the bridges they sit behind, `bus/pci/devices`,
 * `dev/block`, `class/block` and `class/net` as links into that tree; with the mountinfo,
 * XenServer inventory, route table, Open vSwitch database and LVM labels that go with it.
 */
export class KernelSysfs {
  readonly mountinfo: string;
  readonly xensourceInventory: string;
  readonly netRoute: string;
  readonly ovs: OvsVsctlStandIn;
  readonly lvm: PvsStandIn;
  private readonly dirs = new Map<string, string>();
  private mounts = 0;

  constructor(readonly root: string) {
    this.mountinfo = join(root, 'proc-self-mountinfo');
    this.xensourceInventory = join(root, 'xensource-inventory');
    this.netRoute = join(root, 'proc-net-route');
    this.ovs = new OvsVsctlStandIn(root);
    this.lvm = new PvsStandIn(root);
    for (const dir of ['bus/pci/devices', 'dev/block', 'class/block', 'class/net', 'kernel/iommu_groups']) {
      mkdirSync(join(root, dir), { recursive: true });
    }
    writeFileSync(this.mountinfo, '22 27 0:21 / /proc rw,relatime - proc proc rw\n');
    writeFileSync(
      this.netRoute,
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n',
    );
  }

  /** The settings that point passthru at this tree. */
  get env(): Record<string, string> {
    return {
      PASSTHRU_SYSFS: this.root,
      // Named, so the service reads this tree itself rather than a simulated host's mirror of it.
      PASSTHRU_SYSFS_PCI: join(this.root, 'bus', 'pci', 'devices'),
      PASSTHRU_MOUNTINFO: this.mountinfo,
      PASSTHRU_XENSOURCE_INVENTORY: this.xensourceInventory,
      PASSTHRU_NET_ROUTE: this.netRoute,
      PASSTHRU_OVS_VSCTL: this.ovs.program,
      PASSTHRU_PVS: this.lvm.program,
    };
  }

  /** The same paths as the host adapter reads them, for a reader driven directly. */
  safetyPaths(ovsVsctl: string | null = this.ovs.program, pvs: string | null = this.lvm.program): SafetyPaths {
    return {
      sysfs: this.root,
      sysfsPci: join(this.root, 'bus', 'pci', 'devices'),
      mountinfo: this.mountinfo,
      xensourceInventory: this.xensourceInventory,
      netRoute: this.netRoute,
      ovsVsctl,
      pvs,
    };
  }

  pci(fn: KernelPci): this {
    const above = fn.parent ? this.dirOf(fn.parent) : join(this.root, 'devices', `pci${fn.id.slice(0, 7)}`);
    const dir = join(above, fn.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'class'), `${fn.class}\n`);
    writeFileSync(join(dir, 'vendor'), `${fn.vendor ?? '0x1234'}\n`);
    writeFileSync(join(dir, 'device'), `${fn.device ?? '0x5678'}\n`);
    if (fn.express) writeFileSync(join(dir, 'current_link_speed'), '8.0 GT/s PCIe\n');
    if (fn.bootVga !== undefined) writeFileSync(join(dir, 'boot_vga'), fn.bootVga ? '1\n' : '0\n');
    if (fn.iommuGroup !== undefined) {
      const group = join(this.root, 'kernel', 'iommu_groups', String(fn.iommuGroup));
      mkdirSync(join(group, 'devices'), { recursive: true });
      symlinkSync(dir, join(group, 'devices', fn.id));
      symlinkSync(group, join(dir, 'iommu_group'));
    }
    if (fn.physfn) {
      const pf = this.dirOf(fn.physfn);
      symlinkSync(pf, join(dir, 'physfn'));
      symlinkSync(dir, join(pf, `virtfn${readdirSync(pf).filter((name) => name.startsWith('virtfn')).length}`));
    }
    symlinkSync(dir, join(this.root, 'bus', 'pci', 'devices', fn.id));
    this.dirs.set(fn.id, dir);
    return this;
  }

  /**
   * Binds a driver to a function, as a probe or a rebind does: the device's
   * `driver` links to `bus/pci/drivers/NAME`, and the driver's directory links
   * back to the device under its address.
   */
  bind(id: string, driver: string | null): this {
    const link = join(this.dirOf(id), 'driver');
    const drivers = join(this.root, 'bus', 'pci', 'drivers');
    for (const name of existsSync(drivers) ? readdirSync(drivers) : [])
      rmSync(join(drivers, name, id), { force: true });
    rmSync(link, { force: true });
    if (driver === null) return this;
    const dir = join(drivers, driver);
    mkdirSync(dir, { recursive: true });
    symlinkSync(dir, link);
    symlinkSync(this.dirOf(id), join(dir, id));
    return this;
  }

  /** A disk under a PCI function, e.g. `nvme/nvme0` then `nvme0n1`. */
  disk(name: string, dev: string, pci: string, via: string): this {
    return this.block(name, dev, join(this.dirOf(pci), via, name));
  }

  partition(name: string, dev: string, disk: string): this {
    this.block(name, dev, join(this.dirOf(disk), name));
    writeFileSync(join(this.dirOf(name), 'partition'), `${name.match(/\d+$/)?.[0] ?? '1'}\n`);
    return this;
  }

  /** A device-mapper or md device over other block devices, as LVM makes them; `dmName` is device-mapper's `dm/name`. */
  stacked(name: string, dev: string, slaves: readonly string[], dmName?: string): this {
    this.block(name, dev, join(this.root, 'devices', 'virtual', 'block', name));
    mkdirSync(join(this.dirOf(name), 'slaves'));
    if (dmName !== undefined) {
      mkdirSync(join(this.dirOf(name), 'dm'));
      writeFileSync(join(this.dirOf(name), 'dm', 'name'), `${dmName}\n`);
    }
    for (const slave of slaves) symlinkSync(this.dirOf(slave), join(this.dirOf(name), 'slaves', slave));
    return this;
  }

  /**
   * A loop device over a file or, as XCP-ng's large-block SR makes one (`losetup --sector-size 512 /dev/sdb`),
   * over a disk: `loop/backing_file` holds the path it was given, resolved (drivers/block/loop.c, `backing_file_show`).
   */
  loop(name: string, dev: string, backing: string): this {
    this.block(name, dev, join(this.root, 'devices', 'virtual', 'block', name));
    mkdirSync(join(this.dirOf(name), 'loop'));
    writeFileSync(join(this.dirOf(name), 'loop', 'backing_file'), `${backing}\n`);
    return this;
  }

  /** An LVM physical volume on a block device (`sdb`, or `[unknown]` when its device is gone), as `pvs` lists it. */
  pv(device: string, group: string): this {
    this.lvm.pv(device.startsWith('[') ? device : `/dev/${device}`, group);
    return this;
  }

  /** A btrfs file system over block devices: `fs/btrfs/<fsid>/devices/<name>` link to each. */
  btrfs(fsid: string, members: readonly string[]): this {
    const devices = join(this.root, 'fs', 'btrfs', fsid, 'devices');
    mkdirSync(devices, { recursive: true });
    for (const member of members) symlinkSync(this.dirOf(member), join(devices, member));
    return this;
  }

  /**
   * An NVMe multipath namespace: the head under `virtual/nvme-subsystem/<subsystem>`,
   * beside links to the subsystem's controllers, each under its PCI function.
   */
  nvmeHead(name: string, dev: string, subsystem: string, controllers: Record<string, string>): this {
    const dir = join(this.root, 'devices', 'virtual', 'nvme-subsystem', subsystem);
    for (const [controller, pci] of Object.entries(controllers)) {
      mkdirSync(join(this.dirOf(pci), 'nvme', controller), { recursive: true });
      mkdirSync(dir, { recursive: true });
      symlinkSync(join(this.dirOf(pci), 'nvme', controller), join(dir, controller));
    }
    return this.block(name, dev, join(dir, name));
  }

  /**
   * A disk on a software iSCSI session (iscsi_tcp): under `platform/hostH/sessionS`, with
   * no PCI function above it, beside the session's connection `connectionS:0`, whose
   * class device holds the portal connected to now (`address`) and logged in to at boot
   * (`persistent_address`), each when given.
   */
  iscsiDisk(name: string, dev: string, on: IscsiSession): this {
    const session = join(this.root, 'devices', 'platform', `host${on.host}`, `session${on.session}`);
    const connection = `connection${on.session}:0`;
    const attributes = join(session, connection, 'iscsi_connection', connection);
    mkdirSync(attributes, { recursive: true });
    if (on.address !== undefined) writeFileSync(join(attributes, 'address'), `${on.address}\n`);
    if (on.persistentAddress !== undefined) {
      writeFileSync(join(attributes, 'persistent_address'), `${on.persistentAddress}\n`);
    }
    mkdirSync(join(this.root, 'class', 'iscsi_connection'), { recursive: true });
    symlinkSync(attributes, join(this.root, 'class', 'iscsi_connection', connection));
    const lun = `${on.host}:0:0`;
    return this.block(name, dev, join(session, `target${lun}`, `${lun}:0`, 'block', name));
  }

  mount(mountPoint: string, dev: string, source: string, type = 'ext4'): this {
    this.mounts++;
    appendFileSync(
      this.mountinfo,
      `${30 + this.mounts} 1 ${dev} / ${mountPoint} rw,relatime shared:1 - ${type} ${source} rw\n`,
    );
    return this;
  }

  nic(name: string, pci: string): this {
    return this.net(name, join(this.dirOf(pci), 'net', name));
  }

  bridge(name: string, ports: readonly string[]): this {
    this.net(name, join(this.root, 'devices', 'virtual', 'net', name));
    mkdirSync(join(this.dirOf(name), 'brif'));
    for (const port of ports) symlinkSync(join(this.dirOf(port), 'brport'), join(this.dirOf(name), 'brif', port));
    return this;
  }

  bond(name: string, slaves: readonly string[]): this {
    this.net(name, join(this.root, 'devices', 'virtual', 'net', name));
    mkdirSync(join(this.dirOf(name), 'bonding'));
    writeFileSync(join(this.dirOf(name), 'bonding', 'slaves'), `${slaves.join(' ')}\n`);
    return this;
  }

  /**
   * An Open vSwitch bridge: an internal port with nothing under it in sysfs,
   * its interfaces linked under the datapath `ovs-system` (`master`,
   * `upper_ovs-system`, and `lower_*` on the datapath), and the bridge in the
   * switch's database. Interfaces sysfs does not show (a guest's vif) are in the database only.
   */
  ovsBridge(name: string, interfaces: readonly string[]): this {
    if (!this.dirs.has('ovs-system'))
      this.net('ovs-system', join(this.root, 'devices', 'virtual', 'net', 'ovs-system'));
    this.net(name, join(this.root, 'devices', 'virtual', 'net', name));
    const datapath = this.dirOf('ovs-system');
    for (const port of interfaces.filter((i) => this.dirs.has(i))) {
      symlinkSync(datapath, join(this.dirOf(port), 'master'));
      symlinkSync(datapath, join(this.dirOf(port), 'upper_ovs-system'));
      symlinkSync(this.dirOf(port), join(datapath, `lower_${port}`));
    }
    this.ovs.bridge(name, interfaces);
    return this;
  }

  /** A VLAN on an Open vSwitch bridge: an internal port of a fake bridge, as xapi makes one. */
  ovsVlan(name: string, parent: string): this {
    this.net(name, join(this.root, 'devices', 'virtual', 'net', name));
    this.ovs.fakeBridge(name, parent);
    return this;
  }

  managementInterface(name: string): this {
    writeFileSync(
      this.xensourceInventory,
      `INSTALLATION_UUID='0b7e3c52-0000-4000-8000-000000000001'\nMANAGEMENT_INTERFACE='${name}'\n`,
    );
    return this;
  }

  defaultRoute(iface: string): this {
    appendFileSync(this.netRoute, `${iface}\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n`);
    return this;
  }

  /** A route to a network on a link, e.g. `192.0.2.0/24`, written as the kernel writes it on little-endian (the bytes reversed). */
  route(iface: string, network: string, metric = 0): this {
    const [address = '', length = '32'] = network.split('/');
    const bits = Number(length);
    const mask = [0, 8, 16, 24]
      .map((shift) => Math.max(0, Math.min(8, bits - shift)))
      .map((b) => (0xff << (8 - b)) & 0xff);
    const hex = (bytes: number[]) =>
      bytes
        .reverse()
        .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
        .join('');
    appendFileSync(
      this.netRoute,
      `${iface}\t${hex(address.split('.').map(Number))}\t00000000\t0001\t0\t0\t${metric}\t${hex(mask)}\t0\t0\t0\n`,
    );
    return this;
  }

  private block(name: string, dev: string, dir: string): this {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dev'), `${dev}\n`);
    symlinkSync(dir, join(this.root, 'dev', 'block', dev));
    symlinkSync(dir, join(this.root, 'class', 'block', name));
    this.dirs.set(name, dir);
    return this;
  }

  private net(name: string, dir: string): this {
    mkdirSync(dir, { recursive: true });
    symlinkSync(dir, join(this.root, 'class', 'net', name));
    this.dirs.set(name, dir);
    return this;
  }

  private dirOf(name: string): string {
    const dir = this.dirs.get(name);
    if (!dir) throw new Error(`${name} is not in this fake sysfs yet`);
    return dir;
  }
}
