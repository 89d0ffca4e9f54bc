// upload.js: sends the upload form with XMLHttpRequest for a real progress bar.
//
// Without JavaScript the form posts to /upload as usual. With it, the same
// FormData goes to POST /api/v1/videos/upload (PeerTube's path) with the CSRF
// token in X-CSRF-Token, progress shows bytes, percent and speed, and on success
// the browser goes to /w/<shortUUID>. fetch() has no upload progress events,
// hence XHR. A classic script: <script src="/static-assets/js/upload.js" defer></script>.
(function () {
'use strict';

const API = '/api/v1/videos/upload';
const MB = 1000 * 1000;
// Keep "100 %" on screen for a moment so the user sees the upload finished.
const REDIRECT_DELAY_MS = 300;

function formatMB(bytes) {
  return `${(bytes / MB).toFixed(1)} MB`;
}

// "holiday_2024-07.mp4" -> "holiday 2024-07": a title the user can keep.
function titleFromFileName(name) {
  return name
    .replace(/\.[^.]+$/, '')
    .replace(/_+/g, ' ')
    .trim()
    .slice(0, 120);
}

function errorMessage(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && (body.detail || body.error || body.message)) {
      return body.detail || body.error || body.message;
    }
  } catch (_) {
    // Not JSON (a proxy's HTML error page): fall through to the status line.
  }
  if (xhr.status === 413) return 'The file is too large for this server.';
  return `Upload failed (HTTP ${xhr.status}${xhr.statusText ? ` ${xhr.statusText}` : ''}).`;
}

function setup(form) {
  const fileInput = form.querySelector('input[type="file"][name="videofile"]');
  const nameInput = form.querySelector('[name="name"]');
  const csrfInput = form.querySelector('input[name="_csrf"]');
  const progress = document.getElementById('upload-progress');
  const status = document.getElementById('upload-status');
  const submit = form.querySelector('button[type="submit"], input[type="submit"], button:not([type])');

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
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    fillTitle();
    // The title may have been empty and required: check again now it is filled.
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }

    const data = new FormData(form);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', API);
    xhr.responseType = 'text';
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfInput) xhr.setRequestHeader('X-CSRF-Token', csrfInput.value);

    busy = true;
    if (submit) submit.disabled = true;
    if (progress) {
      progress.hidden = false;
      progress.max = 100;
      progress.value = 0;
    }
    say('Starting upload…');
    const started = performance.now();

    // After a failure the bar would claim progress that did not happen.
    const done = () => {
      busy = false;
      if (submit) submit.disabled = false;
      if (progress) progress.hidden = true;
    };

    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.floor((e.loaded / e.total) * 100);
      if (progress) progress.value = percent;
      const seconds = (performance.now() - started) / 1000;
      const speed = seconds > 0 ? `${(e.loaded / MB / seconds).toFixed(1)} MB/s` : '';
      say(`${formatMB(e.loaded)} of ${formatMB(e.total)} (${percent} %)${speed ? ` · ${speed}` : ''}`);
    });
    xhr.upload.addEventListener('load', () => {
      if (progress) progress.value = 100;
      say('Upload complete, checking the video…');
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        let video = null;
        try {
          video = JSON.parse(xhr.responseText).video;
        } catch (_) {
          video = null;
        }
        const id = video && (video.shortUUID || video.uuid);
        if (!id) {
          say('The server accepted the upload but sent an unexpected reply.', 'error');
          done();
          return;
        }
        if (progress) progress.value = 100;
        say('Uploaded. Opening the video…');
        setTimeout(() => window.location.assign(`/w/${encodeURIComponent(id)}`), REDIRECT_DELAY_MS);
        return;
      }
      say(errorMessage(xhr), 'error');
      done();
    });
    xhr.addEventListener('error', () => {
      say('Upload failed: the connection to the server was lost.', 'error');
      done();
    });
    xhr.addEventListener('abort', () => {
      say('Upload cancelled.', 'error');
      done();
    });
    xhr.send(data);
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
