// casegraph pages: send the CSRF token with every htmx request, and the chosen purpose
// with every API call made from a page (graph explorer). No inline scripts anywhere.
(function () {
  "use strict";
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = meta("cg-csrf");
  });
  // a page's own JSON (same origin, the session cookie): the body, or an Error that
  // carries the server's "detail"
  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().catch(function () { return {detail: response.statusText}; })
          .then(function (body) {
            if (!response.ok) { throw new Error(body.detail || response.statusText); }
            return body;
          });
      });
  }
  window.casegraph = {
    csrf: function () { return meta("cg-csrf"); },
    getJSON: getJSON,
    // the purpose as query parameters (headers cannot carry every character)
    purpose: function () {
      var params = new URLSearchParams();
      if (meta("cg-case")) { params.set("case", meta("cg-case")); }
      else if (meta("cg-justification")) { params.set("justification", meta("cg-justification")); }
      return params;
    },
    api: function (path, params) {
      var query = casegraph.purpose();
      if (params) { params.forEach(function (v, k) { query.append(k, v); }); }
      return getJSON("/api/v1" + path + "?" + query.toString());
    }
  };
  // confirm buttons: <button data-confirm="...">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
