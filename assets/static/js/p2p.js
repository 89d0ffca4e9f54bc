// p2p.js: peer-to-peer playback for player.js, with p2p-media-loader v2.
//
// A classic script, loaded after sources.js and before player.js on the
// pages of videos that are shared between viewers (the <video> has
// data-p2p="on" and the tracker, swarm id and STUN servers in data
// attributes; app/web/p2p.go). player.js asks
// window.CabaneP2P.setup(video, Hls, sources) for hls.js options and a
// hook on the player; setup answers null, and hls.js plays over HTTP as
// before, when the browser has no WebRTC or cannot check segments (SHA-256
// needs a secure context). hls.js always starts as it is; the loader comes
// in during playback, from the next segment (attachLive): at the first
// frame, or when the viewer who had P2P off turns the switch on.
//
// What is promised and kept here:
// - every segment that comes from a peer is checked against the video's
//   segments-sha256.json before hls.js gets it; a peer that sends a wrong
//   one is dropped (the loader's validateP2PSegment hook) and the segment
//   comes over HTTP;
// - playback never waits on peers: the next seconds always come over HTTP
//   when no peer has delivered them yet (highDemandTimeWindow);
// - HTTP comes from the box or from a mirror the page lists (sources.js,
//   shared with player.js's own loader), and a mirror's segments are
//   checked too;
// - the first frame does not wait on P2P: the loader's modules are fetched
//   at the first frame, and the first segments, until then,
//   come over HTTP through hls.js's own loader (sources.js) before the
//   loader announces to the tracker and meets peers;
// - the viewer's choice (the "peer-to-peer" switch, on the watch page and
//   on the embed) is kept in localStorage, never in a cookie: it never
//   leaves the browser; it takes effect at once, both ways.
//
// window.cabaneP2P is what the player counted (bytes from peers and over
// HTTP, segments verified and rejected, peers met and dropped; sources.js's
// counts object, with the peers' counts added), for the watch page's
// "From peers" line and for the browser tests.
(function () {
'use strict';

const SELF = document.currentScript;
const HLSJS_P2P = SELF && SELF.dataset.p2pHlsjs;
const PREF_KEY = 'cabane.p2p';

const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

function preferred() {
  try { return localStorage.getItem(PREF_KEY) !== 'off'; } catch (e) { return true; }
}

function setPreferred(on) {
  try {
    if (on) localStorage.removeItem(PREF_KEY); else localStorage.setItem(PREF_KEY, 'off');
  } catch (e) { /* storage refused: the choice lasts this page */ }
}

// Segments from peers are checked with SubtleCrypto, which browsers give
// to secure contexts only (HTTPS, localhost): elsewhere (a box on the LAN
// over plain HTTP) playback stays on HTTP rather than play unchecked bytes.
function supported() {
  return Boolean(HLSJS_P2P && typeof window.RTCPeerConnection === 'function' &&
    window.isSecureContext && window.crypto && window.crypto.subtle);
}

// --- the counts -----------------------------------------------------------

// newStats adds the peers' counts to counts, what came over HTTP (from
// the box and from mirrors, sources.js).
function newStats(on, counts) {
  const stats = Object.assign(counts, {
    on, p2pBytes: 0, verified: 0, rejected: 0,
    peers: [], dropped: [], liars: [], segments: [], uploadedBytes: 0,
    // Seconds hls.js had buffered when the loader came in (adopt).
    aheadAtLoader: null,
  });
  window.cabaneP2P = stats;
  return stats;
}

function formatMB(bytes) {
  return (bytes / 1e6).toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
}

function showStats(stats) {
  const line = document.getElementById('p2p-stats');
  if (!line) return;
  const total = stats.httpBytes + stats.p2pBytes;
  if (!stats.on || !total) {
    line.hidden = true;
    return;
  }
  line.textContent = t('player.p2p.fromPeers', { mb: formatMB(stats.p2pBytes), pct: Math.round((100 * stats.p2pBytes) / total) });
  line.hidden = false;
}

// --- a test-only peer that lies ---------------------------------------------

// With the server in test mode (data-p2p-test-hooks) and ?p2pCorrupt=1,
// this viewer keeps its segments in a store that flips a byte of every
// segment it uploads, so that its peers receive wrong data: the browser
// tests check that they refuse it and drop this peer. Its own player
// reads a stored segment right after asking whether it is there (the
// loader does both in one go); an upload reads without asking: only
// those reads are corrupted.
class CorruptingStorage {
  constructor() { this.items = new Map(); this.changed = () => {}; this.asked = null; }
  async initialize() {}
  onPlaybackUpdated() {}
  onSegmentRequested() {}
  async storeSegment(swarmId, streamId, segmentId, data) {
    this.items.set(`${streamId}|${segmentId}`, data);
    this.changed(streamId);
  }
  async getSegmentData(swarmId, streamId, segmentId) {
    const key = `${streamId}|${segmentId}`;
    const data = this.items.get(key);
    if (!data || this.asked === key) return data;
    const copy = new Uint8Array(data.slice(0));
    copy[copy.length >> 1] ^= 0xff;
    return copy.buffer;
  }
  getUsage() {
    let used = 0;
    this.items.forEach((d) => { used += d.byteLength; });
    return { totalCapacity: 1 << 30, usedCapacity: used };
  }
  hasSegment(swarmId, streamId, segmentId) {
    const key = `${streamId}|${segmentId}`;
    this.asked = key;
    queueMicrotask(() => { if (this.asked === key) this.asked = null; });
    return this.items.has(key);
  }
  getStoredSegmentIds(swarmId, streamId) {
    const ids = [];
    this.items.forEach((d, key) => {
      const at = key.lastIndexOf('|');
      if (key.slice(0, at) === streamId) ids.push(Number(key.slice(at + 1)));
    });
    return ids;
  }
  setSegmentChangeCallback(callback) { this.changed = callback; }
  destroy() { this.items.clear(); }
}

// --- the switch -------------------------------------------------------------

// What each video's switch tells its player (set by setup): nothing
// before the player starts, when the choice is only remembered.
const onSwitch = new WeakMap();

// The switch is there from the page's load, on the watch page under the
// player and on the embed over its top corner, so that a viewer can make
// the choice before playing; during playback, turning it on brings the
// loader in, and fetches its modules then.
function addSwitch(video) {
  const embed = video.closest('.embed-player');
  const wrap = document.createElement('div');
  wrap.className = embed ? 'embed-p2p' : 'player-p2p';
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.className = 'p2p-switch';
  box.checked = preferred();
  box.addEventListener('change', () => {
    setPreferred(box.checked);
    const changed = onSwitch.get(video);
    if (changed) changed(box.checked);
  });
  // The embed has little room: a shorter label, the same help.
  label.append(box, ` ${t(embed ? 'player.p2p.switchShort' : 'player.p2p.switch')}`);
  label.title = t('player.p2p.help');
  wrap.appendChild(label);
  // In the embed, inside its box (positioned over the video); on the watch
  // page after the 16:9 box (which clips), like the quality menu.
  if (embed) embed.appendChild(wrap);
  else (video.closest('.player-wrap') || video).insertAdjacentElement('afterend', wrap);
}

// --- setup ------------------------------------------------------------------

let modulePromise = null;

// Seconds of playback ahead that always come over HTTP (see core below).
const HIGH_DEMAND = 8;
// Seconds hls.js buffers ahead while P2P is off for now (see adopt).
const OFF_BUFFER = 30;

// startSharing switches a built engine's loader on, once playback has a
// first frame. It then starts at the segment hls.js asks for next, a
// buffer ahead of playback, and counts its window from there until it
// hears where playback is: a short window meanwhile, or it would take over
// HTTP the segments that peers are about to have. The full one is back
// once it knows, and the segment hls.js waits for is fetched at once
// either way.
function startSharing(engine) {
  engine.applyDynamicConfig({ core: { isP2PDisabled: false, highDemandTimeWindow: 1 } });
  setTimeout(() => engine.applyDynamicConfig({ core: { highDemandTimeWindow: HIGH_DEMAND } }), 2000);
}

// wireCounts keeps stats with what an engine loaded, checked and met.
function wireCounts(engine, stats) {
  engine.addEventListener('onSegmentLoaded', (d) => {
    if (d.downloadSource === 'p2p') stats.p2pBytes += d.bytesLength; else stats.httpBytes += d.bytesLength;
    stats.segments.push({ url: d.segmentUrl, source: d.downloadSource, peerId: d.peerId || '', bytes: d.bytesLength, stream: d.streamType, at: performance.now() });
    showStats(stats);
  });
  engine.addEventListener('onSegmentError', (d) => {
    // A peer whose segment failed the check: the loader closes it.
    if (d.downloadSource === 'p2p' && d.error && d.error.type === 'p2p-segment-validation-failed') stats.liars.push(d.peerId || '');
  });
  engine.addEventListener('onPeerConnect', (d) => { stats.peers.push(d.peerId); });
  engine.addEventListener('onPeerClose', (d) => { stats.dropped.push(d.peerId); });
  engine.addEventListener('onChunkUploaded', (n) => { stats.uploadedBytes += n; });
}

// secondsAhead is how much of video is buffered ahead of playback.
function secondsAhead(video) {
  const { buffered, currentTime } = video;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= currentTime + 0.1 && currentTime < buffered.end(i)) return buffered.end(i) - currentTime;
  }
  return 0;
}

