import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { EFI_DETAIL, NVME, ROOT_DETAIL, safetyHost, SPARE_NIC } from '../support/safety-host.ts';
import { TOKEN, World } from '../support/world.ts';

// As long as a host id gets: a XenServer installation UUID without its dashes.
const HOST_ID = '0123456789abcdef0123456789abcdef';
const SAFETY_MS = 15_000;

const test = suite<{ sys: KernelSysfs; world: World; browser: Browser; url: string }>(
  'the operator page as a newcomer meets it: a phone, a long host id, a refusal, a boot pciback missed',
);

// A hide of the spare NIC that pciback does not take up at the boot, and a refused hide of the boot disk.
test.before(async (context) => {
  context.sys = safetyHost();
  context.world = await World.start([], {
    ...context.sys.env,
    PASSTHRU_DATA_DIR: join(context.sys.root, 'var'),
    PASSTHRU_HOST_ID: HOST_ID,
  });
  await context.world.post(`/v1/pcis/${SPARE_NIC}/hide`, { reason: 'for vm-7' });
  await context.world.reboot();
  assert.is((await context.world.post(`/v1/pcis/${NVME}/hide`)).statusCode, 409);
  await context.world.app.listen({ port: 0, host: '127.0.0.1' });
  context.url = `http://127.0.0.1:${(context.world.app.server.address() as AddressInfo).port}`;
  context.browser = await launchChromium();
});
test.after(async ({ world, browser, sys }) => {
  await browser?.close();
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
});

async function opened(browser: Browser, url: string, width: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
  page.setDefaultTimeout(SAFETY_MS);
  await page.goto(url);
  await page.getByLabel('Access token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('.feed li.event').first().waitFor();
  return page;
}

for (const width of [360, 390]) {
  test(`given a phone ${width} px wide, when the page shows the activity of a host with a 32-character id, then nothing scrolls sideways`, async ({
    browser,
    url,
  }) => {
    const page = await opened(browser, url, width);
    await page.screenshot({ path: join(ARTIFACTS, `newcomer-${width}.png`), fullPage: true });
    assert.is(await page.evaluate('document.documentElement.scrollWidth'), width);
    await page.context().close();
  });
}

test('given a hide pciback did not take up at the boot, when the activity shows it, then it has its own label', async ({
  browser,
  url,
}) => {
  const page = await opened(browser, url, 1440);
  const missed = page.locator('.feed li[data-type="HideNotClaimed"]');
  assert.is(await missed.locator('.event-head strong').innerText(), 'Hidden at boot, but pciback did not take it');
  assert.is(await missed.locator('.cause').innerText(), 'BOOT');
  await page.context().close();
});

test('given a refused hide, when the activity shows it, then the protection is set apart from any operator’s reason', async ({
  browser,
  url,
}) => {
  const page = await opened(browser, url, 1440);
  const refused = page.locator('.feed li[data-type="Dom0AccessRefused"]');
  assert.is(
    await refused.locator('.event-protection').innerText(),
    `Protected: boot_device: ${ROOT_DETAIL}; boot_device: ${EFI_DETAIL}`,
  );
  assert.is(await refused.locator('.event-reason').count(), 0, 'no operator gave a reason');
  const hidden = page.locator('.feed li[data-type="Dom0AccessDisabled"]');
  assert.is(await hidden.locator('.event-reason').innerText(), '“for vm-7”');
  assert.is(await hidden.locator('.event-protection').count(), 0);
  await page.context().close();
});

test('given a wrong token, when signing in, then the page says so in plain words', async ({ browser, url }) => {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(SAFETY_MS);
  await page.goto(url);
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.is(
    await page.getByRole('alert').innerText(),
    "This token was not accepted: it is mistyped, or it was revoked. Paste the token again (the admin token is in the file token of the service's data dir), or ask for a new one. (the bearer token is wrong or was revoked)",
  );
  await page.context().close();
});

test.run();
