import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../support/axe.ts';
import { ARTIFACTS, launchChromium, signIn } from '../support/browser.ts';
import { GPU, GPU_AUDIO, SPARE_NIC } from '../support/safety-host.ts';
import type { World } from '../support/world.ts';
import type { XcpNgTwin } from '../support/xcp-ng-twin.ts';
import { closeXlWorld, startXlWorld, WITHOUT_IOMMU, type XlWorld } from '../support/xl-world.ts';

// Far above what the page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;

const test = suite<XlWorld & { browser: Browser; url: string; page: Page }>(
  'the operator page hands devices over now and shows who holds them, in Chromium against an xl stand-in',
);

test.before(async (context) => {
  context.browser = await launchChromium();
});
test.after(async ({ browser }) => browser.close());
// A host with the IOMMU on whose xl keeps the assignable list and rebinds drivers as real xl does.
test.before.each(async (context) => {
  Object.assign(context, await startXlWorld());
  context.url = await listen(context.world);
  context.page = await (await context.browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  context.page.setDefaultTimeout(SAFETY_MS);
});
test.after.each(async (context) => {
  await context.page.context().close();
  await closeXlWorld(context);
});

async function listen(world: World, port = 0): Promise<string> {
  await world.app.listen({ port, host: '127.0.0.1' });
  return `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
}

/** SPARE_NIC handed to pciback now, then passed through to domain 3 by xenopsd, and a reconcile. */
async function handedToGuest(world: World, xl: XcpNgTwin, name: string): Promise<void> {
  assert.is((await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' })).statusCode, 200);
  xl.guest(3, name, [SPARE_NIC]);
  await world.post('/v1/reconcile');
}

const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);
const record = async (world: World, id: string) => (await world.get(`/v1/pcis/${id}`)).json();

async function confirmation(page: Page, command: 'Hide from dom0' | 'Give back to dom0', id: string) {
  await row(page, id)
    .getByRole('button', { name: `${command} ${id}` })
    .click();
  return page.getByRole('dialog', { name: `${command}: ${id}?` });
}

test('given an operator’s hide, when the dialog opens, then “Hand over now” is offered, off, and says what it does to dom0', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  const dialog = await confirmation(page, 'Hide from dom0', SPARE_NIC);
  const choice = dialog.getByRole('checkbox', { name: 'Hand over now' });
  assert.is(await choice.isChecked(), false);
  assert.is(await choice.isEnabled(), true);
  assert.is(
    await dialog.locator('#hand-over-what').innerText(),
    "Without waiting for a reboot: dom0's driver lets go of the device at once, and whatever dom0 was doing with it stops.",
  );
  await dialog.getByRole('button', { name: 'Hide from dom0 at next boot' }).click();
  await row(page, SPARE_NIC).getByText('Disabled on reboot').waitFor();
  assert.equal(
    [(await record(world, SPARE_NIC)).dom0_access, (await record(world, SPARE_NIC)).driver],
    ['disabled_on_reboot', 'igb'],
  );
});

test('given the choice turned on, when a device is hidden, then it is applied now: disabled at once, and the events show the hand-over', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  const dialog = await confirmation(page, 'Hide from dom0', SPARE_NIC);
  await dialog.getByRole('checkbox', { name: 'Hand over now' }).check();
  assert.equal(await dialog.locator('.change-states .badge').allInnerTexts(), ['Enabled', 'Disabled']);
  assert.match(await dialog.innerText(), 'Now, and from the next boot on, dom0 no longer uses this device');
  assert.not.match(await dialog.innerText(), 'Nothing changes before the host reboots');
  await page.screenshot({ path: join(ARTIFACTS, 'confirm-hand-over-1440.png') });
  await dialog.getByRole('button', { name: 'Hide from dom0 now' }).click();
  await row(page, SPARE_NIC).getByText('Disabled', { exact: true }).waitFor();
  assert.equal(
    [(await record(world, SPARE_NIC)).dom0_access, (await record(world, SPARE_NIC)).driver],
    ['disabled', 'pciback'],
  );
  assert.is(await page.locator('.reboot-banner').count(), 0, 'the next boot changes nothing more');
  assert.match(
    await page.getByRole('status').filter({ hasText: 'handed to pciback now' }).innerText(),
    `${SPARE_NIC}: handed to pciback now, and hidden from dom0 at the next boot.`,
  );
  const events = page.getByRole('list', { name: /Events/ });
  const handedOver = events.locator('li[data-type="AppliedNow"]');
  assert.match(await handedOver.innerText(), 'Handed to pciback now (from igb)');
  assert.match(await handedOver.innerText(), SPARE_NIC);
});

test('given a batch handed over now, when one of it is given back now, then each is disabled at once and that one is enabled at once', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  await row(page, GPU).getByRole('checkbox').check();
  await row(page, GPU_AUDIO).getByRole('checkbox').check();
  await page.getByRole('region', { name: 'Selected devices' }).getByRole('button', { name: 'Hide from dom0' }).click();
  const batch = page.getByRole('dialog', { name: 'Hide from dom0: 2 devices?' });
  await batch.getByRole('checkbox', { name: 'Hand over now' }).check();
  await batch.getByRole('button', { name: 'Hide from dom0 now' }).click();
  for (const id of [GPU, GPU_AUDIO]) await row(page, id).getByText('Disabled', { exact: true }).waitFor();
  assert.equal([(await record(world, GPU)).driver, (await record(world, GPU_AUDIO)).driver], ['pciback', 'pciback']);

  const back = await confirmation(page, 'Give back to dom0', GPU_AUDIO);
  assert.is(
    await back.locator('#hand-over-what').innerText(),
    'Without waiting for a reboot: the device returns to its dom0 driver at once.',
  );
  await back.getByRole('checkbox', { name: 'Hand over now' }).check();
  assert.equal(await back.locator('.change-states .badge').allInnerTexts(), ['Disabled', 'Enabled']);
  await back.getByRole('button', { name: 'Give back to dom0 now' }).click();
  await row(page, GPU_AUDIO).getByText('Enabled', { exact: true }).waitFor();
  assert.equal(
    [(await record(world, GPU_AUDIO)).dom0_access, (await record(world, GPU_AUDIO)).driver],
    ['enabled', 'snd_hda_intel'],
  );
  await page
    .getByRole('list', { name: /Events/ })
    .getByText('Given back to dom0 now (snd_hda_intel, from pciback)')
    .waitFor();
});

test('given xl failing on a device, when it is handed over now, then the dialog says xl’s words and the events show the failure', async ({
  page,
  url,
  world,
  xl,
}) => {
  const said = `libxl: error: libxl_pci.c:835:libxl__device_pci_assignable_add: Couldn't bind device ${SPARE_NIC} to pciback: Device or resource busy`;
  xl.failOn(SPARE_NIC, said);
  await signIn(page, url);
  const dialog = await confirmation(page, 'Hide from dom0', SPARE_NIC);
  await dialog.getByRole('checkbox', { name: 'Hand over now' }).check();
  await dialog.getByRole('button', { name: 'Hide from dom0 now' }).click();
  assert.match(await dialog.getByRole('alert').innerText(), 'Device or resource busy');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const failed = page.getByRole('list', { name: /Events/ }).locator('li[data-type="ApplyNowFailed"]');
  await failed.waitFor();
  assert.match(await failed.innerText(), 'Handing over now failed');
  assert.match(await failed.innerText(), said);
  assert.equal(
    [(await record(world, SPARE_NIC)).dom0_access, (await record(world, SPARE_NIC)).driver],
    ['enabled', 'igb'],
  );
});

