/* chainkg home page: search through /api/search and the pickers. Results go to textContent only. */
(function () {
  "use strict";
  var main = document.querySelector("main");
  var base = main.getAttribute("data-base") || "/";
  var VIEW = { region: "viz/regions/", enterprise: "viz/enterprises/", chain: "viz/chains/", industry: "viz/chains/" };
  var ID_BASE = "https://w3id.org/chainkg/id/";
  function slug(iri) { return iri.replace(/\/+$/, "").split("/").pop(); }
  function enc(s) { return encodeURIComponent(s); }
  function hrefFor(item) {
    var iri = String(item.iri || "");
    if (VIEW[item.kind]) { return base + VIEW[item.kind] + enc(slug(iri)); }
    if (iri.indexOf(ID_BASE) === 0) {
      return base + "id/" + iri.slice(ID_BASE.length).split("/").map(enc).join("/");
    }
    return null;
  }
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!q) { return; }
    status.textContent = "…";
    fetch(base + "api/search?q=" + enc(q), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (body) {
        var results = body.results || [];
        status.textContent = results.length + " 条结果 results";
        results.forEach(function (item) {
          var li = document.createElement("li");
          var href = hrefFor(item);
          var name = document.createElement(href ? "a" : "span");
          name.textContent = String(item.label || item.iri || "");
          if (href) { name.setAttribute("href", href); }
          li.appendChild(name);
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = String(item.kind || "");
          li.appendChild(kind);
          list.appendChild(li);
        });
      })
      .catch(function (err) { status.textContent = "搜索失败 search failed (" + err.message + ")"; });
  });
  document.getElementById("chain-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var chain = document.getElementById("chain-select").value;
    var region = document.getElementById("chain-region-select").value;
    window.location.href = base + "viz/chains/" + enc(chain) + (region ? "?region=" + enc(region) : "");
  });
  document.getElementById("region-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var region = enc(document.getElementById("region-select").value);
    var what = ev.submitter && ev.submitter.value === "chiefs" ? "/chain-chiefs" : "";
    window.location.href = base + "viz/regions/" + region + what;
  });
})();
