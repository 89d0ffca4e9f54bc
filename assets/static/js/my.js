// my.js: the "my pages" small helpers. Forms work without it; with it, a
// delete asks in a dialog (data-confirm) instead of needing the checkbox.
(function () {
'use strict';
for (const form of document.querySelectorAll('form[data-confirm]')) {
  const box = form.querySelector('input[name="confirm"]');
  if (box) {
    box.required = false;
    box.closest('label').hidden = true;
  }
  form.addEventListener('submit', function (ev) {
    if (!window.confirm(form.dataset.confirm)) {
      ev.preventDefault();
      return;
    }
    if (box) box.checked = true;
  });
}
// The passwords field matters only for a password-protected video
// (privacy 5): shown when it is chosen. Without JS it is always shown.
const privacy = document.getElementById('f-privacy');
const pw = document.querySelector('[data-privacy-shows]');
if (privacy && pw) {
  const sync = function () { pw.hidden = privacy.value !== pw.dataset.privacyShows; };
  privacy.addEventListener('change', sync);
  sync();
}
})();
