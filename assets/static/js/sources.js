// sources.js: where a video's segments come from over HTTP: the box, and
// the servers that mirror the video (PeerTube's redundancy, #12).
//
// A classic script, loaded before p2p.js and player.js on the watch and
// embed pages. window.CabaneSources.of(video, masterURL) is one video's
// sources: the mirrors its page lists (data-mirrors, app/web pages.go),
// a round robin over them and the box, and the check of a segment that
// did not come from the box against the video's segments-sha256.json.
// Two loaders use them:
// - p2p-media-loader (p2p.js), which asks which source each of its HTTP
//   downloads goes to, and has peers' and mirrors' segments checked;
// - the hls.js loader that loaderFor makes (player.js), whenever
//   p2p-media-loader does not load a segment: P2P off for the video or
//   turned off by the viewer, and the first segments of a P2P player.
//   It spreads segment requests the same way; on a mirror's error or a
//   segment whose SHA-256 is wrong it drops that mirror and takes the
//   segment from the box.
//
// A mirror is never trusted: what it sends is played only once its
// SHA-256 matches, and SubtleCrypto exists in secure contexts only
// (HTTPS, localhost). Elsewhere (a box on the LAN over plain HTTP) every
// byte comes from the box, which costs nothing: LAN viewers do not use
// the box's upload. Nor is a file token (a password-protected video's)
// ever sent to a mirror: such a player uses the box alone.
//
// counts is what came over HTTP (media segments, bytes from the box and
// from mirrors; mirrors' segments checked or refused): p2p.js adds its
// own counts to the same object (window.cabaneP2P), and the browser tests
// read it as window.cabaneHTTP.
(function () {
'use strict';

function hexOf(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

// The file's name in a segment's URL: mirrors hold the same names.
function fileOf(url) {
  return decodeURIComponent(new URL(url, location.href).pathname.split('/').pop());
}

class Sources {
  /**
   * @param {HTMLVideoElement} video
   * @param {string} master the master playlist's absolute URL
   */
  constructor(video, master) {
    this.master = master;
    // A remote video's origin names the file after a UUID of its own: its
    // page says where (data-p2p-sha256); a local one's is beside the master.
    this.sha256 = new URL(video.dataset.p2pSha256 || 'segments-sha256.json', master);
    this.counts = { httpBytes: 0, mirrorBytes: 0, mirrorVerified: 0, mirrorSegments: [], mirrorsFailed: [] };
    this.bases = [];
    this.failed = new Set();
    this.next = new Map(); // file name -> its next turn
    this.hashesPromise = null;
    let listed = [];
    try { listed = JSON.parse(video.dataset.mirrors || '[]') || []; } catch (e) { listed = []; }
    if (Sources.canCheck() && !video.dataset.fileToken) {
      this.bases = listed.map((b) => String(b || '').replace(/\/$/, '')).filter((b) => /^https?:\/\//.test(b));
    }
    // What is to be checked is known before the first mirror's segment
    // arrives.
    if (this.bases.length) this.hashes();
  }

  // Segments from elsewhere than the box are checked with SubtleCrypto.
  static canCheck() {
    return Boolean(window.isSecureContext && window.crypto && window.crypto.subtle);
  }

  // One fetch of segments-sha256.json (PeerTube's format: per file name,
  // per "start-end" byte range, end inclusive, the hex SHA-256).
  hashes() {
    if (!this.hashesPromise) {
      this.hashesPromise = fetch(this.sha256, { credentials: 'same-origin' })
        .then((res) => (res.ok ? res.json() : {}))
        .catch(() => ({}));
    }
    return this.hashesPromise;
  }

  /**
   * Whether data is the segment at url's byteRange ({start, end}, end
   * inclusive) as segments-sha256.json lists it; false when it lists
   * nothing for it: then there is nothing to trust it by.
   */
  async matches(url, byteRange, data) {
    if (!byteRange) return false;
    const ranges = (await this.hashes())[fileOf(url)];
    const want = ranges && ranges[`${byteRange.start}-${byteRange.end}`];
    if (!want) return false;
    return hexOf(await crypto.subtle.digest('SHA-256', data)) === want;
  }

  /**
   * The base URL of the mirror to ask for the next segment of url, or ''
   * for the box: the box first, then each mirror in turn. A turn per file
   * (rendition): one shared by the audio and the video could send all of
   * one to the box and all of the other to a mirror.
   */
  pick(url) {
    const healthy = this.bases.filter((b) => !this.failed.has(b));
    if (!healthy.length) return '';
    const file = fileOf(url);
    const n = this.next.get(file) || 0;
    this.next.set(file, n + 1);
    const i = n % (healthy.length + 1);
    return i === 0 ? '' : healthy[i - 1];
  }

  /** The URL of the segment at url (on the box) on mirror base. */
  urlOn(base, url) {
    return `${base}/${encodeURIComponent(fileOf(url))}`;
  }

  /**
   * Checks a segment mirror base sent for url's byteRange, and counts it:
   * true when it may be played; false drops the mirror.
   */
  async check(base, url, byteRange, data) {
    let ok = false;
    try {
      ok = await this.matches(url, byteRange, data);
    } catch (e) {
      ok = false; // what cannot be checked is not played
    }
    if (ok) {
      this.counts.mirrorVerified += 1;
      this.counts.mirrorBytes += data.byteLength;
      this.counts.mirrorSegments.push({ url, mirror: base, bytes: data.byteLength });
    } else {
      this.drop(base);
    }
    return ok;
  }

  /** Takes mirror base out of the round robin, for this page. */
  drop(base) {
    this.failed.add(base);
    this.counts.mirrorsFailed.push(base);
  }
}

/**
 * An hls.js loader class over Hls's default one: media segments go to the
 * box or a mirror in turn (a mirror's checked before hls.js has it, and
 * fetched again from the box when it fails); everything else, and every
 * segment when there is no mirror, goes to the box as it would without.
 * @param {Function} Hls the hls.js class
 * @param {Sources} sources
 */
function loaderFor(Hls, sources) {
  const Default = Hls.DefaultConfig.loader;
  const reset = (stats) => {
    Object.assign(stats, { aborted: false, loaded: 0, total: 0, chunkCount: 0, bwEstimate: 0 });
    stats.loading = { start: 0, first: 0, end: 0 };
  };
  return class SourcesLoader {
    constructor(config) {
      this.config = config;
      this.inner = new Default(config);
      this.ownStats = this.inner.stats;
      this.done = false;
    }

    // hls.js keeps the loader's stats object (and p2p-media-loader gives it
    // its own): whichever request runs writes to that one object.
    get stats() { return this.ownStats; }

    set stats(s) {
      this.ownStats = s;
      this.inner.stats = s;
    }

    get context() { return this.inner.context; }

    load(context, config, callbacks) {
      const frag = context.frag;
      const media = Boolean(frag) && typeof frag.sn === 'number';
      // hls.js's byte ranges end before rangeEnd; PeerTube's lists end at it.
      const range = context.rangeEnd > context.rangeStart ? { start: context.rangeStart, end: context.rangeEnd - 1 } : null;
      const counted = media ? {
        ...callbacks,
        onSuccess: (response, stats, ctx, details) => {
          sources.counts.httpBytes += response.data.byteLength;
          callbacks.onSuccess(response, stats, ctx, details);
        },
      } : callbacks;
      const base = media && range ? sources.pick(context.url) : '';
      if (!base) {
        this.inner.load(context, config, counted);
        return;
      }
      // A mirror is asked once, without hls.js's retries and with a short
      // wait for its first byte: the box is the fallback, not a retry.
      const policy = config.loadPolicy ? {
        ...config.loadPolicy,
        maxTimeToFirstByteMs: Math.min(config.loadPolicy.maxTimeToFirstByteMs || 4000, 4000),
        timeoutRetry: null,
        errorRetry: null,
      } : undefined;
      const fromBox = () => {
        if (this.done) return;
        this.inner.destroy();
        this.inner = new Default(this.config);
        reset(this.ownStats);
        this.inner.stats = this.ownStats;
        this.inner.load(context, config, counted);
      };
      const fail = () => {
        sources.drop(base);
        fromBox();
      };
      this.inner.stats = this.ownStats;
      this.inner.load({ ...context, url: sources.urlOn(base, context.url) }, { ...config, loadPolicy: policy }, {
        onSuccess: (response, stats, ctx, details) => {
          sources.check(base, context.url, range, response.data).then((ok) => {
            if (this.done) return;
            if (!ok) {
              fromBox();
              return;
            }
            sources.counts.httpBytes += response.data.byteLength;
            callbacks.onSuccess({ ...response, url: context.url }, stats, context, details);
          });
        },
        onError: fail,
        onTimeout: fail,
        onAbort: (stats, ctx, details) => { if (callbacks.onAbort) callbacks.onAbort(stats, context, details); },
      });
    }

    abort() {
      this.done = true; // a mirror's segment being checked is not delivered
      this.inner.abort();
    }

    destroy() {
      this.done = true;
      this.inner.destroy();
    }
  };
}

window.CabaneSources = {
  /** The sources of video, whose master playlist is at master (absolute). */
  of(video, master) {
    const sources = new Sources(video, master);
    window.cabaneHTTP = sources.counts;
    return sources;
  },
  loaderFor,
};
})();
