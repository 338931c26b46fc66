import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TOKEN } from './world.ts';

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
