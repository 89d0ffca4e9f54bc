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
})();
