import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchChromium, signIn } from '../support/browser.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { NVME, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { World } from '../support/world.ts';

// Far above what the page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;

const test = suite<{ sys: KernelSysfs; world: World; browser: Browser; url: string; page: Page }>(
  'the reboot banner shows the preflight, in Chromium',
);

test.before(async (context) => {
  context.browser = await launchChromium();
});
test.after(async ({ browser }) => browser.close());
test.before.each(async (context) => {
  context.sys = safetyHost();
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
