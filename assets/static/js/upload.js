// upload.js: sends the upload page's file with PeerTube's resumable protocol
// (POST /api/v1/videos/upload-resumable, then PUT chunks with Content-Range).
//
// Without JavaScript the form posts to /upload as usual. With it, the form's
// fields go as JSON to the init request (CSRF token in X-CSRF-Token), the
// file goes in chunks of a few MB, each fsynced by the server; a dropped
// connection is retried with a growing pause after asking the server how much
// it holds ("bytes */total"), so a flaky Wi-Fi or a box that restarts costs at
// most one chunk. Cancel removes the partial file. On success the browser goes
// to /w/<shortUUID>. XHR, not fetch(), for upload progress events.
(function () {
'use strict';

const API = '/api/v1/videos/upload-resumable';
const CHUNK = 5 * 1024 * 1024;
const MAX_RETRIES = 8;
const MB = 1000 * 1000;
const REDIRECT_DELAY_MS = 300;

// The page's words: the page renders its catalogue messages for this
// script in <script type="application/json" id="msgs"> (app/web words.go).
const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

const formatMB = (bytes) => t('upload.mb', { n: (bytes / MB).toFixed(1) });

// "holiday_2024-07.mp4" -> "holiday 2024-07": a title the user can keep.
function titleFromFileName(name) {
  return name.replace(/\.[^.]+$/, '').replace(/_+/g, ' ').trim().slice(0, 120);
}

function errorMessage(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && (body.detail || body.error || body.message)) return body.detail || body.error || body.message;
  } catch (_) {
    // Not JSON (a proxy's HTML error page): fall through to the status line.
  }
  if (xhr.status === 413) return t('upload.tooLarge');
  return t('upload.failed', { status: xhr.status });
}

// send resolves with the XHR once it has an answer, rejects on a network
// error (status 0), and reports upload progress of this request's body.
function send(method, url, headers, body, onProgress, track) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    track(xhr);
    xhr.open(method, url);
    xhr.setRequestHeader('Accept', 'application/json');
    Object.entries(headers).forEach(([k, v]) => xhr.setRequestHeader(k, v));
    if (onProgress) xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded));
    xhr.addEventListener('load', () => resolve(xhr));
    xhr.addEventListener('error', () => reject(new Error('network')));
    xhr.addEventListener('abort', () => reject(new Error('abort')));
    xhr.send(body);
  });
}

// storedBytes reads a 308's "Range: bytes=0-N" (none: nothing stored).
function storedBytes(xhr) {
  const m = /bytes=0-(\d+)/.exec(xhr.getResponseHeader('Range') || '');
  return m ? Number(m[1]) + 1 : 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function setup(form) {
  const fileInput = form.querySelector('input[type="file"][name="videofile"]');
  const nameInput = form.querySelector('[name="name"]');
  const csrfInput = form.querySelector('input[name="_csrf"]');
  const progress = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  const submit = form.querySelector('button[type="submit"]');
  const cancel = document.getElementById('upload-cancel');
  if (cancel) cancel.textContent = t('upload.cancel');
  const csrf = csrfInput ? { 'X-CSRF-Token': csrfInput.value } : {};

  const say = (text, kind) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('error', kind === 'error');
  };
  const fillTitle = () => {
    const file = fileInput && fileInput.files && fileInput.files[0];
    if (file && nameInput && !nameInput.value.trim()) nameInput.value = titleFromFileName(file.name);
  };
  if (fileInput) fileInput.addEventListener('change', fillTitle);

  let busy = false;
  let current = null; // the XHR in flight, for Cancel
  let location = null; // the upload's URL, once created
  let cancelled = false;

  const done = () => {
    busy = false;
    current = null;
    if (submit) submit.disabled = false;
    if (cancel) cancel.hidden = true;
    if (progress) progress.hidden = true;
  };

  if (cancel) {
    cancel.addEventListener('click', () => {
      cancelled = true;
      if (current) current.abort();
      if (location) send('DELETE', location, csrf, null, null, () => {}).catch(() => {});
      say(t('upload.cancelled'), 'error');
      done();
    });
  }

  async function upload(file) {
    const fields = {};
    new FormData(form).forEach((v, k) => {
      if (k !== 'videofile' && k !== '_csrf') fields[k] = v;
    });
    fields.filename = file.name;
    const track = (x) => { current = x; };
    let res = await send('POST', API, Object.assign({ 'Content-Type': 'application/json',
      'X-Upload-Content-Length': String(file.size), 'X-Upload-Content-Type': file.type || 'application/octet-stream' }, csrf),
    JSON.stringify(fields), null, track);
    if (res.status !== 201) throw res;
    location = res.getResponseHeader('Location');
    const started = performance.now();
    let offset = 0;
    let failures = 0;
    while (offset < file.size) {
      const end = Math.min(offset + CHUNK, file.size);
      const show = (sent) => {
        const at = offset + sent;
        const percent = Math.floor((at / file.size) * 100);
        if (progress) progress.value = percent;
        const seconds = (performance.now() - started) / 1000;
        const speed = seconds > 0 ? ` · ${t('upload.speed', { n: (at / MB / seconds).toFixed(1) })}` : '';
        say(`${formatMB(at)} ${t('upload.of')} ${formatMB(file.size)} (${percent} %)${speed}`);
      };
      try {
        res = await send('PUT', location, Object.assign({ 'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${offset}-${end - 1}/${file.size}` }, csrf), file.slice(offset, end), show, track);
      } catch (e) {
        if (cancelled) return;
        if (++failures > MAX_RETRIES) throw new Error(t('upload.gaveUp'));
        const wait = Math.min(30, 2 ** failures);
        say(t('upload.lost', { s: wait }));
        await sleep(wait * 1000);
        res = null;
      }
      if (cancelled) return;
      if (res && res.status === 200) {
        return JSON.parse(res.responseText).video;
      }
      if (res && res.status === 308) {
        offset = storedBytes(res);
        failures = 0;
        continue;
      }
      if (res && res.status !== 409) throw res;
      // Dropped or out of step: ask the server how much it holds.
      try {
        const q = await send('PUT', location, Object.assign({ 'Content-Range': `bytes */${file.size}` }, csrf), null, null, track);
        if (q.status !== 308) throw q;
        offset = storedBytes(q);
      } catch (e) {
        if (e instanceof XMLHttpRequest) throw e;
      }
    }
    throw new Error(t('upload.unexpected'));
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    fillTitle();
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    const file = fileInput.files[0];
    busy = true;
    cancelled = false;
    location = null;
    if (submit) submit.disabled = true;
    if (cancel) cancel.hidden = false;
    if (progress) {
      progress.hidden = false;
      progress.max = 100;
      progress.value = 0;
    }
    say(t('upload.starting'));
    upload(file).then((video) => {
      if (cancelled) return;
      const id = video && (video.shortUUID || video.uuid);
      if (!id) throw new Error(t('upload.unexpected'));
      if (progress) progress.value = 100;
      say(t('upload.opening'));
      setTimeout(() => window.location.assign(`/w/${encodeURIComponent(id)}`), REDIRECT_DELAY_MS);
    }).catch((e) => {
      if (cancelled) return;
      say(e instanceof XMLHttpRequest ? errorMessage(e) : (e.message || t('upload.gaveUp')), 'error');
      done();
    });
  });
}

function init() {
  const form = document.getElementById('upload-form');
  if (form) setup(form);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init);
} else {
  init();
}
})();
