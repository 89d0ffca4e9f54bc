// interop.test.mjs: a PeerTube player of a Cabane video, on another site's
// page, shares segments with Cabane's own viewers (#12, "works with
// PeerTube's players and servers").
//
// The foreign page is served here, from another loopback origin. It plays
// the video the way PeerTube 7.1's player does (client hls-options-builder):
// the vendored p2p-media-loader 2 on hls.js, swarmId = the HLS playlist URL
// of the Video object, announceTrackers = its WebSocket tracker link(s),
// every segment (from a peer or over HTTP) checked against the Video's
// sha256 link, HTTP requests made by httpRequestSetup. It takes all of that
// from Cabane's ActivityPub Video, as a PeerTube server that federates it
// would.
//
// Env (interop_test.go sets these):
//   CABANE_URL    the server (its public URL)
//   CABANE_VIDEO  a public video of 40 s

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, launchForP2P, viewer } from './p2p.mjs';

const BASE = (process.env.CABANE_URL || '').replace(/\/$/, '');
const VIDEO = process.env.CABANE_VIDEO;
const VENDOR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'static', 'vendor');

// The foreign page: hls.js and the loader from its own origin, as PeerTube
// serves its player's bundle; window.startPeerTubeLike(cfg) plays.
const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PeerTube-like player</title>
<script type="importmap">{"imports":{"p2p-media-loader-core":"/vendor/p2p-media-loader-core.js"}}</script>
<script src="/vendor/hls.min.js"></script></head>
<body><video id="player" muted playsinline></video>
<script type="module">
import { HlsJsP2PEngine } from '/vendor/p2p-media-loader-hlsjs.js';

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

// PeerTube's SegmentValidator: segments-sha256.json, per file name, per
// "start-end" byte range, the hex SHA-256.
function validator(sha256Url, stats, source) {
  let hashes = null;
  return async (url, byteRange, data) => {
    if (!hashes) hashes = fetch(sha256Url).then((r) => r.json());
    const file = decodeURIComponent(new URL(url).pathname.split('/').pop());
    const ranges = (await hashes)[file] || {};
    const want = byteRange ? ranges[byteRange.start + '-' + byteRange.end] : '';
    const ok = Boolean(want) && hex(await crypto.subtle.digest('SHA-256', data)) === want;
    stats[source + (ok ? 'Verified' : 'Rejected')] += 1;
    return ok;
  };
}

window.startPeerTubeLike = ({ playlistUrl, trackers, sha256Url }) => {
  const stats = { p2pBytes: 0, httpBytes: 0, p2pSegments: 0, p2pVerified: 0, p2pRejected: 0, httpVerified: 0, httpRejected: 0, peers: 0 };
  window.ptStats = stats;
  const core = {
    announceTrackers: trackers.filter((t) => t.startsWith('ws')),
    rtcConfig: { iceServers: [] }, // loopback: host candidates
    swarmId: playlistUrl,
    highDemandTimeWindow: 15, // PeerTube's for a video on demand
    segmentMemoryStorageLimit: 1024,
    validateP2PSegment: validator(sha256Url, stats, 'p2p'),
    validateHTTPSegment: validator(sha256Url, stats, 'http'),
    httpRequestSetup: (segmentUrl, segmentByteRange, signal, requestByteRange) => {
      const headers = new Headers();
      if (requestByteRange) headers.set('Range', 'bytes=' + requestByteRange.start + '-' + (requestByteRange.end ?? ''));
      return Promise.resolve(new Request(segmentUrl, { headers, signal }));
    },
  };
  const Hls = HlsJsP2PEngine.injectMixin(window.Hls);
  const hls = new Hls({ enableWorker: false, p2p: { core, onHlsJsCreated(h) {
    h.p2pEngine.addEventListener('onSegmentLoaded', (d) => {
      if (d.downloadSource === 'p2p') { stats.p2pBytes += d.bytesLength; stats.p2pSegments += 1; } else stats.httpBytes += d.bytesLength;
    });
    h.p2pEngine.addEventListener('onPeerConnect', () => { stats.peers += 1; });
  } } });
  const video = document.getElementById('player');
  hls.attachMedia(video);
  hls.loadSource(playlistUrl);
  video.play().catch(() => {});
};
</script></body></html>`;

let browser;
let foreign; // the foreign site's server
let foreignOrigin;

before(async () => {
  assert.ok(BASE && VIDEO, 'CABANE_URL and CABANE_VIDEO must be set');
  const files = {
    '/vendor/hls.min.js': path.join(VENDOR, 'hls.js', 'hls.min.js'),
    '/vendor/p2p-media-loader-core.js': path.join(VENDOR, 'p2p-media-loader', 'p2p-media-loader-core.js'),
    '/vendor/p2p-media-loader-hlsjs.js': path.join(VENDOR, 'p2p-media-loader', 'p2p-media-loader-hlsjs.js'),
  };
  foreign = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return;
    }
    const file = files[req.url];
    if (req.url === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((ok) => foreign.listen(0, '127.0.0.1', ok));
  foreignOrigin = `http://127.0.0.1:${foreign.address().port}`;
  browser = await launchForP2P();
});

