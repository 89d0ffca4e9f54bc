// p2p.bench.mjs: the peer-to-peer figures (TestPeerToPeerFigures, with
// CABANE_BENCH=1): for 1, 5 and 10 concurrent viewers of one video on
// loopback, the segment bytes the box served per viewer and the share that
// came from peers; the time to first frame with P2P on and off; and what
// P2P adds to the watch page (gzip -9).
//
// Env: CABANE_URL, CABANE_VIDEO and CABANE_VIDEO_B (two public videos of
// the same 30 s clip: each crowd size starts on a fresh swarm, alternating).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { eventually, launchForP2P, viewer } from './p2p.mjs';

const BASE = (process.env.CABANE_URL || '').replace(/\/$/, '');
const VIDEOS = [process.env.CABANE_VIDEO, process.env.CABANE_VIDEO_B];

let browser;
before(async () => {
  assert.ok(BASE && VIDEOS.every(Boolean));
  browser = await launchForP2P();
});
after(async () => {
  if (browser) await browser.close();
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

// crowd: n viewers arrive two seconds apart and each watches the whole
// video at normal speed (the loader's windows are in seconds of playback:
// a faster rate would widen them); returns per viewer what the box served
// and what came from peers.
async function crowd(uuid, n) {
  const vs = [];
  for (let i = 0; i < n; i++) {
    vs.push(await viewer(browser, BASE, uuid));
    vs[i].playing = vs[i].play(1);
    await new Promise((r) => setTimeout(r, 2000));
  }
  await Promise.all(vs.map((v) => v.playing));
  await Promise.all(vs.map((v) => v.page.waitForFunction(() => document.querySelector('video#player').ended, null, { timeout: 120_000, polling: 250 })));
  // Let the last background loads finish.
  await new Promise((r) => setTimeout(r, 1000));
  const out = [];
  for (const v of vs) {
    const s = await v.stats();
    out.push({ boxBytes: v.served.segmentBytes, http: s ? s.httpBytes : v.served.segmentBytes, p2p: s ? s.p2pBytes : 0 });
  }
  await Promise.all(vs.map((v) => v.close()));
  return out;
}

test('bytes served by the box per viewer, and the share from peers, for 1, 5 and 10 viewers', async () => {
  let k = 0;
  for (const n of [1, 5, 10]) {
    const uuid = VIDEOS[k++ % VIDEOS.length];
    // A fresh swarm: nobody else watches uuid now (its last crowd closed).
    const r = await crowd(uuid, n);
    const box = r.reduce((a, x) => a + x.boxBytes, 0);
    const p2p = r.reduce((a, x) => a + x.p2p, 0);
    const http = r.reduce((a, x) => a + x.http, 0);
    const later = r.slice(1);
    const laterShare = later.length ? later.reduce((a, x) => a + x.p2p, 0) / Math.max(1, later.reduce((a, x) => a + x.p2p + x.http, 0)) : 0;
    console.log(`FIGURE viewers=${n} box_bytes_per_viewer=${Math.round(box / n)} from_peers=${(100 * p2p / Math.max(1, p2p + http)).toFixed(1)}% later_viewers_from_peers=${(100 * laterShare).toFixed(1)}% (one-viewer reference: ${Math.round(r[0].boxBytes)} B)`);
  }
});

test('time to first frame, P2P on and off', async () => {
  const on = [];
  const off = [];
  // Alternated, seven of each, on a video others watch (a swarm exists);
  // every viewer is a fresh browser context: nothing cached.
  const seed = await viewer(browser, BASE, VIDEOS[0], { rate: 2 });
  await seed.play(1);
  for (let i = 0; i < 7; i++) {
    for (const p2pOff of i % 2 ? [false, true] : [true, false]) {
      const v = await viewer(browser, BASE, VIDEOS[0], { p2pOff });
      (p2pOff ? off : on).push(await v.play(0.1));
      await v.close();
    }
  }
  await seed.close();
  const ratio = median(on) / Math.max(1, median(off));
  console.log(`FIGURE ttff_p2p_on_ms=${median(on)} ttff_p2p_off_ms=${median(off)} ratio=${ratio.toFixed(2)} (on ${on.join(',')}; off ${off.join(',')})`);
});

test('bytes P2P adds to the watch page (gzip -9)', async () => {
  const html = await (await fetch(`${BASE}/w/${VIDEOS[0]}`)).text();
  const urls = [...html.matchAll(/"(\/static-assets\/(?:js\/p2p|vendor\/p2p-media-loader\/[^"]+)\.[0-9a-f]{12}\.js)"/g)].map((m) => m[1]);
  // The hls.js integration is named in a data attribute, the core in the import map.
  const named = [...html.matchAll(/(\/static-assets\/vendor\/p2p-media-loader\/[^"]+?\.js)/g)].map((m) => m[1]);
  const all = [...new Set([...urls, ...named])];
  let total = 0;
  const parts = [];
  for (const u of all) {
    const body = Buffer.from(await (await fetch(`${BASE}${u}`)).arrayBuffer());
    const gz = gzipSync(body, { level: 9 }).length;
    total += gz;
    parts.push(`${u.split('/').pop()}=${gz}`);
  }
  assert.ok(all.length >= 3, `p2p.js, the core and the integration: ${all}`);
  console.log(`FIGURE p2p_added_gzip_bytes=${total} (${parts.join(' ')}; fetched only when P2P is on and WebRTC exists, except p2p.js)`);
});
