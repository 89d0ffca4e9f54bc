// flow.mjs: small helpers the end-to-end stories share: stages with names,
// the session's API (cookie + X-CSRF-Token, as the pages' scripts call it),
// polling, and what the network fetched.

import assert from 'node:assert/strict';

export const pathOf = (page) => new URL(page.url()).pathname;

// A media segment of a rendition (fMP4 or MPEG-TS), not a playlist or the poster.
export const isSegment = (p) => /\/static\/streaming-playlists\/hls\/.*\.(m4s|ts|mp4)$/.test(p);

// step runs one stage of a story; the first failing stage ends the test
// with its name in the message (later stages depend on it).
export async function step(name, fn) {
  console.log(`step: ${name}`);
  try {
    return await fn();
  } catch (err) {
    err.message = `${name}: ${err.message}`;
    throw err;
  }
}

// submit sends a form as a click on its submit button would (constraint
// validation and submit handlers included) and waits for the navigation.
export async function submit(page, formSelector, urlMatches) {
  await Promise.all([page.waitForURL(urlMatches), page.$eval(formSelector, (form) => form.requestSubmit())]);
}

// clickAndWait clicks a button that submits a form and waits for the next page.
export async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Polls fn every 300 ms until it returns a truthy value. */
export async function until(what, fn, timeout = 120_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The logged-in session's API: page.request shares the context's cookies,
 * and a change repeats the CSRF token the page holds, as upload.js does.
 */
export function apiOf(page, base) {
  const headers = async () => ({ 'X-CSRF-Token': await page.inputValue('form#logout-form input[name=_csrf]') });
  const call = async (method, path, options = {}) => {
    const res = await page.request.fetch(`${base}/api/v1${path}`, { method, headers: await headers(), ...options });
    const text = await res.text();
    assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    get: (path) => call('GET', path),
    post: (path, data) => call('POST', path, { data }),
    put: (path, multipart) => call('PUT', path, { multipart }),
    upload: (multipart) => call('POST', '/videos/upload', { multipart }),
    status: async (path) => (await page.request.get(`${base}/api/v1${path}`)).status(),
  };
}

/** Records the paths a page requests; mark() starts a new slice. */
export function recordRequests(page) {
  const seen = [];
  page.on('request', (req) => seen.push(new URL(req.url()).pathname));
  return {
    all: () => seen.slice(),
    segments: () => seen.filter(isSegment),
    clear: () => seen.splice(0),
  };
}

/** Waits until video#player has played past `seconds`, pressing play as a user would. */
export async function playPast(page, seconds, timeout = 60_000) {
  await page.waitForFunction(
    (s) => {
      const v = document.querySelector('video#player');
      if (!v) return false;
      if (v.paused && !v.ended) {
        v.muted = true;
        v.play().catch(() => {});
      }
      return v.currentTime > s;
    },
    seconds,
    { timeout, polling: 200 },
  );
  return page.evaluate(() => {
    const v = document.querySelector('video#player');
    return { currentTime: v.currentTime, videoHeight: v.videoHeight, player: v.dataset.player };
  });
}
