/* Live leaderboard: full state on (re)connect, coalesced updates after; reconnects with backoff; vanilla JS. */
(function () {
  "use strict";
  var root = document.querySelector("[data-ws-path]");
  if (!root) return;
  var projector = document.body.classList.contains("lb-projector");
  var people = document.querySelector("[data-lb-people]");
  var insts = document.querySelector("[data-lb-institutions]");
  var count = document.querySelector("[data-lb-count]");
  var conn = document.querySelector("[data-lb-conn]");
  var lastAt = 0;
  // Words come from the page (data-t-* attributes, translated by the template), never from this file.
  var T = { average: root.getAttribute("data-t-average") || "", players: root.getAttribute("data-t-players") || "%s",
    empty: root.getAttribute("data-t-empty") || "" };
  function num(v) { return v === null || v === undefined ? "—" : String(Number(v)); }  // 0 not "0.0", one dash for none

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function rankText(rank) { return rank === null || rank === undefined ? "—" : rank; }
  function row(cells) {
    var li = el("li");
    if (cells[0] >= 1 && cells[0] <= 3) li.className = "medal-" + cells[0];
    li.appendChild(el("span", "r", rankText(cells[0])));
    var n = el("span", "n", cells[1]);
    if (cells[2]) n.appendChild(el("small", null, cells[2]));
    li.appendChild(n);
    li.appendChild(el("span", "s", cells[3]));
    return li;
  }
  function tr(cells) {
    var t = document.createElement("tr");
    cells.forEach(function (c, i) {
      var td = el("td");
      if (i === 0) c = rankText(c);
      if (i === 1 && Array.isArray(c)) {
        td.appendChild(document.createTextNode(c[0]));
        td.appendChild(document.createElement("br"));
        var small = el("small", "muted", c[1]);
        small.setAttribute("data-content", "");  // a name (user content), not the page's words
        td.appendChild(small);
      } else td.textContent = c;
      t.appendChild(td);
    });
    return t;
  }
  function institutionsOf(state) {
    var i = state.institutions || [];
    return Array.isArray(i) ? { ranked: i, unranked: [] } : { ranked: i.ranked || [], unranked: i.unranked || [] };
  }
  function render(state) {
    if (!state || (state.at && state.at < lastAt)) return; // never go back to an older state
    lastAt = state.at || lastAt;
    if (count) count.textContent = state.count;
    var top = state.top || [];
    var inst = institutionsOf(state);
    if (people) {
      people.textContent = "";
      top.slice(0, projector ? 10 : 50).forEach(function (p) {
        if (projector) people.appendChild(row([p.rank, p.name, p.institution, p.score]));
        else people.appendChild(tr([p.rank, [p.name, p.institution], p.score, (p.duration_s || 0) + "″"]));
      });
      if (!top.length && !projector && T.empty) {  // the phone table says nobody has finished, as the server page did
        var none = el("td", "muted", T.empty);
        none.colSpan = 4;
        var line = document.createElement("tr");
        line.appendChild(none);
        people.appendChild(line);
      }
    }
    if (insts) {
      insts.textContent = "";
      inst.ranked.slice(0, projector ? 10 : 100).forEach(function (i) {
        var share = i.rate !== undefined ? (i.rate === null ? "—" : num(i.rate) + "%") : i.mean;
        var sub = i.participants !== undefined
          ? i.participants + "/" + i.headcount +
            (projector && i.average !== null && i.average !== undefined ? " · " + T.average + " " + i.average : "")
          : T.players.replace("%s", i.players);
        if (projector) insts.appendChild(row([i.rank, i.name, sub, share]));
        else insts.appendChild(tr([i.rank, [i.name, sub], share, num(i.average)]));
      });
    }
  }

  var initial = document.getElementById("lb-state");
  if (initial) { try { render(JSON.parse(initial.textContent)); } catch (e) { /* keep server-rendered rows */ } }

  var delay = 1000, ws = null, ping = null;
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + root.getAttribute("data-ws-path"));
    ws.onopen = function () {
      delay = 1000;
      if (conn) conn.classList.add("on");
      ping = setInterval(function () { if (ws.readyState === 1) ws.send('{"type":"ping"}'); }, 25000);
    };
    ws.onmessage = function (ev) {
      var msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (msg.type === "leaderboard.state" || msg.type === "leaderboard.update") render(msg.state);
    };
    ws.onclose = function (ev) {
      if (conn) conn.classList.remove("on");
      clearInterval(ping);
      if (ev.code === 4403) return; // not allowed: do not hammer the server
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
})();
