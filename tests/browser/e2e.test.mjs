// e2e.test.mjs: a new owner's first minutes with a real Cabane server, in
// headless Chromium: first-run setup, upload with progress, processing,
// playback, logout.
//
// Env: CABANE_URL (e.g. http://127.0.0.1:8080, a fresh data directory),
//      CABANE_CLIP (an H.264/AAC mp4), CABANE_SCREENSHOTS (optional directory).
// browser_test.go builds and starts the server and sets these.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, screenshot, watchPage } from './browser.mjs';
import { recordUploadProgress, uploadProgressSeen, waitForPlayback } from './checks.mjs';

const BASE = (process.env.CABANE_URL || '').replace(/\/$/, '');
const CLIP = process.env.CABANE_CLIP || '';
const TITLE = 'E2E test pattern';

let browser;

before(async () => {
  assert.ok(BASE, 'CABANE_URL must be set');
  assert.ok(CLIP, 'CABANE_CLIP must be set');
  browser = await launch();
  await browser.context.addInitScript(recordUploadProgress);
});

after(async () => {
  if (browser) await browser.close();
});

const pathOf = (page) => new URL(page.url()).pathname;

// submit sends a form as a click on its submit button would (constraint
// validation and submit handlers included) and waits for the navigation.
async function submit(page, formSelector, urlMatches) {
  await Promise.all([page.waitForURL(urlMatches), page.$eval(formSelector, (form) => form.requestSubmit())]);
}

// step runs one stage of the story; the first failing stage ends the test
// with its name in the message (later stages depend on it).
async function step(name, fn) {
  console.log(`step: ${name}`);
  try {
    await fn();
  } catch (err) {
    err.message = `${name}: ${err.message}`;
    throw err;
  }
}

test('setup, upload, processing, playback and logout in Chromium', async (t) => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  try {
    await step('a fresh instance sends / to /setup', async () => {
      await page.goto(`${BASE}/`);
      assert.equal(pathOf(page), '/setup');
      await screenshot(page, 'e2e-1-setup');
    });

    await step('setup creates the owner, logs in and lands on /', async () => {
      await page.fill('input[name=username]', 'alice');
      await page.fill('input[name=email]', 'alice@example.com');
      await page.fill('input[name=password]', 'correct horse battery staple');
      await page.fill('input[name=channel]', 'alice_videos');
      // On the box itself, the form asks for the code Cabane printed.
      assert.ok(await page.$('input[name=setupCode]'), 'setup from the box asks for the setup code');
      await page.fill('input[name=setupCode]', process.env.CABANE_SETUP_CODE);
      await submit(page, 'form#setup-form', (u) => u.pathname === '/');
      assert.ok(await page.$('form#logout-form'), 'a logged-in page has the logout form');
      await screenshot(page, 'e2e-2-home');
    });

    await step('upload shows progress to 100 % and opens the watch page', async () => {
      await page.goto(`${BASE}/upload`);
      assert.equal(pathOf(page), '/upload', 'the owner may upload');
      await page.setInputFiles('#upload-form input[name=videofile]', CLIP);
      await page.fill('#upload-form [name=name]', TITLE);
      await screenshot(page, 'e2e-3-upload');
      await submit(page, '#upload-form', (u) => /^\/w\/[^/]+$/.test(u.pathname));
      const seen = await uploadProgressSeen(page);
      assert.ok(
        seen.some((s) => s.value === 100 && !s.hidden),
        `#upload-progress should reach 100, saw ${JSON.stringify(seen)}`,
      );
      const headings = await page.$$eval('h1', (hs) => hs.map((h) => h.textContent));
      assert.ok(
        headings.some((h) => h.includes(TITLE)),
        `the watch page shows the title, h1s: ${JSON.stringify(headings)}`,
      );
    });

    await step('the video is processed and plays', async () => {
      // Either already published (the clip is H.264/AAC: copy path) or
      // processing.js swaps the player in when the job finishes.
      await page.waitForSelector('video#player', { timeout: 120_000 });
      await screenshot(page, 'e2e-4-watch');
      const state = await waitForPlayback(page, 60_000);
      t.diagnostic(`playback: ${JSON.stringify(state)}`);
      assert.equal(state.videoHeight > 0, true, 'frames decoded');
      await screenshot(page, 'e2e-5-playing');
    });

    await step('the embed page fetches only its poster until play, then plays', async () => {
      const short = pathOf(page).split('/').pop();
      const embed = await page.context().newPage();
      const fetched = [];
      embed.on('request', (req) => fetched.push(new URL(req.url()).pathname));
      await embed.goto(`${BASE}/videos/embed/${short}`, { waitUntil: 'networkidle' });
      const media = (p) => /\.(m3u8|m4s)$|-fragmented\.mp4$|hls\.min\.[^/]*js$/.test(p);
      assert.deepEqual(fetched.filter(media), [], 'nothing of the video before play');
      await embed.click('.embed-play');
      const state = await waitForPlayback(embed, 60_000);
      t.diagnostic(`embed playback: ${JSON.stringify(state)}`);
      assert.ok(fetched.some((p) => p.endsWith('-fragmented.mp4')), 'segments load once play is pressed');
      await screenshot(embed, 'e2e-5b-embed-playing');
      await embed.close();
    });

    await step('logout ends the session', async () => {
      await submit(page, 'form#logout-form', (u) => !u.pathname.startsWith('/w/'));
      await page.goto(`${BASE}/upload`);
      assert.equal(pathOf(page), '/login', '/upload redirects to /login after logout');
      await screenshot(page, 'e2e-6-logged-out');
    });

    assert.deepEqual(errors, [], 'no uncaught errors in the pages');
  } catch (err) {
    await screenshot(page, 'e2e-failure').catch(() => {});
    throw err;
  } finally {
    await page.close();
  }
});
