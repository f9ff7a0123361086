/* The host console (projector). Shows the server's state; buttons send host actions; nothing is decided here.
 * Each action carries the version of the state on screen: if the game has moved on by the time it arrives (another
 * console, the question's time ran out), the server refuses it (error "stale_action") and changes nothing, then
 * sends the current state. After a click every button stays disabled until the next state (or an error) arrives,
 * and the second click of a double click is ignored, so a double click sends one action. */
(function () {
  "use strict";
  var root = document.getElementById("host");
  if (!root) return;
  var T = JSON.parse(document.getElementById("host-text").textContent);
  var state = null;
  var busy = false, busyTimer = null, errorAt = 0;
  var BUSY_MS = 5000;  // never stay stuck: a lost reply re-enables the buttons (a repeat is refused as stale anyway)
  var $ = function (sel, scope) { return (scope || root).querySelector(sel); };
  var $$ = function (sel, scope) { return Array.prototype.slice.call((scope || root).querySelectorAll(sel)); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(view) {
    root.dataset.phase = view;
    $$("[data-view]").forEach(function (s) { s.hidden = s.dataset.view !== view; });
  }
  function controls() {
    var p = state ? state.phase : "";
    var visible = {
      start: p === "lobby",
      next: p === "question" || p === "reveal" || p === "leaderboard",
      pause: p === "question" && !state.paused,
      resume: p === "question" && state.paused,
      skip: p === "question",
      end: p !== "finished" && p !== "",
    };
    $$("[data-action]").forEach(function (b) { b.hidden = !visible[b.dataset.action]; b.disabled = busy; });
  }
  function setBusy(on) {
    clearTimeout(busyTimer);
    busy = on;
    $$("[data-action]").forEach(function (b) { b.disabled = on; });
    if (on) busyTimer = setTimeout(function () { setBusy(false); }, BUSY_MS);
  }

  function renderQuestion(section) {
    var q = state.question;
    $("[data-q-no]", section).textContent = fmt(T.question, q.index + 1, state.count);
    keepBlanks($("[data-stem]", section), q.stem);
    $("[data-answered]", section).textContent = fmt(T.answered, state.answered || 0, state.players);
    var list = $("[data-options]", section);
    list.innerHTML = "";
    var reveal = state.reveal, total = 0;
    if (reveal) reveal.distribution.forEach(function (n) { total += n; });
    q.options.forEach(function (text, i) {
      var li = el("li", "host-opt opt-" + i);
      li.appendChild(el("b", "", LETTERS[i]));
      li.appendChild(el("span", "", text));
      if (reveal) {
        var n = reveal.distribution[i] || 0;
        var bar = el("i", "bar");
        bar.style.width = (total ? Math.round((100 * n) / total) : 0) + "%";
        li.appendChild(bar);
        li.appendChild(el("em", "count", String(n)));
        if (reveal.correct.indexOf(i) >= 0) { li.classList.add("correct"); li.appendChild(el("strong", "tick", "✓")); }
        else li.classList.add("wrong");
      }
      list.appendChild(li);
    });
    if (reveal) $("[data-explain]", section).textContent = reveal.explanation + (reveal.source ? "（" + reveal.source + "）" : "");
    if (!reveal) $("[data-paused]", section).hidden = !state.paused;
  }

  function table(target, head, rows, empty) {
    target.innerHTML = "";
    var tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", "", h)); });
    target.appendChild(tr);
    if (!rows.length && empty) {  // never headers over nothing
      var none = el("td", "muted", empty);
      none.colSpan = head.length;
      var line = el("tr");
      line.appendChild(none);
      target.appendChild(line);
    }
    rows.forEach(function (cells) {
      var r = el("tr");
      cells.forEach(function (c) {
        var td = el("td");
        if (c instanceof Node) td.appendChild(c); else td.textContent = c;
        r.appendChild(td);
      });
      target.appendChild(r);
    });
  }
  function removeButton(player) {
    var b = el("button", "host-remove", "×");
    b.type = "button";
    b.title = T.remove + " " + player.name;
    b.setAttribute("aria-label", T.remove + " " + player.name);
    b.addEventListener("click", function () { if (confirm(T.confirmRemove + " " + player.name)) live.send({ action: "remove", player: player.id }); });
    return b;
  }
  function renderBoards(section) {
    $$("[data-top]", section).forEach(function (t) {
      // The audience sees this table: no remove buttons here (a player is removed from the lobby).
      table(t, [T.rank, T.name, T.inst, T.score], (state.top || []).map(function (p) {
        return [p.rank, p.name, p.institution, p.score];
      }), T.noTop);
    });
    var inst = state.institutions || { ranked: [], unranked: [] };
    $$("[data-inst]", section).forEach(function (t) {
      table(t, [T.rank, T.inst, T.count, T.mean], inst.ranked.slice(0, 10).map(function (i) { return [i.rank, i.name, i.players, i.mean]; }), T.noInst);
    });
    var note = $("[data-inst-note]", section);
    if (note) note.textContent = inst.unranked.length ? fmt(T.unranked, inst.min_players) + inst.unranked.map(function (i) { return i.name; }).join("、") : "";
  }
  function renderPodium() {
    var box = $("[data-podium]");
    box.innerHTML = "";
    var order = [1, 0, 2];
    order.forEach(function (k) {
      var p = (state.podium || [])[k];
      if (!p) return;
      var col = el("div", "step step-" + p.rank);
      col.appendChild(el("div", "who", p.name));
      col.appendChild(el("div", "inst", p.institution));
      col.appendChild(el("div", "pts", p.score + " " + T.score));
      col.appendChild(el("div", "block", String(p.rank)));
      box.appendChild(col);
    });
  }

  function tick() {
    if (!state || state.phase !== "question") return;
    var left = LiveSocket.secondsLeft(state);
    var t = $("[data-view=question] [data-timer]");
    t.textContent = left === null ? "" : String(left);
    t.classList.toggle("low", left !== null && left <= 5);
  }

  function render() {
    // The question number once: the question and reveal screens show it above the stem, the podium not at all.
    var p = state.phase;
    $("[data-progress]").textContent = p === "question" || p === "reveal" ? "" :
      p === "leaderboard" ? fmt(T.question, state.index + 1, state.count) : fmt(T.players, state.players);
    controls();
    var section = $("[data-view=" + state.phase + "]");
    if (state.phase === "question" || state.phase === "reveal") renderQuestion(section);
    if (state.phase === "leaderboard" || state.phase === "finished") renderBoards(section);
    if (state.phase === "finished") renderPodium();
    show(state.phase);
    tick();
  }

  function renderLobby(msg) {
    $("[data-lobby-count]").textContent = msg.count;
    if (!state || state.index < 0) $("[data-progress]").textContent = fmt(T.players, msg.count);
    var list = $("[data-lobby-list]");
    list.innerHTML = "";
    msg.players.forEach(function (p) {
      var li = el("li", "chip", p.name);
      li.appendChild(removeButton(p));
      list.appendChild(li);
    });
  }

  $$("[data-action]").forEach(function (b) {
    b.addEventListener("click", function (e) {
      if (busy || !state) return;  // the first click is on its way
      // The second click of a double click never acts, even when the first one's new state arrived between the two
      // (a fast server answers within a double click): "next" on the leaderboard would otherwise open a question and
      // close it at once. (detail is 0 for a click made with the keyboard.)
      if (e.detail > 1) return;
      var action = b.dataset.action;
      if (action === "end" && !confirm(T.confirmEnd)) return;
      if (action === "skip" && !confirm(T.confirmSkip)) return;
      if (live.send({ action: action, version: state.version })) setBusy(true);
    });
  });

  var live = new LiveSocket(root.dataset.ws, {
    message: function (msg) {
      if (msg.type === "state") {
        state = msg;
        setBusy(false);
        if (Date.now() - errorAt > 4000) $("[data-error]").textContent = "";  // a refusal stays readable a moment
        render();
        return;
      }
      if (msg.type === "lobby") { renderLobby(msg); return; }
      if (msg.type === "progress" && state && state.phase === "question" && msg.index === state.index) {
        state.answered = msg.answered; state.players = msg.players;
        $("[data-view=question] [data-answered]").textContent = fmt(T.answered, msg.answered, msg.players);
        return;
      }
      if (msg.type === "error") {
        setBusy(false);
        errorAt = Date.now();
        $("[data-error]").textContent = msg.message || msg.error;
      }
    },
    status: function (s) { $("[data-conn]").dataset.status = s; },
  });
  setInterval(tick, 200);
})();
