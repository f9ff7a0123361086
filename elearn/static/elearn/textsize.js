// Larger-text toggle, remembered on this device. Runs in <head> so the page never flashes at the small size.
(function () {
  var KEY = "elearn.largeText";
  function apply(on) {
    document.documentElement.classList.toggle("large-text", on);
    document.querySelectorAll("[data-text-toggle]").forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); });
  }
  var on = false;
  try { on = localStorage.getItem(KEY) === "1"; } catch (e) {}
  document.documentElement.classList.toggle("large-text", on);
  document.addEventListener("DOMContentLoaded", function () {
    apply(on);
    document.querySelectorAll("[data-text-toggle]").forEach(function (b) {
      b.addEventListener("click", function () {
        on = !on;
        try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) {}
        apply(on);
      });
    });
  });
})();
