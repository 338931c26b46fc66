import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { BIN } from '../support/service-process.ts';
import { GPU, NIC, NVME, TOKEN, World, type FakeDevice } from '../support/world.ts';

const AUDIO: FakeDevice = { id: '0000:03:00.1', class: '0x040300', vendor: '0x10de', device: '0x10f0' };
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// Far above what the page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;

const test = suite<{ world: World; browser: Browser; url: string; context: BrowserContext; page: Page }>(
  'the operator page in Chromium, against the service on a loopback port',
);

test.before(async (context) => {
  context.world = await World.start([GPU, AUDIO, NIC, NVME]);
  await context.world.app.listen({ port: 0, host: '127.0.0.1' });
  context.url = `http://127.0.0.1:${(context.world.app.server.address() as AddressInfo).port}`;
  context.browser = await launchChromium();
});
test.after(async ({ world, browser }) => {
  await browser.close();
  await world.close();
});
test.before.each(async (context) => {
  context.context = await context.browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.page = await context.context.newPage();
  context.page.setDefaultTimeout(SAFETY_MS);
});
test.after.each(async ({ context }) => context.close());

async function signIn(page: Page, url: string, token = TOKEN): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /PCI devices/ }).waitFor();
}

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

test('signs in with a token and shows the host and every device with its status', async ({ page, url }) => {
  await signIn(page, url);
  await page.getByText('Simulated host').waitFor();
  assert.match(await page.locator('.host-title').innerText(), 'test-host');
  assert.is(await page.locator('tbody tr').count(), 4);
  assert.match(await row(page, GPU.id).innerText(), 'PGPU');
  assert.match(await row(page, NIC.id).innerText(), 'Enabled');
  assert.is(await page.evaluate("sessionStorage.getItem('passthru.token')"), TOKEN);
  await page.screenshot({ path: join(ARTIFACTS, 'page-1440.png'), fullPage: true });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.screenshot({ path: join(ARTIFACTS, 'page-360.png'), fullPage: true });
});

test('hiding a device asks first, then shows its badge, the reboot banner and its timeline', async ({ page, url }) => {
  await signIn(page, url);
  assert.is(await page.locator('.reboot-banner').count(), 0);
  await row(page, NIC.id)
    .getByRole('button', { name: `Hide from dom0 ${NIC.id}` })
    .click();
  const dialog = page.getByRole('dialog', { name: `Hide from dom0: ${NIC.id}?` });
  assert.match(await dialog.innerText(), 'From the next boot on, dom0 no longer uses this device');
  assert.equal(await dialog.locator('.change-states .badge').allInnerTexts(), ['Enabled', 'Disabled on reboot']);
  await dialog.getByLabel(/Reason/).fill('for the GPU guest');
  await page.screenshot({ path: join(ARTIFACTS, 'confirm-1440.png') });
  await dialog.getByRole('button', { name: 'Hide from dom0 at next boot' }).click();
  await row(page, NIC.id).getByText('Disabled on reboot').waitFor();
  const banner = page.getByRole('region', { name: /Reboot pending/ });
  assert.match(await banner.innerText(), `${NIC.id}`);
  assert.match(await banner.innerText(), 'hidden from dom0');
  await page.screenshot({ path: join(ARTIFACTS, 'reboot-pending-1440.png') });
  assert.match(
    await page.getByRole('status').filter({ hasText: 'hidden from dom0 at the next boot' }).innerText(),
    NIC.id,
  );

  await row(page, NIC.id)
    .getByRole('button', { name: `${NIC.id} (history)` })
    .click();
  const panel = page.getByRole('dialog', { name: NIC.id });
  const newest = panel
    .getByRole('list', { name: /Timeline/ })
    .getByRole('listitem')
    .first();
  assert.match(await newest.innerText(), 'Hidden from dom0');
  assert.match(await newest.innerText(), '“for the GPU guest”');
  assert.match(await newest.innerText(), 'by admin');
});

test('a read-only token sees every device and no change button', async ({ page, url, world }) => {
  const viewer = (await cli(world, url, 'token', 'add', 'wallscreen', '--role', 'read-only')).trim().split('\n').pop()!;
  await signIn(page, url, viewer);
  await page.getByText('This token is read-only').waitFor();
  assert.match(await page.locator('.who').innerText(), 'wallscreen');
  assert.is(await page.locator('tbody tr').count(), 4);
  assert.is(await page.getByRole('button', { name: /Hide from dom0|Give back to dom0/ }).count(), 0);
  assert.is(await page.getByRole('checkbox').count(), 0);
  await row(page, GPU.id)
    .getByRole('button', { name: `${GPU.id} (history)` })
    .click();
  await page
    .getByRole('dialog', { name: GPU.id })
    .getByRole('list', { name: /Timeline/ })
    .waitFor();
  assert.is(await page.getByRole('button', { name: /Hide from dom0|Give back to dom0/ }).count(), 0);
});

test("a wrong token is refused with the service's own words", async ({ page, url }) => {
  await page.goto(url);
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.is(await page.getByRole('alert').innerText(), 'the bearer token is wrong or was revoked');
  assert.is(await page.evaluate("sessionStorage.getItem('passthru.token')"), null);
});

test('the time travel slider shows the device as of an earlier revision', async ({ page, url, world }) => {
  await world.post(`/v1/pcis/${NVME.id}/hide`, { reason: 'slider' });
  await signIn(page, url);
  await row(page, NVME.id)
    .getByRole('button', { name: `${NVME.id} (history)` })
    .click();
  const panel = page.getByRole('dialog', { name: NVME.id });
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
    GPU.id,
    AUDIO.id,
  ]);
  await page.getByRole('button', { name: 'Address' }).focus();
  await page.keyboard.press('Enter');
  assert.is(await page.getByRole('columnheader', { name: 'Address' }).getAttribute('aria-sort'), 'descending');
  assert.equal(await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id'))), [
    AUDIO.id,
    GPU.id,
  ]);
  const opener = row(page, GPU.id).getByRole('button', { name: `${GPU.id} (history)` });
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: GPU.id }).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.ok(await opener.evaluate((button) => button === button.ownerDocument.activeElement), 'focus is back');
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a script tag: the page's Content-Security-Policy allows only its own scripts.
  await page.evaluate(AXE);
  const violations = await page.evaluate<AxeViolation[]>('axe.run().then((results) => results.violations)');
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe-core finds no serious or critical violation, wide or narrow, with a dialog open or not', async ({
  page,
  url,
}) => {
  await signIn(page, url);
  await page.getByRole('list', { name: /Events/ }).waitFor();
  assert.equal(await seriousViolations(page), [], 'the page at 1440 px');
  await row(page, GPU.id)
    .getByRole('button', { name: `${GPU.id} (history)` })
    .click();
  await page.getByRole('dialog', { name: GPU.id }).locator('.state-at').waitFor();
  assert.equal(await seriousViolations(page), [], 'a device open');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 360, height: 800 });
  await row(page, NIC.id)
    .getByRole('button', { name: /Hide from dom0|Give back to dom0/ })
    .click();
  await page.getByRole('dialog').waitFor();
  assert.equal(await seriousViolations(page), [], 'a confirmation at 360 px');
});

test.run();