test('given a guest that holds a device, then its row and its panel name the guest, and a phone shows it without sideways scroll', async ({
  page,
  url,
  world,
  xl,
}) => {
  await handedToGuest(world, xl, 'win10');
  await signIn(page, url);
  const held = (id: string) => row(page, id).locator('td[data-label="Held by"]');
  assert.is(await held(SPARE_NIC).innerText(), 'win10 domain 3');
  assert.is(await held(GPU).innerText(), '—');
  assert.is(await page.getByRole('columnheader', { name: 'Held by' }).count(), 1);
  await row(page, SPARE_NIC).screenshot({ path: join(ARTIFACTS, 'holder-row-1440.png') });

  await row(page, SPARE_NIC)
    .getByRole('button', { name: `${SPARE_NIC} (history)` })
    .click();
  assert.match(await page.getByRole('dialog', { name: SPARE_NIC }).innerText(), 'Held by: win10 domain 3');
  await page.keyboard.press('Escape');

  await page.setViewportSize({ width: 360, height: 800 });
  assert.is(await held(SPARE_NIC).isVisible(), true);
  assert.is(await held(GPU).isVisible(), false, 'a device no guest holds shows no empty holder on a phone');
  await row(page, SPARE_NIC).screenshot({ path: join(ARTIFACTS, 'holder-row-360.png') });
  assert.is(await page.evaluate('document.documentElement.scrollWidth'), 360);
});

