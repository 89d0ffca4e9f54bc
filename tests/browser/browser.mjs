// browser.mjs: launches Debian's Chromium for the tests through playwright-core.
//
// playwright-core downloads no browser; we drive the distribution's package so
// the test machine needs no network beyond npm. The flags keep Chromium from
// phoning home (component updates, sync, field trials): on a closed network
// those requests hang the first navigation.

import { chromium } from 'playwright-core';
import path from 'node:path';

export const CHROMIUM = process.env.CABANE_CHROMIUM || '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox', // root in a container: the setuid sandbox is unavailable
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-field-trial-config',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
  // The player may start itself; the test also calls play() on a muted video.
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Starts Chromium headless, with further command-line flags in args. context is a first browser context (English,
 * 1280x800); newContext(options) opens more (another locale, no cookies),
 * closed with the browser. close() stops Chromium (playwright removes its
 * temporary profile).
 * @returns {Promise<{context: import('playwright-core').BrowserContext,
 *   newContext: (o?: object) => Promise<import('playwright-core').BrowserContext>,
 *   close: () => Promise<void>}>}
 */
export async function launch({ args = [] } = {}) {
  // One Chromium for every test: separate contexts are separate cookie jars
  // and locales, and cost milliseconds where a second Chromium costs seconds.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...args],
    timeout: 60_000,
  });
  const newContext = async (options = {}) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', ...options });
    context.setDefaultTimeout(30_000);
    return context;
  };
  const context = await newContext();
  return {
    context,
    newContext,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

/** Saves a full-page screenshot to $CABANE_SCREENSHOTS/<name>.png when that is set. */
export async function screenshot(page, name) {
  const dir = process.env.CABANE_SCREENSHOTS;
  if (!dir) return;
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/**
 * Forwards the page's console errors and uncaught exceptions into the test
 * log and collects them, so a broken script is visible even when a later
 * wait is what times out.
 */
export function watchPage(page) {
  const errors = [];
  page.on('pageerror', (err) => {
    errors.push(err.message);
    console.log(`[page error] ${err.message}`);
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && msg.type() !== 'warning') return;
    const where = msg.location() && msg.location().url;
    console.log(`[console ${msg.type()}] ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  return errors;
}
