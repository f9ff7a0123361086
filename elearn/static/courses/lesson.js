// Lesson page: reading-time heartbeats, the 学完了 button, and self-check questions. No framework, no build.
// Heartbeats are idempotent: each carries this page view's random session id and a sequence number; a beat that
// fails is sent again with the same number, so the server counts it at most once whatever the network does.
(function () {
  "use strict";
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }
  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  var article = document.querySelector("article[data-track]");
  if (article) {
    var lessonId = article.getAttribute("data-lesson");
    var interval = parseInt(article.getAttribute("data-interval"), 10) || 15;
    var session = randomId(), seq = 0, pending = [], visibleSince = null, carried = 0, sending = null;
    var button = document.querySelector("[data-complete-button]");
    var hint = document.querySelector("[data-complete-hint]");
    var doneText = hint ? hint.getAttribute("data-done") : "";
    // 学完了 unlocks when the module's minimum reading time is met (remaining), or, once the reader has reached the
    // end of the lesson, when the lesson's own shorter reading time is (remainingAtEnd; courses/reading.py).
    var remaining = button ? parseInt(button.getAttribute("data-remaining"), 10) || 0 : 0;
    var remainingAtEnd = button ? parseInt(button.getAttribute("data-remaining-at-end"), 10) : NaN;
    if (isNaN(remainingAtEnd)) remainingAtEnd = remaining;
    var shownRemaining = remaining, shownAtEnd = remainingAtEnd, endSeen = false;

    function showRemaining(value, atEnd) {
      if (!button) return;
      shownRemaining = Math.max(0, value);
      shownAtEnd = Math.max(0, typeof atEnd === "number" ? Math.min(atEnd, value) : Math.min(shownAtEnd, value));
      var wait = endSeen ? shownAtEnd : shownRemaining;
      if (wait <= 0) {
        button.disabled = false;
        if (hint) hint.textContent = hint.getAttribute(shownRemaining > 0 ? "data-ready-end" : "data-ready");
      } else {
        button.disabled = true;
        if (hint) hint.textContent = (hint.getAttribute("data-wait") || "{s}").replace("{s}", wait);
      }
    }
    function visibleSeconds() {
      var s = carried;
      if (visibleSince !== null) s += (Date.now() - visibleSince) / 1000;
      return s;
    }
    function cut() {  // close the current interval into a numbered beat
      var seconds = Math.round(visibleSeconds());
      carried = 0;
      visibleSince = document.visibilityState === "visible" ? Date.now() : null;
      if (seconds <= 0) return;
      seq += 1;
      pending.push({ session: session, seq: seq, seconds: Math.min(seconds, 3600) });
    }
    function flush() {  // send queued beats in order; resolves when the queue is empty or the network fails
      if (sending) return sending;
      if (!pending.length) return Promise.resolve();
      var beat = pending[0];
      sending = post("/api/v1/lessons/" + lessonId + "/heartbeat/", beat).then(function (res) {
        sending = null;
        if (res.ok || res.status === 400) pending.shift();  // 400: refused for good, do not retry
        if (res.ok) { remaining = res.data.remaining_seconds; showRemaining(remaining, res.data.remaining_at_end_seconds); }
        if (res.ok && pending.length) return flush();
      }, function () { sending = null; /* offline: kept, retried later with the same seq */ });
      return sending;
    }
    visibleSince = document.visibilityState === "visible" ? Date.now() : null;
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") { visibleSince = Date.now(); }
      else { carried = visibleSeconds(); visibleSince = null; cut(); flush(); }
    });
    window.addEventListener("pagehide", function () { cut(); flush(); });
    setInterval(function () { if (document.visibilityState === "visible") { cut(); flush(); } }, interval * 1000);
    setInterval(function () {  // local countdown between beats; the server's figure wins at each beat
      if (button && button.disabled && document.visibilityState === "visible" && shownRemaining > 0) showRemaining(shownRemaining - 1, shownAtEnd - 1);
    }, 1000);

    var form = document.querySelector("[data-complete-form]");
    function done(data) {
      var box = document.querySelector("[data-complete-box]");
      if (form && form.parentNode) {
        var p = document.createElement("p");
        p.className = "badge ok"; p.setAttribute("data-complete-state", ""); p.textContent = "✓ " + doneText;
        form.parentNode.replaceChild(p, form); form = null;
      }
      if (data && data.course_progress && box) {
        var pct = data.course_progress.percent + "%";
        box.querySelectorAll("[data-course-percent]").forEach(function (el) { el.textContent = pct; });
        var bar = box.querySelector("[data-course-bar]"); if (bar) bar.style.width = pct;
        if (data.course_progress.completed_at) { var b = box.querySelector("[data-badge]"); if (b) b.hidden = false; }
      }
      var next = document.querySelector("[data-next-lesson]");
      if (next) next.classList.remove("secondary");
    }
    function complete() {
      cut();
      return flush().then(function () { return post("/api/v1/lessons/" + lessonId + "/complete/", { reached_end: endSeen }).then(function (res) {
        if (res.ok) { done(res.data); return; }
        if (res.data && typeof res.data.remaining_seconds === "number") {
          if (endSeen) showRemaining(shownRemaining, res.data.remaining_seconds); else showRemaining(res.data.remaining_seconds);
        }
        else if (hint && res.data && res.data.detail) hint.textContent = res.data.detail;
      }); }).catch(function () { if (hint) hint.textContent = hint.getAttribute("data-offline"); });
    }
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); if (!button.disabled) { button.disabled = true; complete().then(function () { if (form) showRemaining(shownRemaining, shownAtEnd); }); } });
    // The end of the lesson in view (scrolled to, or a short lesson that fits the screen) counts as reached: 学完了
    // unlocks once the lesson's own reading time is met. Scrolling to the end once the module's minimum is met
    // completes the lesson too.
    var end = document.querySelector("[data-lesson-end]");
    if (end && "IntersectionObserver" in window) {
      var scrolled = false;
      window.addEventListener("scroll", function () { scrolled = true; }, { passive: true });
      new IntersectionObserver(function (entries) {
        if (!entries[0].isIntersecting) return;
        if (!endSeen) { endSeen = true; showRemaining(shownRemaining, shownAtEnd); }
        if (scrolled && form && button && !button.disabled && shownRemaining <= 0) complete();
      }).observe(end);
    }
  }

  document.querySelectorAll("form[data-self-check]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var feedback = f.querySelector(".feedback");
      var msg = function (key) { return f.getAttribute("data-msg-" + key) || ""; };
      var answer = [];
      if (f.getAttribute("data-type") === "fill") {
        f.querySelectorAll("input[name=blank]").forEach(function (i) { answer.push(i.value); });
      } else {
        f.querySelectorAll("input[name=option]:checked").forEach(function (i) { answer.push(i.value); });
      }
      if (!answer.length || answer.every(function (a) { return !String(a).trim(); })) { feedback.textContent = msg("empty"); return; }
      post("/api/v1/self-check/", { page: +f.getAttribute("data-page"), question: +f.getAttribute("data-question"), answer: answer }).then(function (res) {
        if (res.status === 403) { feedback.textContent = msg("login"); return; }
        // 409 exam_in_progress: the reader is sitting an exam; the server says why (answers wait until it is submitted).
        if (res.status === 409 && res.data && typeof res.data.detail === "string") { feedback.textContent = res.data.detail; return; }
        if (!res.ok) { feedback.textContent = msg("error"); return; }
        var d = res.data, letters = "ABCDEFGH", right;
        if (d.correct_options.length) right = d.correct_options.map(function (i) { return letters[i]; }).join("");
        else right = d.accepted_answers.join("；");
        f.classList.toggle("right", d.correct); f.classList.toggle("wrong", !d.correct);
        var verdict = document.createElement("strong");
        verdict.textContent = d.correct ? msg("right") : msg("wrong") + right;
        feedback.textContent = "";
        feedback.appendChild(verdict);
        feedback.appendChild(document.createTextNode((d.explanation ? " " + d.explanation : "") + (d.source ? " (" + d.source + ")" : "")));
      }, function () { feedback.textContent = msg("offline"); });
    });
  });
})();
