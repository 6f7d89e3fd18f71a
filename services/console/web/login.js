// The sign-in page: where to go after it, and why the last attempt failed.
"use strict";
(function () {
  const query = new URLSearchParams(location.search);
  document.getElementById("next").value = query.get("next") || "/";
  const error = query.get("error");
  if (error) {
    const p = document.getElementById("login-error");
    p.dataset.i18n = error === "locked" ? "login.locked" : "login.failed";
    p.hidden = false;
  }
  I18n.setup(document.getElementById("lang"));
})();