// attachLive builds the loader for an hls.js instance already playing
// (the viewer had P2P off when the page loaded, and turned it on): hls.js
// reads its fragment and playlist loader classes from its config at each
// load, so the loader takes over from the next segment, without a reload
// or a pause. The engine is told what hls.js already knows (the master
// playlist as hls.js received it, the level and audio playlists loaded,
// the level playing): the same calls hls.js's events make when the loader
// is there from the start (p2p-media-loader's HlsJsP2PEngine), so its
// streams, and so its swarms, are the other viewers'.
function attachLive(HlsJsP2PEngine, hls, core, manifest) {
  const engine = new HlsJsP2PEngine({ core: { ...core, isP2PDisabled: true } });
  engine.bindHls(hls);
  engine.initHlsEvents();
  engine.handleManifestLoaded('hlsManifestLoaded', manifest);
  const loaded = [...(hls.levels || []), ...(hls.audioTracks || [])].filter((p) => p.details);
  for (const p of loaded) engine.handleLevelUpdated('hlsLevelUpdated', { details: p.details });
  const level = (hls.levels || [])[hls.loadLevel >= 0 ? hls.loadLevel : hls.currentLevel];
  if (level && level.bitrate) engine.core.setActiveLevelBitrate(level.bitrate);
  Object.assign(hls.config, engine.getConfigForHlsJs());
  return engine;
}

