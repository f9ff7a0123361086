// Question bank import: upload progress (XHR) and the dry-run job's progress (polling its JSON status).
(function () {
  "use strict";
  var job = document.querySelector("[data-bank-job]");
  if (job) {
    var bar = job.querySelector("[data-job-progress]");
    var text = job.querySelector("[data-job-text]");
    var poll = function () {
      fetch(job.getAttribute("data-bank-job"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.total) { bar.max = s.total; bar.value = s.done; text.textContent = s.done + " / " + s.total; }
          if (s.state === "done" || s.state === "failed") { window.location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
  var form = document.querySelector("form[data-bank-upload]");
  var errorBox = form && form.querySelector("[data-upload-error]");
  var showError = function (message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: "center" });
  };
  if (form && errorBox) {
    // Pasted text over the server's limit would be refused before the page could explain: say it here.
    form.addEventListener("submit", function (event) {
      var limit = parseInt(form.getAttribute("data-text-limit") || "0", 10);
      var area = form.querySelector("textarea[name=text]");
      errorBox.hidden = true;
      if (!limit || !area || !window.Blob) { return; }
      var size = new Blob([area.value]).size;
      if (size > limit) {
        event.preventDefault();
        event.stopImmediatePropagation();
        showError(form.getAttribute("data-text-too-long").replace("{size}", (Math.ceil(size / 1e5) / 10).toFixed(1)));
      }
    });
  }
  if (form && window.FormData && window.XMLHttpRequest) {
    form.addEventListener("submit", function (event) {
      var progress = form.querySelector("[data-upload-progress]");
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { progress.hidden = false; progress.max = e.total; progress.value = e.loaded; }
      });
      xhr.addEventListener("load", function () {
        if ((xhr.status === 400 || xhr.status === 413) && errorBox) {
          progress.hidden = true;
          showError(form.getAttribute("data-upload-refused").replace("{status}", xhr.status));
          return;
        }
        if (xhr.responseURL && xhr.responseURL !== window.location.href) { window.location.href = xhr.responseURL; }
        else { document.open(); document.write(xhr.responseText); document.close(); }
      });
      xhr.send(new FormData(form));
    });
  }
})();
