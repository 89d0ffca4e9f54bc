// bandwidth.test.mjs: player.js starts hls.js at the rendition the page
// allows (data-max-bitrate, which app/web writes for a viewer outside the
// home network from the box's upload capacity and its remote viewers; its
// values are tested in app/web bandwidth_test.go). The stand-in server
// (fixtures/server.mjs) renders the watch page's markup with the cap given
// in its query, over the two-rung fixture ladder (360p at 900 kb/s, 180p at
// 330 kb/s). hls.js is wrapped as it loads to record the level of the first
// media fragment it loads.
// Run through `go test -run TestBandwidthStartLevel ./tests/browser/`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launch, watchPage } from './browser.mjs';
import { makeHLS } from './media.mjs';
import { waitForPlayback } from './checks.mjs';
import { startFixtureServer } from './fixtures/server.mjs';

// recordFirstFragment wraps window.Hls when hls.min.js assigns it, so that
// every player records the level of its first main fragment.
function recordFirstFragment() {
  let H;
  Object.defineProperty(window, 'Hls', {
    configurable: true,
    get() { return H; },
    set(v) {
      H = v;
      if (!v || !v.prototype || v.prototype.cabaneRecorded) return;
      const attach = v.prototype.attachMedia;
      v.prototype.attachMedia = function (media) {
        this.on(v.Events.FRAG_LOADED, (_e, d) => {
          if (d.frag.type !== 'main' || d.frag.sn === 'initSegment' || window.firstFragment) return;
          const level = this.levels[d.frag.level];
          window.firstFragment = {
            level: d.frag.level, height: level.height, bitrate: level.bitrate,
            currentLevel: this.currentLevel, levels: this.levels.length,
          };
        });
        return attach.call(this, media);
      };
      v.prototype.cabaneRecorded = true;
    },
  });
}

let dir;
let server;
let browser;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cabane-bandwidth-'));
  await makeHLS(path.join(dir, 'hls'));
  server = await startFixtureServer(path.join(dir, 'hls'));
  browser = await launch();
  await browser.context.addInitScript(recordFirstFragment);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// play opens the watch page with query and returns the first fragment's
// level, what played, and which rendition files were fetched.
async function play(query) {
  const page = await browser.context.newPage();
  const errors = watchPage(page);
  const files = [];
  page.on('request', (r) => {
    const m = /fixture-(\d+)-fragmented\.mp4$/.exec(new URL(r.url()).pathname);
    if (m && m[1] !== '0') files.push(m[1]);
  });
  await page.goto(`${server.url}/w/published${query}`);
  const state = await waitForPlayback(page);
  const first = await page.evaluate(() => window.firstFragment);
  const startLevel = await page.getAttribute('video#player', 'data-start-level');
  await page.close();
  assert.deepEqual(errors, []);
  return { state, first, files, startLevel };
}

test('no cap: hls.js starts on the first rendition listed (360p)', async () => {
  const { first, files, startLevel } = await play('');
  assert.equal(first.height, 360);
  assert.equal(files[0], '360');
  assert.equal(startLevel, null);
});

test('a cap between the rungs: the first fragment is 180p, and the first picture too', async () => {
  const { state, first, files, startLevel } = await play('?max=500000');
  console.log(`cap 500 kb/s: first fragment level ${first.level} (${first.height}p, ${first.bitrate} b/s), currentLevel ${first.currentLevel}`);
  assert.equal(first.height, 180);
  assert.ok(first.bitrate <= 500000);
  assert.equal(files[0], '180', `rendition files fetched: ${files}`);
  assert.equal(startLevel, String(first.level));
  assert.equal(first.levels, 2, 'not saturated: adaptation may climb');
  assert.ok(state.videoWidth === 320 || files.includes('360'), `played ${state.videoWidth} px wide`);
});

test('a cap below every rung: the lowest one, not nothing', async () => {
  const { first } = await play('?max=100000');
  assert.equal(first.height, 180);
});

test('a saturated box also caps adaptation: the levels above the cap are gone', async () => {
  const { first, files } = await play('?max=500000&saturated');
  assert.equal(first.height, 180);
  assert.equal(first.levels, 1);
  assert.ok(!files.includes('360'), `a 360p fragment was fetched while capped: ${files}`);
});
