// checks.mjs: browser-side checks shared by the fixture and end-to-end tests.

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
