import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decide, refusal, refusing, type Dom0AccessCommand } from '../../domain/decide.ts';
import { dependenciesOf, dependencyWarnings, type PciPlacement } from '../../domain/dependencies.ts';
import { hiddenIn } from '../../domain/dom0-access.ts';
import type { PciAddress } from '../../domain/pci-address.ts';
import type { Protection } from '../../domain/protection.ts';

const test = suite('protection and dependencies, pure');

const pci = '0000:01:00.0' as PciAddress;
const hide: Dom0AccessCommand = { name: 'hide', pci, via: 'pci' };
const boot: Protection = { reason: 'boot_device', detail: '/dev/nvme0n1p2 on /', subject: '/dev/nvme0n1p2' };

test('given a protected device, when hidden, then the refusal names every protection and keeps the status', () => {
  assert.equal(refusal(hide, [boot], 'enabled'), {
    type: 'Dom0AccessRefused',
    data: {
      pci,
      command: 'hide',
      status: 'enabled',
      cause: 'command',
      via: 'pci',
      protected: [{ reason: 'boot_device', detail: '/dev/nvme0n1p2 on /' }],
    },
  });
});

test('given a protected device, when forced or unhidden, or an unprotected one hidden, then nothing is refused', () => {
  assert.is(refusal({ ...hide, force: true }, [boot], 'enabled'), null);
  assert.is(refusal({ ...hide, name: 'unhide' }, [boot], 'disabled'), null);
  assert.is(refusal(hide, [], 'enabled'), null);
});

test('given a forced hide of a protected device, when decided, then the event says forced and what was overridden', () => {
  const decision = decide({ ...hide, force: true }, hiddenIn('enabled'), [boot]);
  assert.equal(decision.kind === 'change' && decision.event.data, {
    pci,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'command',
    via: 'pci',
    forced: true,
    overridden: [{ reason: 'boot_device', detail: '/dev/nvme0n1p2 on /' }],
  });
});

test('given the system display, when hidden over XAPI, then nothing refuses it and the change is recorded as forced over it; over REST it is refused', () => {
  const display: Protection = {
    reason: 'system_display',
    detail: 'boot_vga',
    subject: `${pci} is the system display device`,
  };
  const overXapi: Dom0AccessCommand = { ...hide, via: 'xapi' };
  assert.is(refusal(overXapi, [display], 'enabled'), null);
  const decision = decide(overXapi, hiddenIn('enabled'), [display]);
  assert.equal(decision.kind === 'change' && decision.event.data, {
    pci,
    status: 'disabled_on_reboot',
    previous: 'enabled',
    cause: 'command',
    via: 'xapi',
    forced: true,
    overridden: [{ reason: 'system_display', detail: 'boot_vga' }],
  });
  assert.equal(refusing(hide, [display]), [display]);
  assert.equal(refusing({ ...hide, via: 'pgpu' }, [display]), [display]);
});

test('given a device that is the system display and a boot device, when hidden over XAPI, then it is refused for the boot device alone', () => {
  const display: Protection = { reason: 'system_display', detail: 'boot_vga', subject: 'display' };
  assert.equal(refusal({ ...hide, via: 'xapi' }, [display, boot], 'enabled'), {
    type: 'Dom0AccessRefused',
    data: {
      pci,
      command: 'hide',
      status: 'enabled',
      cause: 'command',
      via: 'xapi',
      protected: [{ reason: 'boot_device', detail: '/dev/nvme0n1p2 on /' }],
    },
  });
});

const at = (id: string, path: string[], more: Partial<PciPlacement> = {}): PciPlacement => ({
  id: id as PciAddress,
  path: [...path, id] as PciAddress[],
  bridge: false,
  express: true,
  iommuGroup: null,
  physfn: null,
  ...more,
});

test('given functions of one slot, an IOMMU group and a conventional bridge, when dependencies are computed, then each lists the others, bridges never', () => {
  const group = ['0000:00:03.0', '0000:03:00.0', '0000:04:00.0'] as PciAddress[];
  const deps = dependenciesOf([
    at('0000:00:03.0', [], { bridge: true, iommuGroup: group }),
    at('0000:03:00.0', ['0000:00:03.0'], { iommuGroup: group }),
    at('0000:03:00.1', ['0000:00:03.0']),
    at('0000:04:00.0', ['0000:00:03.0'], { iommuGroup: group }),
    at('0000:00:1e.0', [], { bridge: true, express: false }),
    at('0000:05:00.0', ['0000:00:1e.0'], { express: false }),
    at('0000:05:02.0', ['0000:00:1e.0'], { express: false }),
    at('0000:06:00.0', [], { express: false }),
  ]);
  assert.equal(Object.fromEntries(deps), {
    '0000:00:03.0': [],
    '0000:03:00.0': ['0000:03:00.1', '0000:04:00.0'],
    '0000:03:00.1': ['0000:03:00.0'],
    '0000:04:00.0': ['0000:03:00.0'],
    '0000:00:1e.0': [],
    '0000:05:00.0': ['0000:05:02.0'],
    '0000:05:02.0': ['0000:05:00.0'],
    '0000:06:00.0': [],
  });
});

test('given an SR-IOV card under ARI, its virtual functions in its slot and the next, when dependencies are computed, then none goes with its physical function or another virtual function, and the IOMMU group still counts', () => {
  const group = ['0000:00:03.0', '0000:03:00.0', '0000:03:00.1', '0000:03:01.7', '0000:04:00.0'] as PciAddress[];
  const vf = { iommuGroup: group, physfn: '0000:03:00.0' as PciAddress };
  const deps = dependenciesOf([
    at('0000:00:03.0', [], { bridge: true, iommuGroup: group }),
    at('0000:03:00.0', ['0000:00:03.0'], { iommuGroup: group }),
    at('0000:03:00.1', ['0000:00:03.0'], vf),
    at('0000:03:01.7', ['0000:00:03.0'], vf),
    at('0000:04:00.0', ['0000:00:03.0'], { iommuGroup: group }),
  ]);
  assert.equal(Object.fromEntries(deps), {
    '0000:00:03.0': [],
    '0000:03:00.0': ['0000:04:00.0'],
    '0000:03:00.1': ['0000:04:00.0'],
    '0000:03:01.7': ['0000:04:00.0'],
    '0000:04:00.0': ['0000:03:00.0', '0000:03:00.1', '0000:03:01.7'],
  });
});

test('given hidden devices, when some dependencies stay with dom0, then one warning each names them', () => {
  const deps = (id: PciAddress) => (id === pci ? (['0000:01:00.1', '0000:01:00.2'] as PciAddress[]) : []);
  assert.equal(dependencyWarnings([pci], new Set([pci]), deps), [
    `${pci} must move with 0000:01:00.1, 0000:01:00.2, but they stay with dom0: hide them too for passthrough of ${pci} to work`,
  ]);
  assert.equal(dependencyWarnings([pci], new Set([pci, '0000:01:00.1', '0000:01:00.2'] as PciAddress[]), deps), []);
  assert.equal(dependencyWarnings([pci], new Set(), deps), [], 'a device not hidden needs nothing');
});

test.run();
