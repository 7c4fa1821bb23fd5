// A type-ahead for subjects by name, for any page (with suggest.css):
//   <input type="text" data-suggest="field-id">  <input type="hidden" id="field-id">
// Typing asks GET /suggest?q=... (the search, under the page's purpose, recorded) and
// lists at most ten subjects; choosing one (click, or arrows and Enter) writes its
// name in the input and its id in the hidden field, and fires "suggest:chosen" on the
// input with {id, caption, schema}. Typing again empties the hidden field.
(function () {
  "use strict";
  var WAIT_MS = 220, counter = 0;

  function attach(input) {
    var target = document.getElementById(input.getAttribute("data-suggest"));
    if (!target || input.getAttribute("data-suggest-ready")) { return; }
    input.setAttribute("data-suggest-ready", "1");
    var wrap = document.createElement("span");
    wrap.className = "suggest";
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = document.createElement("ul");
    var listId = "suggest-list-" + (++counter);
    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrap.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    var items = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("li[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }
    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.caption;
      target.value = item.id;
      close();
      input.dispatchEvent(new CustomEvent("suggest:chosen", {bubbles: true, detail: item}));
    }
    function show(found, note) {
      items = found;
      list.innerHTML = "";
      if (note) {
        var li = document.createElement("li");
        li.className = "none";
        li.textContent = note;
        list.appendChild(li);
      }
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-id", item.id);
        var caption = document.createElement("span");
        caption.className = "caption";
        caption.textContent = item.caption;
        var hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = item.schema + (item.hint ? " · " + item.hint : "");
        option.appendChild(caption);
        option.appendChild(hint);
        option.addEventListener("mousedown", function (event) {  // before the input blurs
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function ask() {
      var text = input.value.trim(), mine = ++asked;
      if (text.length < 2) { close(); return; }
      casegraph.getJSON("/suggest?q=" + encodeURIComponent(text))
        .then(function (found) {
          if (mine !== asked) { return; }  // an older answer, after a newer one was asked
          show(found, found.length ? "" : "No subject of that name.");
        })
        .catch(function (err) { if (mine === asked) { show([], err.message); } });
    }
    input.addEventListener("input", function () {
      target.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) { ask(); event.preventDefault(); }
        return;
      }
      if (event.key === "ArrowDown") { highlight(active + 1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { highlight(active - 1); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(active); event.preventDefault(); }
      else if (event.key === "Enter" && items.length === 1) { choose(0); event.preventDefault(); }
      else if (event.key === "Escape") { close(); event.preventDefault(); }
    });
    input.addEventListener("blur", close);
  }

  function attachAll(root) {
    (root || document).querySelectorAll("input[data-suggest]").forEach(attach);
  }
  window.casegraphSuggest = {attach: attach, attachAll: attachAll};
  attachAll(document);
  document.addEventListener("htmx:afterSwap", function (event) { attachAll(event.target); });
})();
