// embed.js: unlocks a password-protected video's embed without cookies.
//
// A page of another site that frames the embed gets none of Cabane's
// cookies (SameSite=Lax), so the form's post to the unlock route could not
// open the video there. As PeerTube's embed does, this sends the password
// in the x-peertube-video-password header to POST /api/v1/videos/{id}/token
// and /api/v1/videos/{id}, then starts the player with the file token,
// which player.js adds to every playlist and segment URL. Without this
// script (or fetch), the form posts as before.
(function () {
'use strict';

const form = document.querySelector('form.embed-unlock[data-video]');
if (!form || !window.fetch) return;
const error = form.querySelector('.embed-error');

function say(text) {
  error.textContent = text;
  error.hidden = false;
}

async function api(path, method, password) {
  // credentials: 'omit': the answer must not depend on a cookie, framed or not.
  return fetch(path, { method, credentials: 'omit', headers: { 'x-peertube-video-password': password } });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = encodeURIComponent(form.dataset.video);
  const password = form.querySelector('input[name=password]').value;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const res = await api(`/api/v1/videos/${id}/token`, 'POST', password);
    if (!res.ok) {
      say(res.status === 429 ? form.dataset.tooMany : form.dataset.wrong);
      return;
    }
    const token = (await res.json()).files.token;
    const video = await (await api(`/api/v1/videos/${id}`, 'GET', password)).json();
    const hls = video.streamingPlaylists && video.streamingPlaylists[0];
    if (!hls) {
      say(form.dataset.notReady);
      return;
    }
    const player = document.createElement('video');
    player.id = 'player';
    player.controls = true;
    player.playsInline = true;
    player.dataset.hls = hls.playlistUrl;
    player.dataset.fileToken = token;
    form.replaceWith(player);
    if (window.Cabane && window.Cabane.startPlayer) window.Cabane.startPlayer(player, { autoplay: true });
  } catch (e) {
    say(form.dataset.wrong);
  } finally {
    button.disabled = false;
  }
});
})();
