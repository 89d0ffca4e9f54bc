// p2p.test.mjs: peer-to-peer playback in headless Chromium against a real
// Cabane in test mode (CABANE_P2P_TEST_HOOKS=1): viewers of one public
// video share its segments over WebRTC through the box's tracker, every
// segment from a peer checked; a lying peer is dropped and its victim
// still plays; a viewer with P2P off gets everything over HTTP, and once
// they turn it on mid-play, verified segments from peers without a reload;
// the embed's own switch flips the same stored choice; a private video is
// never shared.
//
// Env (browser_test.go's TestPeerToPeer sets these):
//   CABANE_URL            the server
//   CABANE_VIDEO          a public video (a minute, one rendition)
//   CABANE_VIDEO_LIAR     a second public video, for the lying peer
//   CABANE_VIDEO_PRIVATE  a private video of CABANE_USER
//   CABANE_PRIVATE_HASHES the hex info hashes its player would announce (app/p2p)
//   CABANE_USER, CABANE_PASS  its owner

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, launchForP2P, viewer } from './p2p.mjs';
import { playPast, submit } from './flow.mjs';
import { screenshot, watchPage } from './browser.mjs';
import { assertAccessible } from './audit.mjs';

const BASE = (process.env.CABANE_URL || '').replace(/\/$/, '');
const VIDEO = process.env.CABANE_VIDEO;
const LIAR_VIDEO = process.env.CABANE_VIDEO_LIAR;
const PRIVATE = process.env.CABANE_VIDEO_PRIVATE;

let browser;
let seed; // the first viewer of VIDEO, kept open: the swarm's seed

before(async () => {
  assert.ok(BASE && VIDEO && LIAR_VIDEO && PRIVATE, 'CABANE_URL and the videos must be set');
  browser = await launchForP2P();
});

after(async () => {
  if (browser) await browser.close();
});

const sum = (xs, f) => xs.reduce((n, x) => n + f(x), 0);

// When the page fetched p2p-media-loader's modules: ms after the test
// asked it to play, one entry per module.
const loaderFetches = (page) => page.evaluate(() => {
  const playAt = Number(document.querySelector('video#player').dataset.playAt);
  return performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/p2p-media-loader/'))
    .map((e) => Math.round(e.startTime - playAt));
});

test('later viewers get most segment bytes from peers, each one verified', async () => {
  seed = await viewer(browser, BASE, VIDEO, { rate: 4 });
  assert.equal((await seed.videoState()).p2p, 'on');
  await seed.play(1);
  // The seed loads the whole video (played at four times the speed).
  const duration = await seed.page.evaluate(() => document.querySelector('video#player').duration);
  await seed.page.waitForFunction(() => document.querySelector('video#player').ended, null, { timeout: 90_000, polling: 250 });
  const seedStats = await seed.stats();
  assert.ok(seedStats && seedStats.on, 'the seed plays peer to peer');
  assert.equal((await seed.videoState()).active, '1');
  // The first frame waited on nothing of P2P: the loader's modules were
  // asked for once playback started, not with the page.
  const fetched = await loaderFetches(seed.page);
  assert.equal(fetched.length, 2, `p2p-media-loader's two modules: ${fetched}`);
  assert.ok(fetched.every((ms) => ms > 0), `fetched after play(): ${fetched}`);
  assert.ok(seed.served.sockets.some((u) => u.endsWith('/tracker/socket')), `the seed announced to the box's tracker: ${seed.served.sockets}`);

  // Two more arrive a few seconds apart.
  const later = [];
  for (let i = 0; i < 2; i++) {
    const v = await viewer(browser, BASE, VIDEO);
    v.playing = v.play(Math.min(6, duration - 1));
    later.push(v);
    await new Promise((r) => setTimeout(r, 3000));
  }
  await Promise.all(later.map((v) => v.playing));
  for (const [i, v] of later.entries()) {
    // Everything it loaded: the whole video, in a few seconds from peers.
    const st = await eventually(async () => {
      const s = await v.stats();
      return s && s.httpBytes + s.p2pBytes >= 0.95 * (seedStats.httpBytes + seedStats.p2pBytes) ? s : null;
    }, 60_000);
    const s = st || (await v.stats());
    console.log(`viewer ${i + 2}: ${s.p2pBytes} B from peers, ${s.httpBytes} B over HTTP (${v.served.segmentBytes} B of segments served by the box), ${s.verified} verified, ${s.rejected} rejected, peers ${s.peers.length}`);
    assert.ok(s.p2pBytes > s.httpBytes, `viewer ${i + 2}: ${s.p2pBytes} B from peers is not a majority (HTTP ${s.httpBytes} B)`);
    const fromPeers = s.segments.filter((x) => x.source === 'p2p').length;
    assert.ok(s.verified >= fromPeers && fromPeers > 0, `viewer ${i + 2}: ${fromPeers} segments from peers, ${s.verified} verified`);
    assert.equal(s.rejected, 0);
    // The loader came in while hls.js held one segment and part of the
    // next (4 s segments), so that it asked the loader for the next one
    // at once: with three, it asked for nothing for four seconds, and
    // the loader met no peer meanwhile.
    assert.ok(s.aheadAtLoader !== null && s.aheadAtLoader < 8, `viewer ${i + 2}: ${s.aheadAtLoader} s buffered when the loader came in`);
    // The page says so.
    const line = await v.page.textContent('#p2p-stats');
    assert.match(line, /^From peers: [\d.,]+ MB \(\d+ %\)$/);
    assert.deepEqual(v.errors, []);
    await v.close();
  }
});

