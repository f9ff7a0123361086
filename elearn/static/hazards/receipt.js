/* The receipt page: the outbox script brings the receipt code in the #fragment (never sent to a server). Show it,
 * then take it out of the address bar and the history entry. */
(function () {
  "use strict";
  var code = decodeURIComponent((location.hash || "").slice(1));
  var el = document.querySelector("[data-receipt-code]");
  if (!el || !code || !/^[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$/.test(code)) { return; }
  el.textContent = code;
  var missing = document.querySelector("[data-receipt-missing]");
  if (missing) { missing.hidden = true; }
  if (window.history && history.replaceState) { history.replaceState(null, "", location.pathname); }
})();
