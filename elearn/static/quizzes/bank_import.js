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
        if (xhr.responseURL && xhr.responseURL !== window.location.href) { window.location.href = xhr.responseURL; }
        else { document.open(); document.write(xhr.responseText); document.close(); }
      });
      xhr.send(new FormData(form));
    });
  }
})();
