// player.js: HLS playback for every <video data-hls="…/master.m3u8"> on the page.
//
// A classic script: <script src="/static-assets/js/player.js" defer></script>.
// It starts the players already in the page, and exposes
// window.Cabane.startPlayer(video, {autoplay}) for scripts (processing.js)
// that insert a <video> later.
//
// The page may include the vendored hls.js itself (a classic <script> before
// this one); if it does not, hls.js (~600 kB) is fetched only when a page has
// a video and the browser has Media Source Extensions. Browsers without MSE
// (older iPhones) play HLS natively; anything else gets a clear message
// instead of a black box.
(function () {
'use strict';

// The page's words: the page renders its catalogue messages for this
// script in <script type="application/json" id="msgs"> (app/web words.go).
const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

// The page names hls.js's content-hashed URL in data-hls-src on this script's
// tag; without it, the plain name is resolved against this script's own URL
// so a different mount point still works.
const SELF = document.currentScript;
const HLS_SCRIPT = new URL(
  (SELF && SELF.dataset.hlsSrc) || '../vendor/hls.js/hls.min.js',
  (SELF && SELF.src) || new URL('/static-assets/js/player.js', location.href),
).href;
const NATIVE_HLS_TYPE = 'application/vnd.apple.mpegurl';

// One download of hls.js per page, however many players start: a memoised
// promise, not state that anything mutates afterwards.
let hlsPromise = null;

function loadHls() {
  if (window.Hls) return Promise.resolve(window.Hls);
  if (!window.MediaSource && !window.ManagedMediaSource) return Promise.resolve(null);
  if (!hlsPromise) {
    hlsPromise = new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = HLS_SCRIPT;
      script.async = true;
      script.onload = () => resolve(window.Hls || null);
      // A missing or blocked script falls back to native playback, not a crash.
      script.onerror = () => resolve(null);
      document.head.appendChild(script);
    });
  }
  return hlsPromise;
}

// Extra UI goes after the 16:9 .player-wrap box (which clips), or after the
// video itself when there is no wrapper.
function anchorOf(video) {
  return video.closest('.player-wrap') || video;
}

function showMessage(video, text) {
  const anchor = anchorOf(video);
  let box = anchor.nextElementSibling;
  if (!box || !box.classList.contains('player-message')) {
    box = document.createElement('p');
    box.className = 'player-message flash error';
    box.setAttribute('role', 'alert');
    anchor.insertAdjacentElement('afterend', box);
  }
  box.textContent = text;
}

function levelName(level) {
  if (level.height) return `${level.height}p`;
  if (level.bitrate) return `${Math.round(level.bitrate / 1000)} kb/s`;
  return t('player.source');
}

// A small quality menu: Auto plus one entry per rendition, highest first.
// Shown only when there is a choice to make.
function addQualityMenu(video, hls) {
  const levels = hls.levels || [];
  if (levels.length < 2) return;
  const wrap = document.createElement('div');
  wrap.className = 'player-quality';
  const label = document.createElement('label');
  label.textContent = `${t('player.quality')} `;
  const select = document.createElement('select');
  select.className = 'quality-select';
  const auto = new Option(t('player.auto'), '-1', true, true);
  select.add(auto);
  levels
    .map((level, index) => ({ level, index }))
    .sort((a, b) => (b.level.height || 0) - (a.level.height || 0) || b.level.bitrate - a.level.bitrate)
    .forEach(({ level, index }) => select.add(new Option(levelName(level), String(index))));
  select.addEventListener('change', () => {
    // currentLevel switches now (flushing the buffer); -1 gives control back to ABR.
    hls.currentLevel = Number(select.value);
  });
  hls.on(window.Hls.Events.LEVEL_SWITCHED, (_event, data) => {
    auto.textContent = hls.autoLevelEnabled ? t('player.autoLevel', { level: levelName(levels[data.level]) }) : t('player.auto');
  });
  label.appendChild(select);
  wrap.appendChild(label);
  anchorOf(video).insertAdjacentElement('afterend', wrap);
}

// startSeconds is the page's ?start= (PeerTube's share links): "90",
// "1m30s" or "1h2m3s"; 0 when none.
function startSeconds() {
  const raw = new URLSearchParams(location.search).get('start') || '';
  if (/^\d+$/.test(raw)) return Number(raw);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(raw);
  return m ? (Number(m[1] || 0) * 3600) + (Number(m[2] || 0) * 60) + Number(m[3] || 0) : 0;
}

// seekToStart moves a player to the page's ?start= once it knows its
// duration.
function seekToStart(video) {
  const at = startSeconds();
  if (!at) return;
  const go = () => { if (!video.duration || at < video.duration) video.currentTime = at; };
  if (video.readyState >= 1) go(); else video.addEventListener('loadedmetadata', go, { once: true });
}

