// Report export progress: polls the status URL until the export is done or failed, then shows the download link.
(function () {
  "use strict";
  var box = document.querySelector("[data-export]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".report-progress");
  var step = box.querySelector("[data-step]");
  var download = box.querySelector("[data-download]");
  var delay = 1000;
  // Words from the page (data-t-* attributes, translated by the template).
  var T = { done: box.getAttribute("data-t-done"), failed: box.getAttribute("data-t-failed"), queued: box.getAttribute("data-t-queued") };

  function show(state) {
    box.setAttribute("data-state", state.status);
    bar.setAttribute("aria-valuenow", state.progress);
    bar.firstElementChild.style.width = state.progress + "%";
    if (state.status === "done") {
      step.textContent = T.done;
      download.querySelector("[data-download-link]").setAttribute("href", state.download_url);
      download.querySelector("[data-filename]").textContent = state.filename;
      download.hidden = false;
    } else if (state.status === "failed") {
      step.textContent = T.failed + state.message;
    } else {
      step.textContent = (state.step || T.queued) + " · " + state.progress + "%";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (state) {
        show(state);
        if (state.status !== "done" && state.status !== "failed") {
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  var initial = box.getAttribute("data-state");
  if (initial !== "done" && initial !== "failed") window.setTimeout(poll, 500);
})();
