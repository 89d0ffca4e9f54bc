// checks.mjs: browser-side checks shared by the fixture and end-to-end tests.

import { readFile } from 'node:fs/promises';

/**
 * Records every value #upload-progress takes, in sessionStorage, so a test
 * can read the highest one after upload.js has already navigated away.
 * Install with context.addInitScript(recordUploadProgress).
 */
export function recordUploadProgress() {
  const KEY = 'cabane-test-upload-progress';
  document.addEventListener('DOMContentLoaded', () => {
    const bar = document.getElementById('upload-progress');
    if (!bar) return;
    new MutationObserver(() => {
      const seen = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      seen.push({ value: Number(bar.value), max: Number(bar.max), hidden: bar.hidden });
      sessionStorage.setItem(KEY, JSON.stringify(seen));
    }).observe(bar, { attributes: true, attributeFilter: ['value', 'hidden'] });
  });
}

/** The progress values recorded by recordUploadProgress on this origin. */
export async function uploadProgressSeen(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('cabane-test-upload-progress') || '[]'));
}

/**
 * Waits until video#player is really playing: past 1 s of media with data
 * ahead (readyState >= HAVE_FUTURE_DATA). A paused player is muted and started
 * the way a user's click would, so the check does not depend on autoplay.
 */
export async function waitForPlayback(page, timeout = 30_000) {
  await page.waitForFunction(
    () => {
      const v = document.querySelector('video#player');
      if (!v) return false;
      if (v.paused) {
        v.muted = true;
        v.play().catch(() => {});
      }
      return v.currentTime > 1 && v.readyState >= 3;
    },
    null,
    { timeout, polling: 200 },
  );
  return page.evaluate(() => {
    const v = document.querySelector('video#player');
    return {
      currentTime: v.currentTime,
      readyState: v.readyState,
      videoWidth: v.videoWidth,
      videoHeight: v.videoHeight,
      player: v.dataset.player,
      error: v.error && v.error.message,
    };
  });
}

/**
 * Records every value each upload card's bar (#upload-file-N
 * .upload-file-progress) takes, in window.cardProgress keyed by the card's
 * id: the upload page stays put, so the page itself can hold them.
 */
export async function recordCardProgress(page) {
  await page.evaluate(() => {
    window.cardProgress = {};
    new MutationObserver((records) => {
      for (const r of records) {
        if (!r.target.matches('progress.upload-file-progress')) continue;
        const id = r.target.closest('li.upload-file').id;
        (window.cardProgress[id] ||= []).push(Number(r.target.value));
      }
    }).observe(document.getElementById('upload-files'), { subtree: true, attributes: true, attributeFilter: ['value'] });
  });
}

/**
 * Drops files on the element at selector as a desktop user dragging them
 * from a file manager would: dragenter, dragover, then drop, with a
 * DataTransfer that holds them. files: [{path, name}].
 */
export async function dropFiles(page, selector, files) {
  const payload = await Promise.all(files.map(async (f) => ({ name: f.name, b64: (await readFile(f.path)).toString('base64') })));
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'video/mp4' }));
    }
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent(selector, type, { dataTransfer });
  await dataTransfer.dispose();
}
