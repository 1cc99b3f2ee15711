// SMRC page behaviour: live due countdowns, queue keyboard navigation, shortcuts. No framework, no network
// of its own: htmx does the requests (boosted navigation, the queue's polling).
(function () {
  "use strict";

  // Words come translated from the page (data-* on #t), in the same msgids the server uses.
  function t(name) { var el = document.getElementById("t"); return (el && el.dataset[name]) || ""; }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }
  function fmt(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return fill(t("days"), { d: d, h: h });
    if (h) return fill(t("hours"), { h: h, m: m });
    return fill(t("minutes"), { m: m });
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-due]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("datetime")) - now) / 1000;
      var warn = parseInt(el.dataset.warn || "900", 10);
      var state = left < 0 ? "breached" : left < warn ? "warning" : "ok";
      el.className = "due due-" + state;
      el.textContent = fill(t(state === "breached" ? "over" : state === "warning" ? "soon" : "due"), { span: fmt(left) });
    });
  }

  // --- queue keyboard navigation ---------------------------------------------------------------------
  // The selection is remembered by ticket (its URL), not by position, so a refresh that reorders the
  // rows keeps the same ticket selected; if that ticket left the queue, the row now at its place is.
  var selectedHref = null, selectedIndex = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("table[data-queue] tbody tr[data-href]")); }
  function select(i, focus) {
    var list = rows();
    if (!list.length) { selectedHref = null; selectedIndex = -1; return; }
    selectedIndex = Math.max(0, Math.min(i, list.length - 1));
    selectedHref = list[selectedIndex].dataset.href;
    list.forEach(function (r, n) {
      var on = n === selectedIndex;
      r.classList.toggle("selected", on);
      if (on) r.setAttribute("aria-selected", "true"); else r.removeAttribute("aria-selected");
    });
    var link = list[selectedIndex].querySelector("a");
    if (focus && link) link.focus({ preventScroll: true });
    list[selectedIndex].scrollIntoView({ block: "nearest" });
  }
  var queueHadFocus = false;
  function restoreSelection() {
    if (selectedHref === null) return;
    var list = rows(), i = list.findIndex(function (r) { return r.dataset.href === selectedHref; });
    // htmx gives focus back to the same link (same id) by itself; if that ticket left, focus its successor.
    var lost = !document.activeElement || document.activeElement === document.body;
    select(i === -1 ? selectedIndex : i, queueHadFocus && lost);
  }
  function currentIndex() {
    // A row whose link has keyboard focus counts as selected (Tab, then j/k continues from there).
    var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("tr[data-href]");
    if (focused) return rows().indexOf(focused);
    return selectedHref === null ? -1 : rows().findIndex(function (r) { return r.dataset.href === selectedHref; });
  }
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("tr[data-href]");
    if (row && !ev.target.closest("a, button") && !window.getSelection().toString()) {
      if (ev.ctrlKey || ev.metaKey) window.open(row.dataset.href); else row.querySelector("a").click();
    }
    if (ev.target.closest && ev.target.closest("[data-close-help]")) toggleHelp(false);
    if (ev.target.closest && ev.target.closest("[data-open-help]")) toggleHelp(true);
    if (ev.target.id === "help") toggleHelp(false);
  });

  var helpReturn = null;
  function toggleHelp(show) {
    var help = document.getElementById("help");
    if (!help) return;
    var open = show === undefined ? help.hidden : show;
    if (open && help.hidden) { helpReturn = document.activeElement; help.hidden = false; help.querySelector("[data-close-help]").focus(); }
    if (!open && !help.hidden) { help.hidden = true; if (helpReturn && helpReturn.focus) helpReturn.focus(); }
  }

  var pendingG = false;
  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    var typing = el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
    if (typing) {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey) && el.form) { ev.preventDefault(); el.form.requestSubmit(); }
      if (ev.key === "Escape") el.blur();
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var help = document.getElementById("help");
    if (help && !help.hidden) {
      if (ev.key === "Escape" || ev.key === "?") { ev.preventDefault(); toggleHelp(false); }
      return;
    }
    if (pendingG) {
      pendingG = false;
      if (ev.key === "q") { var q = document.querySelector(".mainnav a"); if (q) { ev.preventDefault(); q.click(); } }
      return;
    }
    if (ev.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1500); return; }
    if (ev.key === "?") { toggleHelp(true); return; }
    if (ev.key === "j" || ev.key === "k") {
      if (!rows().length) return;
      ev.preventDefault();
      var i = currentIndex();
      select(i === -1 ? 0 : i + (ev.key === "j" ? 1 : -1), true);
      return;
    }
    if (ev.key === "Enter") {
      // A focused link opens itself; Enter on a selected row without focus opens that row.
      if (el.closest && el.closest("a, button")) return;
      var r = rows()[currentIndex()];
      if (r) { ev.preventDefault(); r.querySelector("a").click(); }
      return;
    }
    var button = document.querySelector('button[data-key="' + ev.key + '"]');
    if (button && !button.disabled) { ev.preventDefault(); button.click(); return; }
    var field = document.querySelector('[data-key-focus="' + ev.key + '"]');
    if (field) { ev.preventDefault(); field.focus(); }
  });

  // --- htmx glue --------------------------------------------------------------------------------------
  function flash(text) {
    var box = document.getElementById("flash-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }
  function isQueuePoll(evt) { return evt.detail && evt.detail.target && evt.detail.target.id === "queue-body"; }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // A new page must not inherit focus from the old one (htmx re-focuses the element with the same id, so
    // a shortcut key pressed right after sending would land in the fresh reply box).
    if (evt.detail.boosted && document.activeElement && document.activeElement.blur) document.activeElement.blur();
    if (isQueuePoll(evt)) queueHadFocus = !!(document.activeElement && document.activeElement.closest("#queue-body"));
    // A poll answered by anything but the queue (the session expired and we got the login page, say):
    // load that page for real instead of nesting it inside the queue.
    if (isQueuePoll(evt) && evt.detail.shouldSwap && evt.detail.serverResponse.indexOf('id="queue-body"') === -1) {
      evt.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    tick();
    if (isQueuePoll(evt)) restoreSelection();
    else if (evt.detail.boosted) afterNavigate();
  });
  // A boosted form is sent once: its buttons stay disabled until the answer arrives (a double click or a
  // second Ctrl+Enter would otherwise post the same reply twice).
  function formButtons(evt) {
    var form = evt.detail.elt;
    return form && form.tagName === "FORM" ? form.querySelectorAll("button[type=submit], button:not([type])") : [];
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = evt.detail.elt;
    if (form && form.tagName === "FORM" && form.dataset.sending) { evt.preventDefault(); return; }
    if (form && form.tagName === "FORM") form.dataset.sending = "1";
    formButtons(evt).forEach(function (b) { b.disabled = true; });
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (form && form.tagName === "FORM") delete form.dataset.sending;
    formButtons(evt).forEach(function (b) { b.disabled = false; });
    if (evt.detail.successful) flash("");
  });
  function failed(evt) {
    if (isQueuePoll(evt)) {
      var live = document.querySelector("[data-live]");
      if (live) { live.classList.add("offline"); live.textContent = t("offline"); }
    } else if (evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest("#thread")) {
      return; // the in-flight reply poll just tries again
    } else {
      flash(t("failed"));
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  function afterNavigate() {
    // A boosted page load: start from the top of the new page, as a normal load would.
    selectedHref = null; selectedIndex = -1;
    pendingG = false;
    // htmx would give focus back to an element with the same id (the reply box we just sent, say): a new
    // page starts like a fresh load instead, on its autofocus field or at the top of the content.
    var focusMe = document.querySelector("[autofocus]") || document.getElementById("main");
    if (focusMe) focusMe.focus({ preventScroll: true });
    tick();
  }
  document.addEventListener("htmx:historyRestore", afterNavigate);
  // Claim, Send, Resolve… answer with the same ticket page: replace the history entry rather than stacking
  // copies of it, so Back still goes back to the queue.
  document.addEventListener("htmx:beforeHistoryUpdate", function (evt) {
    var h = evt.detail.history;
    if (h && h.type === "push" && h.path === window.location.pathname + window.location.search) h.type = "replace";
  });
  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 15000);
})();
