// Review page: the admin token lives in this tab's sessionStorage and travels only in the
// Authorization header (never in a URL); every text from the data is set with textContent.
(function () {
  "use strict";
  var main = document.querySelector(".review-main");
  var base = main.getAttribute("data-base") || "/";
  var state = { token: sessionStorage.getItem("chainkg-token") || "", reviewer: sessionStorage.getItem("chainkg-reviewer") || "", doc: null };
  var $ = function (id) { return document.getElementById(id); };

  function status(text) { $("status").textContent = text; }

  function api(method, path, body) {
    var headers = { "Authorization": "Bearer " + state.token, "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin", referrerPolicy: "no-referrer" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(base + path.replace(/^\//, ""), init).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error((data && data.error && data.error.message) || ("HTTP " + r.status)); }
        return data;
      });
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function loadDocuments() {
    return api("GET", "api/review/documents").then(function (docs) {
      $("documents").hidden = false;
      var list = $("document-list");
      list.replaceChildren();
      docs.forEach(function (d) {
        var li = el("li");
        var b = el("button", null, "打开 Open");
        b.type = "button";
        b.addEventListener("click", function () { openDocument(d.id); });
        li.appendChild(b);
        li.appendChild(el("span", null, (d.title || "(未署标题 no title)") + " · " + (d.file_name || d.id) + " — "
          + (d.pending || 0) + " 待审 pending, "
          + (d.accepted || 0) + " 已接受 accepted, " + (d.rejected || 0) + " 已拒绝 rejected"));
        list.appendChild(li);
      });
      status(docs.length + " 篇文章 article(s)");
      if (docs.length && !state.doc) { openDocument(docs[0].id); }
    });
  }

  // One mark per quoted span; several candidates may share a quote (a sentence listing firms).
  function renderText(text, cands) {
    var box = $("article-text");
    box.replaceChildren();
    var bySpan = {};
    var spans = [];
    cands.forEach(function (c) {
      var key = c.start + ":" + c.end;
      if (!bySpan[key]) { bySpan[key] = { start: c.start, end: c.end, cands: [] }; spans.push(bySpan[key]); }
      bySpan[key].cands.push(c);
    });
    spans.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s.start < pos) { return; }  // a quote inside another one: the outer one is highlighted
      box.appendChild(document.createTextNode(text.slice(pos, s.start)));
      var states = s.cands.map(function (c) { return c.status; });
      var cls = states.every(function (x) { return x === "accepted"; }) ? "accepted"
        : states.every(function (x) { return x === "rejected"; }) ? "rejected"
        : states.indexOf("accepted") >= 0 ? "partial" : "pending";
      var m = el("mark", cls, text.slice(s.start, s.end));
      m.setAttribute("data-ids", s.cands.map(function (c) { return c.id; }).join(" "));
      m.title = s.cands.map(function (c) { return c.summary; }).join("\n");
      m.addEventListener("click", function () { focus(s.cands[0].id); });
      box.appendChild(m);
      pos = s.end;
    });
    box.appendChild(document.createTextNode(text.slice(pos)));
  }

  function focus(id) {
    document.querySelectorAll(".active").forEach(function (e) { e.classList.remove("active"); });
    var card = $("c-" + id);
    var mark = document.querySelector('#article-text mark[data-ids~="' + id + '"]');
    if (card) { card.classList.add("active"); card.scrollIntoView({ block: "nearest" }); }
    if (mark) { mark.classList.add("active"); mark.scrollIntoView({ block: "nearest" }); }
  }

  function renderCandidates(cands) {
    var list = $("candidate-list");
    list.replaceChildren();
    cands.forEach(function (c) {
      var li = el("li", "candidate " + c.status);
      li.id = "c-" + c.id;
      li.setAttribute("data-id", c.id);
      li.appendChild(el("span", "kind", c.kind + " · " + c.confidence.toFixed(2) + " · " + c.rule));
      li.appendChild(el("strong", "summary", c.summary));
      li.appendChild(el("span", "quote", c.quote));
      if (c.conflict) { li.appendChild(el("span", "conflict", "冲突 conflict: " + c.conflict)); }
      var links = el("span", "links");
      c.links.forEach(function (l, i) {
        if (i) { links.appendChild(document.createTextNode(" · ")); }
        links.appendChild(el("span", l.new ? "new" : "", l.label + (l.new ? " (新 new)" : "")));
      });
      li.appendChild(links);
      var row = el("div", "actions");
      if (c.status === "pending") {
        var a = el("button", "accept", "接受 Accept"); a.type = "button";
        a.addEventListener("click", function () { decide("accept", [c.id]); });
        var r = el("button", "reject", "拒绝 Reject"); r.type = "button";
        r.addEventListener("click", function () { decide("reject", [c.id]); });
        row.appendChild(a); row.appendChild(r);
      } else {
        row.appendChild(el("span", "state", c.status === "accepted" ? "已接受 accepted" : "已拒绝 rejected"));
      }
      li.appendChild(row);
      li.addEventListener("click", function (ev) { if (ev.target.tagName !== "BUTTON") { focus(c.id); } });
      list.appendChild(li);
    });
  }

  function openDocument(id) {
    state.doc = id;
    return api("GET", "api/review/documents/" + encodeURIComponent(id)).then(function (data) {
      $("workspace").hidden = false;
      var d = data.document;
      $("doc-title").textContent = d.title || "(未署标题 no title)";
      $("doc-meta").textContent = "来源 publisher: " + (d.publisher || "未说明 not stated") + " · 日期 date: "
        + (d.date || "未说明 not stated") + " · " + (d.file_name || d.id);
      renderText(d.text, data.candidates);
      renderCandidates(data.candidates);
    }).catch(function (e) { status(e.message); });
  }

  function decide(action, ids) {
    return api("POST", "api/review/" + action, { ids: ids, reviewer: state.reviewer || null }).then(function (res) {
      status(action === "accept" ? "已接受 accepted " + res.accepted.length : "已拒绝 rejected " + res.rejected.length);
      return openDocument(state.doc);
    }).catch(function (e) { status(e.message); });
  }

  $("accept-visible").addEventListener("click", function () {
    var ids = [];
    document.querySelectorAll(".candidate.pending").forEach(function (li) {
      if (!li.querySelector(".conflict")) { ids.push(li.getAttribute("data-id")); }
    });
    if (ids.length) { decide("accept", ids); }
  });

  $("token-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    state.token = $("token").value;
    state.reviewer = $("reviewer").value.trim();
    sessionStorage.setItem("chainkg-token", state.token);
    sessionStorage.setItem("chainkg-reviewer", state.reviewer);
    loadDocuments().catch(function (e) { status(e.message); });
  });
  if (state.token) { $("reviewer").value = state.reviewer; loadDocuments().catch(function (e) { status(e.message); }); }
}());