after(async () => {
  if (browser) await browser.close();
  if (foreign) foreign.close();
});

// Every announce a page sends to a tracker, as hex info hashes by tracker URL.
function announces(page) {
  const seen = new Map();
  page.on('websocket', (ws) => {
    const hashes = new Set();
    seen.set(ws.url(), hashes);
    ws.on('framesent', (f) => {
      try {
        const m = JSON.parse(f.payload);
        if (m.action === 'announce' && m.info_hash) hashes.add(Buffer.from(m.info_hash, 'latin1').toString('hex'));
      } catch (e) { /* not JSON */ }
    });
  });
  return seen;
}

const sorted = (xs) => [...xs].sort();

test("a PeerTube-like player on another site joins Cabane's swarm and plays verified segments from a Cabane viewer", async () => {
  // What a PeerTube server that federates the video knows of it.
  const res = await fetch(`${BASE}/videos/watch/${VIDEO}`, { headers: { Accept: 'application/activity+json' } });
  assert.equal(res.status, 200);
  const ap = await res.json();
  const hlsEntry = ap.url.find((u) => u.mediaType === 'application/x-mpegURL');
  const infohashes = hlsEntry.tag.filter((t) => t.type === 'Infohash').map((t) => t.name);
  const sha256 = hlsEntry.tag.find((t) => t.type === 'Link' && t.name === 'sha256' && t.mediaType === 'application/json');
  const trackers = ap.url.filter((u) => Array.isArray(u.rel) && u.rel.includes('tracker')).map((u) => u.href);
  assert.ok(infohashes.length >= 1 && sha256, `the Video lists its swarm: ${JSON.stringify(hlsEntry.tag.slice(0, 4))}`);
  assert.deepEqual(trackers, [`${BASE.replace(/^http/, 'ws')}/tracker/socket`]);
  // ... as the API lists it.
  const api = await (await fetch(`${BASE}/api/v1/videos/${VIDEO}`)).json();
  const pl = api.streamingPlaylists[0];
  assert.deepEqual(pl.p2pMediaLoaderInfohashes, infohashes, 'the API and the Video list the same info hashes');
  assert.equal(pl.playlistUrl, hlsEntry.href);
  assert.equal(pl.segmentsSha256Url, sha256.href);
  assert.deepEqual(api.trackerUrls, trackers);

  // A viewer of Cabane's watch page plays it all first (at four times the speed).
  const seed = await viewer(browser, BASE, VIDEO, { rate: 4 });
  const seedAnnounces = announces(seed.page);
  await seed.play(1);
  await seed.page.waitForFunction(() => document.querySelector('video#player').ended, null, { timeout: 90_000, polling: 250 });
  const seedStats = await seed.stats();
  assert.ok(seedStats && seedStats.on, 'the Cabane viewer plays peer to peer');

  // The foreign player, on its own site.
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const foreignAnnounces = announces(page);
  await page.goto(`${foreignOrigin}/`);
  assert.notEqual(new URL(page.url()).origin, new URL(BASE).origin);
  await page.evaluate((cfg) => window.startPeerTubeLike(cfg), { playlistUrl: hlsEntry.href, trackers, sha256Url: sha256.href });
  const total = seedStats.httpBytes + seedStats.p2pBytes;
  const st = await eventually(async () => {
    const s = await page.evaluate(() => window.ptStats);
    return s && s.p2pBytes > 0 && s.httpBytes + s.p2pBytes >= 0.9 * total ? s : null;
  }, 60_000) || await page.evaluate(() => window.ptStats);
  console.log(`foreign player: ${st.p2pBytes} B from peers (${st.p2pSegments} segments, ${st.p2pVerified} verified), ${st.httpBytes} B over HTTP (${st.httpVerified} verified), peers ${st.peers}`);
  assert.ok(st.p2pBytes > 0, 'the foreign player got segments from the Cabane viewer');
  assert.ok(st.p2pVerified >= st.p2pSegments, 'each one verified against the Video\'s sha256 link');
  assert.equal(st.p2pRejected, 0);
  assert.equal(st.httpRejected, 0, "Cabane's own segments match its segments-sha256.json");
  const played = await page.evaluate(() => document.getElementById('player').currentTime);
  assert.ok(played > 0, 'it plays');

  // Both announced the Video's info hashes, to Cabane's tracker.
  assert.deepEqual([...foreignAnnounces.keys()], trackers);
  const trackerOf = (m) => [...m.entries()].find(([u]) => u === trackers[0]);
  const [, foreignHashes] = trackerOf(foreignAnnounces);
  const [, seedHashes] = trackerOf(seedAnnounces);
  assert.deepEqual(sorted(foreignHashes), sorted(infohashes), 'the foreign player announces the Video\'s Infohash tags');
  assert.deepEqual(sorted(seedHashes), sorted(infohashes), 'so does the Cabane viewer');
  assert.deepEqual(errors, []);
  await context.close();
  await seed.close();
});
