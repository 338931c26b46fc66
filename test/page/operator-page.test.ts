import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../support/axe.ts';
import { ARTIFACTS, launchChromium, signIn } from '../support/browser.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import {
  GPU,
  GPU_AUDIO,
  LEGACY_A,
  LEGACY_B,
  NVME,
  ROOT_DETAIL,
  safetyHost,
  SPARE_NIC,
} from '../support/safety-host.ts';
import { BIN } from '../support/service-process.ts';
import { TOKEN, World } from '../support/world.ts';

// Far above what the page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;

const test = suite<{
  sys: KernelSysfs;
  world: World;
  devices: number;
  browser: Browser;
  url: string;
  context: BrowserContext;
  page: Page;
}>('the operator page in Chromium, against the service on a loopback port');

// A dom0 with a boot disk, a management NIC and a boot VGA (all protected), a GPU with its audio function, a spare NIC.
test.before(async (context) => {
  context.sys = safetyHost();
  context.world = await World.start([], { ...context.sys.env, PASSTHRU_DATA_DIR: join(context.sys.root, 'var') });
  context.devices = (await context.world.get('/v1/pcis')).json().length;
  await context.world.app.listen({ port: 0, host: '127.0.0.1' });
  context.url = `http://127.0.0.1:${(context.world.app.server.address() as AddressInfo).port}`;
  context.browser = await launchChromium();
});
test.after(async ({ world, browser, sys }) => {
  await browser.close();
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});
test.before.each(async (context) => {
  context.context = await context.browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.page = await context.context.newPage();
  context.page.setDefaultTimeout(SAFETY_MS);
});
test.after.each(async ({ context }) => context.close());

const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);

