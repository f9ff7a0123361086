/* <form data-once>: a form whose submission must not be sent twice (a double click or a double tap on its button, a
 * second tap while the next page is loading): a reward granted twice, a message or photos sent twice, a guest who
 * joins twice. After its first submission (one that the page's own script did not stop) further submissions are
 * ignored and its buttons disabled until the next page arrives. The Back button's cached page (pageshow) and a server
 * that never answers (RELEASE_MS) give the form back. The server still refuses what it must refuse. */
(function () {
  "use strict";
  var RELEASE_MS = 15000;
  var BUTTONS = "button[type=submit], button:not([type]), input[type=submit]";

  function buttons(form) { return Array.prototype.slice.call(form.querySelectorAll(BUTTONS)); }
  function release(form) {
    delete form.dataset.onceSent;
    buttons(form).forEach(function (b) { b.disabled = false; });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute("data-once")) { return; }
    if (form.dataset.onceSent) { ev.preventDefault(); return; }
    if (ev.defaultPrevented) { return; }
    form.dataset.onceSent = "1";
    // After this event: the clicked button's name and value are part of this submission only if it is enabled now.
    setTimeout(function () { buttons(form).forEach(function (b) { b.disabled = true; }); }, 0);
    setTimeout(function () { release(form); }, RELEASE_MS);
  });
  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted) { Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), release); }
  });
})();
