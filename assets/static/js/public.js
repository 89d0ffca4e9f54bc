// public.js: small enhancements of the public pages (watch, channel).
//
// Everything works without it: the share block shows the link and the
// embed code in read-only fields a user can select, the support and report
// blocks are <details>. With it: "Copy" buttons (Clipboard API, else the
// field is selected for the user to copy), and "start at" adds the
// player's current time to the link and the embed code (?start=SECONDS,
// which player.js reads).
(function () {
'use strict';

const MSGS = (() => {
  try { return JSON.parse(document.getElementById('msgs').textContent); } catch (e) { return {}; }
})();
const t = (key, vars) => (MSGS[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

function say(text) {
  const status = document.getElementById('share-status');
  if (status) status.textContent = text;
}

function copyField(field) {
  const done = () => say(t('public.copied'));
  const fallback = () => {
    field.focus();
    field.select();
    say(t('public.copy_failed'));
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, fallback);
  } else {
    // Plain-HTTP boxes on the LAN have no Clipboard API.
    field.select();
    try {
      if (document.execCommand('copy')) done(); else fallback();
    } catch (e) {
      fallback();
    }
  }
}

// "1:05" for 65 seconds, as the page shows it.
function clock(s) {
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function withStart(base, seconds) {
  const u = new URL(base, location.href);
  if (seconds > 0) u.searchParams.set('start', String(seconds)); else u.searchParams.delete('start');
  return u.href;
}

function wireShare() {
  document.querySelectorAll('button.copy[data-copy]').forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', () => copyField(field));
  });
  const box = document.getElementById('share-start');
  const row = document.getElementById('share-start-row');
  const out = document.getElementById('share-start-time');
  const link = document.getElementById('share-url');
  const embed = document.getElementById('share-embed');
  const player = document.getElementById('player');
  if (!box || !row || !link || !embed) return;
  row.hidden = false;
  const embedTemplate = embed.value;
  const update = () => {
    const video = document.getElementById('player') || player;
    const at = box.checked && video ? Math.floor(video.currentTime || 0) : 0;
    if (out) out.textContent = clock(at);
    link.value = withStart(link.dataset.base, at);
    embed.value = embedTemplate.split(embed.dataset.base).join(withStart(embed.dataset.base, at));
  };
  box.addEventListener('change', update);
  const share = document.getElementById('share');
  if (share) share.addEventListener('toggle', update);
  update();
}

// openSupport opens the Support block when the link asks for it: the
// embed's end screen links to the watch page's #support (support, #11).
function openSupport() {
  const support = document.getElementById('support');
  if (support && location.hash === '#support') {
    support.open = true;
    support.querySelector('summary').focus();
  }
}

function init() {
  wireShare();
  openSupport();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init);
} else {
  init();
}
})();
