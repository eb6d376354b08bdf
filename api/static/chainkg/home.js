/* chainkg home page: search through /api/search and the pickers. Results go to textContent only. */
(function () {
  "use strict";
  var main = document.querySelector("main");
  var base = main.getAttribute("data-base") || "/";
  function enc(s) { return encodeURIComponent(s); }
  // Every hit carries the path of its view (server-side, one table for every kind): a same-origin
  // path is linked, anything else is not.
  function hrefFor(item) {
    var view = String(item.view || "");
    return view.charAt(0) === "/" && view.charAt(1) !== "/" ? view : null;
  }
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var kindSelect = document.getElementById("search-kind");
  var list = document.getElementById("search-results");
  var hint = document.getElementById("search-suggestions-heading");
  var suggestions = document.getElementById("search-suggestions");
  var status = document.getElementById("search-status");
  function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } }
  function entry(item, cls) {
    var li = document.createElement("li");
    li.className = cls;
    var href = hrefFor(item);
    var name = document.createElement(href ? "a" : "span");
    name.textContent = String(item.label || item.iri || "");
    if (href) { name.setAttribute("href", href); }
    li.appendChild(name);
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = String(item.kind || "");
    li.appendChild(kind);
    if (item.place && item.place.label) {
      var place = document.createElement("span");
      place.className = "place";
      place.textContent = "· " + String(item.place.label);
      li.appendChild(place);
    }
    if (cls === "suggestion") {
      var how = document.createElement("span");
      how.className = "match";
      how.textContent = "(" + String(item.match || "") + ")";
      li.appendChild(how);
    }
    return li;
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value.trim();
    clear(list); clear(suggestions); hint.hidden = true;
    if (!q) { return; }
    status.textContent = "…";
    var url = base + "api/search?q=" + enc(q) + (kindSelect && kindSelect.value ? "&kind=" + enc(kindSelect.value) : "");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (body) {
        var results = body.results || [];
        var guesses = body.suggestions || [];
        status.textContent = results.length + " 条结果 results" +
          (body.did_you_mean ? " · 没有完全匹配 no match as typed" : "");
        results.forEach(function (item) { list.appendChild(entry(item, "result")); });
        hint.hidden = guesses.length === 0;
        guesses.forEach(function (item) { suggestions.appendChild(entry(item, "suggestion")); });
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
