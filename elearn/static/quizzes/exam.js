/* The exam page: one question per screen, answers saved at once and queued in localStorage while offline,
 * countdown from the server's seconds remaining (the phone's clock is never read for the deadline),
 * warnings at 5 and 1 minute, tab-switch reporting, submit confirmation, auto-submit when time is up.
 * Each save carries a client sequence number; the server never lets an older one overwrite a newer answer. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("attempt-data").textContent);
  var T = JSON.parse(document.getElementById("exam-text").textContent);
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  var KEY = "elearn-exam-" + data.id;
  var LETTERS = "ABCDEFGH";
  var $ = function (sel) { return document.querySelector(sel); };
  var fmt = function (s, args) { return s.replace(/%\((\w+)\)s/g, function (_, k) { return args[k]; }); };

  // ---------------------------------------------------------------- local store (survives reloads, offline)
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; }
  }
  var store = load();
  store.pending = store.pending || {};
  store.seq = Math.max(store.seq || 0, data.max_seq || 0);
  function persist() {
    try { localStorage.setItem(KEY, JSON.stringify(store)); } catch (e) { /* private mode: memory only */ }
  }

  var questions = data.questions;
  var answers = {};  // position -> {response, flagged, seq}
  data.answers.forEach(function (a) { answers[a.position] = { response: a.response, flagged: a.flagged, seq: a.seq }; });
  Object.keys(store.pending).forEach(function (pos) {
    var p = store.pending[pos], server = answers[pos];
    if (!server || p.seq > server.seq) { answers[pos] = { response: p.response, flagged: p.flagged, seq: p.seq }; }
    else { delete store.pending[pos]; }
  });
  persist();
  var current = Math.min(Math.max(store.current || 0, 0), questions.length - 1);

  function isAnswered(pos) {
    var a = answers[pos];
    return !!(a && a.response && a.response.some(function (r) { return typeof r === "string" ? r.trim() !== "" : r !== null; }));
  }

  // ---------------------------------------------------------------- rendering
  var qBox = $("[data-question]"), grid = $("[data-nav-grid]");

  function render() {
    var q = questions[current];
    if (!q) { return; }
    var a = answers[q.position] || { response: [], flagged: false };
    // The section's title first, then the question and its points, each part set apart ("10 分 一、…" read as one).
    var html = '<p class="q-meta">' + (q.section ? '<span class="q-section">' + esc(q.section) + "</span> " : "") +
      '<span class="badge">' + esc(T[q.type] || q.type) + "</span> " +
      esc(fmt(T.question, { n: current + 1, total: questions.length })) + " · " + esc(fmt(T.points, { p: score(q.points) })) + "</p>" +
      '<p class="stem">' + keepBlanks(esc(q.stem)) + "</p>" +
      (q.image_url ? '<img class="stem-image" alt="" src="' + esc(q.image_url) + '">' : "");
    if (q.type === "fill") {
      html += '<div class="blanks">';
      for (var b = 0; b < q.blanks; b++) {
        html += '<label class="blank">' + esc(fmt(T.blank, { n: b + 1 })) +
          '<input type="text" maxlength="200" autocomplete="off" data-blank="' + b + '" value="' +
          esc((a.response || [])[b] || "") + '"></label>';
      }
      html += "</div>";
    } else {
      var multi = q.type === "multiple";
      html += '<ul class="choices" role="' + (multi ? "group" : "radiogroup") + '">';
      q.options.forEach(function (opt, i) {
        var on = (a.response || []).indexOf(i) >= 0;
        html += '<li role="none"><button type="button" class="choice' + (on ? " selected" : "") + '" role="' + (multi ? "checkbox" : "radio") +
          '" aria-checked="' + on + '" data-option="' + i + '"><span class="letter">' + LETTERS[i] +
          '</span><span class="text">' + esc(opt) + "</span></button></li>";
      });
      html += "</ul>";
    }
    qBox.innerHTML = html;
    $("[data-prev]").disabled = current === 0;
    $("[data-next]").disabled = current === questions.length - 1;
    var flag = $("[data-flag]");
    flag.setAttribute("aria-pressed", String(!!a.flagged));
    flag.classList.toggle("on", !!a.flagged);
    renderNav();
    store.current = current;
    persist();
  }

  function renderNav() {
    var html = "", done = 0;
    questions.forEach(function (q, i) {
      var a = answers[q.position] || {}, answered = isAnswered(q.position);
      if (answered) { done++; }
      html += '<button type="button" class="nav-cell' + (answered ? " answered" : "") + (a.flagged ? " flagged" : "") +
        (i === current ? " current" : "") + '" data-goto="' + i + '">' + (i + 1) + "</button>";
    });
    grid.innerHTML = html;
    $("[data-progress]").textContent = done + "/" + questions.length;
  }

  // Points as the server's score filter writes them: no trailing zeros (10, 2.5), never "10.00".
  function score(p) { var n = Number(p); return isNaN(n) ? String(p) : String(Math.round(n * 100) / 100); }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  // A blank bracket in an (escaped) stem, "（ ）", stays on one line (elearn/org/templatetags/blanks.py, live.js).
  function keepBlanks(html) {
    return html.replace(/[（(][\s\u00a0\u3000_＿]*[）)]/g, '<span class="stem-blank">$&</span>');
  }

  // ---------------------------------------------------------------- answering
  function record(pos, response, flagged) {
    var prev = answers[pos] || { response: [], flagged: false };
    store.seq += 1;
    var entry = { response: response, flagged: flagged === undefined ? !!prev.flagged : flagged, seq: store.seq };
    answers[pos] = entry;
    store.pending[pos] = entry;
    persist();
    renderNav();
    flush();
  }

  qBox.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-option]");
    if (!btn || finished) { return; }
    var q = questions[current], i = Number(btn.dataset.option);
    var resp = ((answers[q.position] || {}).response || []).slice();
    if (q.type === "multiple") {
      var at = resp.indexOf(i);
      if (at >= 0) { resp.splice(at, 1); } else { resp.push(i); }
      resp.sort(function (x, y) { return x - y; });
    } else {
      resp = [i];
    }
    record(q.position, resp);
    render();
  });

  var fillTimer = null;
  function saveBlanks() {
    var q = questions[current];
    if (!q || q.type !== "fill") { return; }
    var resp = Array.prototype.map.call(qBox.querySelectorAll("[data-blank]"), function (el) { return el.value; });
    var prev = (answers[q.position] || {}).response || [];
    if (JSON.stringify(prev) !== JSON.stringify(resp)) { record(q.position, resp); }
  }
  qBox.addEventListener("input", function (ev) {
    if (!ev.target.matches("[data-blank]")) { return; }
    clearTimeout(fillTimer);
    fillTimer = setTimeout(saveBlanks, 700);
  });
  qBox.addEventListener("change", function (ev) { if (ev.target.matches("[data-blank]")) { clearTimeout(fillTimer); saveBlanks(); } });

  function go(i) { saveBlanks(); current = Math.min(Math.max(i, 0), questions.length - 1); render(); window.scrollTo(0, 0); }
  $("[data-prev]").addEventListener("click", function () { go(current - 1); });
  $("[data-next]").addEventListener("click", function () { go(current + 1); });
  $("[data-flag]").addEventListener("click", function () {
    var q = questions[current], a = answers[q.position] || { response: [], flagged: false };
    record(q.position, a.response || [], !a.flagged);
    render();
  });
  $("[data-nav-toggle]").addEventListener("click", function () {
    var nav = $("[data-navigator]"), open = nav.hidden;
    nav.hidden = !open;
    this.setAttribute("aria-expanded", String(open));
  });
  grid.addEventListener("click", function (ev) {
    var cell = ev.target.closest("[data-goto]");
    if (cell) { go(Number(cell.dataset.goto)); $("[data-navigator]").hidden = true; }
  });

  // ---------------------------------------------------------------- saving queue
  var sending = false, offline = !navigator.onLine, retryDelay = 1000, retryTimer = null, finished = false;
  var stateEl = $("[data-save-state]");

  function showState() {
    var n = Object.keys(store.pending).length, key;
    if (offline) { key = "offline"; } else if (n || sending) { key = "saving"; } else { key = "saved"; }
    stateEl.dataset.saveState = key;
    stateEl.dataset.queued = n;
    // Offline, the count of answers kept on the phone is the point of the badge: it comes first and is never cut.
    if (key === "offline") { stateEl.textContent = n ? fmt(T.offlineQueued, { n: n }) : T.offline; }
    else { stateEl.textContent = T[key] + (n && key !== "saved" ? " (" + n + ")" : ""); }
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    // Jitter (x0.5-1.5): after an outage, thousands of phones must not all retry at the same instant.
    retryTimer = setTimeout(flush, retryDelay * (0.5 + Math.random()));
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function flush() {
    showState();
    if (sending || finished) { return; }
    var positions = Object.keys(store.pending);
    if (!positions.length) { if (submitWanted) { doSubmit(); } return; }
    positions.sort(function (x, y) { return store.pending[x].seq - store.pending[y].seq; });
    var pos = positions[0], entry = store.pending[pos];
    sending = true;
    showState();
    post(data.urls.answer, { position: Number(pos), response: entry.response, seq: entry.seq, flagged: entry.flagged })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) { return { res: res, body: body }; });
      })
      .then(function (r) {
        sending = false;
        if (r.res.ok) {
          offline = false; retryDelay = 1000;
          if (store.pending[pos] && store.pending[pos].seq <= r.body.seq) { delete store.pending[pos]; }
          if (!r.body.stored && r.body.seq > entry.seq) {  // a newer answer from another device wins
            answers[pos] = { response: r.body.response, flagged: r.body.flagged, seq: r.body.seq };
            store.seq = Math.max(store.seq, r.body.seq);
            render();
          }
          if (typeof r.body.seconds_remaining === "number") { syncClock(r.body.seconds_remaining); }
          persist();
          flush();
        } else if (r.res.status === 409) {  // too late or already submitted: the server has the final word
          store.pending = {}; persist(); finishTo(data.urls.result);
        } else if (r.res.status === 400) {
          delete store.pending[pos]; persist(); toast(T.invalid); flush();
        } else if (r.res.status === 403 || r.res.status === 401) {
          toast(T.session); scheduleRetry(); showState();
        } else {
          scheduleRetry(); showState();
        }
      })
      .catch(function () { sending = false; offline = true; showState(); scheduleRetry(); });
  }

  window.addEventListener("online", function () { offline = false; retryDelay = 1000; flush(); });
  window.addEventListener("offline", function () { offline = true; showState(); });
  window.addEventListener("beforeunload", function (ev) {
    if (!finished && Object.keys(store.pending).length) { ev.preventDefault(); ev.returnValue = T.leave; return T.leave; }
  });

  // ---------------------------------------------------------------- countdown (server seconds, monotonic clock)
  var endAt = data.seconds_remaining === null ? null : performance.now() + data.seconds_remaining * 1000;
  var warned5 = data.seconds_remaining !== null && data.seconds_remaining <= 300;
  var warned1 = data.seconds_remaining !== null && data.seconds_remaining <= 60;
  var timerEl = $("[data-timer]");

  function syncClock(seconds) {
    var proposed = performance.now() + seconds * 1000;
    if (endAt === null || Math.abs(proposed - endAt) > 2000) { endAt = proposed; }
  }

  function tick() {
    if (endAt === null) { timerEl.textContent = "∞"; return; }
    var left = Math.max(0, Math.ceil((endAt - performance.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timerEl.textContent = (h ? h + ":" + String(m).padStart(2, "0") : String(m).padStart(2, "0")) + ":" + String(s).padStart(2, "0");
    timerEl.classList.toggle("low", left <= 300);
    timerEl.dataset.seconds = left;
    if (!warned5 && left <= 300 && left > 60) { warned5 = true; toast(T.warn5, true); }
    if (!warned1 && left <= 60) { warned1 = true; warned5 = true; toast(T.warn1, true); }
    if (left === 0 && !submitWanted) { timeUp(); }
  }

  var toastTimer = null;
  function toast(text, urgent) {
    var el = $("[data-toast]");
    el.textContent = text;
    el.hidden = false;
    el.classList.toggle("urgent", !!urgent);
    if (urgent && navigator.vibrate) { try { navigator.vibrate(300); } catch (e) { /* ignore */ } }
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  // ---------------------------------------------------------------- submit
  var submitWanted = false;

  function finishing(title, text) {
    $("[data-finishing]").hidden = false;
    $("[data-finishing-title]").textContent = title;
    $("[data-finishing-text]").textContent = text || "";
  }

  function timeUp() {
    saveBlanks();
    submitWanted = true;
    finishing(T.timeUp, offline ? T.waitNet : "");
    flush();
  }

  function doSubmit() {
    if (finished || sending) { return; }
    sending = true;
    finishing(T.submitting, offline ? T.waitNet : "");
    post(data.urls.submit, {})
      .then(function (res) {
        sending = false;
        if (res.ok || res.status === 409) { finishTo(data.urls.result); } else { scheduleRetry(); }
      })
      .catch(function () { sending = false; offline = true; showState(); finishing(T.submitting, T.waitNet); scheduleRetry(); });
  }

  function finishTo(url) {
    finished = true;
    try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
    window.location.href = url;
  }

  // "还有 3 题未答：第 4、9、17 题": the first few numbers only, then "等" (the 题卡 shows them all).
  var LIST_CAP = 5;
  function unansweredSummary(missing) {
    var shown = missing.slice(0, LIST_CAP).join(T.listSep);
    if (missing.length > LIST_CAP) { return fmt(T.unansweredMany, { count: missing.length, list: shown }); }
    return fmt(T.unanswered, { count: missing.length, list: shown });
  }

  var CONFIRM_ARM_MS = 600, confirmArm = null;
  $("[data-submit-form]").addEventListener("submit", function (ev) {
    ev.preventDefault();
    saveBlanks();
    var missing = questions.filter(function (q) { return !isAnswered(q.position); }).map(function (q) {
      return questions.indexOf(q) + 1;
    });
    $("[data-unanswered]").textContent = missing.length ? unansweredSummary(missing) : T.allAnswered;
    $("[data-confirm]").hidden = false;
    // 确认交卷 can open right under the finger that tapped 交卷 (a short question on a phone): the second tap of a
    // double tap must not submit before the unanswered list has been seen, so the button is armed a moment later.
    var ok = $("[data-confirm-ok]");
    ok.disabled = true;
    clearTimeout(confirmArm);
    confirmArm = setTimeout(function () { ok.disabled = false; }, CONFIRM_ARM_MS);
  });
  $("[data-confirm-cancel]").addEventListener("click", function () { $("[data-confirm]").hidden = true; });
  $("[data-confirm-ok]").addEventListener("click", function () {
    $("[data-confirm]").hidden = true;
    submitWanted = true;
    finishing(T.submitting, "");
    flush();
  });

  // ---------------------------------------------------------------- tab switches
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "hidden" || finished) { return; }
    post(data.urls.tab_switch, {})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        if (body.state === "submitted") { finishTo(data.urls.result); return; }
        var text = fmt(T.tabWarn, { n: body.tab_switches });
        if (body.tab_switch_policy === "autosubmit") { text += fmt(T.tabLimit, { limit: body.tab_switch_limit }); }
        toast(text, true);
      })
      .catch(function () { /* offline: nothing to report to */ });
  });

  render();
  tick();
  setInterval(tick, 250);
  flush();
})();
