// SMRC page behaviour: live due countdowns, queue keyboard navigation, shortcuts. No framework, no network.
(function () {
  "use strict";

  // Words come translated from the page (data-t-* on <body>), in the same msgids the server uses.
  function t(name) { return document.body.dataset["t" + name] || ""; }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function fmt(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return fill(t("Days"), { d: d, h: h });
    if (h) return fill(t("Hours"), { h: h, m: m });
    return fill(t("Minutes"), { m: m });
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("datetime")) - now) / 1000;
      var warn = parseInt(el.dataset.warn || "900", 10);
      var state = left < 0 ? "breached" : left < warn ? "warning" : "ok";
      el.className = "due due-" + state;
      el.textContent = fill(left < 0 ? t("Over") : t("Due"), { span: fmt(left) });
    });
  }

  // --- queue keyboard navigation ---------------------------------------------------------------------
  var selected = 0;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table[data-queue] tbody tr[data-href]")); }
  function select(i) {
    var list = rows();
    if (!list.length) return;
    selected = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (r, n) { r.classList.toggle("selected", n === selected); });
    list[selected].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("tr[data-href]");
    if (row && !ev.target.closest("a, button")) window.location = row.dataset.href;
    if (ev.target.closest && ev.target.closest("[data-close-help]")) toggleHelp(false);
  });

  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (help) help.hidden = show === undefined ? !help.hidden : !show;
  }

  var pendingG = false;
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (typing) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && t.form) { ev.preventDefault(); t.form.requestSubmit(); }
      if (ev.key === "Escape") t.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (pendingG) {
      pendingG = false;
      if (ev.key === "q") { var q = document.querySelector(".mainnav a"); if (q) window.location = q.href; }
      return;
    }
    if (ev.key === "g") { pendingG = true; return; }
    if (ev.key === "?") { toggleHelp(); return; }
    if (ev.key === "Escape") { toggleHelp(false); return; }
    if (ev.key === "j") { select(selected + 1); return; }
    if (ev.key === "k") { select(selected - 1); return; }
    if (ev.key === "Enter") { var r = rows()[selected]; if (r && r.classList.contains("selected")) window.location = r.dataset.href; return; }
    var button = document.querySelector('button[data-key="' + ev.key + '"]');
    if (button) { ev.preventDefault(); button.click(); return; }
    var field = document.querySelector('[data-key-focus="' + ev.key + '"]');
    if (field) { ev.preventDefault(); field.focus(); }
  });

  document.addEventListener("htmx:afterSwap", function () { tick(); if (document.querySelector("tr.selected") === null && selected) select(selected); });
  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 15000);
})();
