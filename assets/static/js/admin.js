// admin.js: the admin job list follows the queue live.
//
// The template renders
//   <table id="job-list" data-events="/admin/jobs/events"> ...
//     <tr data-job-id="ID" data-state="running" class="job job-running">
//       <td class="job-state">running<div class="job-error">…</div></td>
//       <td class="job-progress"><progress max="100"></progress> <span class="pct">42 %</span> <span class="live"></span></td>
//       <td class="job-actions"><form class="job-retry" hidden>…</form><form class="job-cancel">…</form></td>
//   <p id="jobs-new" hidden>…</p>
// and this script applies each "job" server-sent event to its row: state,
// error, progress with speed and time left, and which of Retry and Cancel
// the state allows. The forms are plain POSTs with their CSRF field: the
// page works without this script, only less live.
(function () {
'use strict';

// The page's words: the page renders its catalogue messages for this
// script in <script type="application/json" id="msgs"> (app/web words.go).
const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

const RETRYABLE = new Set(['failed', 'cancelled']);
const CANCELLABLE = new Set(['queued', 'running']);

function formatLeft(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}

// liveWords matches the server's "1.3× · 12 s left".
function liveWords(job) {
  if (job.state !== 'running') return '';
  const parts = [];
  if (job.speed > 0) parts.push(`${job.speed.toFixed(1)}×`);
  if (job.remaining > 0) parts.push(t('admin.left', { t: formatLeft(job.remaining) }));
  return parts.join(' · ');
}

function updateRow(row, job) {
  row.dataset.state = job.state;
  row.className = `job job-${job.state}`;
  const stateCell = row.querySelector('.job-state');
  if (stateCell) {
    stateCell.textContent = MSGS[`admin.state.${job.state}`] || job.state;
    if (job.error && job.state !== 'done') {
      const err = document.createElement('div');
      err.className = 'job-error';
      err.textContent = job.error;
      stateCell.appendChild(err);
    }
  }
  const percent = Math.max(0, Math.min(100, Math.round(Number(job.progress) || 0)));
  const bar = row.querySelector('.job-progress progress');
  if (bar) bar.value = percent;
  const pct = row.querySelector('.job-progress .pct');
  if (pct) pct.textContent = `${percent} %`;
  const live = row.querySelector('.job-progress .live');
  if (live) live.textContent = liveWords(job);
  const retry = row.querySelector('form.job-retry');
  if (retry) retry.hidden = !RETRYABLE.has(job.state);
  const cancel = row.querySelector('form.job-cancel');
  if (cancel) cancel.hidden = !CANCELLABLE.has(job.state);
}

function init() {
  const table = document.getElementById('job-list');
  if (!table || !table.dataset.events || typeof window.EventSource !== 'function') return;
  const filter = new URLSearchParams(window.location.search).get('state') || '';
  const notice = document.getElementById('jobs-new');
  const source = new EventSource(table.dataset.events);
  source.addEventListener('job', (event) => {
    let job;
    try {
      job = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    const row = table.querySelector(`tr[data-job-id="${Number(job.id)}"]`);
    if (row) {
      updateRow(row, job);
    } else if (notice && (!filter || filter === job.state)) {
      // A job this page has not listed: offer a reload rather than guess
      // where its row belongs.
      notice.hidden = false;
    }
  });
  // On errors EventSource reconnects by itself (a restart); a stream that is
  // refused stays closed and the page keeps its last state.
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init);
} else {
  init();
}
})();
