// Renders /openapi.json with ReDoc. A file of its own: the page's Content-Security-Policy allows no inline script.
(function () {
  "use strict";
  var container = document.getElementById("reference");
  // Search would run in a blob: worker, which the page's CSP does not allow.
  Redoc.init(container.getAttribute("data-spec-url"), { disableSearch: true, expandResponses: "200,201,202" }, container);
})();
