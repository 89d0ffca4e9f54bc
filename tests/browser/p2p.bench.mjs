// p2p.bench.mjs: the peer-to-peer figures (TestPeerToPeerFigures, with
// CABANE_BENCH=1): for 1, 5 and 10 concurrent viewers of one video on
// loopback, the segment bytes the box served per viewer and the share that
// came from peers; the time to first frame with P2P on and off; and what
// P2P adds to the watch page (gzip -9).
//
// Env: CABANE_URL, CABANE_VIDEO and CABANE_VIDEO_B (two public videos of
// the same clip: each crowd size starts on a fresh swarm, alternating);
// CABANE_FIGURES=ttff runs the time to first frame alone, and
// CABANE_TTFF_SAMPLES / CABANE_TTFF_PROFILE tune it (below);
// CABANE_FIGURES=share the shares alone, and CABANE_P2P_TRACE=1 prints
// each viewer's segments as they came.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { eventually, launchForP2P, viewer } from './p2p.mjs';

const BASE = (process.env.CABANE_URL || '').replace(/\/$/, '');
const VIDEOS = [process.env.CABANE_VIDEO, process.env.CABANE_VIDEO_B];
// CABANE_FIGURES=ttff: the time to first frame only (a minute or two, not
// five); =share: the shares only, for the crowd sizes in CABANE_CROWDS
// (default 1,5,10).
const FIGURES = process.env.CABANE_FIGURES || '';
const ONLY_TTFF = FIGURES === 'ttff';
const ONLY_SHARE = FIGURES === 'share';
const CROWDS = (process.env.CABANE_CROWDS || '1,5,10').split(',').map(Number);
const TRACE = process.env.CABANE_P2P_TRACE === '1';

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

// trace: when, in ms from play(), each segment ended and where it came
// from (R: any response over HTTP; H: of those, the loader's; P: a peer),
// and when the loader's modules arrived (M).
function trace(page) {
  return page.evaluate(() => {
    const video = document.querySelector('video#player');
    const t0 = Number(video.dataset.playAt);
    const ev = [];
    for (const e of performance.getEntriesByType('resource')) {
      const path = new URL(e.name).pathname;
      if (path.includes('p2p-media-loader-core')) ev.push([e.responseEnd - t0, 'M']);
      else if (/\.(mp4|m4s)$/.test(path)) ev.push([e.responseEnd - t0, 'R']);
    }
    const s = window.cabaneP2P;
    if (s && s.segments) for (const x of s.segments) ev.push([x.at - t0, x.source === 'p2p' ? 'P' : 'H']);
    ev.sort((a, b) => a[0] - b[0]);
    return ev.map(([t, k]) => `${k}${Math.round(t)}`).join(' ');
  });
}

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
  if (TRACE) for (const [i, v] of vs.entries()) console.log(`TRACE viewer ${i}: ${await trace(v.page)}`);
  for (const v of vs) {
    const s = await v.stats();
    out.push({ boxBytes: v.served.segmentBytes, http: s ? s.httpBytes : v.served.segmentBytes, p2p: s ? s.p2pBytes : 0 });
  }
  await Promise.all(vs.map((v) => v.close()));
  return out;
}

