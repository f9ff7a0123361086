// <select data-autosubmit> submits its form on change (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});
