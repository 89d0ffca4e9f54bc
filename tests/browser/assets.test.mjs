// assets.test.mjs: the browser assets (upload.js, processing.js, player.js,
// cabane.css) in headless Chromium. upload.js runs on the real server's
// /upload page (CABANE_URL, logged in as CABANE_USER / CABANE_PASS, an
// administrator browser_test.go creates); the player and processing states
// that a real server cannot be held in (60 % done, failed, a two-rung
// ladder) come from fixtures/server.mjs, a stand-in that serves the same
// scripts with the templates' markup contract and PeerTube's JSON.
// Run through `go test ./tests/browser/` (needs /usr/bin/chromium, ffmpeg).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, screenshot, watchPage } from './browser.mjs';
import { makeClip, makeHLS } from './media.mjs';
import { recordUploadProgress, uploadProgressSeen, waitForPlayback } from './checks.mjs';
import { startFixtureServer } from './fixtures/server.mjs';

const REAL = (process.env.CABANE_URL || '').replace(/\/$/, '');
const USER = process.env.CABANE_USER || '';
const PASS = process.env.CABANE_PASS || '';

// until polls fn every 100 ms for up to 10 s.
async function until(fn) {
  for (const end = Date.now() + 10_000; !(await fn()); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let dir;
let clip;
let server;
let browser;

before(async () => {
  assert.ok(REAL && USER && PASS, 'CABANE_URL, CABANE_USER and CABANE_PASS must be set');
  dir = await mkdtemp(path.join(tmpdir(), 'cabane-assets-'));
  // The name has underscores: upload.js turns it into the title "my holiday clip".
  [clip] = await Promise.all([makeClip(path.join(dir, 'my_holiday_clip.mp4')), makeHLS(path.join(dir, 'hls'))]);
  await writeFile(path.join(dir, 'not_a_video.mp4'), 'this is not a video\n'.repeat(500));
  server = await startFixtureServer(path.join(dir, 'hls'));
  browser = await launch();
  await browser.context.addInitScript(recordUploadProgress);
  // Log in once through the real login page: the context keeps the cookie.
  const page = await browser.context.newPage();
  await page.goto(`${REAL}/login`);
  await page.fill('#login-form input[name=username]', USER);
  await page.fill('#login-form input[name=password]', PASS);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.$eval('#login-form', (f) => f.requestSubmit())]);
  await page.close();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('upload.js uploads each chosen file resumably in its own card, to 100, and saves its details in place', async () => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  const sent = [];
  page.on('request', (req) => {
    if (req.method() !== 'GET') sent.push({ method: req.method(), path: new URL(req.url()).pathname, csrf: req.headers()['x-csrf-token'] });
  });
  await page.goto(`${REAL}/upload`);
  assert.equal(new URL(page.url()).pathname, '/upload', 'logged in, the owner may upload');
  const formToken = await page.inputValue('#upload-form input[name=_csrf]');
  // With the script: several files, and no single-file title to fill.
  assert.equal(await page.$eval('#upload-file', (i) => i.multiple), true);
  assert.equal(await page.isVisible('#upload-form [name=name]'), false);
  // A file dropped beside the drop zone neither opens in the tab nor uploads.
  const prevented = await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'beside.mp4', { type: 'video/mp4' }));
    const e = new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt });
    document.querySelector('h1').dispatchEvent(e);
    return e.defaultPrevented;
  });
  assert.equal(prevented, true, 'the browser does not open a file dropped beside the zone');
  assert.equal(await page.locator('#upload-files li').count(), 0);
  await page.selectOption('select[name=privacy]', '2');
  await page.setInputFiles('#upload-file', clip);
  await page.waitForSelector('#upload-file-1[data-state=uploaded]');
  assert.equal(await page.$eval('#upload-file-1 .upload-file-progress', (b) => b.value), 100);
  assert.ok((await uploadProgressSeen(page)).some((s) => s.value === 100 && !s.hidden), 'the overall bar reaches 100');
  // One resumable init with the page's token, then the chunk(s) as PUTs to
  // the session it named; no form post.
  assert.deepEqual(sent[0], { method: 'POST', path: '/api/v1/videos/upload-resumable', csrf: formToken });
  assert.ok(sent.slice(1).every((r) => r.method === 'PUT' && r.path === '/api/v1/videos/upload-resumable' && r.csrf === formToken), JSON.stringify(sent));

  // The card's details form is my videos' edit form, its ids prefixed.
  const meta = page.locator('#upload-file-1 form.upload-meta');
  await meta.waitFor();
  // The title comes from the file name (underscores become spaces).
  assert.equal(await page.inputValue('#u1-f-name'), 'my holiday clip');
  await page.fill('#u1-f-description', 'From the assets test');
  await meta.locator('button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('#upload-file-1 .upload-meta-status')?.textContent === 'Details saved.');
  assert.equal(new URL(page.url()).pathname, '/upload', 'saved without leaving the page');
  await screenshot(page, 'assets-upload-card');

  // What the server stored is what the page said.
  const short = new URL(await page.getAttribute('#upload-file-1 a.upload-file-watch', 'href'), REAL).pathname.split('/').pop();
  const res = await page.request.get(`${REAL}/api/v1/videos/${short}`);
  assert.equal(res.status(), 200);
  const video = await res.json();
  assert.equal(video.name, 'my holiday clip');
  assert.equal(video.privacy.id, 2);
  assert.equal(video.description, 'From the assets test');
  assert.deepEqual(errors, []);
  await page.close();
});

