/* chainkg graph pages: draws the network from the JSON data block and fills the details panel.
 *
 * Every string in the data was HTML-escaped on the server. decode() turns the five entities back
 * into characters, and the result only ever goes to textContent, to the canvas (labels) or to
 * vis-network's tooltip (which uses innerText): nothing from data is parsed as HTML.
 */
(function () {
  "use strict";
  var ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#x27;": "'", "&#39;": "'" };
  function decode(s) {
    return typeof s === "string" ? s.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, function (m) { return ENTITIES[m]; }) : s;
  }
  var ID_BASE = "https://w3id.org/chainkg/id/";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var container = document.getElementById("graph");

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = decode(String(text)); }
    if (cls) { e.className = cls; }
    return e;
  }
  function idHref(iri) {
    iri = decode(iri || "");
    if (iri.indexOf(ID_BASE) !== 0) { return null; }
    var rest = iri.slice(ID_BASE.length).split("/").map(encodeURIComponent).join("/");
    return data.idBase === null ? ID_BASE + rest : data.idBase + rest;
  }
  function viewHref(path) {
    if (!path || data.base === null) { return null; }
    return data.base + decode(path).split("/").map(encodeURIComponent).join("/");
  }

  var nodes = data.nodes.map(function (n) {
    var m = Object.assign({}, n);
    m.label = decode(n.label);
    if (n.title) { m.title = decode(n.title); }
    return m;
  });
  var edges = data.edges.map(function (e) {
    var m = Object.assign({}, e);
    if (e.label) { m.label = decode(e.label); }
    if (e.title) { m.title = decode(e.title); }
    return m;
  });
  var byId = {};
  nodes.forEach(function (n) { byId[n.id] = n; });

  function showDetails(node) {
    var body = document.getElementById("details-body");
    var hint = document.querySelector("#details .hint");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    if (!node) { if (hint) { hint.hidden = false; } return; }
    if (hint) { hint.hidden = true; }
    var d = node.details || { heading: node.label, rows: [], items: [], sources: [] };
    body.appendChild(el("h3", d.heading));
    if (d.kind) { body.appendChild(el("p", d.kind, "kind")); }
    if (d.rows && d.rows.length) {
      var table = document.createElement("table");
      d.rows.forEach(function (r) {
        var tr = document.createElement("tr");
        tr.appendChild(el("td", r[0]));
        tr.appendChild(el("td", r[1]));
        table.appendChild(tr);
      });
      body.appendChild(table);
    }
    if (d.items && d.items.length) {
      var ul = document.createElement("ul");
      d.items.forEach(function (i) { ul.appendChild(el("li", i)); });
      body.appendChild(ul);
    }
    if (d.sources && d.sources.length) {
      body.appendChild(el("h4", "来源 Sources"));
      var sl = document.createElement("ul");
      sl.className = "sources";
      d.sources.forEach(function (s) { sl.appendChild(el("li", s)); });
      body.appendChild(sl);
    }
    var links = el("div", null, "links");
    var v = viewHref(d.view);
    if (v) {
      var va = el("a", "查看图谱 Open view");
      va.setAttribute("href", v);
      links.appendChild(va);
    }
    var h = idHref(d.iri);
    if (h) {
      var a = el("a", "关联数据 Linked data");
      a.setAttribute("href", h);
      a.className = "ld-link";
      links.appendChild(a);
    }
    body.appendChild(links);
    if (d.iri) { body.appendChild(el("p", d.iri, "iri")); }
  }

  var state = { nodes: nodes.length, edges: edges.length, ready: false, selected: null, view: data.view };
  window.chainkgGraph = state;
  if (typeof vis === "undefined") {
    container.textContent = "vis-network failed to load / 图形库未加载";
    return;
  }
  var network = new vis.Network(container, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) },
                                data.options || {});
  state.network = network;
  state.nodes = network.body.data.nodes.length;
  state.edges = network.body.data.edges.length;
  container.setAttribute("data-rendered-nodes", String(state.nodes));
  container.setAttribute("data-rendered-edges", String(state.edges));
  /* Page position of a node's centre (tests click there). */
  state.domPosition = function (id) {
    var p = network.canvasToDOM(network.getPositions([id])[id]);
    var r = container.getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  };
  state.select = function (id) { network.selectNodes([id]); showDetails(byId[id]); state.selected = id; };
  network.on("click", function (params) {
    var id = params.nodes.length ? params.nodes[0] : null;
    state.selected = id;
    showDetails(id === null ? null : byId[id]);
  });
  network.on("doubleClick", function (params) {
    if (!params.nodes.length) { return; }
    var n = byId[params.nodes[0]];
    var v = n && n.details ? viewHref(n.details.view) : null;
    if (v) { window.location.href = v; }
  });
  network.once("afterDrawing", function () {
    network.fit({ animation: false });
    state.ready = true;
    container.setAttribute("data-ready", "1");
  });
  window.addEventListener("resize", function () { network.fit({ animation: false }); });
})();