/** The CLI, run as an operator would, against the same service. */
function cli(world: World, url: string, ...args: string[]): Promise<string> {
  const env = {
    ...process.env,
    PASSTHRU_DATA_DIR: world.config.dataDir,
    PASSTHRU_PORT: new URL(url).port,
    PASSTHRU_TOKEN: TOKEN,
  };
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [BIN, ...args], { env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

test('signs in with a token and shows the host and every device with its status', async ({ page, url, devices }) => {
  await signIn(page, url);
  await page.getByText('Simulated host').waitFor();
  assert.match(await page.locator('.host-title').innerText(), 'test-host');
  assert.is(await page.locator('tbody tr').count(), devices);
  assert.match(await row(page, GPU).innerText(), 'PGPU');
  assert.match(await row(page, GPU).innerText(), `Dependencies: ${GPU_AUDIO}`);
  assert.match(await row(page, SPARE_NIC).innerText(), 'Enabled');
  assert.match(await row(page, NVME).innerText(), 'Protected: boot device');
  assert.match(await row(page, NVME).innerText(), ROOT_DETAIL);
  assert.is(await page.evaluate("sessionStorage.getItem('passthru.token')"), TOKEN);
  await page.screenshot({ path: join(ARTIFACTS, 'page-1440.png'), fullPage: true });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.screenshot({ path: join(ARTIFACTS, 'page-360.png'), fullPage: true });
});

test('hiding a device asks first, then shows its badge, the reboot banner and its timeline', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  assert.is(await page.locator('.reboot-banner').count(), 0);
  await row(page, SPARE_NIC)
    .getByRole('button', { name: `Hide from dom0 ${SPARE_NIC}` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Hide from dom0: ${SPARE_NIC}?` });
  assert.match(await dialog.innerText(), 'From the next boot on, dom0 no longer uses this device');
  assert.equal(await dialog.locator('.change-states .badge').allInnerTexts(), ['Enabled', 'Disabled on reboot']);
  await dialog.getByLabel(/Reason/).fill('for the GPU guest');
  await page.screenshot({ path: join(ARTIFACTS, 'confirm-1440.png') });
  await dialog.getByRole('button', { name: 'Hide from dom0 at next boot' }).click();
  await row(page, SPARE_NIC).getByText('Disabled on reboot').waitFor();
  const banner = page.getByRole('region', { name: /Reboot pending/ });
  assert.match(await banner.innerText(), `${SPARE_NIC}`);
  assert.match(await banner.innerText(), 'hidden from dom0');
  await page.screenshot({ path: join(ARTIFACTS, 'reboot-pending-1440.png') });
  assert.match(
    await page.getByRole('status').filter({ hasText: 'hidden from dom0 at the next boot' }).innerText(),
    SPARE_NIC,
  );

  await row(page, SPARE_NIC)
    .getByRole('button', { name: `${SPARE_NIC} (history)` })
    .click();
  const panel = page.getByRole('dialog', { name: SPARE_NIC });
  const newest = panel
    .getByRole('list', { name: /Timeline/ })
    .getByRole('listitem')
    .first();
  assert.match(await newest.innerText(), 'Hidden from dom0');
  assert.match(await newest.innerText(), '“for the GPU guest”');
  assert.match(await newest.innerText(), 'by admin');
});

test('given a host whose IOMMU cannot be known (no xl), then “Hand over now” is shown disabled with the reason', async ({
  page,
  url,
}) => {
  await signIn(page, url);
  await row(page, LEGACY_A)
    .getByRole('button', { name: /Hide from dom0|Give back to dom0/ })
    .click();
  const dialog = page.getByRole('dialog');
  assert.is(await dialog.getByRole('checkbox', { name: 'Hand over now' }).isDisabled(), true);
  assert.match(
    await dialog.locator('#hand-over-what').innerText(),
    'Not on this host now: passthru cannot tell whether Xen has an IOMMU (it reads that from xl info), so changes wait for a reboot.',
  );
});

test('a read-only token sees every device and no change button', async ({ page, url, world, devices }) => {
  const viewer = (await cli(world, url, 'token', 'add', 'wallscreen', '--role', 'read-only')).trim().split('\n').pop()!;
  await signIn(page, url, viewer);
  await page.getByText('This token is read-only').waitFor();
  assert.match(await page.locator('.who').innerText(), 'wallscreen');
  assert.is(await page.locator('tbody tr').count(), devices);
  assert.is(await page.getByRole('button', { name: /Hide from dom0|Give back to dom0/ }).count(), 0);
  assert.is(await page.getByRole('checkbox').count(), 0);
  await row(page, GPU)
    .getByRole('button', { name: `${GPU} (history)` })
    .click();
  await page
    .getByRole('dialog', { name: GPU })
    .getByRole('list', { name: /Timeline/ })
    .waitFor();
  assert.is(await page.getByRole('button', { name: /Hide from dom0|Give back to dom0/ }).count(), 0);
});

test("a wrong token is refused with the service's own words", async ({ page, url }) => {
  await page.goto(url);
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.match(await page.getByRole('alert').innerText(), 'not accepted: the bearer token is wrong or was revoked.');
  assert.is(await page.evaluate("sessionStorage.getItem('passthru.token')"), null);
});

test('the time travel slider shows the device as of an earlier revision', async ({ page, url, world }) => {
  await world.post(`/v1/pcis/${LEGACY_A}/hide`, { reason: 'slider' });
  await signIn(page, url);
  await row(page, LEGACY_A)
    .getByRole('button', { name: `${LEGACY_A} (history)` })
    .click();
  const panel = page.getByRole('dialog', { name: LEGACY_A });
  await panel.locator('.state-at[data-revision="1"]').waitFor();
  assert.match(await panel.locator('.state-at').innerText(), 'Disabled on reboot');
  // The keyboard moves it, as it moves any slider.
  await panel.getByRole('slider').focus();
  await page.keyboard.press('Home');
  await panel.locator('.state-at[data-revision="0"]').waitFor();
  assert.match(await panel.locator('.state-at').innerText(), /As of revision 0:\s*Enabled/);
  assert.match(await panel.locator('.event.current').innerText(), 'Discovered');
  await page.screenshot({ path: join(ARTIFACTS, 'device-1440.png') });
  await panel.getByRole('button', { name: 'Back to now' }).click();
  await panel.locator('.state-at[data-revision="1"]').waitFor();
});

test('the keyboard alone filters, sorts, opens a device and comes back where it was', async ({ page, url }) => {
  await signIn(page, url);
  await page.getByRole('searchbox', { name: 'Filter' }).focus();
  await page.keyboard.type('0000:03');
  await page.locator('tbody tr').nth(2).waitFor({ state: 'detached' });
  assert.equal(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id'))), [
    GPU,
    GPU_AUDIO,
  ]);
  await page.getByRole('button', { name: 'Address' }).focus();
  await page.keyboard.press('Enter');
  assert.is(await page.getByRole('columnheader', { name: 'Address' }).getAttribute('aria-sort'), 'descending');
  assert.equal(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id'))), [
    GPU_AUDIO,
    GPU,
  ]);
  const opener = row(page, GPU).getByRole('button', { name: `${GPU} (history)` });
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: GPU }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.ok(await opener.evaluate((button) => button === button.ownerDocument.activeElement), 'focus is back');
});

test('a protected device needs an explicit override with a reason, and the timeline says what was overridden', async ({
  page,
  url,
}) => {
  await signIn(page, url);
  await row(page, NVME)
    .getByRole('button', { name: `Hide from dom0 ${NVME}` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Hide from dom0: ${NVME}?` });
  assert.match(await dialog.innerText(), `${NVME} is the boot device (${ROOT_DETAIL})`);
  const confirm = dialog.getByRole('button', { name: 'Hide from dom0 at next boot' });
  assert.ok(await confirm.isDisabled(), 'no override yet');
  await dialog.getByLabel('Override the protection for this change').check();
  assert.ok(await confirm.isDisabled(), 'an override needs a reason');
  await dialog.getByLabel(/Reason/).fill('moving / to the SAN first');
  await confirm.click();
  await row(page, NVME).getByText('Disabled on reboot').waitFor();
  await row(page, NVME)
    .getByRole('button', { name: `${NVME} (history)` })
    .click();
  const newest = page
    .getByRole('dialog', { name: NVME })
    .getByRole('list', { name: /Timeline/ })
    .getByRole('listitem')
    .first();
  await newest.getByText('Hidden from dom0').waitFor();
  assert.match(await newest.innerText(), 'Forced: overrode boot device');
  assert.match(await newest.innerText(), '“moving / to the SAN first”');
});

test('a batch hides a selection in one change; hiding half of it warns of what stays with dom0', async ({
  page,
  url,
}) => {
  await signIn(page, url);
  await row(page, GPU)
    .getByRole('button', { name: `Hide from dom0 ${GPU}` })
    .click();
  const alone = page.getByRole('dialog', { name: `Hide from dom0: ${GPU}?` });
  assert.match(await alone.locator('.warnings').innerText(), `${GPU_AUDIO}`);
  await alone.getByRole('button', { name: 'Cancel' }).click();
  await row(page, GPU).getByRole('checkbox').check();
  await row(page, GPU_AUDIO).getByRole('checkbox').check();
  await page.getByRole('region', { name: 'Selected devices' }).getByRole('button', { name: 'Hide from dom0' }).click();
  const batch = page.getByRole('dialog', { name: 'Hide from dom0: 2 devices?' });
  assert.is(await batch.locator('.warnings').count(), 0);
  await batch.getByRole('button', { name: 'Hide from dom0 at next boot' }).click();
  await page.getByRole('status').filter({ hasText: '2 devices: hidden from dom0 at the next boot' }).waitFor();
  for (const id of [GPU, GPU_AUDIO]) await row(page, id).getByText('Disabled on reboot').waitFor();
  const banner = await page.getByRole('region', { name: /Reboot pending/ }).innerText();
  for (const id of [GPU, GPU_AUDIO]) assert.match(banner, id);
});

test('a change made with the CLI appears without a reload, within 2 s', async ({ page, url, world }) => {
  await signIn(page, url);
  await page.locator('[data-connection="live"]').waitFor();
  await page.evaluate('window.notReloaded = true');
  await cli(world, url, 'hide', LEGACY_B, '--reason', 'from the CLI');
  // The bound, far above the few milliseconds the stream takes.
  await row(page, LEGACY_B).getByText('Disabled on reboot').waitFor({ timeout: 2_000 });
  assert.is(await page.evaluate('window.notReloaded'), true, 'the page was not reloaded');
  const newest = page
    .getByRole('list', { name: /Events/ })
    .getByRole('listitem')
    .first();
  await newest.filter({ hasText: 'from the CLI' }).waitFor();
  assert.match(await newest.innerText(), LEGACY_B);
});

test('while the service restarts the page says it is disconnected, then catches up on what it missed', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  await page.locator('[data-connection="live"]').waitFor();
  await world.stop();
  await page.locator('[data-connection="disconnected"]').waitFor();
  assert.match(await page.locator('[data-connection]').innerText(), 'retrying');
  world.xenCmdlineByHand('--set-dom0', `xen-pciback.hide=(${LEGACY_B})`);
  await world.boot();
  await world.app.listen({ port: Number(new URL(url).port), host: '127.0.0.1' });
  await page.locator('[data-connection="live"]').waitFor();
  await page
    .getByRole('list', { name: /Events/ })
    .getByText('Changed outside passthru')
    .first()
    .waitFor();
  // The edit by hand left only one device in the next boot's list: the others are back to Enabled, without a reload.
  await row(page, NVME).getByText('Enabled', { exact: true }).waitFor();
  assert.match(await page.getByRole('region', { name: /Reboot pending/ }).innerText(), 'changes 1 device');
});

test('axe-core finds no serious or critical violation, wide or narrow, with a dialog open or not', async ({
  page,
  url,
}) => {
  await signIn(page, url);
  await page.getByRole('list', { name: /Events/ }).waitFor();
  assert.equal(await seriousViolations(page), [], 'the page at 1440 px');
  await row(page, GPU)
    .getByRole('button', { name: `${GPU} (history)` })
    .click();
  await page.getByRole('dialog', { name: GPU }).locator('.state-at').waitFor();
  assert.equal(await seriousViolations(page), [], 'a device open');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 360, height: 800 });
  await row(page, SPARE_NIC)
    .getByRole('button', { name: /Hide from dom0|Give back to dom0/ })
    .click();
  await page.getByRole('dialog').waitFor();
  assert.equal(await seriousViolations(page), [], 'a confirmation at 360 px');
});

test.run();
