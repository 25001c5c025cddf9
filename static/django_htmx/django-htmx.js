// Stands in for django-htmx's debug script of the same name (the project's static files are
// found before an app's), which `{% htmx_script %}` adds only when DEBUG is on, as under
// `make run`. That script puts the answer to an htmx request in place of the whole page for
// 400, 403, 404 and 500, to show Django's error pages. This app answers refused input with a
// 400 and a fragment that htmx swaps in (responseHandling in base.html): under `make run` a
// refused tap left a bare fragment for a page. Here only 403, 404 and 500 replace the page, and
// never for a tap (a form[data-retry]): one lost to a 500 would not be sent again.
(function () {
  "use strict";

  if (document.currentScript.dataset.debug !== "True") return;

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if ([403, 404, 500].indexOf(xhr.status) === -1) return;
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("form[data-retry]")) return; // a tap: walk.js keeps it and sends it again
    event.preventDefault(); // htmx stops here: the error page is the whole page
    document.documentElement.innerHTML = xhr.responseText;
  });
})();
