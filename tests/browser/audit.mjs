// audit.mjs: what every page of the tour must satisfy: no serious or
// critical axe-core violation, screenshots at phone and desktop widths in
// light and dark, and no sideways scrolling on a phone.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

// axe-core from node_modules (pinned in package.json). It is evaluated
// through the DevTools protocol, not added as a <script>, so the pages'
// Content-Security-Policy (no inline scripts) does not stop it.
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 900 },
];
export const SCHEMES = ['light', 'dark'];

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and
 * returns the serious and critical violations, one line per element.
 */
export async function axeProblems(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(`${AXE}\n;true`);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}`));
}

/** Asserts axe finds no serious or critical violation on the page. */
export async function assertAccessible(page, name) {
  const problems = await axeProblems(page);
  assert.deepEqual(problems, [], `${name} (${page.url()}): axe-core violations`);
}

/**
 * Screenshots the loaded page at every width and scheme into
 * $CABANE_SCREENSHOTS/<name>-<width>-<scheme>.png, runs axe in both schemes
 * at desktop width (asserting, or adding to problems when given), and checks
 * the phone layout does not scroll sideways.
 * Leaves the page at desktop width in the light scheme.
 * @returns {Promise<string[]>} the files written (none without $CABANE_SCREENSHOTS).
 */
export async function capture(page, name, { axe = true, problems = null } = {}) {
  const dir = process.env.CABANE_SCREENSHOTS;
  const written = [];
  for (const size of WIDTHS) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      if (size.name === 'phone') {
        const { scroll, inner } = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
        // Name the widest elements that stick out, so the message says what to fix.
        const culprits = scroll > inner ? await page.evaluate(() => [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .filter((e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`)) : [];
        const msg = `${name} at ${size.width} px (${scheme}) scrolls sideways: ${scroll} > ${inner}${culprits.length ? `: ${culprits.join(', ')}` : ''}`;
        if (problems && scroll > inner) problems.push(msg);
        else assert.ok(scroll <= inner, msg);
      }
      if (axe && size.name === 'desktop') {
        // problems collects across pages, so one run lists every violation.
        if (problems) problems.push(...(await axeProblems(page)).map((p) => `${name} (${scheme}): ${p}`));
        else await assertAccessible(page, `${name} (${scheme})`);
      }
      if (dir) {
        const file = path.join(dir, `${name}-${size.name}-${scheme}.png`);
        const png = await page.screenshot({ path: file, fullPage: true });
        assert.ok(png.length > 1000, `${file} is ${png.length} bytes`);
        written.push(file);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
  return written;
}
