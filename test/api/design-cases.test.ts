import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { GPU, NIC, World } from '../support/world.ts';

// The design document's test cases, over HTTP, against a simulated host with real reboots.
const test = suite<{ world: World }>('design document test cases');
test.before.each(async (context) => {
  context.world = await World.start();
});
test.after.each(async ({ world }) => world.close());

test('hide a PCI: enabled, disabled_on_reboot, reboot, disabled', async ({ world }) => {
  assert.is(await world.status(NIC.id), 'enabled');
  const hidden = await world.post(`/v1/pcis/${NIC.id}/hide`);
  assert.is(hidden.statusCode, 200);
  assert.is(hidden.json().dom0_access, 'disabled_on_reboot');
  assert.is(hidden.json().changed, true);
  assert.is(await world.status(NIC.id), 'disabled_on_reboot');
  await world.reboot();
  assert.is(await world.status(NIC.id), 'disabled');
});

test('unhide a PCI: disabled, enabled_on_reboot, reboot, enabled', async ({ world }) => {
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  await world.reboot();
  assert.is(await world.status(NIC.id), 'disabled');
  const unhidden = await world.post(`/v1/pcis/${NIC.id}/unhide`);
  assert.is(unhidden.statusCode, 200);
  assert.is(unhidden.json().dom0_access, 'enabled_on_reboot');
  await world.reboot();
  assert.is(await world.status(NIC.id), 'enabled');
});

test('get the status through both reboots', async ({ world }) => {
  const seen = [await world.status(NIC.id)];
  await world.post(`/v1/pcis/${NIC.id}/hide`);
  seen.push(await world.status(NIC.id));
  await world.reboot();
  seen.push(await world.status(NIC.id));
  await world.post(`/v1/pcis/${NIC.id}/unhide`);
  seen.push(await world.status(NIC.id));
  await world.reboot();
  seen.push(await world.status(NIC.id));
  assert.equal(seen, ['enabled', 'disabled_on_reboot', 'disabled', 'enabled_on_reboot', 'enabled']);
});

async function coherent(world: World): Promise<string> {
  const pci = (await world.get(`/v1/pcis/${GPU.id}`)).json();
  const pgpu = (await world.get(`/v1/pgpus/${GPU.id}`)).json();
  assert.is(pci.pgpu, GPU.id);
  assert.is(pgpu.pci, GPU.id);
  assert.is(pgpu.dom0_access, pci.dom0_access, 'PGPU dom0_access equals its PCI status');
  return pci.dom0_access;
}

for (const via of ['pcis', 'pgpus'] as const) {
  test(`PCI/PGPU coherence at every step when hiding and unhiding through /v1/${via}`, async ({ world }) => {
    const seen = [await coherent(world)];
    const hidden = await world.post(`/v1/${via}/${GPU.id}/hide`);
    assert.is(hidden.statusCode, 200);
    if (via === 'pgpus') assert.is(hidden.headers.deprecation, 'true');
    seen.push(await coherent(world));
    await world.reboot();
    seen.push(await coherent(world));
    await world.post(`/v1/${via}/${GPU.id}/unhide`);
    seen.push(await coherent(world));
    await world.reboot();
    seen.push(await coherent(world));
    assert.equal(seen, ['enabled', 'disabled_on_reboot', 'disabled', 'enabled_on_reboot', 'enabled']);
  });
}

test('a PGPU command is recorded on its PCI’s stream, marked as coming through the PGPU API', async ({ world }) => {
  await world.post(`/v1/pgpus/${GPU.id}/hide`);
  const { events } = (await world.get(`/v1/pcis/${GPU.id}/history`)).json();
  const last = events[events.length - 1];
  assert.is(last.type, 'Dom0AccessDisabled');
  assert.is(last.data.via, 'pgpu');
  assert.is(last.data.status, 'disabled_on_reboot');
});

test.run();