test('given xenstore that cannot be read, then a device pciback holds is held by “unknown”, never shown free, in its row and its panel', async ({
  page,
  url,
  world,
  xl,
}) => {
  await handedToGuest(world, xl, 'Win 10');
  xl.xenstoreFails('xenstore: xs_open: Connection refused');
  await world.post('/v1/reconcile');
  await signIn(page, url);
  const held = row(page, SPARE_NIC).locator('td[data-label="Held by"]');
  assert.is(await held.innerText(), 'unknown');
  assert.match((await held.locator('.holder-unknown').getAttribute('title')) ?? '', 'Connection refused');
  await row(page, SPARE_NIC)
    .getByRole('button', { name: `${SPARE_NIC} (history)` })
    .click();
  assert.match(await page.getByRole('dialog', { name: SPARE_NIC }).innerText(), 'Held by: unknown');
});

test('axe-core finds no serious or critical violation with a holder shown and the choice turned on, wide or narrow', async ({
  page,
  url,
  world,
  xl,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`, { apply: 'now' });
  xl.guest(3, 'win10', [SPARE_NIC]);
  await world.post('/v1/reconcile');
  await signIn(page, url);
  await row(page, SPARE_NIC).getByText('win10').waitFor();
  assert.equal(await seriousViolations(page), [], 'the holder column at 1440 px');
  await page.setViewportSize({ width: 360, height: 800 });
  const dialog = await confirmation(page, 'Hide from dom0', GPU);
  await dialog.getByRole('checkbox', { name: 'Hand over now' }).check();
  assert.equal(await seriousViolations(page), [], 'the choice turned on at 360 px');
});

test('given a host whose Xen reports no IOMMU, then the choice is shown disabled with the reason', async ({
  page,
  world,
  xl,
}) => {
  xl.virtCaps(WITHOUT_IOMMU);
  await world.restart();
  await signIn(page, await listen(world));
  const dialog = await confirmation(page, 'Hide from dom0', SPARE_NIC);
  const choice = dialog.getByRole('checkbox', { name: 'Hand over now' });
  assert.is(await choice.isDisabled(), true);
  assert.is(await choice.isChecked(), false);
  assert.match(
    await dialog.locator('#hand-over-what').innerText(),
    'Not on this host: Xen reports no IOMMU, so no device can be handed to a guest before a reboot.',
  );
  assert.is(await dialog.getByRole('button', { name: 'Hide from dom0 at next boot' }).isEnabled(), true);
  assert.equal(await seriousViolations(page), [], 'the choice disabled');
});

test.run();
