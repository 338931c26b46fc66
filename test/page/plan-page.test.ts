import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { seriousViolations } from '../support/axe.ts';
import { closeServedPage, launchChromium, servePage, signIn, type ServedPage } from '../support/browser.ts';
import { BOOT_NVME, desiredHost, NIC, SLOT } from '../support/desired-host.ts';
import type { World } from '../support/world.ts';

const GPU = `${SLOT}.0`;
const AUDIO = `${SLOT}.1`;

const test = suite<ServedPage & { browser: Browser }>(
  'the operator page plans a desired-state document and applies it, in Chromium',
);

test.before(async (context) => {
  context.browser = await launchChromium();
});
test.after(async ({ browser }) => browser.close());
test.before.each(async (context) => {
  Object.assign(context, await servePage(context.browser, desiredHost()));
});
test.after.each(closeServedPage);

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