/**
 * The options to play video peer to peer, or null to play it over HTTP
 * only: hls.js plays as it is, and adopt(hls), called with the player,
 * brings the loader in at the first frame (P2P on) or when the viewer
 * turns P2P on.
 * @param {HTMLVideoElement} video
 * @param {Function} Hls the hls.js class
 * @param {object} sources the video's HTTP sources (sources.js): without
 *   them nothing could check what peers send
 */
async function setup(video, Hls, sources) {
  if (video.dataset.p2p !== 'on' || !supported() || !sources) return null;
  let engine = null;
  let attaching = null;
  // The player and the master playlist as hls.js received it (its
  // MANIFEST_LOADED data), for attachLive; they come after setup.
  let adopted;
  const player = new Promise((resolve) => { adopted = resolve; });
  // Until the first frame, P2P waits (see startSharing).
  let started = false;
  // How far ahead hls.js buffers (adopt), and how far once the loader is
  // in: as far as the loader lets it (HlsJsP2PEngine's
  // updateMaxBufferLength: two segments, at least the high-demand window).
  let buffer = () => {};
  let loaderBuffer = HIGH_DEMAND;
  const stats = newStats(preferred(), sources.counts);
  const core = coreConfig(video, sources, stats);

  // The loader comes in at the first frame (see below). Should that fail
  // (its modules did not load), the next "playing" (after a stall, a
  // seek, a pause) tries again, as does the switch.
  video.addEventListener('playing', () => {
    if (!started && engine && stats.on) startSharing(engine);
    started = true;
    if (!engine && stats.on) build();
  });

  // Built once, at the first frame or on the viewer's asking.
  const build = () => {
    attaching = attaching || (async () => {
      const [{ HlsJsP2PEngine }, { hls, manifest }] = await Promise.all([loaderModules(), player]);
      // A player that failed (hls.js destroyed) plays nothing more.
      if (hls.media !== video) throw new Error('p2p: the player is gone');
      engine = attachLive(HlsJsP2PEngine, hls, core, manifest);
      wireCounts(engine, stats);
      video.dataset.p2pActive = '1';
      stats.aheadAtLoader = secondsAhead(video);
      buffer(loaderBuffer);
      if (started && stats.on) startSharing(engine);
    })().catch(() => {
      // Over HTTP only for now; a later "playing" or flip tries again.
      attaching = null;
      buffer(OFF_BUFFER);
    });
    return attaching;
  };

  onSwitch.set(video, (on) => {
    stats.on = on;
    if (engine) {
      // Off: the loader destroys its peers' connections and its tracker
      // client, and hls.js's own loader fetches everything; on again:
      // they come back from the next segment.
      if (started) engine.applyDynamicConfig({ core: { isP2PDisabled: !on } });
    } else if (on) {
      build();
    } else {
      buffer(OFF_BUFFER);
    }
    showStats(stats);
  });

  const adopt = (hls) => {
    if (engine) return;
    hls.once('hlsManifestLoaded', (_e, manifest) => adopted({ hls, manifest }));
    const defaults = [hls.config.maxBufferLength, hls.config.maxMaxBufferLength];
    // hls.js reads these at each segment.
    buffer = (seconds) => {
      hls.config.maxBufferLength = Math.min(defaults[0], seconds);
      hls.config.maxMaxBufferLength = Math.min(defaults[1], seconds);
    };
    // P2P off for now: hls.js buffers as much as 60 MB ahead (the whole of
    // a short or small video) when nothing caps it; then turning P2P on
    // would change nothing for minutes, and a viewer who leaves early
    // would have taken all of it from the box's upload. Half a minute.
    //
    // P2P on: until the loader comes in, hls.js buffers one segment ahead,
    // enough for the first frame. It then asks for the next one as soon as
    // the loader is in (build raises the cap), and the loader starts
    // its swarm with that request: it meets peers a second after the
    // first frame, while hls.js still has a few seconds of its own; with
    // the loader's cap from the start, hls.js held 12 s when the loader
    // came in, asked for nothing for 4 s, and later viewers got 53-60 %
    // of their bytes from peers instead of 71 % (p2p.bench.mjs, 5 viewers).
    buffer(stats.on ? HIGH_DEMAND : OFF_BUFFER);
    const levelUpdated = (_e, { details }) => {
      if (!details.fragments.length || details.fragments[0].type !== 'main') return;
      hls.off('hlsLevelUpdated', levelUpdated);
      loaderBuffer = Math.max(2 * details.targetduration, HIGH_DEMAND);
      // The loader may be in already (the switch, before any playlist).
      if (engine) buffer(loaderBuffer);
      else if (stats.on) buffer(details.targetduration);
    };
    hls.on('hlsLevelUpdated', levelUpdated);
  };
  // hls.js hands each segment to its worker by transferring the buffer,
  // which empties the loader's stored copy: peers would then be sent
  // nothing. Remuxing fMP4 on the page is cheap (and spares the worker's
  // start, which a first frame waits for).
  //
  // hls.js starts as it is, P2P on or off: the loader comes in through
  // attachLive at the first frame (or when the viewer turns P2P on), as
  // it would from the start, so the first frame waits on nothing of it:
  // no playlist goes through its parser, no segment through its queue,
  // and its modules are fetched only then. Fetched with the page, as they
  // were, their compiling competed with hls.js's start: the first frame
  // came 1.20x later than with P2P off, against 0.99x now (p2p.bench.mjs,
  // 21 viewers each way); meanwhile hls.js buffers one segment ahead
  // (adopt).
  return { config: { enableWorker: false }, adopt };
}

