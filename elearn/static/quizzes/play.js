/* The player's phone: renders the server's state; sends only answers (and a sync after the countdown). */
(function () {
  "use strict";
  var root = document.getElementById("play");
  if (!root) return;
  var $ = function (sel) { return root.querySelector(sel); };
  var T = JSON.parse(document.getElementById("play-text").textContent);
  var state = null, me = {}, chosen = [], syncTimer = null;

  function show(view) {
    root.dataset.phase = view;
    root.querySelectorAll("[data-view]").forEach(function (el) { el.hidden = el.dataset.view !== view; });
  }
  function setError(text) { var el = $("[data-error]"); el.textContent = text || ""; el.hidden = !text; }

  function renderMe() {
    if (me.name) $("[data-me-name]").textContent = me.name;
    if (typeof me.score === "number") $("[data-me-score]").textContent = me.score;
  }
  function rankText() { return me.rank ? fmt(T.rank, me.rank, me.of) : ""; }

  function tick() {
    if (!state || state.phase !== "question") return;
    var left = LiveSocket.secondsLeft(state);
    $("[data-timer]").textContent = left === null ? "" : fmt(T.seconds, left);
    // The server closes the question on time; if its state has not arrived a little after our countdown, ask.
    if (left === 0 && !state.paused && !syncTimer) {
      syncTimer = setTimeout(function () { live.send({ action: "sync" }); }, 2500 + Math.random() * 2000);
    }
  }

  function renderQuestion() {
    var q = state.question, multiple = q.type === "multiple";
    $("[data-q-no]").textContent = fmt(T.question, q.index + 1, state.count) + (multiple ? T.multiple : "");
    keepBlanks($("[data-stem]"), q.stem);
    var box = $("[data-options]");
    if (box.dataset.index !== String(q.index)) {
      chosen = [];
      box.dataset.index = String(q.index);
      box.innerHTML = "";
      q.options.forEach(function (text, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "play-opt opt-" + i;
        b.dataset.choice = i;
        b.innerHTML = "<b></b><span></span>";
        b.querySelector("b").textContent = LETTERS[i];
        b.querySelector("span").textContent = text;
        b.addEventListener("click", function () { choose(i, multiple); });
        box.appendChild(b);
      });
    }
    var answered = !!me.answered;
    box.hidden = answered;
    $("[data-submit]").hidden = answered || !multiple;
    $("[data-answered]").hidden = !answered;
    $("[data-paused]").hidden = !state.paused;
    box.querySelectorAll("button").forEach(function (b) {
      b.disabled = !!state.paused;
      b.classList.toggle("chosen", chosen.indexOf(Number(b.dataset.choice)) >= 0);
    });
    tick();
  }

  function choose(i, multiple) {
    if (me.answered || state.paused) return;
    if (!multiple) { submit([i]); return; }
    var at = chosen.indexOf(i);
    if (at >= 0) chosen.splice(at, 1); else chosen.push(i);
    renderQuestion();
  }
  function submit(choice) {
    if (!choice.length) return;
    if (live.send({ action: "answer", index: state.index, choice: choice })) {
      me.answered = true;  // shown as submitted; the server's ack or error follows
      renderQuestion();
    }
  }
  $("[data-submit]").addEventListener("click", function () { submit(chosen.slice().sort()); });

  function render() {
    renderMe();
    setError("");
    clearTimeout(syncTimer); syncTimer = null;
    if (state.phase === "question") { show("question"); renderQuestion(); return; }
    if (state.phase === "reveal") {
      var last = me.last || {};
      var result = $("[data-result]");
      result.className = "play-result " + (last.correct ? "ok" : "no");
      result.textContent = last.choice === null || last.choice === undefined ? T.none : (last.correct ? T.right : T.wrong);
      $("[data-points]").textContent = fmt(T.points, last.points || 0) + (last.bonus ? fmt(T.bonus, last.bonus) : "");
      var correct = (state.reveal && state.reveal.correct) || [];
      $("[data-correct-text]").textContent = T.correct + correct.map(function (i) { return LETTERS[i] + ". " + state.question.options[i]; }).join("；");
      $("[data-rank]").textContent = rankText();
      show("reveal");
      return;
    }
    if (state.phase === "leaderboard") { $("[data-rank2]").textContent = rankText(); show("leaderboard"); return; }
    if (state.phase === "finished") {
      $("[data-final]").textContent = rankText();
      $("[data-final-score]").textContent = fmt(T.total, me.score || 0, me.hits || 0);
      show("finished");
      return;
    }
    show("lobby");
  }

  var live = new LiveSocket(root.dataset.ws, {
    message: function (msg) {
      if (msg.type === "state") {
        // A question goes out as one frame for everybody, without "me": a new question starts unanswered.
        if (msg.me) me = msg.me;
        else if (msg.phase === "question" && me.index !== msg.index) {
          me.answered = false; delete me.last; me.index = msg.index;
        }
        state = msg; render(); return;
      }
      if (msg.type === "ack") { me.answered = true; return; }
      if (msg.type === "removed") { show("removed"); return; }
      if (msg.type === "error") {
        if (msg.error === "closed" || msg.error === "paused") { me.answered = false; live.send({ action: "sync" }); }
        setError(msg.message || msg.error);
      }
    },
    status: function (s) { $("[data-conn]").dataset.status = s; },
  });
  setInterval(tick, 250);
})();