// A captions menu: Off plus one entry per <track kind="subtitles">, a
// select the keyboard reaches (the browsers' own CC buttons differ, and
// some hide them).
function addCaptionsMenu(video) {
  const tracks = Array.from(video.textTracks || []).filter((tr) => tr.kind === 'subtitles' || tr.kind === 'captions');
  if (!tracks.length || video.dataset.captionsMenu) return;
  video.dataset.captionsMenu = '1';
  const wrap = document.createElement('div');
  wrap.className = 'player-captions';
  const label = document.createElement('label');
  label.textContent = `${t('player.captions')} `;
  const select = document.createElement('select');
  select.className = 'captions-select';
  select.add(new Option(t('player.captions_off'), ''));
  tracks.forEach((tr, i) => select.add(new Option(tr.label || tr.language || String(i + 1), String(i))));
  const showing = tracks.findIndex((tr) => tr.mode === 'showing');
  select.value = showing >= 0 ? String(showing) : '';
  select.addEventListener('change', () => {
    tracks.forEach((tr, i) => { tr.mode = String(i) === select.value ? 'showing' : 'disabled'; });
  });
  label.appendChild(select);
  wrap.appendChild(label);
  anchorOf(video).insertAdjacentElement('afterend', wrap);
}

function tryPlay(video) {
  // Browsers refuse unmuted autoplay without a user gesture; the controls
  // are there, so a refusal is not an error.
  const played = video.play();
  if (played && played.catch) played.catch(() => {});
}

// withFileToken adds the video's file token (data-file-token, PeerTube's
// videoFileToken) to a playlist or segment URL: the embed of a
// password-protected video framed by another site has no cookie to open
// them (embed.js).
function withFileToken(video, url, reinject) {
  const token = video.dataset.fileToken;
  if (!token) return url;
  const u = new URL(url, document.baseURI);
  u.searchParams.set('videoFileToken', token);
  if (reinject) u.searchParams.set('reinjectVideoFileToken', 'true');
  return u.href;
}

// p2pPlayback is peer-to-peer playback (p2p.js) when the page offers it:
// a hls.js class with p2p-media-loader mixed in and its options; null
// plays over HTTP only, as does any failure to set it up.
async function p2pPlayback(Hls, video, sources) {
  if (!window.CabaneP2P || video.dataset.p2p !== 'on') return null;
  try {
    return await window.CabaneP2P.setup(video, Hls, sources);
  } catch (e) {
    return null;
  }
}

// httpSources are the video's HTTP sources (sources.js: the box and the
// mirrors its page lists) and the hls.js loader that spreads segments
// over them; null (no sources.js) plays from the box with hls.js's own.
function httpSources(Hls, video, src) {
  if (!window.CabaneSources) return null;
  const sources = window.CabaneSources.of(video, src);
  return { sources, loader: window.CabaneSources.loaderFor(Hls, sources) };
}

// The box's upload is shared by the viewers outside its home network: the
// page says the highest bitrate this viewer should start at
// (data-max-bitrate, bits/s; app/web bandwidth.go) and, while the box is
// saturated (data-bandwidth-saturated), that adaptation must not climb
// above it either. Levels are known only once the manifest is parsed, so a
// capped player starts loading after that (see startWithHlsJs).
function bandwidthCapped(video) {
  return Number(video.dataset.maxBitrate) > 0;
}

// affordableLevel is the index of the highest level within max bits/s, or
// of the lowest when none fits: a picture, however small, beats none.
function affordableLevel(levels, max) {
  let best = -1;
  let lowest = 0;
  levels.forEach((level, i) => {
    if (level.bitrate < levels[lowest].bitrate) lowest = i;
    if (level.bitrate <= max && (best < 0 || level.bitrate > levels[best].bitrate)) best = i;
  });
  return best < 0 ? lowest : best;
}

function applyBandwidthCap(video, hls) {
  const max = Number(video.dataset.maxBitrate);
  if (!(max > 0) || !(hls.levels || []).length) return;
  if ('bandwidthSaturated' in video.dataset) {
    // Removed rather than capped with autoLevelCapping, which hls.js's
    // player-size capping overwrites.
    const keep = hls.levels[affordableLevel(hls.levels, max)].bitrate;
    const rates = hls.levels.map((level) => level.bitrate);
    for (let i = rates.length - 1; i >= 0; i -= 1) {
      if (rates[i] > keep) hls.removeLevel(i);
    }
  }
  const start = affordableLevel(hls.levels, max);
  hls.startLevel = start;
  video.dataset.startLevel = String(start);
}

