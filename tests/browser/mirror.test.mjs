// mirror.test.mjs: a player on Cabane A's watch page fetches segments from
// Cabane B, which mirrors the video (PeerTube's redundancy, #12), checks
// each against A's segments-sha256.json, and plays on; refuses B's bytes
// once B's copy went bad, and plays on from A; once B undid its
// copy, a fresh page takes everything from A. Each with P2P on
// (p2p-media-loader asks sources.js for the source of each download) and
// off (the viewer's switch: hls.js's loader from sources.js).
//
// Env (mirror_test.go's TestMirrorPlayback sets these):
//   CABANE_URL           A, the video's origin
//   CABANE_MIRROR        B, the mirror
//   CABANE_VIDEO         the video's UUID
//   CABANE_MIRROR_PHASE  "mirrored": A lists B's copy; "corrupt": B's copy of the
//                        video rendition has bytes flipped; "undone": B sent Undo

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchForP2P, viewer } from './p2p.mjs';

const A = (process.env.CABANE_URL || '').replace(/\/$/, '');
const B = (process.env.CABANE_MIRROR || '').replace(/\/$/, '');
const VIDEO = process.env.CABANE_VIDEO;
const PHASE = process.env.CABANE_MIRROR_PHASE;
const SECONDS = 8;

// A segment (or init file) of an HLS rendition, on the box or a mirror.
const isMedia = (p) => /\/(streaming-playlists|redundancy)\/hls\/[^/]+\/.*\.(m4s|ts|mp4)$/.test(p);

let browser;

before(async () => {
  assert.ok(A && B && VIDEO && PHASE, 'CABANE_URL, CABANE_MIRROR, CABANE_VIDEO and CABANE_MIRROR_PHASE must be set');
  browser = await launchForP2P();
});

after(async () => {
  if (browser) await browser.close();
});

/** Opens A's watch page and counts the media bytes each host served it. */
async function watch({ p2pOff = false } = {}) {
  const v = await viewer(browser, A, VIDEO, { rate: 2, p2pOff });
  const hosts = new Map(); // origin -> { bytes, responses, failed, aborted, list }
  const empty = () => ({ bytes: 0, responses: 0, failed: 0, aborted: 0, list: [] });
  const count = (origin) => {
    if (!hosts.has(origin)) hosts.set(origin, empty());
    return hosts.get(origin);
  };
  const pending = [];
  v.page.on('response', (res) => {
    const u = new URL(res.url());
    if (!isMedia(u.pathname)) return;
    const c = count(u.origin);
    c.responses += 1;
    if (res.status() >= 400) c.failed += 1;
    const item = { file: u.pathname.split('/').pop(), range: res.request().headers().range || '', status: res.status(), bytes: 0 };
    c.list.push(item);
    pending.push(res.body().then((b) => { item.bytes = b.length; }, () => { item.bytes = Number(res.headers()['content-length'] || 0); }));
  });
  // A request the loader gave up on (playback moved on) is no failure of
  // the server's.
  v.page.on('requestfailed', (req) => {
    const u = new URL(req.url());
    if (isMedia(u.pathname)) count(u.origin).aborted += 1;
  });
  v.hosts = hosts;
  // The counts once every response seen so far has its body.
  v.from = async (origin) => {
    await Promise.all(pending);
    const c = hosts.get(origin) || empty();
    return { ...c, bytes: c.list.reduce((n, x) => n + x.bytes, 0) };
  };
  // Waits until the player stopped loading (the whole clip fits in its
  // windows): then the player's counts and the network's can be compared.
  v.settled = async () => {
    let last = '';
    for (let i = 0; i < 60; i++) {
      const s = await v.httpStats();
      await Promise.all(pending);
      const now = JSON.stringify([s && s.httpBytes, s && s.mirrorVerified, s && s.mirrorsFailed.length, pending.length]);
      if (now === last) return s;
      last = now;
      await new Promise((r) => setTimeout(r, 750));
    }
    return v.httpStats();
  };
  return v;
}