test('with P2P turned off, every byte comes over HTTP; turned on mid-play, bytes come from peers', async () => {
  // Played at twice the speed: once on, the loader takes over from the
  // next segment hls.js asks for, after what is already buffered.
  const v = await viewer(browser, BASE, VIDEO, { p2pOff: true, rate: 2 });
  await v.play(4);
  const st = await v.stats();
  assert.equal(st && st.on, false, 'the switch is remembered');
  assert.equal(await v.page.isChecked('.p2p-switch'), false);
  assert.equal((await v.videoState()).active, '');
  assert.deepEqual(v.served.sockets, [], 'no tracker socket');
  assert.ok(v.served.segmentBytes > 0);
  assert.equal(st.p2pBytes, 0);
  assert.deepEqual(await loaderFetches(v.page), [], 'a viewer with P2P off never fetches the loader');

  // On again, without a reload: the seed (still open) shares with it.
  await v.page.check('.p2p-switch');
  assert.equal(await v.page.evaluate(() => localStorage.getItem('cabane.p2p')), null, 'the choice is stored');
  const s = await eventually(async () => {
    const x = await v.stats();
    return x && x.p2pBytes > 0 ? x : null;
  }, 40_000) || await v.stats();
  const fromPeers = s.segments.filter((x) => x.source === 'p2p').length;
  console.log(`turned on mid-play: ${s.p2pBytes} B from peers (${fromPeers} segments, ${s.verified} verified), ${s.httpBytes} B over HTTP`);
  assert.ok(s.on);
  assert.ok(s.p2pBytes > 0 && fromPeers > 0, 'bytes came from peers once turned on');
  assert.ok(s.verified >= fromPeers, `${fromPeers} segments from peers, ${s.verified} verified`);
  assert.equal(s.rejected, 0);
  const state = await v.videoState();
  assert.equal(state.active, '1');
  assert.equal((await loaderFetches(v.page)).length, 2, 'the loader was fetched once turned on');
  assert.equal(state.error, null);
  assert.ok(v.served.sockets.some((u) => u.endsWith('/tracker/socket')), 'announced to the tracker once turned on');
  assert.equal(await v.page.evaluate(() => performance.getEntriesByType('navigation').length), 1, 'no reload');
  assert.deepEqual(v.errors, []);
  await v.close();
});