test('bytes served by the box per viewer, and the share from peers, for 1, 5 and 10 viewers', { skip: ONLY_TTFF }, async () => {
  let k = 0;
  for (const n of CROWDS) {
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

// The time to first frame of a fresh viewer, P2P on and off, alternated
// (on/off, then off/on, ...) so that the shared machine's noise falls on
// both alike; the ratio is of the medians of one run. CABANE_TTFF_SAMPLES
// (default 11) each way; CABANE_TTFF_PROFILE=1 also prints, per way, the
// median time from play() at which each download ended (resource timing:
// hls.js, the loader's modules, playlists, the first segments).
const TTFF_SAMPLES = Number(process.env.CABANE_TTFF_SAMPLES || 11);
const PROFILE = process.env.CABANE_TTFF_PROFILE === '1';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};
const spread = (xs) => `min ${Math.min(...xs)} p25 ${quantile(xs, 0.25)} median ${median(xs)} p75 ${quantile(xs, 0.75)} max ${Math.max(...xs)}`;

// timeline names the page's downloads since play() by what they are, with
// the ms from play() at which each ended (and, for segments, started).
function timeline(page) {
  return page.evaluate(() => {
    const video = document.querySelector('video#player');
    const t0 = Number(video.dataset.playAt);
    const out = {};
    let segs = 0;
    let lists = 0;
    for (const e of performance.getEntriesByType('resource')) {
      if (e.startTime < t0 - 1) continue;
      const path = new URL(e.name).pathname;
      let key = '';
      if (path.includes('/hls.min')) key = 'hls.js';
      else if (path.includes('p2p-media-loader-hlsjs')) key = 'p2pml-hlsjs';
      else if (path.includes('p2p-media-loader-core')) key = 'p2pml-core';
      else if (path.endsWith('master.m3u8')) key = 'master';
      else if (path.endsWith('.m3u8')) key = `playlist${++lists}`;
      else if (path.endsWith('segments-sha256.json')) key = 'hashes';
      else if (/\.(mp4|m4s|ts)$/.test(path) && segs < 4) key = `segment${++segs}`;
      if (!key) continue;
      if (key.startsWith('segment')) out[`${key}.start`] = Math.round(e.startTime - t0);
      out[key] = Math.round(e.responseEnd - t0);
    }
    out.frame = Math.round(Number(video.dataset.firstFrame) - performance.timeOrigin - t0);
    return out;
  });
}

function profileOf(lines) {
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l)))];
  keys.sort((a, b) => median(lines.map((l) => l[a] ?? 0)) - median(lines.map((l) => l[b] ?? 0)));
  return keys.map((k) => `${k}=${median(lines.filter((l) => k in l).map((l) => l[k]))}`).join(' ');
}

test('time to first frame, P2P on and off', { skip: ONLY_SHARE }, async () => {
  const on = [];
  const off = [];
  const wall = { on: [], off: [] };
  const profile = { on: [], off: [] };
  // On a video others watch (a swarm exists); every viewer is a fresh
  // browser context: nothing cached.
  const seed = await viewer(browser, BASE, VIDEOS[0], { rate: 2 });
  await seed.play(1);
  for (let i = 0; i < TTFF_SAMPLES; i++) {
    for (const p2pOff of i % 2 ? [false, true] : [true, false]) {
      const v = await viewer(browser, BASE, VIDEOS[0], { p2pOff });
      (p2pOff ? off : on).push(await v.play(0.1));
      wall[p2pOff ? 'off' : 'on'].push(v.wallTTFF);
      if (PROFILE) profile[p2pOff ? 'off' : 'on'].push(await timeline(v.page));
      await v.close();
    }
  }
  await seed.close();
  const ratio = median(on) / Math.max(1, median(off));
  console.log(`FIGURE ttff_p2p_on_ms=${median(on)} ttff_p2p_off_ms=${median(off)} ratio=${ratio.toFixed(2)} samples=${on.length}+${off.length} (on: ${spread(on)}; off: ${spread(off)}; on ${on.join(',')}; off ${off.join(',')})`);
  // The former measure (the test's clock, polling for currentTime > 0).
  const wallRatio = median(wall.on) / Math.max(1, median(wall.off));
  console.log(`FIGURE ttff_polled_p2p_on_ms=${median(wall.on)} ttff_polled_p2p_off_ms=${median(wall.off)} ratio=${wallRatio.toFixed(2)} (on: ${spread(wall.on)}; off: ${spread(wall.off)})`);
  if (PROFILE) {
    console.log(`PROFILE on:  ${profileOf(profile.on)}`);
    console.log(`PROFILE off: ${profileOf(profile.off)}`);
  }
});

test('bytes P2P adds to the watch page (gzip -9)', { skip: Boolean(FIGURES) }, async () => {
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
  console.log(`FIGURE p2p_added_gzip_bytes=${total} (${parts.join(' ')}; the loader's two modules fetched at the first frame, where P2P is on, WebRTC exists and the viewer left P2P on, or when the viewer turns it on; sources.js, part of every player page, not counted)`);
});
