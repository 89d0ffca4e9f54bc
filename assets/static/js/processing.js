// processing.js: live progress on the watch page while a video is being processed.
//
// The template renders
//   <section id="processing" data-api="/api/v1/videos/UUID">
//     <progress max="100" value="N"></progress> <span class="pct">N %</span> <span class="label">Processing</span>
//   </section>
// This script listens to the video's server-sent events (/videos/UUID/events,
// or data-events if the section has it): "progress" moves the bar and shows
// the speed and time left, "published" swaps the section for the player
// without a reload, "failed" shows the reason. Where the stream cannot be
// used (no EventSource, a proxy that refuses or buffers it) it falls back to
// polling data-api (PeerTube's video JSON plus Cabane's processingProgress).
// A classic script loaded after player.js, whose
// window.Cabane.startPlayer it calls:
//   <script src="/static-assets/js/player.js" defer></script>
//   <script src="/static-assets/js/processing.js" defer></script>
(function () {
'use strict';

// The page's words: the page renders its catalogue messages for this
// script in <script type="application/json" id="msgs"> (app/web words.go).
const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

const STATE_PUBLISHED = 1;
// PeerTube's failure states: transcoding failed, move to object storage
// failed, move to file system failed.
const FAILED_STATES = new Set([7, 8, 11]);
const POLL_MS = 1500;
const MAX_BACKOFF_MS = 15000;
const REQUEST_TIMEOUT_MS = 10000;
// The server sends a progress event as soon as the stream opens: without
// one by then, something in between holds the stream back.
const FIRST_EVENT_MS = 10000;
// EventSource reconnects by itself; after this many errors in a row
// without an event, polling is the surer way.
const MAX_STREAM_ERRORS = 3;

function clampPercent(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return null;
  return Math.max(0, Math.min(100, Math.round(n)));
}

function setLabel(section, text) {
  const label = section.querySelector('.label');
  if (label && text) label.textContent = text;
}

function setProgress(section, percent) {
  if (percent === null) return;
  const bar = section.querySelector('progress');
  if (bar) bar.value = percent;
  const pct = section.querySelector('.pct');
  if (pct) pct.textContent = `${percent} %`;
}

function markFailed(section, text) {
  section.classList.add('failed');
  section.setAttribute('role', 'alert');
  setLabel(section, text || t('processing.failed'));
}

function formatSpeed(speed) {
  return speed >= 10 ? speed.toFixed(0) : speed.toFixed(1);
}

function formatLeft(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}

// progressLabel is "Processing · 1.3× · 12 s left", with what is known.
function progressLabel(data) {
  const parts = [t('processing.processing')];
  if (data.speed > 0) parts.push(`${formatSpeed(data.speed)}×`);
  if (data.remaining > 0) parts.push(t('processing.left', { t: formatLeft(data.remaining) }));
  return parts.join(' · ');
}

function showPlayer(section, video) {
  // The upload page follows several videos: a published one becomes a
  // link to its page there, not a player.
  if (section.dataset.doneHref) {
    const link = document.createElement('a');
    link.href = section.dataset.doneHref;
    link.className = 'processing-done';
    link.textContent = t('processing.published');
    section.classList.add('done');
    section.replaceChildren(link);
    return;
  }
  const playlist = video.streamingPlaylists && video.streamingPlaylists[0];
  const start = window.Cabane && window.Cabane.startPlayer;
  if (!playlist || !playlist.playlistUrl || !start) {
    // Published without HLS (should not happen in Cabane), or player.js is
    // missing: the server-rendered page knows how to show it.
    window.location.reload();
    return;
  }
  const player = document.createElement('video');
  player.id = 'player';
  player.controls = true;
  player.playsInline = true;
  player.setAttribute('playsinline', '');
  player.dataset.hls = playlist.playlistUrl;
  if (video.previewPath) player.poster = video.previewPath;

  // The section may sit in .player-wrap already; if not, give the player one
  // so it keeps its 16:9 box.
  if (section.parentElement && section.parentElement.classList.contains('player-wrap')) {
    section.replaceWith(player);
  } else {
    const wrap = document.createElement('div');
    wrap.className = 'player-wrap';
    wrap.appendChild(player);
    section.replaceWith(wrap);
  }
  start(player, { autoplay: true });
}

async function fetchVideo(api) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    // same-origin credentials: a private video's API needs the session cookie.
    const res = await fetch(api, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      signal: abort.signal,
    });
    return res;
  } finally {
    clearTimeout(timer);
  }
}

