// The check-in QR screen: every few seconds, fetch the live state (count, whether check-in is open, the current
// QR code's address, which changes every minute) and update the page. No eval, no inline script (the site's CSP).
(function () {
  "use strict";
  const root = document.querySelector("[data-live-url]");
  if (!root) return;
  const url = root.dataset.liveUrl;
  const every = Math.max(2, parseInt(root.dataset.refresh || "5", 10)) * 1000;
  const count = root.querySelector("[data-count]");
  const qr = root.querySelector("[data-qr]");
  const state = root.querySelector("[data-state]");
  const labels = { open: state.dataset.labelOpen, closed: state.dataset.labelClosed };  // translated by the template

  async function tick() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const live = await response.json();
        count.textContent = String(live.count);
        if (qr.getAttribute("src") !== live.qr) qr.setAttribute("src", live.qr);
        state.textContent = (live.open ? labels.open : labels.closed) + " · " + live.opens + " – " + live.closes;
      }
    } catch (e) {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(tick, every);
  }
  window.setTimeout(tick, every);
})();
