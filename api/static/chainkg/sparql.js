/* chainkg SPARQL page: YASGUI on this server's endpoint, offline autocompleters, example queries. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("sparql-config").textContent);
  var Yasgui = window.Yasgui;
  // Keep only the completers that need no outside host: the class and property completers ask
  // Linked Open Vocabularies over the internet.
  function offline(list) {
    return (list || []).filter(function (name) { return cfg.completers.indexOf(name) >= 0; });
  }
  Yasgui.Yasqe.defaults.autocompleters = offline(Yasgui.Yasqe.defaults.autocompleters);
  if (Yasgui.defaults.yasqe) { Yasgui.defaults.yasqe.autocompleters = offline(Yasgui.defaults.yasqe.autocompleters); }
  var first = cfg.examples.length ? cfg.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: cfg.endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: cfg.endpoint }]; } },
    copyEndpointOnNewTab: true,
    persistenceId: "chainkg_" + cfg.endpoint,
    tabName: "查询 Query",
    yasqe: { value: first, autocompleters: cfg.completers.slice() },
    yasr: { defaultPlugin: "table", prefixes: cfg.prefixes }
  });
  function run(example) {
    var tab = yasgui.getTab();
    tab.setEndpoint(cfg.endpoint);
    tab.getYasqe().setValue(example.query);
    return tab.query();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#examples button[data-example]"), function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-example");
      var example = cfg.examples.filter(function (e) { return e.name === name; })[0];
      if (example) { run(example).catch(function () { /* YASR shows the error */ }); }
    });
  });
  window.chainkgSparql = { yasgui: yasgui, config: cfg, run: run };
})();
