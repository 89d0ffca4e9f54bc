// upload.js: sends the upload page's file with PeerTube's resumable protocol
// (POST /api/v1/videos/upload-resumable, then PUT chunks with Content-Range).
//
// Without JavaScript the form posts one file to /upload as usual. With it,
// the file input takes several files (chosen, or dropped on the labelled
// drop zone); each becomes a card in #upload-files with its own progress
// bar and its own resumable upload, two at a time. The form's channel and
// privacy go as JSON to each init request (CSRF token in X-CSRF-Token), the
// file goes in chunks of a few MB, each fsynced by the server; a dropped
// connection is retried with a growing pause after asking the server how much
// it holds ("bytes */total"), so a flaky Wi-Fi or a box that restarts costs at
// most one chunk. Cancel removes the partial file. When a file is stored, its
// card shows the processing progress (processing.js) and my videos' edit
// form (fetched from /my/videos/<id>, saved to it: the same handler), so the
// details are filled in while the video is encoded. XHR, not fetch(), for
// upload progress events.
(function () {
'use strict';

const API = '/api/v1/videos/upload-resumable';
const CHUNK = 5 * 1024 * 1024;
const MAX_RETRIES = 8;
const MB = 1000 * 1000;

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

const PARALLEL = 2;

// removeUpload deletes a cancelled upload's partial file. The server may
// still be writing the chunk whose PUT was just aborted (it has not seen
// the connection close yet) and answers 409 meanwhile: ask again a few
// times rather than leave the partial file until it expires.
async function removeUpload(location, csrf) {
  for (let i = 0; i < 6; i++) {
    const res = await send('DELETE', location, csrf, null, null, () => {});
    if (res.status !== 409) return;
    await sleep(250 * (i + 1));
  }
}

// uploadFile sends one file; ui has progress(at), say(text) and track(xhr),
// and cancelled() tells whether the user gave up on it.
async function uploadFile(file, fields, csrf, ui) {
  const body = Object.assign({}, fields, { filename: file.name });
  if (!body.name) body.name = titleFromFileName(file.name) || file.name;
  let res = await send('POST', API, Object.assign({ 'Content-Type': 'application/json',
    'X-Upload-Content-Length': String(file.size), 'X-Upload-Content-Type': file.type || 'application/octet-stream' }, csrf),
  JSON.stringify(body), null, ui.track);
  if (res.status !== 201) throw res;
  ui.location = res.getResponseHeader('Location');
  const started = performance.now();
  let offset = 0;
  let failures = 0;
  while (offset < file.size) {
    const end = Math.min(offset + CHUNK, file.size);
    const show = (sent) => {
      const at = offset + sent;
      const percent = Math.floor((at / file.size) * 100);
      const seconds = (performance.now() - started) / 1000;
      const speed = seconds > 0 ? ` · ${t('upload.speed', { n: (at / MB / seconds).toFixed(1) })}` : '';
      ui.progress(percent);
      ui.say(`${formatMB(at)} ${t('upload.of')} ${formatMB(file.size)} (${percent} %)${speed}`);
    };
    try {
      res = await send('PUT', ui.location, Object.assign({ 'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${offset}-${end - 1}/${file.size}` }, csrf), file.slice(offset, end), show, ui.track);
    } catch (e) {
      if (ui.cancelled()) return null;
      if (++failures > MAX_RETRIES) throw new Error(t('upload.gaveUp'));
      const wait = Math.min(30, 2 ** failures);
      ui.say(t('upload.lost', { s: wait }));
      await sleep(wait * 1000);
      res = null;
    }
    if (ui.cancelled()) return null;
    if (res && res.status === 200) return JSON.parse(res.responseText).video;
    if (res && res.status === 308) {
      offset = storedBytes(res);
      failures = 0;
      continue;
    }
    if (res && res.status !== 409) throw res;
    // Dropped or out of step: ask the server how much it holds.
    try {
      const q = await send('PUT', ui.location, Object.assign({ 'Content-Range': `bytes */${file.size}` }, csrf), null, null, ui.track);
      if (q.status !== 308) throw q;
      offset = storedBytes(q);
    } catch (e) {
      if (e instanceof XMLHttpRequest) throw e;
    }
  }
  throw new Error(t('upload.unexpected'));
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
  if (text) e.textContent = text;
  return e;
}

// detailsForm puts my videos' edit form of the uploaded video into its
// card, its ids made unique, saved by fetch to the same handler.
async function detailsForm(card, n, id, name) {
  const res = await fetch(`/my/videos/${encodeURIComponent(id)}`, { credentials: 'same-origin' });
  if (!res.ok) return;
  const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
  const form = doc.querySelector('form.my-edit');
  if (!form) return;
  form.querySelectorAll('[id]').forEach((e) => { e.id = `u${n}-${e.id}`; });
  form.querySelectorAll('label[for]').forEach((e) => { e.htmlFor = `u${n}-${e.htmlFor}`; });
  form.querySelectorAll('[aria-describedby]').forEach((e) => {
    e.setAttribute('aria-describedby', e.getAttribute('aria-describedby').split(' ').map((x) => `u${n}-${x}`).join(' '));
  });
  form.classList.add('upload-meta');
  form.setAttribute('aria-label', t('public.details', { name }));
  const status = el('p', { class: 'upload-meta-status', role: 'status' });
  form.appendChild(status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!form.checkValidity()) { form.reportValidity(); return; }
    status.textContent = '';
    try {
      const r = await fetch(form.action, { method: 'POST', credentials: 'same-origin',
        body: new URLSearchParams(new FormData(form)) });
      if (r.ok && /done=saved/.test(r.url)) {
        status.textContent = t('public.saved');
        return;
      }
      const err = new DOMParser().parseFromString(await r.text(), 'text/html').querySelector('.flash.error, main p');
      status.textContent = t('public.save_failed', { error: err ? err.textContent.trim() : String(r.status) });
    } catch (e) {
      status.textContent = t('public.save_failed', { error: e.message });
    }
  });
  const slot = card.querySelector('.upload-file-meta');
  slot.replaceChildren(form);
}

function setup(form) {
  const fileInput = form.querySelector('input[type="file"][name="videofile"]');
  const csrfInput = form.querySelector('input[name="_csrf"]');
  const list = document.getElementById('upload-files');
  const drop = document.getElementById('upload-drop');
  const csrf = csrfInput ? { 'X-CSRF-Token': csrfInput.value } : {};
  if (!fileInput || !list) return;

  // With this script: several files, and the details come per file.
  fileInput.multiple = true;
  fileInput.required = false;
  form.querySelectorAll('.single-only').forEach((e) => { e.hidden = true; });
  form.querySelectorAll('.multi-only').forEach((e) => { e.hidden = false; });

  const queue = [];
  const jobs = [];
  let running = 0;
  let count = 0;
  // #upload-progress and #upload-status sum up every file's upload.
  const total = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  // A failed file counts as done (its card shows why): otherwise the bar
  // would stop short of 100 % for the files that did upload.
  const overall = () => {
    const live = jobs.filter((j) => !j.ui.stopped);
    if (!total || !live.length) return;
    total.hidden = false;
    const share = (j) => (j.ui.failed ? 100 : j.ui.percent);
    total.value = Math.floor(live.reduce((sum, j) => sum + share(j), 0) / live.length);
    const done = live.filter((j) => share(j) === 100).length;
    const failed = live.filter((j) => j.ui.failed).length;
    if (status) {
      status.textContent = `${done}/${live.length} · ${total.value} %` + (failed ? ` · ${t('upload.failedCount', { count: failed })}` : '');
    }
  };

  const fields = () => {
    const out = {};
    new FormData(form).forEach((v, k) => {
      if (k !== 'videofile' && k !== '_csrf' && k !== 'name' && k !== 'description') out[k] = v;
    });
    return out;
  };

  function card(file) {
    count += 1;
    const n = count;
    const li = el('li', { class: 'upload-file', id: `upload-file-${n}`, 'data-state': 'waiting' });
    li.appendChild(el('h2', { class: 'upload-file-name' }, file.name));
    const bar = el('progress', { class: 'upload-file-progress', max: '100', value: '0', 'aria-label': t('public.progress', { name: file.name }) });
    const status = el('p', { class: 'upload-file-status', role: 'status' }, t('public.waiting'));
    const cancel = el('button', { type: 'button', class: 'upload-file-cancel' }, t('upload.cancel'));
    li.append(bar, status, cancel, el('div', { class: 'upload-file-processing' }), el('div', { class: 'upload-file-meta' }));
    list.appendChild(li);
    const ui = {
      n, li, xhr: null, location: null, stopped: false, failed: false, percent: 0,
      progress: (p) => { bar.value = p; ui.percent = p; overall(); },
      say: (text) => { status.textContent = text; },
      track: (x) => { ui.xhr = x; },
      cancelled: () => ui.stopped,
    };
    cancel.addEventListener('click', () => {
      ui.stopped = true;
      if (ui.xhr) ui.xhr.abort();
      if (ui.location) removeUpload(ui.location, csrf).catch(() => {});
      li.dataset.state = 'cancelled';
      ui.say(t('upload.cancelled'));
      cancel.remove();
    });
    const job = { file, ui, cancel, fields: fields() };
    jobs.push(job);
    return job;
  }

  function finished(job, video) {
    const { ui } = job;
    job.cancel.remove();
    ui.progress(100);
    ui.li.dataset.state = 'uploaded';
    ui.say(t('public.uploaded'));
    const id = video.shortUUID || video.uuid;
    const section = el('section', { class: 'processing', 'data-api': `/api/v1/videos/${video.uuid}`,
      'data-events': `/videos/${video.uuid}/events`, 'data-done-href': `/w/${id}` });
    section.append(el('progress', { max: '100', value: '0', 'aria-label': t('processing.processing') }), ' ',
      el('span', { class: 'pct' }, '0 %'), ' ', el('span', { class: 'label' }, t('processing.processing')));
    const watch = el('a', { class: 'upload-file-watch', href: `/w/${id}` }, t('public.watch'));
    ui.li.querySelector('.upload-file-processing').replaceChildren(section, watch);
    if (window.Cabane && window.Cabane.followProcessing) window.Cabane.followProcessing(section);
    detailsForm(ui.li, ui.n, id, job.file.name).catch(() => {});
  }

  function next() {
    while (running < PARALLEL && queue.length) {
      const job = queue.shift();
      if (job.ui.stopped) continue;
      running += 1;
      job.ui.li.dataset.state = 'uploading';
      job.ui.say(t('public.uploading'));
      uploadFile(job.file, job.fields, csrf, job.ui).then((video) => {
        if (!video || job.ui.stopped) return;
        finished(job, video);
      }).catch((e) => {
        if (job.ui.stopped) return;
        job.ui.li.dataset.state = 'failed';
        job.ui.li.classList.add('failed');
        job.ui.say(e instanceof XMLHttpRequest ? errorMessage(e) : (e.message || t('upload.gaveUp')));
        job.ui.failed = true;
        overall();
      }).finally(() => {
        running -= 1;
        next();
      });
    }
  }

  function add(files) {
    Array.from(files || []).forEach((file) => queue.push(card(file)));
    next();
  }

  fileInput.addEventListener('change', () => {
    add(fileInput.files);
    fileInput.value = '';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    add(fileInput.files);
    fileInput.value = '';
  });
  if (drop) {
    ['dragenter', 'dragover'].forEach((type) => drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('dragover');
    }));
    ['dragleave', 'drop'].forEach((type) => drop.addEventListener(type, () => drop.classList.remove('dragover')));
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      add(event.dataTransfer && event.dataTransfer.files);
    });
  }
  // A file dropped beside the zone would make the browser open it in this
  // tab, ending every upload in progress: elsewhere on the page a drop does
  // nothing.
  window.addEventListener('dragover', (event) => {
    if (drop && drop.contains(event.target)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'none';
  });
  window.addEventListener('drop', (event) => {
    if (!drop || !drop.contains(event.target)) event.preventDefault();
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
