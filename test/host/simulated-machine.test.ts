import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPciIds } from '../../services/host/pci-ids.ts';
import { readPciTopology } from '../../services/host/pci-topology.ts';
import { mirrorPciDevices } from '../../services/host/simulated-machine.ts';
import { readInventory } from '../../services/host/sysfs-inventory.ts';
import { GPU, GPU_AUDIO, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { sriovCard } from '../support/sriov-card.ts';

const test = suite('the simulated host’s copy of the machine’s PCI devices');

test('given a machine, when its PCI devices are copied, then the copy reads as the same inventory and topology, with its drivers named', async () => {
  const machine = sriovCard(safetyHost()).bind(GPU, 'nouveau').bind(GPU_AUDIO, 'pciback').bind(SPARE_NIC, 'igb');
  try {
    const copy = join(machine.root, 'copy');
    const drivers = mirrorPciDevices(machine.root, copy);
    // pciback is no driver a probe binds: a device it held on the machine has no native driver known.
    assert.equal(drivers, { [GPU]: 'nouveau', [SPARE_NIC]: 'igb' });
    const ids = loadPciIds([]);
    const [original, copied] = await Promise.all(
      [join(machine.root, 'bus', 'pci', 'devices'), join(copy, 'bus', 'pci', 'devices')].map(async (dir) => {
        const inventory = await readInventory(dir, ids);
        return { inventory, topology: await readPciTopology(dir, inventory) };
      }),
    );
    assert.ok(original!.inventory.length > 10);
    assert.equal(copied, original);
  } finally {
    rmSync(machine.root, { recursive: true, force: true });
  }
});

test.run();
