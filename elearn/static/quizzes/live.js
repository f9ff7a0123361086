/* Reconnecting WebSocket for the live competition (vanilla JS, no build step).
 * - reconnects with exponential backoff and jitter (0.5 s .. 10 s), except after a refusal (close codes 44xx);
 * - heartbeat: {"action":"ping"} every 15 s; no pong within 10 s -> the socket is treated as dead and replaced;
 * - states carry a version; an older one (late broadcast after a fresher reconnect snapshot) is ignored;
 * - time: the server sends "remaining" seconds; the countdown runs on the local monotonic clock
 *   (performance.now()), so a wrong phone clock changes nothing. */
(function () {
  "use strict";
  function LiveSocket(path, handlers) {
    this.url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
    this.handlers = handlers;
    this.delay = 500;
    this.version = -1;
    this.stopped = false;
    this.connect();
  }
  LiveSocket.prototype.connect = function () {
    var self = this;
    var ws = new WebSocket(this.url);
    this.ws = ws;
    this.status("connecting");
    ws.onopen = function () {
      self.delay = 500;
      self.status("open");
      self.heartbeat();
    };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      self.lastSeen = performance.now();
      if (msg.type === "pong") { self.awaitingPong = false; return; }
      if (msg.type === "state") {
        if (typeof msg.version === "number" && msg.version < self.version) return;
        self.version = msg.version;
        if (typeof msg.remaining === "number") msg.deadline = performance.now() + msg.remaining * 1000;
      }
      self.handlers.message(msg);
    };
    ws.onclose = function (event) {
      clearInterval(self.pinger);
      if (self.ws !== ws) return;
      if (event.code >= 4400 && event.code < 4500) { self.stopped = true; self.status("closed"); return; }
      if (self.stopped) return;
      self.status("retry");
      var wait = self.delay * (0.75 + Math.random() * 0.5);
      self.delay = Math.min(self.delay * 2, 10000);
      setTimeout(function () { self.connect(); }, wait);
    };
  };
  LiveSocket.prototype.heartbeat = function () {
    var self = this;
    clearInterval(this.pinger);
    this.awaitingPong = false;
    this.pinger = setInterval(function () {
      if (self.awaitingPong) { self.ws.close(); return; }  // no pong for 10+ s: reconnect
      self.awaitingPong = true;
      self.send({ action: "ping", t: Date.now() });
    }, 12000);
  };
  LiveSocket.prototype.send = function (obj) {
    if (this.ws && this.ws.readyState === 1) { this.ws.send(JSON.stringify(obj)); return true; }
    return false;
  };
  LiveSocket.prototype.status = function (s) { if (this.handlers.status) this.handlers.status(s); };
  LiveSocket.secondsLeft = function (state) {
    if (state.paused) return Math.ceil(state.remaining || 0);
    if (typeof state.deadline !== "number") return null;
    return Math.max(0, Math.ceil((state.deadline - performance.now()) / 1000));
  };
  window.LiveSocket = LiveSocket;
  window.LETTERS = "ABCDEFGH";
  // A stem into `el` as text, each blank bracket ("（ ）", "( )") in a nowrap span so it never splits across lines
  // (the server-rendered pages do the same with the keep_blanks template filter).
  window.keepBlanks = function (el, text) {
    var re = /[（(][\s\u00a0\u3000_＿]*[）)]/g, last = 0, m;
    el.textContent = "";
    text = String(text || "");
    while ((m = re.exec(text)) !== null) {
      el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var span = document.createElement("span");
      span.className = "blank"; span.textContent = m[0];
      el.appendChild(span);
      last = m.index + m[0].length;
    }
    el.appendChild(document.createTextNode(text.slice(last)));
  };
  window.fmt = function (template) {
    var args = Array.prototype.slice.call(arguments, 1), i = 0;
    return template.replace(/%s/g, function () { return String(args[i++]); });
  };
})();