test("the embed has its own switch, on the same stored choice", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page);
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${BASE}/videos/embed/${VIDEO}`);
  const box = page.getByRole('checkbox', { name: /Share with viewers/ });
  assert.equal(await box.isChecked(), true, 'on by default');
  await page.setViewportSize({ width: 560, height: 315 }); // a common embed size
  await screenshot(page, 'p2p-embed-switch');
  await assertAccessible(page, 'the embed with its switch');
  await box.uncheck();
  assert.equal(await page.evaluate(() => localStorage.getItem('cabane.p2p')), 'off');
  // Off, the embed plays over HTTP alone.
  await page.click('.embed-play');
  await playPast(page, 1);
  assert.equal(await page.evaluate(() => window.cabaneP2P && window.cabaneP2P.on), false);
  assert.deepEqual(sockets, [], 'no tracker socket');
  await box.check();
  assert.equal(await page.evaluate(() => localStorage.getItem('cabane.p2p')), null);
  assert.equal(await page.evaluate(() => window.cabaneP2P.on), true);
  // The watch page reads the same choice.
  await box.uncheck();
  await page.goto(`${BASE}/w/${VIDEO}`);
  assert.equal(await page.isChecked('.p2p-switch'), false);
  await assertAccessible(page, 'the watch page with its switch');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a peer that sends corrupted segments is dropped, and its victim plays on', async () => {
  const liar = await viewer(browser, BASE, LIAR_VIDEO, { query: '?p2pCorrupt=1', rate: 4 });
  await liar.play(1);
  await liar.page.waitForFunction(() => document.querySelector('video#player').ended, null, { timeout: 90_000, polling: 250 });
  const victim = await viewer(browser, BASE, LIAR_VIDEO);
  await victim.play(8);
  const s = await eventually(async () => {
    const x = await victim.stats();
    return x && x.rejected > 0 && x.liars.length > 0 && x.dropped.length > 0 ? x : null;
  }, 30_000) || await victim.stats();
  console.log(`victim: ${s.rejected} rejected, liars ${s.liars}, dropped ${s.dropped}, ${s.p2pBytes} B from peers`);
  assert.ok(s.rejected > 0, 'a corrupted segment was refused');
  assert.ok(s.liars.every((p) => s.dropped.includes(p)), 'the lying peer was dropped');
  assert.equal(s.p2pBytes, 0, 'nothing of the liar was played');
  const state = await victim.videoState();
  assert.equal(state.error, null);
  assert.ok(state.currentTime > 8);
  await victim.close();
  await liar.close();
});

test('a private video is not shared: P2P off on its page, its swarm refused by the tracker', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill('input[name=username]', process.env.CABANE_USER);
  await page.fill('input[name=password]', process.env.CABANE_PASS);
  await submit(page, '#login-form', (u) => !u.pathname.startsWith('/login'));
  await page.goto(`${BASE}/w/${PRIVATE}`);
  assert.equal(await page.getAttribute('video#player', 'data-p2p'), 'off');
  const api = await (await page.request.get(`${BASE}/api/v1/videos/${PRIVATE}`)).json();
  const pl = api.streamingPlaylists[0];
  assert.deepEqual(pl.p2pMediaLoaderInfohashes, []);
  const pub = await (await page.request.get(`${BASE}/api/v1/videos/${VIDEO}`)).json();
  const raw = (hex) => Buffer.from(hex, 'hex').toString('latin1');
  const privHash = raw(process.env.CABANE_PRIVATE_HASHES.split(',')[0]);
  const pubHash = raw(pub.streamingPlaylists[0].p2pMediaLoaderInfohashes[0]);
  // Announce both from the page, as the owner: the tracker counts a page of
  // its own site as the signed-in viewer, and the private video stays refused.
  const replies = await page.evaluate(async (hashes) => {
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/tracker/socket`);
    await new Promise((ok, ko) => { ws.onopen = ok; ws.onerror = ko; });
    const got = [];
    ws.onmessage = (e) => got.push(JSON.parse(e.data));
    const id = 'ABCDEFGHIJKLMNOPQRST';
    for (const h of hashes) ws.send(JSON.stringify({ action: 'announce', info_hash: h, peer_id: id, event: 'started', numwant: 0, offers: [] }));
    for (let i = 0; i < 100 && got.length < hashes.length; i++) await new Promise((r) => setTimeout(r, 50));
    ws.close();
    return got;
  }, [privHash, pubHash]);
  const [priv, open] = [privHash, pubHash].map((h) => replies.find((r) => r.info_hash === h));
  assert.ok(priv && priv['failure reason'], `the private video's swarm: ${JSON.stringify(priv)}`);
  assert.ok(open && !open['failure reason'], `the public video's swarm: ${JSON.stringify(open)}`);
  await context.close();
});

test('closing the seed', async () => {
  if (seed) await seed.close();
});