function startWithHlsJs(Hls, video, src, autoplay, extra) {
  const capped = bandwidthCapped(video);
  const hls = new Hls({
    ...extra,
    // hls.js opens the request itself only when this has not.
    xhrSetup: video.dataset.fileToken ? (xhr, url) => xhr.open('GET', withFileToken(video, url), true) : undefined,
    // Do not fetch 1080p for a 360-pixel-wide phone player.
    capLevelToPlayerSize: true,
    // A video still encoding has EVENT playlists, which hls.js would start
    // at their live edge: a viewer starts at the beginning, and hls.js
    // waits at the end of what is listed rather than skipping ahead.
    startPosition: 0,
    // A page view fetches the playlists, not megabytes of segments the
    // viewer may never watch: loading starts when playback does.
    autoStartLoad: autoplay && !capped,
  });
  if (!autoplay) video.addEventListener('play', () => hls.startLoad(), { once: true });
  // hls.js has already retried before an error is fatal; a few more rounds
  // ride out a flaky Wi-Fi link without looping forever on a dead server.
  let networkRetries = 0;
  let mediaRecoveries = 0;
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    if (capped) {
      applyBandwidthCap(video, hls);
      if (autoplay) hls.startLoad();
    }
    addQualityMenu(video, hls);
    if (autoplay) tryPlay(video);
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    if (
      data.type === Hls.ErrorTypes.NETWORK_ERROR &&
      data.details !== Hls.ErrorDetails.MANIFEST_LOAD_ERROR &&
      networkRetries < 3
    ) {
      networkRetries += 1;
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2) {
      mediaRecoveries += 1;
      hls.recoverMediaError();
    } else {
      hls.destroy();
      video.dataset.player = 'failed';
      showMessage(video, t('player.loadFailedDetail', { details: data.details }));
    }
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  return hls;
}

/**
 * Starts playback of video.dataset.hls. Safe to call twice on one element.
 * Sets video.dataset.player to "hls.js", "native" or "unsupported".
 * @param {HTMLVideoElement} video
 * @param {{autoplay?: boolean}} [options] autoplay tries to start playing once loaded.
 * @returns {Promise<object|null>} the Hls instance when hls.js is used.
 */
async function startPlayer(video, options = {}) {
  if (!video || video.dataset.playerStarted) return null;
  video.dataset.playerStarted = '1';
  const src = new URL(video.dataset.hls, document.baseURI).href;
  const autoplay = Boolean(options.autoplay || video.autoplay);

  seekToStart(video);
  addCaptionsMenu(video);
  const Hls = await loadHls();
  if (Hls && Hls.isSupported()) {
    video.dataset.player = 'hls.js';
    const http = httpSources(Hls, video, src);
    const p2p = await p2pPlayback(Hls, video, http && http.sources);
    // hls.js starts as it is, with this loader for every segment; with
    // P2P, p2p.js brings p2p-media-loader in at the first frame or when the
    // viewer turns P2P on (adopt), and it hands this loader the segments it
    // does not load (all of them when the viewer turns P2P off).
    const extra = { ...(p2p && p2p.config), ...(http && { loader: http.loader }) };
    const hls = startWithHlsJs(Hls, video, src, autoplay, extra);
    if (p2p && p2p.adopt) p2p.adopt(hls);
    return hls;
  }
  if (video.canPlayType(NATIVE_HLS_TYPE)) {
    video.dataset.player = 'native';
    video.addEventListener('error', () => {
      showMessage(video, t('player.loadFailed'));
    });
    // Native HLS may also open an EVENT playlist (a video still encoding)
    // at its live edge: bring it back to the beginning once, before play.
    video.addEventListener('loadedmetadata', () => {
      if (video.currentTime > 0 && !video.played.length) video.currentTime = 0;
    }, { once: true });
    // Native HLS sends the master playlist's query with the master only:
    // the server adds the token to every URL the playlists name
    // (PeerTube's reinjectVideoFileToken).
    video.src = video.dataset.fileToken ? withFileToken(video, src, true) : src;
    if (autoplay) tryPlay(video);
    return null;
  }
  video.dataset.player = 'unsupported';
  showMessage(video, t('player.unsupported'));
  return null;
}

window.Cabane = Object.assign(window.Cabane || {}, { startPlayer });

// A <video data-start="click"> (the embed page) fetches nothing but its
// poster until the viewer presses its play button (data-play-for="<id>"):
// then hls.js, the playlists and segments load, and it plays, within the
// click's user activation.
function startOnClick(video) {
  const button = video.id && document.querySelector(`[data-play-for="${CSS.escape(video.id)}"]`);
  const go = () => {
    if (button) button.remove();
    video.controls = true;
    const wrap = video.closest('.embed-player');
    if (wrap) wrap.dataset.started = '1';
    startPlayer(video, { autoplay: true });
  };
  if (button) {
    button.addEventListener('click', go, { once: true });
  } else {
    video.controls = true;
    video.addEventListener('play', go, { once: true });
  }
}

// Chapter buttons (watch page: <button data-seek="65">) seek the page's
// player and play from there; they are buttons, so keyboards reach them.
function wireChapters() {
  document.querySelectorAll('[data-seek]').forEach((button) => {
    button.addEventListener('click', () => {
      const video = document.getElementById('player');
      if (!video) return;
      const at = Number(button.dataset.seek);
      startPlayer(video).then(() => {
        video.currentTime = at;
        tryPlay(video);
      });
    });
  });
}

function startAll() {
  wireChapters();
  document.querySelectorAll('video[data-hls]').forEach((video) => {
    if (video.dataset.start === 'click') startOnClick(video);
    else startPlayer(video);
  });
}

// With defer (as the templates load it) the document is already parsed.
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', startAll);
} else {
  startAll();
}
})();
