// community.js: reports playback to the view counter, as PeerTube's player
// does (POST /api/v1/videos/{id}/views with currentTime, every 5 s while
// playing, viewEvent "seek" after a jump). The server counts a view after
// 10 s of playback, once per viewer and hour; no cookie is sent or set.
// Comments and ratings are plain forms and need no script.
(function () {
'use strict';

const section = document.getElementById('comments');
const video = document.getElementById('player');
if (!section || !video || !section.dataset.views) return;
const url = section.dataset.views;
const EVERY_MS = 5000;
let last = 0;
let seeked = false;

function report() {
  last = Date.now();
  const body = { currentTime: Math.floor(video.currentTime) };
  if (seeked) body.viewEvent = 'seek';
  seeked = false;
  fetch(url, {
    method: 'POST',
    credentials: 'omit',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    keepalive: true,
  }).catch(() => {}); // a lost report only delays a view
}

video.addEventListener('playing', report);
video.addEventListener('seeked', () => { seeked = true; });
video.addEventListener('timeupdate', () => {
  if (!video.paused && Date.now() - last >= EVERY_MS) report();
});
video.addEventListener('pause', report);
})();
