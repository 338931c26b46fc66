import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeServedPage, launchChromium, servePage, signIn, type ServedPage } from '../support/browser.ts';
import { NVME, safetyHost, SPARE_NIC } from '../support/safety-host.ts';

const test = suite<ServedPage & { browser: Browser }>('the reboot banner shows the preflight, in Chromium');

test.before(async (context) => {
  context.browser = await launchChromium();
});
test.after(async ({ browser }) => browser.close());
test.before.each(async (context) => {
  Object.assign(context, await servePage(context.browser, safetyHost()));
});
test.after.each(closeServedPage);

test('given a safe next boot that changes a device, the banner says the preflight passed and the line’s length', async ({
  page,
  url,
  world,
}) => {
  await world.post(`/v1/pcis/${SPARE_NIC}/hide`);
  await signIn(page, url);
  const banner = page.getByRole('region', { name: /Reboot pending/ });
  await banner.getByText('Preflight: the next boot comes back and hides what its list says').waitFor();
  assert.match(await banner.innerText(), /the dom0 line is \d+ of 991 characters/);
});

test('given the boot disk in the next boot’s list, the banner says to fix it before the reboot, naming the problem', async ({
  page,
  url,
  world,
}) => {
  await world.post(`/v1/pcis/${NVME}/hide`, { force: true, reason: 'a test of the banner' });
  await signIn(page, url);
  const alert = page.getByRole('region', { name: /Reboot pending/ }).getByRole('alert');
  await alert.getByText('Preflight: fix this before you reboot').waitFor();
  assert.match(await alert.innerText(), `protected_device_hidden: the next boot hides ${NVME}`);
});

test.run();