test('A lists B\'s copy, and the player takes verified segments from it', { skip: PHASE !== 'mirrored' }, async () => {
  const v = await watch();
  const listed = JSON.parse((await v.page.getAttribute('video#player', 'data-mirrors')) || '[]');
  assert.deepEqual(listed, [`${B}/static/redundancy/hls/${VIDEO}`], 'data-mirrors names B\'s copy');
  assert.equal((await v.videoState()).p2p, 'on', 'the loader (which knows mirrors) is in use');
  await v.play(SECONDS);
  // Segments keep arriving after currentTime passed.
  const s = await v.settled();
  const a = await v.from(A);
  const b = await v.from(B);
  console.log(`mirrored: A served ${a.bytes} B in ${a.responses} media responses, B ${b.bytes} B in ${b.responses}; ` +
    `player: ${s.httpBytes} B over HTTP, ${s.mirrorBytes} B from the mirror in ${s.mirrorVerified} verified segments, ` +
    `failed mirrors ${JSON.stringify(s.mirrorsFailed)}, ${s.p2pBytes} B from peers`);
  assert.ok(b.bytes > 0, 'some segment bytes came from B');
  assert.ok(a.bytes > 0, 'and some from A (round robin)');
  assert.equal(b.failed, 0, `every request to B answered: ${JSON.stringify(b.list)}`);
  assert.deepEqual(s.mirrorsFailed, [], 'no mirror segment failed its check');
  assert.ok(s.mirrorVerified > 0 && s.mirrorVerified === b.responses, `every segment from B was checked: ${s.mirrorVerified} of ${JSON.stringify(b.list)}`);
  assert.ok(s.mirrorSegments.every((x) => x.mirror === `${B}/static/redundancy/hls/${VIDEO}`));
  // hls.js's loader had the first segments, p2p-media-loader the others.
  assert.ok(s.segments.some((x) => x.source === 'http'), `p2p-media-loader loaded segments too: ${JSON.stringify(s.segments)}`);
  assert.equal(s.mirrorBytes, b.bytes, `the player checked what B sent: ${JSON.stringify(s.mirrorSegments)} of ${JSON.stringify(b.list)}`);
  const state = await v.videoState();
  assert.equal(state.error, null);
  assert.ok(state.currentTime > SECONDS);
  assert.deepEqual(v.errors, []);
  await v.close();
});

test('a mirror that sends a wrong segment is refused, and playback goes on from A', { skip: PHASE !== 'corrupt' }, async () => {
  const v = await watch();
  const base = `${B}/static/redundancy/hls/${VIDEO}`;
  // MIRROR_DEBUG=1: the loader's own log (p2pml-core) on stdout.
  if (process.env.MIRROR_DEBUG) {
    v.page.on('console', (m) => console.log(`console ${m.type()}: ${m.text()}`.slice(0, 400)));
    await v.page.evaluate(() => localStorage.setItem('debug', 'p2pml-core:*'));
    await v.page.reload();
  }
  await v.play(SECONDS);
  const s = await v.settled();
  const b = await v.from(B);
  console.log(`corrupt: B sent ${b.responses} media responses; player: ${s.mirrorVerified} verified from the mirror, failed ${JSON.stringify(s.mirrorsFailed)}`);
  assert.ok(s.mirrorsFailed.length > 0 && s.mirrorsFailed.every((m) => m === base), 'B\'s wrong segment was refused');
  assert.ok(s.mirrorSegments.every((x) => !x.url.includes('-240-')), 'nothing of B\'s bad rendition was played');
  const state = await v.videoState();
  assert.equal(state.error, null);
  assert.ok(state.currentTime > SECONDS);
  await v.close();
});