// coreConfig is p2p-media-loader's core configuration for video: its
// swarm and tracker, and the checks of what peers and mirrors send.
function coreConfig(video, sources, stats) {
  const master = new URL(video.dataset.hls, document.baseURI).href;
  // segment -> mirror base it was asked of. Keyed by URL and byte range:
  // the renditions are single files, so every segment of one shares a URL,
  // and a key by URL alone let a mirror's segment through unchecked when
  // one from the box was checked in its place.
  const viaMirror = new Map();
  const segmentKey = (url, byteRange) => (byteRange ? `${url}|${byteRange.start}-${byteRange.end}` : url);
  let stun = [];
  try { stun = JSON.parse(video.dataset.p2pStun || '[]'); } catch (e) { stun = []; }
  const test = video.dataset.p2pTestHooks === '1';
  const corrupt = test && new URLSearchParams(location.search).get('p2pCorrupt') === '1';

  const core = {
    swarmId: video.dataset.p2pSwarm || master,
    announceTrackers: [video.dataset.p2pTracker],
    rtcConfig: { iceServers: stun.length ? [{ urls: stun }] : [] },
    // Built off (attachLive), and switched on once playback has a first
    // frame (startSharing): until then hls.js's own loader (with
    // sources.js's mirrors) has the segments, and the tracker announce,
    // WebRTC offers and segment queue do not compete with them. Nothing is
    // lost: no peer could have sent them sooner than HTTP.
    isP2PDisabled: true,
    // The next 8 s always come over HTTP when no peer delivered them yet,
    // so playback never waits on peers; beyond, a minute is fetched from
    // peers that have it, and half a minute may be fetched over HTTP to
    // seed the swarm. Short windows, as PeerTube's player has them: a
    // viewer who leaves early has not taken a whole video's upload.
    highDemandTimeWindow: HIGH_DEMAND,
    httpDownloadTimeWindow: 30,
    p2pDownloadTimeWindow: 60,
    simultaneousHttpDownloads: 2,
    simultaneousP2PDownloads: 3,
    p2pNotReceivingBytesTimeoutMs: 2000,
    async validateP2PSegment(url, byteRange, data) {
      const ok = await sources.matches(url, byteRange, data);
      if (ok) stats.verified += 1; else stats.rejected += 1;
      return ok;
    },
    async validateHTTPSegment(url, byteRange, data) {
      const key = segmentKey(url, byteRange);
      const mirror = viaMirror.get(key);
      viaMirror.delete(key);
      if (!mirror) return true; // the box is the authority on its own files
      return sources.check(mirror, url, byteRange, data);
    },
    async httpRequestSetup(segmentUrl, segmentByteRange, signal, requestByteRange) {
      // The same round robin over the box and its healthy mirrors as
      // hls.js's loader (sources.js).
      const base = sources.pick(segmentUrl);
      const key = segmentKey(segmentUrl, segmentByteRange);
      if (!base) { // the box (again, if a mirror's request was given up)
        viaMirror.delete(key);
        return undefined;
      }
      viaMirror.set(key, base);
      const headers = {};
      if (requestByteRange) headers.Range = `bytes=${requestByteRange.start}-${requestByteRange.end ?? ''}`;
      return new Request(sources.urlOn(base, segmentUrl), { headers, signal, credentials: 'omit' });
    },
  };
  if (corrupt) core.customSegmentStorageFactory = () => new CorruptingStorage();
  return core;
}

// The loader's modules (p2p-media-loader's core and hls.js integration),
// fetched once, when the loader comes in: a viewer who keeps P2P off
// never fetches them.
function loaderModules() {
  if (!modulePromise) {
    const loading = import(HLSJS_P2P);
    modulePromise = loading;
    // A failed fetch (the network dropped) is tried again at the next ask.
    loading.catch(() => { if (modulePromise === loading) modulePromise = null; });
  }
  return modulePromise;
}

document.querySelectorAll('video[data-p2p="on"]').forEach((video) => {
  if (supported()) addSwitch(video);
});

window.CabaneP2P = { setup };
})();
