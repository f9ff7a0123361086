/* Outbox: phone forms that survive a reload and a weak network (progressive enhancement; the form works without it).
 *
 * <form method="post" action="..." data-outbox="KEY" {% include "elearn/includes/outbox_strings.html" %}>
 *   <input type="file" name="photos" accept="image/*" capture="environment" multiple data-outbox-photos>
 *   <input type="hidden" name="client_uuid">          (optional: filled with the draft's id)
 *   <p data-outbox-status aria-live="polite"></p>
 * - Draft: the fields (text, textarea, select, radio, checkbox) and the photos are saved in the browser (IndexedDB;
 *   localStorage for the fields and memory for the photos when IndexedDB is unavailable) and restored on load.
 *   The key holds the user (data-outbox-user), the form's data-outbox value and the path.
 * - Photos are decoded on the phone, scaled so the longest side is <= 1600 px and re-encoded as JPEG 0.82 (the canvas
 *   drops EXIF, GPS included); the kept JPEGs are sent under the input's name, the input itself is cleared.
 * - Submit: the form (+ photos + client_uuid, one per draft) goes into an IndexedDB outbox, then is POSTed with fetch
 *   (Accept: application/json, X-CSRFToken). Network error / 408 / 429 / 5xx: kept and retried with backoff
 *   (2 s ... 60 s, jitter), on `online`, when the page becomes visible and on the next load of any page with this
 *   script. 2xx {ok: true, redirect, message}: removed with its draft, the page follows redirect. 4xx {ok: false,
 *   message, errors}: removed, draft kept, errors shown by the fields. 401 / 403 without {ok: false} (the CSRF or
 *   login check: session expired): kept, and the person is asked to sign in again.
 * The server must be idempotent on client_uuid: a retry after a lost answer repeats the same POST. The POST names the
 * person who queued it (X-Outbox-User); a session of someone else answers 401 (kept for that person). A page whose
 * CSRF cookie changed since it was drawn (a sign-in in another tab) sends nothing. */