test('with P2P off, hls.js\'s own loader takes verified segments from B too', { skip: PHASE !== 'mirrored' }, async () => {
  const v = await watch({ p2pOff: true });
  await v.play(SECONDS);
  const s = await v.settled();
  const a = await v.from(A);
  const b = await v.from(B);
  console.log(`mirrored, P2P off: A served ${a.bytes} B in ${a.responses} media responses, B ${b.bytes} B in ${b.responses}; ` +
    `player: ${s.httpBytes} B over HTTP, ${s.mirrorBytes} B from the mirror in ${s.mirrorVerified} verified segments`);
  const state = await v.videoState();
  assert.equal(state.active, '', 'p2p-media-loader is not in use');
  assert.deepEqual(v.served.sockets, [], 'no tracker socket');
  assert.ok(b.bytes > 0 && a.bytes > 0, 'segments from B and from A');
  assert.equal(b.failed, 0, `every request to B answered: ${JSON.stringify(b.list)}`);
  assert.deepEqual(s.mirrorsFailed, []);
  assert.ok(s.mirrorVerified > 0 && s.mirrorVerified === b.responses, `every segment from B was checked: ${s.mirrorVerified} of ${JSON.stringify(b.list)}`);
  assert.equal(s.mirrorBytes, b.bytes);
  assert.equal(state.error, null);
  assert.ok(state.currentTime > SECONDS);
  assert.deepEqual(v.errors, []);
  await v.close();
});

test('with P2P off, a mirror that sends a wrong segment is dropped, and playback goes on from A', { skip: PHASE !== 'corrupt' }, async () => {
  const v = await watch({ p2pOff: true });
  const base = `${B}/static/redundancy/hls/${VIDEO}`;
  await v.play(SECONDS);
  const s = await v.settled();
  const b = await v.from(B);
  console.log(`corrupt, P2P off: B sent ${b.responses} media responses; player: ${s.mirrorVerified} verified from the mirror, failed ${JSON.stringify(s.mirrorsFailed)}`);
  assert.equal((await v.videoState()).active, '');
  assert.ok(s.mirrorsFailed.length > 0 && s.mirrorsFailed.every((m) => m === base), 'B\'s wrong segment was refused');
  assert.ok(s.mirrorSegments.every((x) => !x.url.includes('-240-')), 'nothing of B\'s bad rendition was played');
  // Once dropped, B is asked nothing more.
  const afterDrop = b.list.filter((x) => x.file.includes('-240-'));
  assert.equal(afterDrop.length, 1, `B was asked for one segment of its bad rendition: ${JSON.stringify(b.list)}`);
  const state = await v.videoState();
  assert.equal(state.error, null);
  assert.ok(state.currentTime > SECONDS);
  await v.close();
});

test('after B\'s Undo, A lists no mirror and a fresh page plays from A only', { skip: PHASE !== 'undone' }, async () => {
  const v = await watch();
  const listed = JSON.parse((await v.page.getAttribute('video#player', 'data-mirrors')) || '[]');
  assert.deepEqual(listed, [], 'data-mirrors is empty');
  const api = await (await v.page.request.get(`${A}/api/v1/videos/${VIDEO}`)).json();
  assert.deepEqual(api.streamingPlaylists[0].redundancies, []);
  await v.play(SECONDS);
  const s = await v.settled();
  const a = await v.from(A);
  console.log(`undone: A served ${a.bytes} B in ${a.responses} media responses; hosts ${JSON.stringify([...v.hosts.keys()])}; player: ${s && s.httpBytes} B over HTTP`);
  assert.ok(a.bytes > 0);
  assert.deepEqual([...v.hosts.keys()], [A], 'every media byte from A');
  assert.equal(s.mirrorVerified, 0);
  assert.equal(s.mirrorBytes, 0);
  const state = await v.videoState();
  assert.equal(state.error, null);
  assert.ok(state.currentTime > SECONDS);
  assert.deepEqual(v.errors, []);
  await v.close();
});
