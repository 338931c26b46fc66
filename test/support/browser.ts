import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { KernelSysfs } from './kernel-sysfs.ts';
import { TOKEN, World } from './world.ts';

/** Debian's chromium package: a test tool's own browser download does not work on these machines. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots and other test outputs, kept out of git. */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'artifacts');

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Signs in on the page at `url` and waits for the devices. */
export async function signIn(page: Page, url: string, token = TOKEN): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /PCI devices/ }).waitFor();
}

/** A service on a fake host, listening on a loopback port, with a desktop-sized page of `browser` to drive it. */
export interface ServedPage {
  readonly sys: KernelSysfs;
  readonly world: World;
  readonly url: string;
  readonly page: Page;
}

// Far above what a page needs; it only keeps a broken page from hanging the suite.
const SAFETY_MS = 15_000;

export async function servePage(browser: Browser, sys: KernelSysfs): Promise<ServedPage> {
  const world = await World.start([], { ...sys.env, PASSTHRU_DATA_DIR: join(sys.root, 'var') });
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.setDefaultTimeout(SAFETY_MS);
  return { sys, world, url, page };
}

export async function closeServedPage({ page, world, sys }: ServedPage): Promise<void> {
  await page.context().close();
  await world.close();
  rmSync(sys.root, { recursive: true, force: true });
}
