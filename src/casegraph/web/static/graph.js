// The graph explorer: Cytoscape.js over the page's graph answers (/graph/*.json, read
// under the purpose the reader chose, like every page). The server merges the edges of
// one kind between two subjects into one line with its count and totals; this file
// draws them, keeps what is drawn where it is, and lets the reader select, expand,
// hide, pin and undo.
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  if (!root || !window.cytoscape) { return; }
  var status = document.getElementById("graph-status");
  var info = document.getElementById("graph-info");
  var pathPanel = document.getElementById("path-panel");
  var legend = document.getElementById("graph-legend");
  var anchor = root.getAttribute("data-start") || "";
  var roles = {};
  try { roles = JSON.parse(root.getAttribute("data-roles") || "{}"); } catch (e) { roles = {}; }

  // --- how things look: one palette for the canvas and the legend -------------------------
  var SCHEMAS = [  // [name in the legend, schemata, colour, shape]
    ["Person", ["Person"], "#1f5fa8", "ellipse"],
    ["Company", ["Company", "Organization", "LegalEntity", "PublicBody"], "#b5651d", "round-rectangle"],
    ["Bank account", ["BankAccount"], "#2e7d32", "rectangle"],
    ["Court case", ["CourtCase"], "#6a3d9a", "hexagon"],
    ["Address", ["Address"], "#00838f", "triangle"],
    ["Other", [], "#6b7c93", "ellipse"]
  ];
  var SEALED = ["Sealed record", "#bdbdbd", "diamond"];
  var ROLES = [["suspect", "#c62828"], ["victim", "#1565c0"], ["witness", "#2e7d32"], ["other", "#757575"]];
  var KIND_COLOURS = {"Payment": "#2e7d32", "Call": "#1565c0", "Ownership": "#8d5524",
    "Directorship": "#ef6c00", "Employment": "#ad8a00", "Membership": "#00838f",
    "Family": "#8e24aa", "Associate": "#d81b60", "Representation": "#5d4037",
    "CourtCaseParty": "#6a3d9a", "UnknownLink": "#757575"};
  var OTHER_KIND = "#8a96a6";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf"];
  function schemaOf(schema) {
    for (var i = 0; i < SCHEMAS.length - 1; i++) {
      if (SCHEMAS[i][1].indexOf(schema) >= 0) { return SCHEMAS[i]; }
    }
    return SCHEMAS[SCHEMAS.length - 1];
  }
  function kindColour(kind) { return KIND_COLOURS[kind] || OTHER_KIND; }
  function shared(kind) { return kind.indexOf("same:") === 0; }

  var style = [
    {selector: "node", style: {"label": "data(caption)", "font-size": 12, "text-valign": "bottom",
      "text-margin-y": 4, "width": 22, "height": 22, "background-color": "data(colour)",
      "shape": "data(shape)", "color": "#1d2733", "text-wrap": "ellipsis", "text-max-width": 150,
      "text-background-color": "#ffffff", "text-background-opacity": 0.8,
      "text-background-padding": 1, "min-zoomed-font-size": 7}},
    {selector: "node[role]", style: {"border-width": 4, "border-color": "data(roleColour)"}},
    {selector: "node.anchor", style: {"width": 30, "height": 30}},
    {selector: "node.pinned", style: {"border-width": 3, "border-style": "double", "border-color": "#1d2733"}},
    {selector: "node.central", style: {"width": 36, "height": 36, "border-width": 4, "border-color": "#f2a900"}},
    {selector: "node:selected", style: {"overlay-color": "#f2a900", "overlay-opacity": 0.3,
      "overlay-padding": 6}},
    {selector: "edge", style: {"width": "data(width)", "line-color": "data(colour)", "curve-style": "bezier",
      "control-point-step-size": 28, "label": "", "font-size": 11, "color": "#1d2733",
      "text-rotation": "autorotate", "text-background-color": "#ffffff",
      "text-background-opacity": 0.85, "text-background-padding": 2, "min-zoomed-font-size": 8,
      "target-arrow-shape": "none", "opacity": 0.9}},
    {selector: "edge.labelled, edge:selected, edge.path, edge.hover", style: {"label": "data(caption)"}},
    {selector: "edge[?directed]", style: {"target-arrow-shape": "triangle",
      "target-arrow-color": "data(colour)", "arrow-scale": 1.1}},
    {selector: "edge[?shared]", style: {"line-style": "dashed"}},
    {selector: "edge:selected", style: {"width": 5, "overlay-color": "#f2a900", "overlay-opacity": 0.25}},
    {selector: ".path", style: {"line-color": "#d62728", "target-arrow-color": "#d62728",
      "border-color": "#d62728", "border-width": 4, "z-index": 10}},
    {selector: "edge.path", style: {"width": 5}},
    {selector: ".hidden, .filtered", style: {"display": "none"}}
  ];
  var cy = cytoscape({container: document.getElementById("graph"), style: style, selectionType: "single", minZoom: 0.1, maxZoom: 3});
  window.casegraphGraph = cy;  // for the browser tests

  function say(text) { status.textContent = text; status.title = text; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function button(text, handler, cls) {
    var b = el("button", text, cls || "secondary");
    b.type = "button";
    b.addEventListener("click", handler);
    return b;
  }
  function counted() {
    var shown = cy.nodes().not(".hidden").length, hidden = cy.nodes(".hidden").length;
    return shown + " subjects, " + cy.edges().not(".hidden, .filtered").length + " lines" +
      (hidden ? " (" + hidden + " hidden)" : "");
  }

  // --- undo: every change the reader makes pushes what reverts it -------------------------
  var undo = [];
  function done(label, revert) {
    undo.push({label: label, revert: revert});
    refreshToolbar();
  }
  function positions(nodes) {
    var out = {};
    nodes.forEach(function (n) { out[n.id()] = {x: n.position("x"), y: n.position("y")}; });
    return out;
  }
  function restore(saved) {
    Object.keys(saved).forEach(function (id) {
      var n = cy.getElementById(id);
      if (n.nonempty()) {
        var locked = n.locked();
        if (locked) { n.unlock(); }
        n.position(saved[id]);
        if (locked) { n.lock(); }
      }
    });
  }

  // --- the request parameters: kinds switched off, dates ----------------------------------
  function params(extra) {
    var p = new URLSearchParams();
    offKinds().forEach(function (k) { p.append("without", k); });
    var since = document.getElementById("since").value, until = document.getElementById("until").value;
    if (since) { p.set("since", since); }
    if (until) { p.set("until", until); }
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p;
  }
  function ask(path, p) {
    return casegraph.getJSON(path + (p ? "?" + p.toString() : ""));
  }

  // --- adding what the server answered ------------------------------------------------------
  function nodeData(n) {
    var sealed = !!n.sealed, look = sealed ? [SEALED[0], [], SEALED[1], SEALED[2]] : schemaOf(n.schema);
    var role = n.role || roles[n.id];
    var data = {id: n.id, caption: sealed ? "sealed record" : n.caption, schema: n.schema,
      sealed: sealed, colour: look[2], shape: look[3], group: look[0]};
    if (role) {
      data.role = role;
      data.roleColour = (ROLES.filter(function (r) { return r[0] === role; })[0] || ROLES[3])[1];
    }
    return data;
  }
  function linkData(l) {
    return {id: l.id, source: l.src, target: l.dst, kind: l.kind, kindName: l.kind_name,
      caption: l.caption, count: l.count, ids: l.ids, directed: !!l.directed, shared: shared(l.kind),
      sources: l.sources, start: l.start, end: l.end, dates: l.dates, totals: l.totals,
      labels: l.labels, ends: l.ends, records: l.records, moreRecords: l.more_records,
      colour: kindColour(l.kind), width: Math.min(2 + Math.log(l.count) * 1.2, 7)};
  }
  // Add nodes and links; new nodes are placed around the subjects they join (or a full
  // layout when the canvas was empty). Returns the elements added.
  function add(body, around) {
    var wasEmpty = cy.nodes().empty();
    var fresh = [], updated = [];
    (body.nodes || []).forEach(function (n) {
      if (cy.getElementById(n.id).empty()) { fresh.push({group: "nodes", data: nodeData(n)}); }
    });
    (body.links || []).forEach(function (l) {
      var found = cy.getElementById(l.id);
      if (found.nonempty()) {  // the same line, perhaps counted over more records now
        if (l.count > found.data("count")) { updated.push([found, found.data()]); found.data(linkData(l)); }
        return;
      }
      fresh.push({group: "edges", data: linkData(l)});
    });
    var added = cy.add(fresh);
    noteKinds();
    applyFilters();
    if (wasEmpty) {
      layoutAll(false, true);
    } else {
      place(added.nodes(), around);
    }
    show(added.nodes());
    refreshDetails();
    relabel();
    return {added: added, updated: updated};
  }
  function remember(label, result) {
    if (result.added.empty() && !result.updated.length) { return; }
    done(label, function () {
      cy.remove(result.added);
      result.updated.forEach(function (pair) { pair[0].data(pair[1]); });
      noteKinds();
    });
  }

  // --- placing new subjects without moving the others --------------------------------------
  var GAP = 70;  // the least distance between two subjects' centres
  function place(fresh, around) {
    if (fresh.empty()) { return; }
    var placed = cy.nodes().not(fresh).not(".hidden");
    var todo = fresh.toArray();
    var isPlaced = {};
    placed.forEach(function (n) { isPlaced[n.id()] = true; });
    var guard = 0;
    while (todo.length && guard++ < 50) {
      var byCentre = {}, rest = [];
      todo.forEach(function (n) {
        var near = n.neighborhood("node").filter(function (m) { return isPlaced[m.id()]; });
        if (near.empty()) { rest.push(n); return; }
        var centre = near.filter(function (m) { return m.id() === around; }).first();
        if (centre.empty()) {
          centre = near.sort(function (a, b) { return b.degree() - a.degree(); }).first();
        }
        (byCentre[centre.id()] = byCentre[centre.id()] || []).push(n);
      });
      if (!Object.keys(byCentre).length) {  // joined to nothing on the canvas: beside it
        var lone = rest.shift();
        lone.position(freeSpot());
        isPlaced[lone.id()] = true;
        todo = rest;
        continue;
      }
      Object.keys(byCentre).forEach(function (id) {
        ring(cy.getElementById(id), byCentre[id], isPlaced);
        byCentre[id].forEach(function (n) { isPlaced[n.id()] = true; });
      });
      todo = rest;
    }
  }
  function freeSpot() {
    var shown = cy.nodes().not(".hidden");
    if (shown.length <= 1) { var ext = cy.extent(); return {x: (ext.x1 + ext.x2) / 2, y: (ext.y1 + ext.y2) / 2}; }
    var box = shown.boundingBox();
    return {x: box.x2 + GAP * 1.5, y: (box.y1 + box.y2) / 2};
  }
  function ring(centre, nodes, isPlaced) {
    var c = centre.position(), vx = 0, vy = 0, count = 0;
    centre.neighborhood("node").forEach(function (m) {
      if (isPlaced[m.id()] && nodes.indexOf(m) < 0) {
        vx += m.position("x") - c.x; vy += m.position("y") - c.y; count++;
      }
    });
    var away;
    if (count && (vx || vy)) {
      away = Math.atan2(-vy, -vx);
    } else {  // away from the middle of the canvas's subjects
      var box = cy.nodes().not(".hidden").boundingBox();
      var mx = (box.x1 + box.x2) / 2, my = (box.y1 + box.y2) / 2;
      away = (c.x === mx && c.y === my) ? 0 : Math.atan2(c.y - my, c.x - mx);
    }
    var n = nodes.length;
    var radius = Math.max(170, n * GAP / (2 * Math.PI));
    var step = GAP / radius;
    var spread = Math.min(step * (n - 1), 2 * Math.PI * (n - 1) / n);
    if (n > 1) { step = spread / (n - 1); }
    var others = cy.nodes().not(".hidden").filter(function (m) { return isPlaced[m.id()]; });
    nodes.forEach(function (node, i) {
      var angle = away - spread / 2 + step * i, r = radius, p;
      for (var tries = 0; tries < 12; tries++) {
        p = {x: c.x + r * Math.cos(angle), y: c.y + r * Math.sin(angle)};
        if (!crowded(p, others)) { break; }
        r += GAP * 0.6;
      }
      node.position(p);
      others = others.union(node);
    });
  }
  function crowded(p, others) {
    for (var i = 0; i < others.length; i++) {
      var q = others[i].position();
      if (Math.abs(q.x - p.x) < GAP && Math.abs(q.y - p.y) < GAP * 0.7) { return true; }
    }
    return false;
  }
  var MAX_FIT_ZOOM = 1.3;  // a fit to one or two subjects does not blow them up
  function fitAll(animate, eles) {
    var shown = (eles || cy.elements()).not(".hidden, .filtered");
    if (shown.empty()) { return; }
    cy.stop();
    var zoom = Math.min(fitZoom(shown), MAX_FIT_ZOOM), box = shown.boundingBox();
    var target = {zoom: zoom, pan: {x: cy.width() / 2 - zoom * (box.x1 + box.x2) / 2,
                                    y: cy.height() / 2 - zoom * (box.y1 + box.y2) / 2}};
    if (animate) { cy.animate(target, {duration: 300}); } else { cy.viewport(target); }
  }
  function fitZoom(eles) {
    var box = eles.boundingBox(), pad = 40;
    var w = Math.max(box.w, 1), h = Math.max(box.h, 1);
    return Math.max(cy.minZoom(), Math.min((cy.width() - 2 * pad) / w, (cy.height() - 2 * pad) / h));
  }
  // new subjects outside the view: zoom out (never in) until everything shows
  function show(fresh) {
    if (fresh.empty()) { return; }
    var ext = cy.extent(), box = fresh.boundingBox();
    if (box.x1 >= ext.x1 && box.x2 <= ext.x2 && box.y1 >= ext.y1 && box.y2 <= ext.y2) { return; }
    fitAll(true);
  }
  function layoutAll(animate, fresh) {
    var shown = cy.elements().not(".hidden, .filtered");
    if (shown.nodes().length < 2) { fitAll(false); return; }
    var layout = shown.layout({name: "cose", animate: !!animate, animationDuration: 400,
      randomize: !!fresh, nodeRepulsion: function () { return 400000; },
      idealEdgeLength: function () { return 100; }, nodeOverlap: 20, gravity: 80,
      componentSpacing: 80, numIter: 1000, padding: 40, fit: false});
    layout.one("layoutstop", function () { fitAll(!!animate); });
    layout.run();
  }

  // --- kinds present, the filter checkboxes -----------------------------------------------
  var filters = document.getElementById("kind-filters");
  var offByReader = {};
  function offKinds() { return Object.keys(offByReader).filter(function (k) { return offByReader[k]; }); }
  function noteKinds() {
    var counts = {};
    cy.edges().forEach(function (e) { counts[e.data("kind")] = (counts[e.data("kind")] || 0) + 1; });
    Object.keys(offByReader).forEach(function (k) { if (!(k in counts)) { counts[k] = 0; } });
    var kinds = Object.keys(counts).sort();
    document.getElementById("no-kinds").hidden = kinds.length > 0;
    kinds.forEach(function (kind) {
      var box = filters.querySelector("input[value='" + kind.replace(/'/g, "") + "']");
      if (!box) {
        var label = el("label", null, "choice");
        box = el("input");
        box.type = "checkbox"; box.name = "kind"; box.value = kind; box.checked = !offByReader[kind];
        box.addEventListener("change", function () {
          offByReader[kind] = !box.checked;
          applyFilters();
          say(counted() + (box.checked ? "" : " · " + kind + " left out of the next expansions too"));
        });
        label.appendChild(box);
        label.appendChild(swatchLine(kind));
        label.appendChild(document.createTextNode(" " + kindLabel(kind) + " "));
        label.appendChild(el("span", "", "count"));
        var after = Array.prototype.filter.call(filters.querySelectorAll("input[name=kind]"),
          function (b) { return b.value > kind; })[0];
        filters.insertBefore(label, after ? after.parentNode : null);
      }
      box.parentNode.querySelector(".count").textContent = "(" + counts[kind] + ")";
    });
    drawLegend();
  }
  function kindLabel(kind) {
    var one = cy.edges().filter(function (e) { return e.data("kind") === kind; }).first();
    return one.nonempty() ? one.data("kindName") : kind;
  }
  function applyFilters() {
    cy.edges().forEach(function (e) { e.toggleClass("filtered", !!offByReader[e.data("kind")]); });
    if (allLabels) { relabel(); }
  }

  // --- the legend: schemata, roles in the case, kinds of lines ------------------------------
  var SVG = "http://www.w3.org/2000/svg";
  function svg(w, h) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", w); s.setAttribute("height", h); s.setAttribute("aria-hidden", "true");
    return s;
  }
  function shape(kind, fill, stroke) {
    var s = svg(16, 16), sh;
    if (kind === "ellipse") {
      sh = document.createElementNS(SVG, "circle");
      sh.setAttribute("cx", 8); sh.setAttribute("cy", 8); sh.setAttribute("r", 6);
    } else if (kind === "round-rectangle" || kind === "rectangle") {
      sh = document.createElementNS(SVG, "rect");
      sh.setAttribute("x", 2); sh.setAttribute("y", 3); sh.setAttribute("width", 12); sh.setAttribute("height", 10);
      if (kind === "round-rectangle") { sh.setAttribute("rx", 3); }
    } else {
      sh = document.createElementNS(SVG, "polygon");
      var pts = {diamond: "8,1 15,8 8,15 1,8", hexagon: "4,2 12,2 15,8 12,14 4,14 1,8",
                 triangle: "8,2 15,14 1,14"}[kind] || "8,1 15,8 8,15 1,8";
      sh.setAttribute("points", pts);
    }
    sh.setAttribute("fill", fill);
    if (stroke) { sh.setAttribute("stroke", stroke); sh.setAttribute("stroke-width", 3); }
    s.appendChild(sh);
    return s;
  }
  function swatchLine(kind) {
    var s = svg(24, 10), line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", 1); line.setAttribute("y1", 5); line.setAttribute("x2", 23); line.setAttribute("y2", 5);
    line.setAttribute("stroke", kindColour(kind)); line.setAttribute("stroke-width", 3);
    if (shared(kind)) { line.setAttribute("stroke-dasharray", "4 3"); }
    s.appendChild(line);
    return s;
  }
  function legendItem(graphic, text) {
    var item = el("span", null, "item");
    item.appendChild(graphic);
    item.appendChild(document.createTextNode(text));
    return item;
  }
  function drawLegend() {
    legend.innerHTML = "";
    var groups = {}, roleSeen = {}, kinds = {};
    cy.nodes().forEach(function (n) {
      groups[n.data("group")] = true;
      if (n.data("role")) { roleSeen[n.data("role")] = true; }
    });
    cy.edges().forEach(function (e) { kinds[e.data("kind")] = e.data("kindName"); });
    if (cy.nodes().empty()) { return; }
    var subjects = el("div", null, "group");
    subjects.appendChild(el("strong", "Subjects"));
    SCHEMAS.concat([[SEALED[0], [], SEALED[1], SEALED[2]]]).forEach(function (s) {
      if (groups[s[0]]) { subjects.appendChild(legendItem(shape(s[3], s[2]), s[0])); }
    });
    legend.appendChild(subjects);
    var roleNames = ROLES.filter(function (r) { return roleSeen[r[0]]; });
    if (roleNames.length) {
      var inCase = el("div", null, "group");
      inCase.appendChild(el("strong", "Role in the case"));
      roleNames.forEach(function (r) { inCase.appendChild(legendItem(shape("ellipse", "#ffffff", r[1]), r[0])); });
      legend.appendChild(inCase);
    }
    var kindNames = Object.keys(kinds).sort();
    if (kindNames.length) {
      var lines = el("div", null, "group");
      lines.appendChild(el("strong", "Lines"));
      kindNames.forEach(function (k) { lines.appendChild(legendItem(swatchLine(k), kinds[k])); });
      lines.appendChild(el("span", "arrow: as stored (payer → beneficiary, caller → receiver)", "muted item"));
      legend.appendChild(lines);
    }
  }

  // --- selecting, the details panel -------------------------------------------------------
  function selectedNodes() { return cy.nodes(":selected"); }
  function refreshToolbar() {
    var sel = selectedNodes();
    var one = sel.length === 1 && !sel.first().data("sealed");
    document.getElementById("do-expand").disabled = !one;
    document.getElementById("do-hide").disabled = sel.empty();
    var pin = document.getElementById("do-pin");
    pin.disabled = sel.empty();
    pin.textContent = sel.nonempty() && sel.every(function (n) { return n.locked(); }) ? "Unpin" : "Pin";
    document.getElementById("do-show").disabled = cy.nodes(".hidden").empty();
    var u = document.getElementById("do-undo");
    u.disabled = !undo.length;
    u.textContent = undo.length ? "Undo " + undo[undo.length - 1].label.split(" ")[0] : "Undo";
    u.title = undo.length ? "Undo " + undo[undo.length - 1].label : "Nothing to undo";
  }
  function setEnd(which, node) {
    document.getElementById(which).value = node.id();
    document.getElementById(which + "-name").value = node.data("caption");
  }
  function showNode(node) {
    var d = node.data();
    info.innerHTML = "";
    info.setAttribute("data-shows", d.id);
    info.appendChild(el("h2", d.caption));
    var facts = el("p", null, "facts");
    facts.appendChild(el("span", d.sealed ? "Sealed record" : d.schema));
    if (d.role) { facts.appendChild(document.createTextNode(" · ")); facts.appendChild(el("span", d.role + " in the case", "badge role-" + d.role)); }
    if (node.locked()) { facts.appendChild(document.createTextNode(" · pinned")); }
    info.appendChild(facts);
    info.appendChild(el("p", d.id, "muted mono"));
    var lines = node.connectedEdges().not(".hidden, .filtered").length;
    info.appendChild(el("p", lines + " line" + (lines === 1 ? "" : "s") + " shown", "muted"));
    var row = el("div", null, "row");
    if (!d.sealed) { row.appendChild(button("Expand", function () { expand(d.id, 1); }, "")); }
    row.appendChild(button("Hide", function () { hide(node); }));
    row.appendChild(button(node.locked() ? "Unpin" : "Pin", function () { pin(node); }));
    info.appendChild(row);
    var row2 = el("div", null, "row");
    row2.appendChild(button("Path from here", function () { setEnd("path-a", node); }));
    row2.appendChild(button("Path to here", function () { setEnd("path-b", node); }));
    if (!d.sealed) {
      var link = el("a", "Open profile", "button secondary");
      link.href = "/subjects/" + encodeURIComponent(d.id);
      row2.appendChild(link);
    }
    info.appendChild(row2);
  }
  function recordsTable(d) {  // the records, oldest first; a column only when it says something
    var records = d.records || [];
    var columns = [
      ["Date", function (r) { return r.date || "–"; }, "when"],
      ["Amount", function (r) { return r.amount || (r.share !== null && r.share !== undefined ? r.share + " %" : ""); }, "num"],
      ["Detail", function (r) { return r.label; }, ""],
      ["Source", function (r) { return r.sources.join(", "); }, ""]
    ].filter(function (c) {
      if (c[0] === "Source" && d.sources.length < 2) { return false; }
      return records.some(function (r) { return c[1](r); });
    });
    var table = el("table", null, "records");
    var head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", c[0])); });
    table.appendChild(head);
    records.forEach(function (r) {
      var tr = el("tr");
      columns.forEach(function (c) { tr.appendChild(el("td", c[1](r), c[2])); });
      table.appendChild(tr);
    });
    return table;
  }
  function captionOf(id) { var n = cy.getElementById(id); return n.nonempty() ? n.data("caption") : id; }
  function direction(d) {
    var a = captionOf(d.source), b = captionOf(d.target);
    if (!d.directed) { return a + " — " + b; }
    return a + " → " + b + (d.ends && d.ends.length ? " (" + d.ends[0] + " → " + d.ends[1] + ")" : "");
  }
  function showEdge(edge) {
    var d = edge.data();
    info.innerHTML = "";
    info.setAttribute("data-shows", d.id);
    info.appendChild(el("h2", d.kindName + (d.count > 1 ? " ×" + d.count : "")));
    info.appendChild(el("p", direction(d), "facts"));
    var facts = el("p", null, "facts");
    if (d.totals && d.totals.length) {
      facts.appendChild(el("strong", "Total " + d.totals.map(function (t) { return t.text; }).join(" + ")));
      facts.appendChild(el("br"));
    }
    if (d.dates) { facts.appendChild(document.createTextNode(d.dates)); facts.appendChild(el("br")); }
    facts.appendChild(document.createTextNode("Sources: " + d.sources.join(", ")));
    info.appendChild(facts);
    info.appendChild(recordsTable(d));
    if (d.moreRecords) { info.appendChild(el("p", "and " + d.moreRecords + " more records", "muted")); }
  }
  // a line says what it is when there are few, or when it touches what is selected
  var FEW_LINES = 30, allLabels = document.getElementById("all-labels");
  function relabel() {
    var shown = cy.edges().not(".hidden, .filtered");
    var all = allLabels.checked || shown.length <= FEW_LINES;
    cy.batch(function () {
      cy.edges().removeClass("labelled");
      (all ? shown : cy.nodes(":selected").connectedEdges()).addClass("labelled");
    });
  }
  allLabels.addEventListener("change", relabel);
  var HINT = info.innerHTML;
  function refreshDetails() {
    var sel = cy.$(":selected");
    if (sel.length === 1) { (sel.isNode() ? showNode : showEdge)(sel.first()); }
    else if (sel.empty() && info.getAttribute("data-shows") && cy.getElementById(info.getAttribute("data-shows")).empty()) {
      info.innerHTML = HINT; info.removeAttribute("data-shows");  // what it showed is gone
    }
  }
  cy.on("select unselect", function () {
    refreshToolbar();
    refreshDetails();
    relabel();
  });
  cy.on("dbltap", "node", function (event) {
    if (!event.target.data("sealed")) { expand(event.target.id(), 1); }
  });
  cy.on("mouseover", "edge", function (event) {
    var d = event.target.data();
    event.target.addClass("hover");
    say(d.caption + " · " + direction(d) + (d.dates ? " · " + d.dates : "") + " · click for the records");
  });
  cy.on("mouseout", "edge", function (event) { event.target.removeClass("hover"); say(counted()); });

  // --- the reader's actions -----------------------------------------------------------------
  function expand(id, hops, limit) {
    say("Expanding…");
    return ask("/graph/expand.json", params({subject: id, hops: hops || 1, limit: limit || 60}))
      .then(function (body) {
        var result = add(body, id);
        remember("expand " + captionOf(id), result);
        var n = result.added.nodes().length;
        say(counted() + " · " + n + " new" + (body.truncated ? " (more were left out: expand the new ones one by one)" : ""));
        return result;
      }).catch(function (err) { say(err.message); });
  }
  function addSubject(id, andExpand) {
    document.getElementById("add-name").value = "";
    document.getElementById("add-id").value = "";
    var there = cy.getElementById(id);
    if (there.nonempty()) {
      cy.$(":selected").unselect(); there.removeClass("hidden"); there.select();
      cy.animate({center: {eles: there}}, {duration: 300});
      return andExpand ? expand(id, 1) : Promise.resolve();
    }
    say("Adding…");
    return ask("/graph/node.json", params({subject: id})).then(function (body) {
      var result = add(body, null);
      remember("add " + captionOf(id), result);
      var node = cy.getElementById(id);
      cy.$(":selected").unselect(); node.select();
      if (!andExpand) { say(counted()); return null; }
      return expand(id, 1);
    }).catch(function (err) { say(err.message); });
  }
  function hide(nodes) {
    nodes = nodes.filter(function (n) { return !n.hasClass("hidden"); });
    if (nodes.empty()) { return; }
    nodes.unselect();
    nodes.addClass("hidden");
    done("hide", function () { nodes.removeClass("hidden"); });
    info.innerHTML = "";
    info.appendChild(el("p", nodes.length + " subject" + (nodes.length === 1 ? "" : "s") + " hidden ('Show hidden' or 'Undo' brings them back).", "empty"));
    say(counted());
    refreshToolbar();
    relabel();
  }
  function pin(nodes) {
    var unpin = nodes.every(function (n) { return n.locked(); });
    var changed = nodes.filter(function (n) { return n.locked() === unpin; });
    function set(on) { changed.forEach(function (n) { if (on) { n.lock(); n.addClass("pinned"); } else { n.unlock(); n.removeClass("pinned"); } }); }
    set(!unpin);
    done(unpin ? "unpin" : "pin", function () { set(unpin); });
    refreshToolbar();
    if (nodes.length === 1) { showNode(nodes.first()); }
  }
  var moving = {};
  cy.on("grab", "node", function (event) { moving = positions(event.target.union(cy.nodes(":selected"))); });
  cy.on("free", "node", function (event) {
    var before = moving, moved = Object.keys(before).some(function (id) {
      var p = cy.getElementById(id).position();
      return Math.abs(p.x - before[id].x) > 1 || Math.abs(p.y - before[id].y) > 1;
    });
    if (moved) { done("move", function () { restore(before); }); }
    moving = {};
    void event;
  });

  document.getElementById("do-expand").addEventListener("click", function () {
    var sel = selectedNodes();
    if (sel.length === 1) { expand(sel.first().id(), 1); }
  });
  document.getElementById("do-hide").addEventListener("click", function () { hide(selectedNodes()); });
  document.getElementById("do-pin").addEventListener("click", function () { pin(selectedNodes()); });
  document.getElementById("do-show").addEventListener("click", function () {
    var hidden = cy.nodes(".hidden");
    hidden.removeClass("hidden");
    done("show hidden", function () { hidden.addClass("hidden"); });
    say(counted());
  });
  document.getElementById("do-undo").addEventListener("click", function () {
    var last = undo.pop();
    if (last) { last.revert(); say("Undone: " + last.label + " · " + counted()); }
    cy.$(":selected.hidden").unselect();
    refreshToolbar();
    refreshDetails();
    drawLegend();
    relabel();
  });
  document.getElementById("do-layout").addEventListener("click", function () {
    var before = positions(cy.nodes());
    layoutAll(true);
    done("layout", function () { restore(before); });
  });
  document.getElementById("do-fit").addEventListener("click", function () {
    fitAll(true);
  });
  document.getElementById("add-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var id = document.getElementById("add-id").value;
    if (!id) { say("Type a name and choose a subject from the list first."); return; }
    addSubject(id, true);
  });
  document.getElementById("add-only").addEventListener("click", function () {
    var id = document.getElementById("add-id").value;
    if (!id) { say("Type a name and choose a subject from the list first."); return; }
    addSubject(id, false);
  });

  // --- paths ----------------------------------------------------------------------------
  function showPath(path) {
    pathPanel.innerHTML = "";
    pathPanel.hidden = false;
    var h = el("h2", "Path: " + path.hops + " step" + (path.hops === 1 ? "" : "s"));
    h.appendChild(button("Clear", function () {
      cy.elements().removeClass("path"); pathPanel.hidden = true; pathPanel.innerHTML = "";
    }));
    pathPanel.appendChild(h);
    var list = el("ol", null, "path-steps");
    path.steps.forEach(function (step) {
      var li = el("li");
      li.setAttribute("data-from", step.from.id);
      li.setAttribute("data-to", step.to.id);
      li.appendChild(el("span", step.from.caption + " → " + step.to.caption, "step-ends"));
      var ul = el("ul");
      step.links.forEach(function (l) {
        var item = el("li");
        item.setAttribute("data-kind", l.kind);
        item.setAttribute("data-src", l.src);
        item.setAttribute("data-dst", l.dst);
        item.appendChild(el("span", l.kind_name + (l.count > 1 ? " ×" + l.count : ""), "kind"));
        var dir = l.directed
          ? " " + l.src_caption + " → " + l.dst_caption + (l.ends.length ? " (" + l.ends[0] + " → " + l.ends[1] + ")" : "")
          : " " + l.src_caption + " — " + l.dst_caption;
        item.appendChild(el("span", dir, l.directed && !l.along ? "against" : ""));
        var meta = [];
        if (l.totals.length) { meta.push(l.totals.map(function (t) { return t.text; }).join(" + ")); }
        if (l.labels.length) { meta.push(l.labels.join(", ")); }
        if (l.dates) { meta.push(l.dates); }
        meta.push("sources: " + l.sources.join(", "));
        item.appendChild(el("span", meta.join(" · "), "meta"));
        ul.appendChild(item);
      });
      li.appendChild(ul);
      list.appendChild(li);
    });
    pathPanel.appendChild(list);
    if (path.steps.some(function (s) { return s.links.some(function (l) { return l.directed && !l.along; }); })) {
      pathPanel.appendChild(el("p", "A line in red runs against the path: the path follows connections, not the direction of money or calls.", "muted"));
    }
  }
  document.getElementById("path-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var a = document.getElementById("path-a").value, b = document.getElementById("path-b").value;
    if (!a || !b) { say("Choose both ends of the path first (type a name and pick it, or select a subject)."); return; }
    say("Looking for a path…");
    var extra = {a: a, b: b};
    if (document.getElementById("time-ordered").checked) { extra.time_ordered = "true"; }
    ask("/graph/path.json", params(extra)).then(function (body) {
      cy.elements().removeClass("path");
      if (!body.paths.length) { say("No path within six steps."); pathPanel.hidden = true; return; }
      var path = body.paths[0];
      var result = add({nodes: path.nodes, links: path.links}, a);
      remember("path", result);
      path.nodes.forEach(function (n) { cy.getElementById(n.id).removeClass("hidden").addClass("path"); });
      path.links.forEach(function (l) { cy.getElementById(l.id).addClass("path"); });
      showPath(path);
      fitAll(true, cy.$(".path"));  // the path, close enough to read its lines
      say("Path of " + path.hops + " steps: " + path.nodes.map(function (n) { return n.caption; }).join(" → "));
    }).catch(function (err) { say(err.message); });
  });

  // --- analysis and export ------------------------------------------------------------------
  function around() {
    var sel = selectedNodes();
    if (sel.length === 1) { return sel.first().id(); }
    return anchor || (cy.nodes("[role]").first().id() || "");
  }
  function apiParams(extra) {
    var p = new URLSearchParams();
    var off = offKinds();
    if (off.length) {
      cy.edges().forEach(function (e) {
        var k = e.data("kind");
        if (off.indexOf(k) < 0 && p.getAll("kind").indexOf(k) < 0) { p.append("kind", k); }
      });
    }
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p;
  }
  document.getElementById("communities").addEventListener("click", function () {
    if (!around()) { say("Select a subject first."); return; }
    casegraph.api("/graph/communities", apiParams({subject: around(), hops: 2})).then(function (body) {
      var before = {};
      cy.nodes().forEach(function (n) { before[n.id()] = n.data("colour"); });
      body.communities.forEach(function (c, i) {
        c.members.forEach(function (m) {
          var node = cy.getElementById(m.id);
          if (node.nonempty()) { node.data("colour", PALETTE[i % PALETTE.length]); }
        });
      });
      done("communities", function () {
        Object.keys(before).forEach(function (id) { cy.getElementById(id).data("colour", before[id]); });
      });
      say(body.communities.length + " communities around " + captionOf(around()) +
          " (modularity " + body.modularity + "); colours show them until undone");
    }).catch(function (err) { say(err.message); });
  });
  document.getElementById("central").addEventListener("click", function () {
    if (!around()) { say("Select a subject first."); return; }
    casegraph.api("/graph/metrics", apiParams({subject: around(), hops: 2, measure: "betweenness", top: 5}))
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
      if (!around()) { say("Select a subject first."); return; }
      var query = casegraph.purpose();
      apiParams({format: "graphml", subject: around(), hops: 2,
                 recipient: document.getElementById("recipient").value}).forEach(function (v, k) { query.append(k, v); });
      window.location.href = "/api/v1/graph/export?" + query.toString();
    });
  }

  // --- the start: a subject, the case, or nothing yet --------------------------------------
  refreshToolbar();
  var caseId = root.getAttribute("data-case");
  if (anchor) {
    expand(anchor, 2).then(function () {
      cy.getElementById(anchor).addClass("anchor");
      undo.length = 0; refreshToolbar();
    });
  } else if (caseId) {
    ask("/graph/case/" + encodeURIComponent(caseId) + ".json").then(function (body) {
      add(body, null);
      say(counted() + " · the case's subjects and what ties them together");
    }).catch(function (err) { say(err.message); });
  } else {
    say("Add a subject by name to start, or open the graph from a profile or a case.");
  }
})();
