// endscreen.js: the embed's end screen (support, #11). When the video
// ends, the "Support <channel>" link (rendered hidden by the embed page)
// shows over the player and takes the focus if the player had it, so a
// keyboard user reaches it at once; playing again hides it. Without this
// script the link stays hidden and the watch page still has the button.
(function () {
'use strict';

const end = document.getElementById('embed-end');
const player = document.getElementById('player');
if (!end || !player) return;

player.addEventListener('ended', () => {
  const hadFocus = document.activeElement === player;
  end.hidden = false;
  if (hadFocus) end.querySelector('a').focus();
});
player.addEventListener('play', () => { end.hidden = true; });
})();
