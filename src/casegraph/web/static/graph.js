// The graph explorer: Cytoscape.js over the graph API. Every call carries the page's
// purpose (casegraph.api adds it) and goes through the same access-checked session.
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  if (!root || !window.cytoscape) { return; }
  var status = document.getElementById("graph-status");
  var info = document.getElementById("graph-info");
  var anchor = root.getAttribute("data-start") || "";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];
  var cy = cytoscape({
    container: document.getElementById("graph"),
    wheelSensitivity: 0.3,
    style: [
      {selector: "node", style: {"label": "data(caption)", "font-size": 10, "text-valign": "bottom",
        "text-margin-y": 3, "width": 18, "height": 18, "background-color": "#6b7c93",
        "text-wrap": "ellipsis", "text-max-width": 120}},
      {selector: "node[schema = 'Person']", style: {"background-color": "#1f5fa8"}},
      {selector: "node[schema = 'Company'], node[schema = 'Organization'], node[schema = 'LegalEntity']",
        style: {"shape": "round-rectangle", "background-color": "#b5651d"}},
      {selector: "node[?sealed]", style: {"background-color": "#bbb", "shape": "diamond"}},
      {selector: "node[role]", style: {"border-width": 3, "border-color": "#a3261b"}},
      {selector: "node.anchor", style: {"width": 26, "height": 26}},
      {selector: "node.central", style: {"width": 34, "height": 34, "border-width": 4, "border-color": "#f2a900"}},
      {selector: "edge", style: {"width": 1.5, "line-color": "#9aa6b4", "curve-style": "bezier",
        "label": "data(caption)", "font-size": 7, "color": "#5b6878", "text-rotation": "autorotate",
        "target-arrow-shape": "none"}},
      {selector: "edge[?directed]", style: {"target-arrow-shape": "triangle", "target-arrow-color": "#9aa6b4"}},
      {selector: ".path", style: {"line-color": "#d62728", "target-arrow-color": "#d62728", "width": 4,
        "border-color": "#d62728", "border-width": 4}},
      {selector: ".hidden", style: {"display": "none"}},
      {selector: ":selected", style: {"overlay-opacity": 0.15}}
    ]
  });
  window.casegraphGraph = cy;  // for the browser tests

  function say(text) { status.textContent = text; }
  function kinds() {
    return Array.prototype.map.call(
      document.querySelectorAll("input[name=kind]:checked"), function (b) { return b.value; });
  }
  function params(extra) {
    var p = new URLSearchParams();
    kinds().forEach(function (k) { p.append("kind", k); });
    var since = document.getElementById("since").value, until = document.getElementById("until").value;
    if (since) { p.set("since", since); }
    if (until) { p.set("until", until); }
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p;
  }
  function add(graph) {
    var fresh = [];
    (graph.nodes || []).forEach(function (n) {
      if (cy.getElementById(n.id).empty()) {
        fresh.push({group: "nodes", data: {id: n.id, caption: n.sealed ? "sealed record" : n.caption,
          schema: n.schema, sealed: !!n.sealed, role: n.role || undefined}});
      }
    });
    (graph.edges || []).forEach(function (e) {
      // parallel edges of one kind between two subjects (every call, every payment)
      // are drawn as one line that counts them
      var id = groupId(e), found = cy.getElementById(id), seen = fresh.filter(function (f) {
        return f.data.id === id; })[0];
      var sources = (e.sources || [e.source]);
      if (found.nonempty() || seen) {
        var data = seen ? seen.data : found.data();
        if (data.ids.indexOf(e.id) >= 0) { return; }
        data.ids.push(e.id);
        data.count = data.ids.length;
        data.caption = data.kind + " ×" + data.count;
        sources.forEach(function (x) { if (data.sources.indexOf(x) < 0) { data.sources.push(x); } });
        if (e.start_date && (!data.start || e.start_date < data.start)) { data.start = e.start_date; }
        if (e.end_date && e.end_date > data.end) { data.end = e.end_date; }
        if (found.nonempty()) { found.data(data); }
        return;
      }
      fresh.push({group: "edges", data: {id: id, source: e.src, target: e.dst, kind: e.kind,
        caption: e.kind, ids: [e.id], count: 1, directed: !!e.directed, sources: sources.slice(),
        start: e.start_date || "", end: e.end_date || e.start_date || "", amount: e.amount,
        label: e.label || ""}});
    });
    cy.add(fresh);
    filterEdges();
    cy.layout({name: "cose", animate: false, randomize: false, nodeRepulsion: 9000}).run();
    say(cy.nodes().length + " subjects, " + cy.edges().length + " relationships" +
        (graph.truncated ? " (more were left out: expand nodes one by one)" : ""));
  }
  function groupId(e) {
    return "e:" + [e.src, e.dst].sort().join("|") + "|" + e.kind;
  }
  function filterEdges() {
    var wanted = kinds();
    cy.edges().forEach(function (e) { e.toggleClass("hidden", wanted.indexOf(e.data("kind")) < 0); });
  }
  function expand(id, hops) {
    say("Expanding…");
    return casegraph.api("/graph/expand/" + encodeURIComponent(id), params({hops: hops || 1, limit: 60}))
      .then(add).catch(function (err) { say(err.message); });
  }
  function showNode(node) {
    var d = node.data();
    info.innerHTML = "";
    var h = document.createElement("h2"); h.textContent = d.caption; info.appendChild(h);
    var p = document.createElement("p"); p.className = "muted mono"; p.textContent = d.id; info.appendChild(p);
    var row = document.createElement("div"); row.className = "row";
    var link = document.createElement("a"); link.href = "/subjects/" + encodeURIComponent(d.id);
    link.textContent = "Open profile"; row.appendChild(link);
    [["Set as from", "path-a"], ["Set as to", "path-b"]].forEach(function (pair) {
      var b = document.createElement("button"); b.type = "button"; b.className = "secondary";
      b.textContent = pair[0];
      b.addEventListener("click", function () { document.getElementById(pair[1]).value = d.id; });
      row.appendChild(b);
    });
    info.appendChild(row);
  }
  cy.on("tap", "node", function (event) {
    showNode(event.target);
    if (!event.target.data("sealed")) { expand(event.target.id(), 1); }
  });
  cy.on("mouseover", "edge", function (event) {
    var d = event.target.data();
    info.innerHTML = "";
    var h = document.createElement("h2"); h.textContent = d.caption + (d.label ? " (" + d.label + ")" : "");
    var p = document.createElement("p");
    p.textContent = (d.count > 1 ? d.count + " records · " : "") + "Sources: " + d.sources.join(", ") + (d.start ? " · " + d.start + (d.end && d.end !== d.start ? " – " + d.end : "") : "") +
      (d.amount !== null && d.amount !== undefined ? " · " + d.amount : "");
    p.className = "edge-sources";
    info.appendChild(h); info.appendChild(p);
  });
  document.querySelectorAll("input[name=kind]").forEach(function (box) { box.addEventListener("change", filterEdges); });
  document.getElementById("start-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var id = document.getElementById("start-id").value.trim();
    if (!id) { return; }
    anchor = id; cy.elements().remove();
    expand(id, 2).then(function () { cy.getElementById(id).addClass("anchor"); });
  });
  document.getElementById("find-path").addEventListener("click", function () {
    var a = document.getElementById("path-a").value.trim(), b = document.getElementById("path-b").value.trim();
    if (!a || !b) { say("Choose both ends of the path first."); return; }
    say("Looking for a path…");
    var extra = {a: a, b: b, k: 1};
    if (document.getElementById("time-ordered").checked) { extra.time_ordered = "true"; }
    casegraph.api("/graph/path", params(extra)).then(function (body) {
      cy.elements().removeClass("path");
      if (!body.paths.length) { say("No path within six steps."); return; }
      var path = body.paths[0], edges = [];
      path.steps.forEach(function (step) { edges = edges.concat(step.edges); });
      add({nodes: path.nodes, edges: edges});
      path.nodes.forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
      edges.forEach(function (e) { cy.getElementById(groupId(e)).addClass("path"); });
      say("Path of " + path.hops + " steps: " + path.nodes.map(function (n) { return n.caption; }).join(" → "));
    }).catch(function (err) { say(err.message); });
  });
  function around() { return anchor || (cy.nodes("[role]").first().id() || ""); }
  document.getElementById("communities").addEventListener("click", function () {
    if (!around()) { say("Start from a subject first."); return; }
    casegraph.api("/graph/communities", params({subject: around(), hops: 2})).then(function (body) {
      body.communities.forEach(function (c, i) {
        c.members.forEach(function (m) {
          var node = cy.getElementById(m.id);
          if (node.nonempty()) { node.style("background-color", PALETTE[i % PALETTE.length]); }
        });
      });
      say(body.communities.length + " communities around the start (modularity " + body.modularity + ")");
    }).catch(function (err) { say(err.message); });
  });
  document.getElementById("central").addEventListener("click", function () {
    if (!around()) { say("Start from a subject first."); return; }
    casegraph.api("/graph/metrics", params({subject: around(), hops: 2, measure: "betweenness", top: 5}))
      .then(function (body) {
        cy.nodes().removeClass("central");
        var top = body.measures.betweenness || [];
        top.forEach(function (n) { cy.getElementById(n.id).addClass("central"); });
        say("Most central: " + top.map(function (n) { return n.caption; }).join(", "));
      }).catch(function (err) { say(err.message); });
  });
  document.getElementById("export-png").addEventListener("click", function () {
    var blob = cy.png({full: true, scale: 2, output: "blob", bg: "#ffffff"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob); link.download = "graph.png";
    document.body.appendChild(link); link.click(); link.remove();
  });
  var graphml = document.getElementById("export-graphml");
  if (graphml) {
    graphml.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!around()) { say("Start from a subject first."); return; }
      var query = casegraph.purpose();
      params({format: "graphml", subject: around(), hops: 2,
              recipient: document.getElementById("recipient").value}).forEach(function (v, k) { query.append(k, v); });
      window.location.href = "/api/v1/graph/export?" + query.toString();
    });
  }
  var caseId = root.getAttribute("data-case");
  if (caseId) {
    fetch("/graph/case/" + encodeURIComponent(caseId) + ".json", {credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.detail); } return b; }); })
      .then(add).catch(function (err) { say(err.message); });
  } else if (anchor) {
    expand(anchor, 2).then(function () { cy.getElementById(anchor).addClass("anchor"); });
  } else {
    say("Start from a subject: give its id, or open the graph from a profile or a case.");
  }
})();