test('upload.js cancels an upload: the card says so and the partial upload is deleted', async () => {
  const page = await browser.context.newPage();
  watchPage(page);
  const answers = [];
  page.on('response', (res) => {
    if (res.url().includes('/upload-resumable')) answers.push(`${res.request().method()} ${res.status()}`);
  });
  await page.goto(`${REAL}/upload`);
  // A very slow uplink, so that the upload is still running when cancelled.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 20_000 });
  await page.setInputFiles('#upload-file', clip);
  await page.waitForSelector('#upload-file-1[data-state=uploading]');
  await page.waitForFunction(() => document.querySelector('#upload-file-1 .upload-file-progress').value > 0);
  await page.click('#upload-file-1 .upload-file-cancel');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await cdp.detach();
  assert.equal(await page.getAttribute('#upload-file-1', 'data-state'), 'cancelled');
  assert.equal(await page.textContent('#upload-file-1 .upload-file-status'), 'Upload cancelled.');
  // The server may still be writing the aborted chunk: upload.js asks
  // again after a 409 until the partial upload is gone.
  await until(() => answers.includes('DELETE 204'));
  assert.deepEqual(answers.filter((a) => a.startsWith('DELETE') && a !== 'DELETE 409' && a !== 'DELETE 204'), [], `no other answer: ${answers}`);
  await page.close();
});

test('upload.js shows the server error detail in the file card and stays on the page', async () => {
  const page = await browser.context.newPage();
  watchPage(page);
  await page.goto(`${REAL}/upload`);
  // Choosing a file starts its upload; the server refuses the last chunk
  // with 422 once ffprobe finds no video or audio in it.
  await page.setInputFiles('#upload-file', path.join(dir, 'not_a_video.mp4'));
  await page.waitForSelector('#upload-file-1[data-state=failed]');
  assert.match(await page.textContent('#upload-file-1 .upload-file-status'), /not_a_video\.mp4.*not a video or audio file/);
  assert.equal(new URL(page.url()).pathname, '/upload');
  assert.equal(await page.isEnabled('#upload-file'), true, 'the user can try another file');
  await screenshot(page, 'assets-upload-error');
  await page.close();
});

test('upload.js counts a failed file as done: the overall bar reaches 100 % and says how many failed', async () => {
  const page = await browser.context.newPage();
  watchPage(page);
  await page.goto(`${REAL}/upload`);
  await page.evaluate(() => sessionStorage.removeItem('cabane-test-upload-progress'));
  await page.setInputFiles('#upload-file', [clip, path.join(dir, 'not_a_video.mp4')]);
  await page.waitForSelector('#upload-file-1[data-state=uploaded]');
  await page.waitForSelector('#upload-file-2[data-state=failed]');
  assert.match(await page.textContent('#upload-file-2 .upload-file-status'), /not a video or audio file/);
  await until(() => page.$eval('#upload-progress', (b) => b.value === 100));
  assert.equal(await page.$eval('#upload-progress', (b) => b.hidden), false);
  assert.equal(await page.textContent('#upload-status'), '2/2 · 100 % · failed: 1');
  await page.close();
});

test('player.js plays the fixture ladder with hls.js and offers its renditions', async () => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  // /w/published renders <video data-hls>: player.js plays it with hls.js.
  await page.goto(`${server.url}/w/published`);
  const state = await waitForPlayback(page);
  assert.equal(state.player, 'hls.js');
  assert.equal(state.videoWidth, 640, 'starts on the 360p rendition at this player size');
  const options = await page.$$eval('.player-quality select option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options.slice(1), ['360p', '180p']);
  assert.match(options[0], /^Auto/);
  await screenshot(page, 'assets-watch-playing');
  assert.deepEqual(errors, []);
  await page.close();
});