(function () {
  "use strict";
  if (window.elearnOutbox) { return; }  // base.html and a page may both load it
  var api = window.elearnOutbox = {};

  var DB_NAME = "elearn-outbox", DRAFTS = "drafts", OUTBOX = "outbox";
  var MAX_SIDE = 1600, QUALITY = 0.82, SAVE_DELAY = 500, MIN_RETRY = 2000, MAX_RETRY = 60000;
  var SEND_TIMEOUT = 120000, DRAFT_MAX_AGE = 14 * 24 * 3600 * 1000;
  var HINT = "elearn-outbox-n", LS_DRAFT = "elearn-outbox-draft:";
  var DEFAULTS = {
    "saved": "已保存草稿",
    "restored": "已恢复草稿",
    "processing": "正在处理照片……",
    "uploading": "正在上传（%(x)s/%(y)s）",
    "queued": "网络不佳，已排队，恢复网络后会自动提交（%(n)s 项）",
    "sent": "已提交",
    "session": "登录已过期，请重新登录，登录后会自动提交（内容已暂存本机）。",
    "login": "重新登录",
    "failed": "提交未成功，请按提示修改后再提交。",
    "failed-elsewhere": "有一项提交未成功，请回到表单修改：",
    "open-form": "打开表单",
    "view": "查看",
    "not-image": "“%(name)s”不是可用的照片，未添加。",
    "photo-alt": "照片 %(n)s",
    "remove-photo": "删除照片 %(n)s",
    "photo-required": "请添加照片。",
    "memory-only": "本机无法保存草稿，请不要刷新或离开本页。",
    "too-many": "最多 %(n)s 张照片。"
  };

  // ---------------------------------------------------------------- small helpers
  function fmt(s, args) {
    return args ? s.replace(/%\((\w+)\)s/g, function (_, k) { return String(args[k]); }) : s;
  }
  function stringsEl() { return document.querySelector("[data-outbox-strings]"); }
  function t(key, args, form) {
    var attr = "data-outbox-msg-" + key, el = form && form.hasAttribute(attr) ? form : stringsEl();
    return fmt((el && el.getAttribute(attr)) || DEFAULTS[key] || key, args);
  }
  function attrOf(name, form) {
    var el = form && form.hasAttribute(name) ? form : document.querySelector("[" + name + "]");
    return el ? el.getAttribute(name) : null;
  }
  function pageUser() { return attrOf("data-outbox-user"); }
  function loginUrl() { return attrOf("data-outbox-login-url") || "/accounts/login/"; }
  function uuid4() {
    if (window.crypto && typeof crypto.randomUUID === "function") {
      try { return crypto.randomUUID(); } catch (e) { /* insecure context */ }
    }
    var b = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) { crypto.getRandomValues(b); }
    else { for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); } }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (e) { return false; }
  }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function lsGet(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function lsSet(k, v) { try { localStorage.setItem(k, v); return true; } catch (e) { return false; } }
  function lsDel(k) { try { localStorage.removeItem(k); } catch (e) { /* ignore */ } }

  // ---------------------------------------------------------------- storage: IndexedDB, else localStorage/memory
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve) {
        var req = null;
        try { req = window.indexedDB ? indexedDB.open(DB_NAME, 1) : null; } catch (e) { req = null; }
        if (!req) { resolve(null); return; }
        var timer = setTimeout(function () { resolve(null); }, 4000);
        req.onupgradeneeded = function () {
          var d = req.result;
          if (!d.objectStoreNames.contains(DRAFTS)) { d.createObjectStore(DRAFTS, { keyPath: "key" }); }
          if (!d.objectStoreNames.contains(OUTBOX)) { d.createObjectStore(OUTBOX, { keyPath: "id" }); }
        };
        req.onsuccess = function () {
          clearTimeout(timer);
          var d = req.result;
          d.onversionchange = function () { d.close(); dbPromise = null; };
          resolve(d);
        };
        req.onerror = function () { clearTimeout(timer); resolve(null); };
      });
    }
    return dbPromise;
  }
  var memory = {};
  memory[DRAFTS] = new Map();
  memory[OUTBOX] = new Map();

  async function idb(store, mode, fn) {
    var d = await db();
    if (!d) { throw new Error("no indexeddb"); }
    return new Promise(function (resolve, reject) {
      var tx = d.transaction(store, mode), out;
      var r = fn(tx.objectStore(store));
      r.onsuccess = function () { out = r.result; };
      tx.oncomplete = function () { resolve(out); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error || new Error("aborted")); };
    });
  }
  function stripPhotos(rec) {
    var copy = Object.assign({}, rec);
    delete copy.photos;
    return copy;
  }
  // A record that IndexedDB could not take lives in memory (and a draft's fields in localStorage too).
  async function get(store, key) {
    if (memory[store].has(key)) { return memory[store].get(key); }
    try { return await idb(store, "readonly", function (s) { return s.get(key); }); } catch (e) { /* fall back */ }
    if (store === DRAFTS) {
      try { return JSON.parse(lsGet(LS_DRAFT + key)) || undefined; } catch (e) { return undefined; }
    }
    return undefined;
  }
  async function put(store, rec) {
    var key = store === DRAFTS ? rec.key : rec.id;
    try {
      await idb(store, "readwrite", function (s) { return s.put(rec); });
      memory[store].delete(key);
      if (store === DRAFTS) { lsDel(LS_DRAFT + key); }
      return true;
    } catch (e) {
      memory[store].set(key, rec);
      if (store === DRAFTS) { lsSet(LS_DRAFT + key, JSON.stringify(stripPhotos(rec))); }
      return false;
    }
  }
  async function del(store, key) {
    memory[store].delete(key);
    if (store === DRAFTS) { lsDel(LS_DRAFT + key); }
    try { await idb(store, "readwrite", function (s) { return s.delete(key); }); } catch (e) { /* gone with it */ }
  }
  async function all(store) {
    var rows = [];
    try { rows = (await idb(store, "readonly", function (s) { return s.getAll(); })) || []; } catch (e) { rows = []; }
    var byKey = new Map();
    rows.forEach(function (r) { byKey.set(store === DRAFTS ? r.key : r.id, r); });
    memory[store].forEach(function (r, k) { byKey.set(k, r); });
    return Array.from(byKey.values());
  }

  // ---------------------------------------------------------------- photos: decode, downscale, re-encode
  function decodeWithImg(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { resolve({ src: img, w: img.naturalWidth, h: img.naturalHeight, done: function () { URL.revokeObjectURL(url); } }); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
      img.src = url;
    });
  }
  async function decode(file) {
    if (typeof window.createImageBitmap === "function") {
      try {
        var bmp = await createImageBitmap(file, { imageOrientation: "from-image" });
        return { src: bmp, w: bmp.width, h: bmp.height, done: function () { if (bmp.close) { bmp.close(); } } };
      } catch (e) { /* options unsupported or not decodable here: try <img> (which applies EXIF orientation) */ }
    }
    return decodeWithImg(file);
  }
  async function downscale(file) {
    var d = await decode(file);
    try {
      if (!d.w || !d.h) { throw new Error("empty image"); }
      var scale = Math.min(1, MAX_SIDE / Math.max(d.w, d.h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(d.w * scale));
      canvas.height = Math.max(1, Math.round(d.h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";  // transparent PNGs would turn black in JPEG
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(d.src, 0, 0, canvas.width, canvas.height);
      var blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
      canvas.width = canvas.height = 0;  // free the pixels now (phones run out of memory on 12 MP photos)
      if (!blob) { throw new Error("encode failed"); }
      return blob;
    } finally {
      d.done();
    }
  }

  // ---------------------------------------------------------------- forms
  var forms = [];  // one context per enhanced form
  function ctxFor(draftKey) {
    for (var i = 0; i < forms.length; i++) { if (forms[i].key === draftKey) { return forms[i]; } }
    return null;
  }
  function photoInputs(form) { return Array.prototype.slice.call(form.querySelectorAll("input[type=file][data-outbox-photos]")); }
  function saveable(el) {
    if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken" || el.name === "client_uuid") { return false; }
    if (el.hasAttribute("data-outbox-skip")) { return false; }
    var type = (el.type || "").toLowerCase();
    return ["file", "password", "hidden", "submit", "button", "reset", "image"].indexOf(type) < 0 &&
      ["INPUT", "TEXTAREA", "SELECT"].indexOf(el.tagName) >= 0;
  }
  function readFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!saveable(el)) { return; }
      var type = (el.type || "").toLowerCase();
      var f = fields[el.name] || (fields[el.name] = { v: [] });
      if (type === "checkbox" || type === "radio") {
        f.k = "check";
        if (el.checked) { f.v.push(el.value); }
      } else if (el.tagName === "SELECT") {
        f.k = "select";
        Array.prototype.forEach.call(el.options, function (o) { if (o.selected) { f.v.push(o.value); } });
      } else {
        f.k = "text";
        f.v.push(el.value);
      }
    });
    return fields;
  }
  function writeFields(form, fields) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!saveable(el) || !fields[el.name]) { return; }
      var f = fields[el.name], type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = f.v.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = f.v.indexOf(o.value) >= 0; });
      } else {
        var i = seen[el.name] || 0;
        if (i < f.v.length) { el.value = f.v[i]; }
        seen[el.name] = i + 1;
      }
    });
  }
  function hasContent(draft) {
    if (!draft) { return false; }
    if (draft.photos && draft.photos.length) { return true; }
    return Object.keys(draft.fields || {}).some(function (n) {
      return draft.fields[n].v.some(function (v) { return String(v).trim() !== ""; });
    });
  }

  function setStatus(ctx, text, extra) {
    var el = ctx.status;
    if (!el) { return; }
    el.textContent = text;
    if (extra) { el.appendChild(document.createTextNode(" ")); el.appendChild(extra); }
  }
  function loginLink(form) {
    var a = document.createElement("a"), next = location.pathname + location.search;
    a.href = loginUrl() + (loginUrl().indexOf("?") >= 0 ? "&" : "?") + "next=" + encodeURIComponent(next);
    a.textContent = t("login", null, form);
    return a;
  }
  function setBusy(ctx, busy) {
    ctx.busy = busy;
    ctx.form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      b.disabled = busy;
      if (busy) { b.setAttribute("aria-busy", "true"); } else { b.removeAttribute("aria-busy"); }
    });
  }

  function draftRecord(ctx) {
    return {
      key: ctx.key, fields: readFields(ctx.form), photos: ctx.photos.slice(), uuid: ctx.uuid,
      updated: Date.now(), errors: ctx.errors || null, message: ctx.message || null
    };
  }
  async function saveDraft(ctx, quiet) {
    clearTimeout(ctx.saveTimer);
    ctx.saveTimer = null;
    var kept = await put(DRAFTS, draftRecord(ctx));
    if (!kept && ctx.photos.length && !ctx.warnedMemory) {
      ctx.warnedMemory = true;
      setStatus(ctx, t("memory-only", null, ctx.form));
    } else if (!quiet) {
      setStatus(ctx, t("saved", null, ctx.form));
    }
  }
  function saveSoon(ctx) {
    clearTimeout(ctx.saveTimer);
    ctx.saveTimer = setTimeout(function () { saveDraft(ctx); }, SAVE_DELAY);
  }
  function setUuid(ctx, id) {
    ctx.uuid = id;
    var hidden = ctx.form.querySelector("input[name=client_uuid]");
    if (hidden) { hidden.value = id; }
  }

  // thumbnails with a remove button each
  function renderPhotos(ctx, input) {
    var list = ctx.lists.get(input);
    list.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
    list.textContent = "";
    ctx.photos.filter(function (p) { return p.field === input.name; }).forEach(function (p, i) {
      var li = document.createElement("li"), img = document.createElement("img"), btn = document.createElement("button");
      img.src = URL.createObjectURL(p.blob);
      img.alt = t("photo-alt", { n: i + 1 }, ctx.form);
      btn.type = "button";
      btn.className = "outbox-remove";
      btn.textContent = "×";
      btn.setAttribute("aria-label", t("remove-photo", { n: i + 1 }, ctx.form));
      btn.addEventListener("click", function () {
        ctx.photos = ctx.photos.filter(function (q) { return q.id !== p.id; });
        renderPhotos(ctx, input);
        saveDraft(ctx);
        var next = list.querySelector(".outbox-remove");
        (next || input).focus();
      });
      li.appendChild(img);
      li.appendChild(btn);
      list.appendChild(li);
    });
    list.hidden = !list.children.length;
  }
  async function addPhotos(ctx, input) {
    var files = Array.prototype.slice.call(input.files || []);
    input.value = "";  // what is sent is the kept JPEGs, never the picked originals
    if (!files.length) { return; }
    var max = parseInt(input.getAttribute("data-outbox-max") || "0", 10) || 0;
    var problems = [];
    setStatus(ctx, t("processing", null, ctx.form));
    if (!input.multiple) { ctx.photos = ctx.photos.filter(function (p) { return p.field !== input.name; }); }
    for (var i = 0; i < files.length; i++) {
      var f = files[i];
      var count = ctx.photos.filter(function (p) { return p.field === input.name; }).length;
      if (max && count >= max) { problems.push(t("too-many", { n: max }, ctx.form)); break; }
      if (f.type && f.type.indexOf("image/") !== 0) { problems.push(t("not-image", { name: f.name }, ctx.form)); continue; }
      try {
        var blob = await downscale(f);
        ctx.photos.push({ id: uuid4(), field: input.name, blob: blob, name: "photo-" + (count + 1) + ".jpg" });
      } catch (e) {
        problems.push(t("not-image", { name: f.name }, ctx.form));
      }
    }
    renderPhotos(ctx, input);
    await saveDraft(ctx, !!problems.length);
    if (problems.length) { setStatus(ctx, problems.join(" ")); }
  }

  // errors next to the fields (by name) and the message on top
  function messageBox(ctx) {
    var box = ctx.form.querySelector("[data-outbox-message]");
    if (!box) {
      box = document.createElement("div");
      box.className = "outbox-message";
      box.setAttribute("data-outbox-message", "");
      box.setAttribute("role", "alert");
      ctx.form.insertBefore(box, ctx.form.firstChild);
    }
    box.tabIndex = -1;
    return box;
  }
  function clearErrors(ctx) {
    ctx.form.querySelectorAll(".outbox-error").forEach(function (n) { n.remove(); });
    ctx.form.querySelectorAll("[data-outbox-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("data-outbox-invalid");
      var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) { return id && id.indexOf("outbox-err-") !== 0; });
      if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    });
    var box = ctx.form.querySelector("[data-outbox-message]");
    if (box) { box.textContent = ""; box.hidden = true; }
  }
  function anchorFor(ctx, el) {
    if (ctx.lists.has(el)) { return ctx.lists.get(el); }
    var type = (el.type || "").toLowerCase();
    if (type === "radio" || type === "checkbox") { return el.closest("fieldset") || el.closest("label") || el; }
    return el.closest("label") || el;
  }
  function showErrors(ctx, errors, message) {
    clearErrors(ctx);
    var general = [], invalid = [];
    Object.keys(errors || {}).forEach(function (name) {
      var msgs = [].concat(errors[name]).map(function (m) { return typeof m === "string" ? m : (m && m.message) || ""; });
      var els = Array.prototype.filter.call(ctx.form.elements, function (el) { return el.name === name && el.type !== "hidden"; });
      if (!els.length) { general.push.apply(general, msgs); return; }
      var p = document.createElement("p");
      p.className = "outbox-error";
      p.id = "outbox-err-" + ctx.index + "-" + name.replace(/[^\w-]/g, "_");
      p.textContent = msgs.join(" ");
      anchorFor(ctx, els[els.length - 1]).insertAdjacentElement("afterend", p);
      els.forEach(function (el) {
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("data-outbox-invalid", "");
        el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + p.id).trim());
        invalid.push(el);
      });
    });
    var box = messageBox(ctx), text = [message || t("failed", null, ctx.form)].concat(general).join(" ");
    box.textContent = text;
    box.hidden = false;
    invalid.sort(function (a, b) { return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1; });
    var first = invalid[0] || box;
    first.focus();
    if (first.scrollIntoView) { first.scrollIntoView({ block: "center" }); }
  }

  async function enhance(form, index) {
    if (form.hasAttribute("data-outbox-ready") || !sameOrigin(form.action)) { return; }
    form.setAttribute("data-outbox-ready", "");
    var user = pageUser();
    var ctx = {
      form: form, index: index, key: (user === null ? "" : user) + "|" + form.getAttribute("data-outbox") + "|" + location.pathname,
      status: form.querySelector("[data-outbox-status]") || Array.prototype.filter.call(
        document.querySelectorAll("[data-outbox-status]"), function (el) { return !el.closest("form"); })[0] || null,
      photos: [], lists: new Map(), busy: false, saveTimer: null, processing: Promise.resolve(), uuid: null,
      errors: null, message: null
    };
    forms.push(ctx);
    if (ctx.status && !ctx.status.hasAttribute("aria-live")) { ctx.status.setAttribute("aria-live", "polite"); }
    // Typed before the draft was read: what was typed wins, field by field. Submitted before: sent once ready (a
    // plain post would go without its client_uuid, and leave what it sent behind as a draft).
    var typed = {}, early = function (ev) {
      if (!ev.target.matches("input[type=file]") && ev.target.name) { typed[ev.target.name] = true; }
    };
    var submitted = null, earlySubmit = function (ev) { ev.preventDefault(); submitted = { submitter: ev.submitter || null }; };
    form.addEventListener("input", early);
    form.addEventListener("change", early);
    form.addEventListener("submit", earlySubmit);
    photoInputs(form).forEach(function (input) {
      var list = document.createElement("ul");
      list.className = "outbox-photos";
      list.hidden = true;
      input.insertAdjacentElement("afterend", list);
      ctx.lists.set(input, list);
      if (input.required) { input.required = false; input.setAttribute("data-outbox-required", ""); }
      input.addEventListener("change", function () {
        ctx.processing = ctx.processing.then(function () { return addPhotos(ctx, input); });
      });
    });
    var draft = await get(DRAFTS, ctx.key);
    var changed = Object.keys(typed).length > 0;
    if (changed && draft && draft.uuid && (await get(OUTBOX, draft.uuid))) {
      draft = null;  // the draft is a report waiting in the queue: what was typed is a new one, with an id of its own
    }
    setUuid(ctx, (draft && draft.uuid) || uuid4());
    form.removeEventListener("input", early);
    form.removeEventListener("change", early);
    var picked = ctx.photos.length;  // photos added while the draft was read (saved without the draft's own)
    if (draft) {
      var restore = {};
      Object.keys(draft.fields || {}).forEach(function (n) { if (!typed[n]) { restore[n] = draft.fields[n]; } });
      writeFields(form, restore);
      ctx.photos = (draft.photos || []).filter(function (p) { return p && p.blob; }).concat(ctx.photos);
      ctx.lists.forEach(function (list, input) { renderPhotos(ctx, input); });
      if (hasContent(draft)) { setStatus(ctx, t("restored", null, form)); }
      if (draft.errors || draft.message) {
        ctx.errors = draft.errors;
        ctx.message = draft.message;
        showErrors(ctx, draft.errors, draft.message);
      }
    }
    form.addEventListener("input", function (ev) { if (!ev.target.matches("input[type=file]")) { saveSoon(ctx); } });
    form.addEventListener("change", function (ev) { if (!ev.target.matches("input[type=file]")) { saveSoon(ctx); } });
    form.addEventListener("submit", function (ev) { onSubmit(ctx, ev); });
    form.removeEventListener("submit", earlySubmit);
    if (changed || picked) { saveSoon(ctx); }  // changed while the draft was read: no later input may come to save it
    var queued = await get(OUTBOX, ctx.uuid);
    if (queued) { await showQueued(ctx, queued); }
    else if (submitted) { onSubmit(ctx, { defaultPrevented: false, preventDefault: function () {}, submitter: submitted.submitter }); }
  }

  function formEntry(ctx, submitter) {
    var fd = new FormData(ctx.form);
    if (submitter && submitter.name) { fd.append(submitter.name, submitter.value); }
    photoInputs(ctx.form).forEach(function (input) { fd.delete(input.name); });
    fd.delete("csrfmiddlewaretoken");  // a stale token in the body would win over the fresh header
    fd.delete("client_uuid");
    var parts = [];
    fd.forEach(function (value, name) {
      if (typeof value === "string") { parts.push({ n: name, v: value }); }
      else if (value && value.size) { parts.push({ n: name, b: value, f: value.name || "file" }); }
      else { parts.push({ n: name, b: new Blob([]), f: "" }); }  // an empty non-photo file input, as a browser sends it
    });
    ctx.photos.forEach(function (p) { parts.push({ n: p.field, b: p.blob, f: p.name }); });
    parts.push({ n: "client_uuid", v: ctx.uuid });
    var token = (ctx.form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
    return {
      id: ctx.uuid, draftKey: ctx.key, action: ctx.form.action, page: location.pathname + location.search,
      user: pageUser(), parts: parts, token: token, created: Date.now(), attempts: 0, nextAt: 0, state: "queued"
    };
  }

  async function onSubmit(ctx, ev) {
    if (ev.defaultPrevented) { return; }
    ev.preventDefault();
    if (ctx.busy) { return; }  // double tap
    setBusy(ctx, true);
    try {
      await ctx.processing;
      var missing = photoInputs(ctx.form).filter(function (input) {
        return input.hasAttribute("data-outbox-required") && !ctx.photos.some(function (p) { return p.field === input.name; });
      });
      if (missing.length) {
        var errors = {};
        missing.forEach(function (input) { errors[input.name] = [t("photo-required", null, ctx.form)]; });
        showErrors(ctx, errors, null);
        setBusy(ctx, false);
        return;
      }
      clearErrors(ctx);
      ctx.errors = ctx.message = null;
      await saveDraft(ctx, true);
      var entry = formEntry(ctx, ev.submitter);
      await put(OUTBOX, entry);
      await updateHint();
      flush(true);
    } catch (e) {
      setBusy(ctx, false);
      throw e;
    }
  }

  // ---------------------------------------------------------------- the outbox
  async function updateHint() {
    var n = (await all(OUTBOX)).length;
    lsSet(HINT, String(n));
    return n;
  }
  // The CSRF cookie as this page found it: Django rotates it at every sign-in, so a change means someone signed in
  // (or out and in again) in another tab since this page was drawn, and the user id on this page is stale.
  var pageCsrf = cookie("csrftoken");
  function sessionChanged() { return cookie("csrftoken") !== pageCsrf; }
  function mayAct(entry) {
    if (sessionChanged()) { return false; }  // sent by the next page drawn for whoever is signed in now
    var me = pageUser();
    if (me === null || entry.user === null || entry.user === undefined) { return true; }
    // Never send one person's report under another's session (shared ward phones), nor an anonymous one under a
    // signed-in session.
    return me === entry.user;
  }
  function csrfToken(entry) {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return cookie("csrftoken") || (field && field.value) || entry.token || "";
  }
  function backoff(attempts) {
    var base = Math.min(MAX_RETRY, MIN_RETRY * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.min(MAX_RETRY, Math.round(base * (0.75 + Math.random() * 0.5)));
  }
  function isLoginUrl(url) {
    try { return new URL(url, location.href).pathname === new URL(loginUrl(), location.href).pathname; } catch (e) { return false; }
  }

  async function send(entry) {
    var fd = new FormData();
    entry.parts.forEach(function (p) {
      if (p.b !== undefined) { fd.append(p.n, p.b, p.f); } else { fd.append(p.n, p.v); }
    });
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, SEND_TIMEOUT) : null;
    var res, body = null, text = "";
    try {
      res = await fetch(entry.action, {
        method: "POST", body: fd, credentials: "same-origin", signal: ctl ? ctl.signal : undefined,
        // the server refuses (401) when the session is not the queuing person's: the last word on "never as another"
        headers: { "Accept": "application/json", "X-CSRFToken": csrfToken(entry), "X-Outbox-User": entry.user || "" }
      });
      if ((res.headers.get("Content-Type") || "").indexOf("json") >= 0) {
        body = await res.json().catch(function () { return null; });
      } else if (res.status === 403) {
        text = await res.text().catch(function () { return ""; });
      }
    } catch (e) {
      return { kind: "retry", offline: true };
    } finally {
      clearTimeout(timer);
    }
    var s = res.status, retryAfter = parseInt(res.headers.get("Retry-After") || "", 10);
    if (res.ok) {
      if (res.redirected && isLoginUrl(res.url)) { return { kind: "auth" }; }
      if (body && body.ok === false) { return { kind: "rejected", body: body }; }
      if (body) { return { kind: "sent", redirect: body.redirect || null, message: body.message }; }
      // Post/redirect/get without JSON: the redirect is the answer. A plain 200 page to a POST is a form shown again
      // with its errors: keep the draft (a resubmission is harmless, the server is idempotent on client_uuid).
      if (res.redirected) { return { kind: "sent", redirect: res.url, message: null }; }
      return { kind: "rejected", body: {} };
    }
    if (s === 408 || s === 429 || s >= 500) { return { kind: "retry", retryAfter: retryAfter > 0 ? retryAfter * 1000 : 0 }; }
    // 401, or Django's CSRF failure page (the session, and with it the token, expired or changed): sign in again.
    // Any other 403 (not allowed) is a refusal like a 400.
    if (s === 401 || (s === 403 && !body && /csrf/i.test(text))) { return { kind: "auth" }; }
    return { kind: "rejected", body: body || {} };
  }

  var running = null, again = false, againForce = false, retryTimer = null;
  function flush(force) {
    if (running) { again = true; againForce = againForce || !!force; return running; }
    var work = function () { return run(!!force); };
    running = (navigator.locks && navigator.locks.request ? navigator.locks.request("elearn-outbox", work) : work())
      .catch(function () { /* a broken record must not stop the page */ })
      .then(function () {
        running = null;
        if (again) { var f = againForce; again = againForce = false; flush(f); }
      });
    return running;
  }
  api.flush = flush;

  async function run(force) {
    clearTimeout(retryTimer);
    if (sessionChanged()) {  // signed in or out elsewhere: this page sends nothing; say so by a form still queued
      var queued = await all(OUTBOX);
      forms.forEach(function (c) {
        if (queued.some(function (x) { return x.id === c.uuid; })) { setBusy(c, false); setStatus(c, t("session", null, c.form), loginLink(c.form)); }
      });
      return;
    }
    var entries = (await all(OUTBOX)).filter(mayAct).sort(function (a, b) { return a.created - b.created; });
    var now = Date.now();
    var due = entries.filter(function (e) { return force || (e.state !== "auth" && e.nextAt <= now); });
    var offline = false;
    for (var i = 0; i < due.length; i++) {
      var e = due[i], ctx = ctxFor(e.draftKey);
      if (ctx && ctx.uuid === e.id) { setBusy(ctx, true); }
      if (offline) { await retryLater(e, {}); continue; }  // the network is down: do not try each entry
      if (ctx) { setStatus(ctx, t("uploading", { x: i + 1, y: due.length }, ctx.form)); }
      var out = await send(e);
      if (out.kind === "sent") { await onSent(e, out); }
      else if (out.kind === "rejected") { await onRejected(e, out.body); }
      else if (out.kind === "auth") { await onAuth(e); }
      else { offline = !!out.offline; await retryLater(e, out); }
    }
    var left = await all(OUTBOX);
    lsSet(HINT, String(left.length));
    var mine = left.filter(mayAct);
    for (var j = 0; j < forms.length; j++) {
      var c = forms[j], own = mine.filter(function (x) { return x.id === c.uuid; })[0];
      if (own) { await showQueued(c, own, mine.length); }
    }
    var waiting = mine.filter(function (x) { return x.state !== "auth"; });
    if (waiting.length) {
      var next = Math.min.apply(null, waiting.map(function (x) { return x.nextAt; }));
      retryTimer = setTimeout(function () { flush(false); }, Math.max(250, next - Date.now()));
    }
  }

  async function retryLater(e, out) {
    e.attempts = (e.attempts || 0) + 1;
    e.state = "queued";
    e.nextAt = Date.now() + Math.max(backoff(e.attempts), Math.min(out.retryAfter || 0, 10 * 60 * 1000));
    await put(OUTBOX, e);
  }
  async function showQueued(ctx, e, count) {
    setBusy(ctx, false);  // a second tap sends again at once (same client_uuid)
    if (e.state === "auth") {
      setStatus(ctx, t("session", null, ctx.form), loginLink(ctx.form));
    } else {
      var n = count || (await all(OUTBOX)).filter(mayAct).length;
      setStatus(ctx, t("queued", { n: n }, ctx.form));
    }
  }
  function sentText(out, form) {  // 已提交 and the server's message, once (its message may say 已提交 itself)
    var sent = t("sent", null, form);
    return !out.message ? sent : out.message.indexOf(sent) >= 0 ? out.message : sent + " " + out.message;
  }
  async function onSent(e, out) {
    await del(OUTBOX, e.id);
    var draft = await get(DRAFTS, e.draftKey);
    if (draft && draft.uuid === e.id) { await del(DRAFTS, e.draftKey); }
    var ctx = ctxFor(e.draftKey);
    var redirect = out.redirect && sameOrigin(out.redirect) ? out.redirect : null;
    tell({ kind: "sent", id: e.id, draftKey: e.draftKey, redirect: redirect, message: out.message || null });
    if (ctx && ctx.uuid === e.id) {
      showSent(ctx, out, redirect);
    } else {  // sent from another page: say so, and offer what the form's page would have opened
      var link = null;
      if (redirect) {
        link = document.createElement("a");
        link.href = redirect;
        link.textContent = t("view");
      }
      toast(sentText(out, null), link);
    }
  }
  function showSent(ctx, out, redirect) {
    clearTimeout(ctx.saveTimer);
    if (redirect) {
      setStatus(ctx, t("sent", null, ctx.form));
      location.assign(redirect);
      return;
    }
    ctx.form.reset();
    ctx.photos = [];
    ctx.lists.forEach(function (list, input) { renderPhotos(ctx, input); });
    setUuid(ctx, uuid4());
    setBusy(ctx, false);
    setStatus(ctx, sentText(out, ctx.form));
  }
  function showRejected(ctx, errors, message, fresh) {
    if (fresh) { setUuid(ctx, fresh); }
    ctx.errors = errors;
    ctx.message = message;
    setBusy(ctx, false);
    setStatus(ctx, "");
    showErrors(ctx, errors, message);
  }
  // Tabs of one browser share the outbox: the tab that sent an entry tells the tab showing its form (if another).
  var channel = null;
  try { channel = window.BroadcastChannel ? new BroadcastChannel("elearn-outbox") : null; } catch (e) { channel = null; }
  function tell(msg) {
    if (channel) { try { channel.postMessage(msg); } catch (e) { /* nobody listens */ } }
  }
  if (channel) {
    channel.onmessage = function (ev) {
      var m = ev.data || {}, ctx = ctxFor(m.draftKey);  // the key holds the user: only that person's form hears it
      if (!ctx || ctx.uuid !== m.id || sessionChanged()) { return; }
      if (m.kind === "sent") { showSent(ctx, { message: m.message }, m.redirect); }
      else if (m.kind === "rejected") { showRejected(ctx, m.errors, m.message, m.fresh); }
      else if (m.kind === "auth") { showQueued(ctx, { state: "auth" }); }
    };
  }
  async function onRejected(e, body) {
    await del(OUTBOX, e.id);
    var errors = body.errors || null, message = body.message || null;
    // The server says this id already made a submission with other content (the draft was edited after it had
    // arrived): the edited draft is a new submission, with a new id, so that the next tap is not refused again.
    var fresh = errors && errors.client_uuid ? uuid4() : null;
    var draft = await get(DRAFTS, e.draftKey);
    if (draft && draft.uuid === e.id) {  // shown by the fields when the form is next opened
      draft.errors = errors;
      draft.message = message;
      if (fresh) { draft.uuid = fresh; }
      await put(DRAFTS, draft);
    }
    var ctx = ctxFor(e.draftKey);
    tell({ kind: "rejected", id: e.id, draftKey: e.draftKey, errors: errors, message: message, fresh: fresh });
    if (ctx && ctx.uuid === e.id) {
      showRejected(ctx, errors, message, fresh);
    } else {
      var a = document.createElement("a");
      a.href = e.page;
      a.textContent = t("open-form");
      toast(t("failed-elsewhere") + (message ? " " + message : ""), a);
    }
  }
  async function onAuth(e) {
    e.state = "auth";
    await put(OUTBOX, e);
    var ctx = ctxFor(e.draftKey);
    tell({ kind: "auth", id: e.id, draftKey: e.draftKey });
    if (!ctx || ctx.uuid !== e.id) { toast(t("session"), loginLink(null)); }
  }

  // a message on a page without the form (an entry sent from the queue after the person moved on)
  function toast(text, extra) {
    var el = document.querySelector("[data-outbox-toast]");
    if (!el) {
      el = document.createElement("div");
      el.className = "outbox-toast";
      el.setAttribute("data-outbox-toast", "");
      el.setAttribute("role", "status");
      el.setAttribute("aria-live", "polite");
      (document.querySelector("main") || document.body).prepend(el);
    }
    el.textContent = text;
    if (extra) { el.appendChild(document.createTextNode(" ")); el.appendChild(extra); }
    el.hidden = false;
  }

  // ---------------------------------------------------------------- start
  async function dropOldDrafts() {
    var cutoff = Date.now() - DRAFT_MAX_AGE;
    var drafts = await all(DRAFTS);
    for (var i = 0; i < drafts.length; i++) {
      if ((drafts[i].updated || 0) < cutoff && !(await get(OUTBOX, drafts[i].uuid))) { await del(DRAFTS, drafts[i].key); }
    }
  }
  async function start() {
    var found = Array.prototype.slice.call(document.querySelectorAll("form[data-outbox]"));
    for (var i = 0; i < found.length; i++) {
      try { await enhance(found[i], i); } catch (e) { /* this form stays a plain form */ }
    }
    if (found.length || lsGet(HINT) !== "0") {
      await flush(true);
    }
    if (found.length) { dropOldDrafts().catch(function () { /* ignore */ }); }
  }
  function saveAllNow() {
    forms.forEach(function (ctx) { if (ctx.saveTimer) { saveDraft(ctx, true); } });
  }

  window.addEventListener("online", function () { flush(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(true); } else { saveAllNow(); }
  });
  window.addEventListener("pagehide", saveAllNow);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