// poll runs one request, updates the section, and schedules the next one.
// A chain of timeouts rather than setInterval: a slow server never has two
// requests in flight from one tab.
async function poll(section, api, failures) {
  let delay = POLL_MS;
  try {
    const res = await fetchVideo(api);
    if (res.status === 404) {
      section.classList.add('failed');
      setLabel(section, t('processing.gone'));
      return;
    }
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const video = await res.json();
    const state = video.state || {};
    if (state.id === STATE_PUBLISHED) {
      setProgress(section, 100);
      showPlayer(section, video);
      return;
    }
    if (FAILED_STATES.has(state.id)) {
      markFailed(section, state.label);
      return;
    }
    if (await masterReady(section)) {
      // Playable while it encodes: play from the start, as the stream does.
      showPlayer(section, { streamingPlaylists: [{ playlistUrl: masterURL(section) }], previewPath: video.previewPath });
      return;
    }
    setProgress(section, clampPercent(video.processingProgress));
    setLabel(section, state.label);
    failures = 0;
  } catch (err) {
    // The box may be rebooting or the Wi-Fi dropping: keep trying, slower.
    failures += 1;
    delay = Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS);
    if (failures >= 3) setLabel(section, t('processing.lost'));
  }
  // A background tab does not need updates every 1.5 s.
  if (document.hidden) delay = Math.max(delay, 5000);
  setTimeout(() => poll(section, api, failures), delay);
}

function eventsURL(section) {
  if (section.dataset.events) return section.dataset.events;
  // data-api is /api/v1/videos/<uuid>; its stream is /videos/<uuid>/events.
  const m = /\/api\/v1\/videos\/([^/?#]+)/.exec(section.dataset.api);
  return m ? `/videos/${m[1]}/events` : null;
}

function parseData(event) {
  try {
    return JSON.parse(event.data);
  } catch (err) {
    return null;
  }
}

// masterURL is the video's master playlist. The server writes it once the
// video is playable, while it still encodes (its renditions grow) or once
// published: the same signal as the events stream's "published" event,
// which the API's state (still "to transcode" while growing) does not give.
function masterURL(section) {
  if (section.dataset.master) return section.dataset.master;
  const m = /\/api\/v1\/videos\/([^/?#]+)/.exec(section.dataset.api);
  return m ? `/static/streaming-playlists/hls/${m[1]}/master.m3u8` : null;
}

// masterReady asks for the master playlist without its body.
async function masterReady(section) {
  const url = masterURL(section);
  if (!url) return false;
  try {
    const res = await fetch(url, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
    return res.ok;
  } catch (err) {
    return false;
  }
}

// listen follows the event stream; fallBack switches to polling once.
function listen(section, api) {
  const url = eventsURL(section);
  if (!url || typeof window.EventSource !== 'function') {
    poll(section, api, 0);
    return;
  }
  // Same origin: the session cookie goes along, as a private video needs.
  const source = new EventSource(url);
  let finished = false;
  let errors = 0;
  let firstEvent = null;
  const stop = () => {
    finished = true;
    clearTimeout(firstEvent);
    source.close();
  };
  const fallBack = () => {
    if (finished) return;
    stop();
    section.dataset.transport = 'poll';
    poll(section, api, 0);
  };
  firstEvent = setTimeout(fallBack, FIRST_EVENT_MS);
  section.dataset.transport = 'sse';

  source.addEventListener('progress', (event) => {
    clearTimeout(firstEvent);
    errors = 0;
    const data = parseData(event);
    if (!data) return;
    setProgress(section, clampPercent(data.percent));
    setLabel(section, progressLabel(data));
  });
  source.addEventListener('published', (event) => {
    stop();
    const data = parseData(event) || {};
    setProgress(section, 100);
    showPlayer(section, {
      streamingPlaylists: data.playlistUrl ? [{ playlistUrl: data.playlistUrl }] : [],
      previewPath: data.previewPath,
    });
  });
  source.addEventListener('failed', (event) => {
    stop();
    const data = parseData(event) || {};
    markFailed(section, data.error ? t('processing.failedReason', { error: data.error }) : t('processing.failed'));
  });
  source.addEventListener('error', () => {
    if (finished) return;
    // A dropped stream (the box restarting) reconnects by itself; a
    // refused one (404, a proxy that will not stream) is closed for good.
    errors += 1;
    if (source.readyState === EventSource.CLOSED || errors >= MAX_STREAM_ERRORS) {
      fallBack();
    } else if (errors >= 2) {
      setLabel(section, t('processing.lost'));
    }
  });
}

// follow tracks one processing section: the watch page's, or each of
// the upload page's (window.Cabane.followProcessing).
function follow(section) {
  if (!section || !section.dataset.api || section.dataset.followed) return;
  section.dataset.followed = '1';
  section.setAttribute('aria-live', 'polite');
  listen(section, section.dataset.api);
}

window.Cabane = Object.assign(window.Cabane || {}, { followProcessing: follow });

function init() {
  follow(document.getElementById('processing'));
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init);
} else {
  init();
}
})();