test('processing.js moves the bar, then swaps in a playing player without a reload', async () => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  await page.goto(`${server.url}/w/processing`);
  await page.evaluate(() => {
    window.notReloaded = true;
  });
  // Second answer of the fixture API: 60 %.
  await page.waitForFunction(
    () => document.querySelector('#processing progress')?.value === 60 && document.querySelector('#processing .pct').textContent === '60 %',
  );
  assert.equal(await page.textContent('#processing .label'), 'To transcode');
  await screenshot(page, 'assets-processing');

  await page.waitForSelector('video#player');
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
  const attrs = await page.$eval('video#player', (v) => ({
    hls: v.dataset.hls,
    poster: v.getAttribute('poster'),
    controls: v.controls,
    playsinline: v.hasAttribute('playsinline'),
    inWrap: v.parentElement.classList.contains('player-wrap'),
  }));
  assert.deepEqual(attrs, { hls: '/hls/master.m3u8', poster: '/hls/poster.jpg', controls: true, playsinline: true, inWrap: true });
  assert.equal(await page.$('#processing'), null);
  const state = await waitForPlayback(page);
  assert.equal(state.player, 'hls.js');
  assert.deepEqual(errors, []);
  await page.close();
});

test('processing.js shows the failure label on state 7', async () => {
  const page = await browser.context.newPage();
  watchPage(page);
  await page.goto(`${server.url}/w/failing`);
  await page.waitForSelector('#processing.failed');
  assert.equal(await page.textContent('#processing .label'), 'Transcoding failed');
  assert.equal(await page.$('video#player'), null);
  await page.close();
});

test('player.js falls back to native HLS without Media Source Extensions', async () => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  // Like an iPhone before iOS 17.1: no MSE at all, so Hls.isSupported() is false.
  await page.addInitScript(() => {
    delete window.MediaSource;
    delete window.ManagedMediaSource;
    delete window.WebKitMediaSource;
  });
  await page.goto(`${server.url}/w/published`);
  const native = await page.evaluate(() => document.createElement('video').canPlayType('application/vnd.apple.mpegurl') !== '');
  if (native) {
    // Chromium 141+ plays HLS itself, like Safari.
    const state = await waitForPlayback(page);
    assert.equal(state.player, 'native');
  } else {
    await page.waitForSelector('.player-message');
    assert.equal(await page.getAttribute('video#player', 'data-player'), 'unsupported');
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('player.js fetches hls.js itself when the page does not include it, and only for a video', async () => {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  const fetched = [];
  page.on('request', (req) => {
    if (/\/hls\.min(\.[0-9a-f]{12})?\.js$/.test(req.url())) fetched.push(new URL(req.url()).pathname);
  });
  await page.goto(`${REAL}/upload`);
  assert.deepEqual(fetched, [], 'a page without video does not load hls.js');
  await page.goto(`${server.url}/w/published?lazy`);
  const state = await waitForPlayback(page);
  assert.equal(state.player, 'hls.js');
  assert.deepEqual(fetched, ['/static-assets/vendor/hls.js/hls.min.js']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('player.js says so when the playlist cannot be loaded', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/w/missing`);
  await page.waitForSelector('.player-message');
  assert.match(await page.textContent('.player-message'), /could not be loaded \(manifestLoadError\)/);
  assert.equal(await page.getAttribute('video#player', 'data-player'), 'failed');
  await page.close();
});

test('player.js explains when the browser cannot play HLS at all', async () => {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    delete window.MediaSource;
    delete window.ManagedMediaSource;
    HTMLMediaElement.prototype.canPlayType = () => '';
  });
  await page.goto(`${server.url}/w/published`);
  await page.waitForSelector('.player-message');
  assert.match(await page.textContent('.player-message'), /cannot play streaming video/);
  assert.equal(await page.getAttribute('video#player', 'data-player'), 'unsupported');
  await page.close();
});

test('cabane.css: responsive 16:9 card grid, 16:9 player, dark scheme', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => [...document.images].every((img) => img.complete));
  const layout = () =>
    page.$$eval('.video-card', (cards) =>
      cards.map((c) => {
        const r = c.querySelector('img.thumb').getBoundingClientRect();
        return { top: Math.round(c.getBoundingClientRect().top), ratio: r.width / r.height };
      }),
    );

  const wide = await layout();
  const firstRow = wide.filter((c) => c.top === wide[0].top).length;
  assert.ok(firstRow >= 3, `at 1280 px the first row has ${firstRow} cards`);
  for (const c of wide) assert.ok(Math.abs(c.ratio - 16 / 9) < 0.02, `thumbnail ratio ${c.ratio}`);
  await screenshot(page, 'assets-home-light');

  await page.setViewportSize({ width: 375, height: 800 });
  const narrow = await layout();
  assert.equal(new Set(narrow.map((c) => c.top)).size, narrow.length, 'one card per row on a phone');
  await screenshot(page, 'assets-home-phone');

  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(dark, light, 'the dark scheme changes the page background');
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'assets-home-dark');

  await page.goto(`${server.url}/w/published`);
  const box = await page.$eval('.player-wrap', (w) => w.getBoundingClientRect().toJSON());
  assert.ok(Math.abs(box.width / box.height - 16 / 9) < 0.02, `player box ${box.width}x${box.height}`);
  await page.close();
});
