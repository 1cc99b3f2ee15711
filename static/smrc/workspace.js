// The operator's workspace in the browser: the queue's bulk selection (x, shift-click ranges), the assign picker
// (a) and the snippet preview. No framework; words come translated from data-* attributes of the page.
(function () {
  "use strict";
  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  // --- bulk selection ---------------------------------------------------------------------------------------
  // What is ticked is remembered by ticket id with the value it had when ticked (its owner then), so the queue's
  // refresh, which replaces the rows, keeps the selection, and a row that changed hands since is sent with the
  // owner the person saw: the server skips it instead of overwriting the new owner.
  var picked = new Map(), lastClicked = null;
  function bar() { return document.querySelector("form[data-bulk]"); }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll('input[name="tickets"][form="bulk-form"]')); }
  function render() {
    var form = bar();
    if (!form) return;
    boxes().forEach(function (b) {
      var value = picked.get(b.dataset.ticket);
      b.checked = value !== undefined;
      if (value !== undefined) b.value = value;
      var row = b.closest("tr");
      if (row) row.classList.toggle("picked", b.checked);
    });
    var n = picked.size;
    form.hidden = n === 0;
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = fill(form.dataset.tSelected, { n: n });
    // ticked rows that left this page still go with the form
    form.querySelectorAll("input[data-bulk-offpage]").forEach(function (i) { i.remove(); });
    var onPage = new Set(boxes().map(function (b) { return b.dataset.ticket; }));
    picked.forEach(function (value, id) {
      if (onPage.has(id)) return;
      var i = document.createElement("input");
      i.type = "hidden"; i.name = "tickets"; i.value = value; i.dataset.bulkOffpage = "1";
      form.appendChild(i);
    });
    var all = document.querySelector("[data-bulk-all]");
    if (all) {
      var list = boxes();
      all.checked = list.length > 0 && list.every(function (b) { return b.checked; });
      all.indeterminate = !all.checked && list.some(function (b) { return b.checked; });
    }
    showFields();
  }
  function toggle(box, on) {
    if (on) picked.set(box.dataset.ticket, box.value); else picked.delete(box.dataset.ticket);
  }
  function showFields() {
    var form = bar();
    if (!form) return;
    var action = form.querySelector("[data-bulk-action]").value;
    form.querySelectorAll("[data-bulk-for]").forEach(function (span) {
      var on = span.dataset.bulkFor === action;
      span.hidden = !on;
      span.querySelectorAll("select, input").forEach(function (f) { f.disabled = !on; });
    });
  }
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches('input[name="tickets"][form="bulk-form"]')) { toggle(el, el.checked); render(); }
    else if (el.matches && el.matches("[data-bulk-all]")) { boxes().forEach(function (b) { toggle(b, el.checked); }); render(); }
    else if (el.matches && el.matches("[data-bulk-action]")) showFields();
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches('input[name="tickets"][form="bulk-form"]')) {
      // shift-click ticks (or unticks) every row between the last one clicked and this one
      var list = boxes(), here = list.indexOf(el);
      if (ev.shiftKey && lastClicked !== null && list[lastClicked]) {
        var from = Math.min(lastClicked, here), to = Math.max(lastClicked, here);
        for (var i = from; i <= to; i++) { list[i].checked = el.checked; toggle(list[i], el.checked); }
        render();
      }
      lastClicked = here;
    }
    if (el.closest && el.closest("[data-bulk-clear]")) { picked.clear(); render(); }
  });
  document.addEventListener("keydown", function (ev) {
    if (typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var help = document.getElementById("help");
    if (help && !help.hidden) return;
    if (ev.key === "x" && bar()) {
      // x ticks the row that is selected (j/k) or focused
      var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-href]");
      var row = focused || document.querySelector("table[data-queue] tr.selected");
      var box = row && row.querySelector('input[name="tickets"]');
      if (!box) return;
      ev.preventDefault();
      box.checked = !box.checked;
      toggle(box, box.checked);
      lastClicked = boxes().indexOf(box);
      render();
    } else if (ev.key === "a") {
      var menu = document.querySelector("details[data-assign]");
      if (!menu) return;
      ev.preventDefault();
      menu.open = true;
      var first = menu.querySelector("select, button");
      if (first) first.focus();
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "queue-body") render();
    else if (evt.detail.boosted) { picked.clear(); lastClicked = null; render(); }
  });
  document.addEventListener("DOMContentLoaded", render);

  // --- snippet preview --------------------------------------------------------------------------------------
  // The option the picker highlights, filled for this ticket by the server (the same answer insertion uses), is
  // shown as text: the customer's name or anything else in it is never read as markup. Placeholders this ticket
  // cannot fill are marked.
  var shown = null, cache = {};
  var LEFTOVER = /(\{[^{}\s]{0,60}\})/;
  function previewBox() { return document.querySelector("[data-snippet-preview]"); }
  function showPreview(data) {
    var box = previewBox();
    if (!box) return;
    box.querySelector("[data-preview-title]").textContent = data.title;
    var text = box.querySelector("[data-preview-text]");
    text.textContent = "";
    data.text.split(LEFTOVER).forEach(function (part, i) {
      if (!part) return;
      if (i % 2 === 1) { var m = document.createElement("mark"); m.textContent = part; text.appendChild(m); }
      else text.appendChild(document.createTextNode(part));
    });
    var unfilled = box.querySelector("[data-preview-unfilled]");
    unfilled.hidden = !data.unfilled.length;
    unfilled.textContent = data.unfilled.length ? fill(box.dataset.tUnfilled, { names: data.unfilled.map(function (n) { return "{" + n + "}"; }).join(", ") }) : "";
    box.hidden = false;
  }
  function preview() {
    var box = previewBox(), picker = document.querySelector("[data-picker]");
    if (!box || !picker) return;
    var option = document.querySelector('#snippet-list [role=option][aria-selected="true"]');
    if (!option) { box.hidden = true; shown = null; return; }
    var id = option.dataset.snippet;
    if (id === shown) return;
    shown = id;
    if (cache[id]) { showPreview(cache[id]); return; }
    fetch(picker.dataset.renderUrl + "?snippet=" + encodeURIComponent(id), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) { cache[id] = data; if (shown === id) showPreview(data); })
      .catch(function () { if (shown === id) box.hidden = true; });
  }
  // The picker (app.js) moves the highlight on arrow keys and marks the first option after each search.
  document.addEventListener("keyup", function (ev) { if (ev.target && ev.target.id === "snippet-q") preview(); });
  document.addEventListener("mouseover", function (ev) {
    var option = ev.target.closest && ev.target.closest("#snippet-list [role=option]");
    if (!option || option.getAttribute("aria-selected") === "true") return;
    document.querySelectorAll("#snippet-list [role=option]").forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    preview();
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "snippet-list") { shown = null; preview(); }
    if (evt.detail.boosted) { cache = {}; shown = null; }
  });
  document.addEventListener("focusout", function (ev) {
    // the preview goes when the picker is left (and after an insertion, which moves focus to the reply)
    if (ev.target && ev.target.id === "snippet-q") setTimeout(function () {
      var q = document.getElementById("snippet-q");
      if (q && document.activeElement !== q) { var box = previewBox(); if (box) box.hidden = true; shown = null; }
    }, 150);
  });
  document.addEventListener("focusin", function (ev) { if (ev.target && ev.target.id === "snippet-q") { shown = null; preview(); } });
})();
