// The profile's timeline: drag across the month histogram to choose a period; the
// period fills the From and To fields and lists its events (htmx loads them).
(function () {
  "use strict";
  function lastDay(month) {
    var parts = month.split("-").map(Number);
    var day = new Date(Date.UTC(parts[0], parts[1], 0)).getUTCDate();
    return month + "-" + (day < 10 ? "0" : "") + day;
  }
  function setUp() {
    var svg = document.getElementById("histogram");
    var form = document.getElementById("range");
    if (!svg || !form) { return; }
    var bars = Array.prototype.slice.call(svg.querySelectorAll("rect.bar-month"));
    var brush = document.getElementById("brush");
    var width = svg.viewBox.baseVal.width;
    var start = null;
    function at(event) {
      var box = svg.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width * width;
      var step = width / bars.length;
      return Math.max(0, Math.min(bars.length - 1, Math.floor(x / step)));
    }
    function show(a, b) {
      var lo = Math.min(a, b), hi = Math.max(a, b);
      var step = width / bars.length;
      brush.setAttribute("x", String(lo * step));
      brush.setAttribute("width", String((hi - lo + 1) * step));
      return [bars[lo].getAttribute("data-month"), bars[hi].getAttribute("data-month")];
    }
    function choose(range) {
      form.elements.since.value = range[0] + "-01";
      form.elements.until.value = lastDay(range[1]);
      form.requestSubmit();
    }
    svg.addEventListener("pointerdown", function (event) {
      start = at(event);
      svg.setPointerCapture(event.pointerId);
      show(start, start);
    });
    svg.addEventListener("pointermove", function (event) {
      if (start !== null) { show(start, at(event)); }
    });
    svg.addEventListener("pointerup", function (event) {
      if (start === null) { return; }
      var range = show(start, at(event));
      start = null;
      choose(range);
    });
    document.getElementById("range-clear").addEventListener("click", function () {
      brush.setAttribute("width", "0");
      form.elements.since.value = "";
      form.elements.until.value = "";
      form.requestSubmit();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); }
  else { setUp(); }
})();
