/* Tapping 开始考试 on the exam page: immediate feedback, then the paper.
 *
 * The form still works without JavaScript (POST, redirect to the attempt page). With it, the tap disables the button
 * at once and shows a progress state; the same POST asks for a short JSON answer ({"id", "state", "url"}: no paper,
 * which the attempt page loads), and the phone opens the attempt page only when the server has handed out the paper.
 * An answer that is not JSON (the login page, the password or privacy-notice page) is left to the page flow. While a start waits (the server admits a few paper hand-outs at a time per
 * process, so at an exam's opening second the others queue), the candidate sees that they are queued and for how
 * long, and that their time has not started: the attempt's clock starts on the server when the paper is handed out,
 * and the attempt page counts down from the server's seconds remaining. A start is idempotent (it resumes the open
 * attempt), so a network failure or a busy server is retried automatically, with jitter, and by hand. */
(function () {
  "use strict";
  var form = document.querySelector("[data-start-form]");
  if (!form || !window.fetch) { return; }
  var T = JSON.parse(document.getElementById("start-text").textContent);
  var button = form.querySelector("[data-start]");
  var box = form.querySelector("[data-start-status]");
  var text = form.querySelector("[data-start-text]");
  var retryButton = form.querySelector("[data-start-retry]");
  var csrf = (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var label = button.textContent;
  var QUEUE_AFTER_MS = 2000, TIMEOUT_MS = 45000, MAX_AUTO_RETRIES = 6;
  var busy = false, began = 0, tries = 0, ticker = null, retryTimer = null;
  var fmt = function (s, args) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return args[k]; }); };

  function show(message, state) {
    box.hidden = false;
    box.dataset.state = state;
    text.textContent = message;
  }

  function waiting() {
    var seconds = Math.floor((Date.now() - began) / 1000);
    if (Date.now() - began < QUEUE_AFTER_MS) { show(T.preparing, "preparing"); }
    else { show(fmt(T.queued, { s: seconds }), "queued"); }
  }

  function stopTicker() { clearInterval(ticker); ticker = null; }

  function done(message) {  // a final refusal (not open, no attempts left...): say why, let them tap again later
    busy = false;
    stopTicker();
    button.disabled = false;
    button.textContent = label;
    retryButton.hidden = true;
    show(message, "refused");
  }

  function failed() {  // network or server trouble: retry by itself a few times, and offer the button
    stopTicker();
    tries += 1;
    retryButton.hidden = false;
    if (tries > MAX_AUTO_RETRIES) {
      busy = false;
      button.disabled = false;
      button.textContent = label;
      show(T.failed, "failed");
      return;
    }
    var delay = Math.min(15000, 1500 * Math.pow(2, tries - 1)) * (0.5 + Math.random());
    show(fmt(T.retrying, { n: tries }), "retrying");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(attempt, delay);
  }

  function open(body) {
    stopTicker();
    show(T.ready, "ready");
    window.location.assign(body.url);
  }

  function handOver() {  // let the server's pages explain (login, password change, privacy notice, CSRF)
    busy = false;
    stopTicker();
    form.submit();
  }

  function attempt() {
    clearTimeout(retryTimer);
    busy = true;
    retryButton.hidden = true;
    button.disabled = true;
    button.textContent = T.button;
    began = Date.now();
    waiting();
    stopTicker();
    ticker = setInterval(waiting, 1000);
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    fetch(form.action, {
      method: "POST", credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }, body: new FormData(form)
    })
      .then(function (res) {
        clearTimeout(timeout);
        var json = (res.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? res.json() : Promise.resolve(null)).catch(function () { return null; })
          .then(function (body) { return { res: res, body: body, redirected: res.redirected }; });
      })
      .then(function (r) {
        var status = r.res.status;
        if (r.body && r.res.ok && r.body.url) { open(r.body); }
        else if (status >= 500 || status === 429) { failed(); }  // busy (503 database_unavailable), a proxy's page
        else if (r.body && r.body.detail && status >= 400) { done(r.body.detail); }  // not open, no attempts left...
        else { handOver(); }  // the login page, the password or notice page, a CSRF refusal: the page flow shows it
      })
      .catch(function () { clearTimeout(timeout); failed(); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (busy) { return; }  // a second tap while the first is on its way changes nothing
    tries = 0;
    attempt();
  });
  retryButton.addEventListener("click", function () { tries = 0; attempt(); });
})();
