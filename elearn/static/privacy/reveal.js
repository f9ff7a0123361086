// One tap on "显示" beside a masked mobile number: ask the server (which records the reveal) and show the number
// in place as a tel: link. Without script the form posts and a small page shows the number.
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-privacy-reveal]")) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        var shown = form.previousElementSibling;
        if (result.ok && shown) {
          var link = document.createElement("a");
          link.href = "tel:" + result.body.mobile;
          link.textContent = result.body.mobile;
          shown.textContent = "";
          shown.appendChild(link);
          form.remove();
        } else {
          if (button) button.disabled = false;
          window.alert((result.body && result.body.detail) || "无法显示手机号");
        }
      })
      .catch(function () {
        if (button) button.disabled = false;
      });
  });
})();
