// p2p.mjs: viewers of one Cabane video in separate Chromium contexts, for
// the peer-to-peer tests (p2p.test.mjs) and figures (p2p.bench.mjs).

import { launch, watchPage } from './browser.mjs';
import { isSegment, playPast } from './flow.mjs';

// WebRTC between two contexts of one Chromium on loopback: Chromium hides
// local addresses behind mDNS names and leaves loopback out of its ICE
// candidates unless told.
export const WEBRTC_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export function launchForP2P() {
  return launch({ args: WEBRTC_ARGS });
}

/**
 * Opens the watch page of video uuid in a new context and starts playback.
 * p2pOff: the viewer turned P2P off (localStorage, as the switch does).
 * Returns the page and what the box served it: segment bytes over HTTP,
 * counted from the responses, and the tracker sockets it opened.
 */
export async function viewer(browser, base, uuid, { query = '', p2pOff = false, rate = 1 } = {}) {
  const context = await browser.newContext();
  if (p2pOff) await context.addInitScript(() => localStorage.setItem('cabane.p2p', 'off'));
  const page = await context.newPage();
  const errors = watchPage(page);
  const served = { segmentBytes: 0, segments: 0, sockets: [] };
  page.on('response', async (res) => {
    const u = new URL(res.url());
    if (!isSegment(u.pathname) || u.origin !== base) return;
    const len = Number(res.headers()['content-length'] || 0);
    served.segmentBytes += len;
    served.segments += 1;
  });
  page.on('websocket', (ws) => served.sockets.push(ws.url()));
  const started = Date.now();
  await page.goto(`${base}/w/${uuid}${query}`);
  const v = {
    context, page, errors, served, started,
    /**
     * Plays until currentTime passes seconds; returns the time to the first
     * frame in ms: from the test's asking the page to play (which waits for
     * the page's main thread, as a viewer's click would) to the first frame
     * the page presented (requestVideoFrameCallback, on the same clock:
     * the page's timeOrigin), so the test's polling does not count.
     * wallTTFF is the former measure, kept for comparison: until the test,
     * polling every 50 ms, saw currentTime > 0.
     */
    async play(seconds, timeout = 90_000) {
      const t0 = Date.now();
      await page.evaluate((r) => {
        const video = document.querySelector('video#player');
        video.dataset.playAt = String(performance.now());
        video.requestVideoFrameCallback((now) => { video.dataset.firstFrame = String(performance.timeOrigin + now); });
        video.muted = true;
        video.play().catch(() => {});
        video.addEventListener('loadedmetadata', () => { video.playbackRate = r; }, { once: true });
      }, rate);
      const frame = Number(await (await page.waitForFunction(() => {
        const video = document.querySelector('video#player');
        return video.currentTime > 0 && video.dataset.firstFrame;
      }, null, { timeout, polling: 50 })).jsonValue());
      v.wallTTFF = Date.now() - t0;
      await playPast(page, seconds, timeout);
      return Math.round(frame - t0);
    },
    stats: () => page.evaluate(() => window.cabaneP2P || null),
    // What came over HTTP, P2P or not (sources.js).
    httpStats: () => page.evaluate(() => window.cabaneHTTP || null),
    videoState: () => page.evaluate(() => {
      const video = document.querySelector('video#player');
      return { currentTime: video.currentTime, error: video.error && video.error.code, p2p: video.dataset.p2p, active: video.dataset.p2pActive || '' };
    }),
    close: () => context.close(),
  };
  return v;
}

/** Waits until fn() is truthy, polling. */
export async function eventually(fn, timeout = 60_000, every = 250) {
  const end = Date.now() + timeout;
  for (;;) {
    const got = await fn();
    if (got) return got;
    if (Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, every));
  }
}
