// Debian's Chromium, headless, driven by playwright-core: never a downloaded browser, a fresh profile each
// launch, and no traffic of its own (no sync, no component update, no background networking).
import * as fs from 'node:fs';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext } from 'playwright-core';
import { tmpDir } from './env.js';

export const CHROMIUM = '/usr/bin/chromium';

/** A fresh profile dir each launch (playwright takes it as userDataDir, its --user-data-dir). */
export async function launchChromium(): Promise<BrowserContext> {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (./build.sh deps)`);
  return chromium.launchPersistentContext(tmpDir('ar-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
