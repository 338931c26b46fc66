import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import type { KernelSysfs } from '../support/kernel-sysfs.ts';
import { EFI_DETAIL, NIC_PORT, NVME, ROOT_DETAIL, safetyHost, SPARE_NIC, VGA } from '../support/safety-host.ts';
import { seriousViolations } from '../support/axe.ts';
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
    `Protected: boot device: ${ROOT_DETAIL}; boot device: ${EFI_DETAIL}`,
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
    "This token was not accepted: the bearer token is wrong or was revoked. Paste the token again (the admin token is in the file token of the service's data dir), or ask for a new one.",
  );
  await page.context().close();
});

// Canonical addresses (dddd:bb:dd.f, lower-case hex, fixed width) sort as strings exactly as their numbers do.
const inBusOrder = (ids: readonly (string | null)[]) => [...ids].sort((a, b) => (a! < b! ? -1 : a! > b! ? 1 : 0));

for (const width of [1440, 390]) {
  test(`given ${width} px, when sorted by address, then the devices are in bus order, hex digits read as numbers (00:02.0 before 00:1c.0)`, async ({
    browser,
    url,
  }) => {
    const page = await opened(browser, url, width);
    const rows = () =>
      page.locator('.device-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    const shown = await rows();
    assert.equal(shown, inBusOrder(shown));
    assert.ok(shown.indexOf(VGA) < shown.indexOf(NIC_PORT), '00:02.0 before 00:1c.0');
    if (width === 390) {
      // No column headers on a phone: the sort is chosen in the toolbar.
      await page.getByLabel('Sort by').selectOption({ label: 'Address, descending' });
    } else {
      await page.getByRole('columnheader', { name: 'Address' }).getByRole('button').click();
    }
    assert.equal(await rows(), inBusOrder(shown).reverse());
    await page
      .getByLabel('Sort by')
      .selectOption({ label: 'Class' }, { force: width !== 390 })
      .catch(() => undefined);
    assert.equal(await seriousViolations(page), []);
    await page.context().close();
  });
}

test('given a phone 390 px wide, when the host id is 32 characters, then it shows on one line, whole', async ({
  browser,
  url,
}) => {
  const page = await opened(browser, url, 390);
  const id = page.locator('.host-title .host-id');
  assert.is(await id.innerText(), HOST_ID);
  const lines = await id.evaluate((element) => {
    const range = element.ownerDocument.createRange();
    range.selectNodeContents(element);
    return { rects: range.getClientRects().length, clipped: element.scrollWidth > element.clientWidth };
  });
  assert.equal(lines, { rects: 1, clipped: false });
  await page.context().close();
});

test('given a device pciback did not take, when the table shows its readiness, then the advice is a few words that open to the whole', async ({
  browser,
  url,
}) => {
  const page = await opened(browser, url, 1440);
  const advice = page.locator(`tr[data-id="${SPARE_NIC}"] details.problem`);
  assert.is(await advice.locator('summary').innerText(), 'pciback did not take it at boot');
  assert.is(await advice.evaluate((d) => (d as unknown as { open: boolean }).open), false);
  const cell = page.locator(`tr[data-id="${SPARE_NIC}"] td[data-label="Safety"]`);
  const folded = await cell.boundingBox();
  await advice.locator('summary').click();
  assert.match(await advice.innerText(), `the boot hid ${SPARE_NIC} but`);
  assert.ok(folded!.height < (await cell.boundingBox())!.height, 'the sentence shows once opened');
  await page.context().close();
});

test('given a device’s history, when the slider moves, then it counts events from 1 and shows the time of the event it names', async ({
  browser,
  url,
}) => {
  const page = await opened(browser, url, 1440);
  await page.locator(`tr[data-id="${SPARE_NIC}"] th button`).click();
  const panel = page.getByRole('dialog', { name: SPARE_NIC });
  const events = panel.getByRole('list', { name: /Timeline/ }).getByRole('listitem');
  await events.first().waitFor();
  const count = await events.count();
  assert.ok(count >= 3);
  const travel = panel.locator('.time-travel');
  assert.match(
    await travel.locator('label span').first().innerText(),
    `Event ${count} of ${count} (revision ${count - 1}), now`,
  );
  for (const revision of [0, 1, count - 1]) {
    await panel.getByRole('slider').fill(String(revision));
    await panel.locator(`.state-at[data-revision="${revision}"]`).waitFor();
    // The timeline lists the newest first: revision r is item count - 1 - r.
    const item = events.nth(count - 1 - revision);
    assert.is(
      await panel.locator('.state-at time').getAttribute('datetime'),
      await item.locator('time').getAttribute('datetime'),
      `revision ${revision}`,
    );
    assert.match(await panel.locator('.state-at').innerText(), await item.locator('.event-head strong').innerText());
  }
  assert.match(await travel.locator('label span').first().innerText(), `Event ${count} of ${count}`);
  await page.context().close();
});

test('given the activity’s type filter, then it names every event type in words', async ({ browser, url }) => {
  const page = await opened(browser, url, 1440);
  const names = await page.locator('.feed select').first().locator('option').allInnerTexts();
  assert.ok(names.includes('Hidden from dom0'));
  assert.equal(
    names.filter((name) => /[a-z][A-Z]/.test(name)),
    [],
    'no raw event name',
  );
  const hidden = page.locator('.feed li[data-type="Dom0AccessDisabled"] .event-head strong');
  assert.is(await hidden.innerText(), 'Hidden from dom0');
  await page.context().close();
});

test.run();
