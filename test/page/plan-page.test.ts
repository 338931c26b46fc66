import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../support/axe.ts';
import { launchChromium, signIn } from '../support/browser.ts';
import { BOOT_NVME, desiredHost, NIC, SLOT } from '../support/desired-host.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { World } from '../support/world.ts';

// Far above what the page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;
const GPU = `${SLOT}.0`;
const AUDIO = `${SLOT}.1`;

const test = suite<{ browser: Browser; sys: KernelSysfs; world: World; url: string; page: Page }>(
  'the operator page plans a desired-state document and applies it, in Chromium',
);

test.before(async (context) => {
  context.browser = await launchChromium();
});
test.after(async ({ browser }) => browser.close());
test.before.each(async (context) => {
  context.sys = desiredHost();
  context.world = await World.start([], { ...context.sys.env, PASSTHRU_DATA_DIR: join(context.sys.root, 'var') });
  await context.world.app.listen({ port: 0, host: '127.0.0.1' });
  context.url = `http://127.0.0.1:${(context.world.app.server.address() as AddressInfo).port}`;
  context.page = await (await context.browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  context.page.setDefaultTimeout(SAFETY_MS);
});
test.after.each(async ({ page, world, sys }) => {
  await page.context().close();
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

const CARD_YAML = `hidden:
  - match: { vendor: "10de", device: "1db4" }
    functions: all
    reason: CAD guests
`;

const panel = (page: Page) => page.getByRole('region', { name: 'Plan from a document' });
const hideValue = (world: World) => world.xenCmdlineByHand('--get-dom0', 'xen-pciback.hide', 'pciback.hide');

test('given a pasted YAML document, when planned, then the plan shows each device now and after, and one button applies it', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  await panel(page).getByLabel('Desired-state document (YAML or JSON)').fill(CARD_YAML);
  await panel(page).getByRole('button', { name: 'Plan' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply the plan?' });
  const changes = dialog.getByRole('list', { name: 'What the plan changes' }).getByRole('listitem');
  await changes.first().waitFor();
  // innerText as a screen shows it, its line breaks (the layout's) as blanks.
  assert.equal(
    (await changes.allInnerTexts()).map((line) => line.replace(/\s+/g, ' ').trim()),
    [
      `${GPU} /hidden/0: CAD guests Enabled → becomes Disabled on reboot`,
      `${AUDIO} /hidden/0: CAD guests Enabled → becomes Disabled on reboot`,
    ],
  );
  assert.equal(await seriousViolations(page), [], 'the plan dialog');
  assert.is(hideValue(world), '\n', 'a plan changes nothing');
  await dialog.getByRole('button', { name: 'Apply plan' }).click();
  await panel(page).getByRole('status').getByText('Plan applied: 2 devices changed.').waitFor();
  assert.is(hideValue(world), `xen-pciback.hide=(${GPU})(${AUDIO})\n`);
  await page.locator(`tr[data-id="${GPU}"]`).getByText('Disabled on reboot').waitFor();
});

test('given an uploaded JSON file naming the boot disk, when planned, then the refusal is shown and there is nothing to apply', async ({
  page,
  url,
  world,
}) => {
  await signIn(page, url);
  const document = JSON.stringify({ hidden: [{ id: BOOT_NVME }, { id: NIC }] });
  await panel(page)
    .getByLabel('Or upload a file')
    .setInputFiles({ name: 'desired.json', mimeType: 'application/json', buffer: Buffer.from(document) });
  await panel(page).getByRole('button', { name: 'Plan' }).click();
  const dialog = page.getByRole('dialog', { name: 'Apply the plan?' });
  await dialog.getByRole('heading', { name: 'Refused' }).waitFor();
  assert.match(await dialog.innerText(), `${BOOT_NVME} is protected (boot_device: /dev/nvme0n1p2 on /)`);
  assert.is(await dialog.getByRole('button', { name: 'Apply plan' }).count(), 0);
  await dialog.getByRole('button', { name: 'Close' }).click();
  assert.is(hideValue(world), '\n');
});

test('given a bad document, when planned, then the panel says which field is wrong', async ({ page, url }) => {
  await signIn(page, url);
  await panel(page)
    .getByLabel('Desired-state document (YAML or JSON)')
    .fill('hidden:\n  - match: { vendor: "10de" }\n');
  await panel(page).getByRole('button', { name: 'Plan' }).click();
  assert.is(
    await panel(page).getByRole('alert').innerText(),
    'the desired-state document is not valid: /hidden/0/match/device is missing',
  );
});

test.run();
