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
    if (row && !ev.target.closest("a, button, input, label") && !window.getSelection().toString()) {
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
    // Links with a shortcut (the review page's next / previous reply) follow it.
    var link = document.querySelector('a[data-key="' + ev.key + '"]');
    if (link) { ev.preventDefault(); link.click(); return; }
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
  // Polls marked data-visible-only (the queue, the ticket viewers line, a reply in flight) wait while the tab is hidden.
  // An htmx trigger filter ("every 10s [document.visibilityState …]") would need eval, which the
  // Content-Security-Policy forbids (htmx-config allowEval false).
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-visible-only") && document.visibilityState !== "visible") {
      // the new-work poll keeps going in a hidden tab for a user who asked for browser notifications
      if (!(elt.id === "queue-news" && alertsWanted())) evt.preventDefault();
    }
    // A poll marked data-pause-on-focus (the team view) skips its turn while a control inside it has focus: the
    // supervisor choosing who gets a ticket must not have the list swapped under them.
    if (choosing(elt)) evt.preventDefault();
  });
  function choosing(elt) {
    var active = document.activeElement;
    return !!(elt && elt.hasAttribute && elt.hasAttribute("data-pause-on-focus") && active && active !== elt &&
      elt.contains(active) && /^(SELECT|INPUT|TEXTAREA|BUTTON)$/.test(active.tagName));
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    // An answer asked before that focus came is dropped as well: swapped in, it would reset the choice being made
    // (the person picked, then Assign gave the ticket to the list's first). The next poll, once focus left, brings
    // the list up to date.
    if (target && evt.detail.elt === target && choosing(target)) { evt.detail.shouldSwap = false; return; }
    // A team view poll answered by anything but the team view (the session expired): load that page for real.
    if (target && target.id === "team-body" && evt.detail.shouldSwap &&
        evt.detail.serverResponse.indexOf('id="team-body"') === -1) {
      evt.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  // The ticket viewers beat (data-include-draft) tells whether this user is writing: it sends the reply draft when
  // there is a reply box (hx-include would log an error on pages without one).
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail && evt.detail.elt, box = document.getElementById("id_reply_body");
    if (elt && elt.hasAttribute && elt.hasAttribute("data-include-draft") && box) evt.detail.parameters.body = box.value;
  });
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

// --- the reply composer: snippet picker, live counter, placeholder check --------------------------------
// The listbox is filled by htmx (suggestions on load, search as you type); this code moves the active
// option, inserts the chosen snippet (filled by the server for this ticket) and keeps the counter live.
// The count mirrors tickets/services/charcount.py; the server's count is the one that refuses.
(function () {
  "use strict";
  var LIGHT = [[0x0000, 0x10FF], [0x2000, 0x200D], [0x2010, 0x201F], [0x2032, 0x2037]];
  var URL_RE = /(?:https?:\/\/[^\s]+|www\.[^\s]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|id|co|io|me|ly|app|dev|info|biz|xyz|ai|gg|tv|us|uk|sg|my)\b(?:\/[^\s]*)?)/gi;
  var LEFTOVER_RE = /\{[^{}\s]{0,60}\}/g;
  function pictographic(cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2300 && cp <= 0x23FF) ||
      (cp >= 0x2B00 && cp <= 0x2BFF) || (cp >= 0x2190 && cp <= 0x21FF) ||
      [0xA9, 0xAE, 0x203C, 0x2049, 0x2122, 0x2139, 0x3030, 0x303D, 0x3297, 0x3299].indexOf(cp) !== -1;
  }
  function emojiLength(cps, i) {
    var cp = cps[i], n = cps.length, j;
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) return (i + 1 < n && cps[i + 1] >= 0x1F1E6 && cps[i + 1] <= 0x1F1FF) ? 2 : 1;
    if ("#*0123456789".indexOf(String.fromCodePoint(cp)) !== -1) {
      j = i + 1;
      if (j < n && cps[j] === 0xFE0F) j++;
      return (j < n && cps[j] === 0x20E3) ? j + 1 - i : 0;
    }
    if (!pictographic(cp)) return 0;
    if (cp < 0x2000 && !(i + 1 < n && cps[i + 1] === 0xFE0F)) return 0;
    j = i + 1;
    while (j < n) {
      var c = cps[j];
      if (c === 0xFE0F || (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F) || c === 0x20E3) j++;
      else if (c === 0x200D && j + 1 < n && pictographic(cps[j + 1])) j += 2;
      else break;
    }
    return j - i;
  }
  function xLength(text) {
    text = text.normalize("NFC");
    var cps = Array.from(text, function (ch) { return ch.codePointAt(0); });
    // URL spans in code-point offsets.
    var urls = {}, m;
    URL_RE.lastIndex = 0;
    while ((m = URL_RE.exec(text))) {
      var s = m[0].replace(/[.,:;!?)\]}'"]+$/, "");
      var start = Array.from(text.slice(0, m.index)).length;
      urls[start] = start + Array.from(s).length;
    }
    var total = 0, i = 0;
    while (i < cps.length) {
      if (urls[i] !== undefined) { total += 23; i = urls[i]; continue; }
      var e = emojiLength(cps, i);
      if (e) { total += 2; i += e; continue; }
      total += LIGHT.some(function (r) { return cps[i] >= r[0] && cps[i] <= r[1]; }) ? 1 : 2;
      i++;
    }
    return total;
  }
  function measure(text, platform) {
    return platform === "x" ? xLength(text) : Array.from(text.normalize("NFC")).length;
  }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }

  // The brand reviews replies with flagged terms: say so (and name the button) while they are in the text.
  // The server decides again on submission; this is only the early warning.
  function flagged(text) {
    var button = document.querySelector("[data-submit-reply][data-flagged-terms]");
    var hint = document.getElementById("id_reply_review_hint");
    if (!button || !hint) return;
    var lower = text.toLowerCase();
    var found = button.dataset.flaggedTerms.split("|").filter(function (term) {
      var escaped = term.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return term && new RegExp("(^|[^\\p{L}\\p{N}_])" + escaped + "(?![\\p{L}\\p{N}_])", "u").test(lower);
    });
    button.textContent = found.length ? button.dataset.tReview : button.dataset.tSend;
    hint.hidden = !found.length;
    hint.textContent = found.length ? fill(hint.dataset.tFlagged, { terms: found.join(", ") }) : "";
  }

  function refresh() {
    var box = document.getElementById("id_reply_body"), out = document.getElementById("id_reply_counter");
    var picker = document.querySelector("[data-picker]");
    if (!box || !out) return;
    var limit = parseInt(out.dataset.limit, 10), n = measure(box.value.trim(), out.dataset.platform);
    out.textContent = n + " / " + limit + (n > limit && picker ? " · " + fill(picker.dataset.tOver, { n: n - limit }) : "");
    out.classList.toggle("over", n > limit);
    var warn = document.getElementById("id_reply_placeholders");
    var left = (box.value.match(LEFTOVER_RE) || []).filter(function (v, i, a) { return a.indexOf(v) === i; });
    if (warn && picker) {
      warn.hidden = !left.length;
      warn.textContent = left.length ? fill(picker.dataset.tUnfilled, { names: left.join(", ") }) : "";
    }
    flagged(box.value);
    // Mark the box invalid while it is over or has placeholders; give back what the server said otherwise.
    if (n > limit || left.length) { if (box.dataset.jsInvalid === undefined) box.dataset.jsInvalid = box.getAttribute("aria-invalid") || ""; box.setAttribute("aria-invalid", "true"); }
    else if (box.dataset.jsInvalid !== undefined) {
      if (box.dataset.jsInvalid) box.setAttribute("aria-invalid", box.dataset.jsInvalid); else box.removeAttribute("aria-invalid");
      delete box.dataset.jsInvalid;
    }
  }

  // The picker ---------------------------------------------------------------------------------------
  var caret = null; // where in the reply the snippet goes (set when "/" opened the picker)
  function options() { return Array.prototype.slice.call(document.querySelectorAll("#snippet-list [role=option]")); }
  function activate(i) {
    var list = options(), q = document.getElementById("snippet-q");
    if (!list.length || !q) { if (q) q.removeAttribute("aria-activedescendant"); return; }
    i = (i + list.length) % list.length;
    list.forEach(function (o, n) { o.setAttribute("aria-selected", n === i ? "true" : "false"); });
    q.setAttribute("aria-activedescendant", list[i].id);
    list[i].scrollIntoView({ block: "nearest" });
  }
  function activeIndex() {
    return options().findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
  }
  function announce(text) { var s = document.querySelector("[data-picker-status]"); if (s) s.textContent = text; }
  function insert(option) {
    var picker = document.querySelector("[data-picker]"), box = document.getElementById("id_reply_body");
    if (!picker || !box || !option) return;
    var url = picker.dataset.renderUrl + "?snippet=" + encodeURIComponent(option.dataset.snippet);
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (data) {
        var at = caret === null ? box.value.length : caret;
        var before = box.value.slice(0, at), after = box.value.slice(at);
        var sep = before && !/\s$/.test(before) ? " " : "";
        box.value = before + sep + data.text + after;
        var ids = document.getElementById("id_reply_snippets");
        if (ids) ids.value = ids.value ? ids.value + "," + data.id : String(data.id);
        caret = null;
        close(false);
        box.focus();
        var end = (before + sep + data.text).length;
        box.setSelectionRange(end, end);
        refresh();
        announce(fill(picker.dataset.tInserted, { title: data.title }));
      })
      .catch(function () { announce(picker.dataset.tFailed); var f = document.getElementById("flash-error"); if (f) { f.textContent = picker.dataset.tFailed; f.hidden = false; } });
  }
  function close(giveBackTyped) {
    var q = document.getElementById("snippet-q"), box = document.getElementById("id_reply_body");
    if (!q || !box) return;
    if (giveBackTyped && caret !== null) {
      // Esc after "/": what was typed goes back into the reply, as if the picker never opened.
      box.value = box.value.slice(0, caret) + q.value + box.value.slice(caret);
      var end = caret + q.value.length;
      box.focus();
      box.setSelectionRange(end, end);
    } else if (giveBackTyped) {
      box.focus();
    }
    caret = null;
    if (q.value) { q.value = ""; if (window.htmx) window.htmx.trigger(q, "input"); }
    refresh();
  }

  document.addEventListener("keydown", function (ev) {
    var el = ev.target;
    if (el && el.id === "snippet-q") {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        var i = activeIndex();
        activate(i === -1 ? 0 : i + (ev.key === "ArrowDown" ? 1 : -1));
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        ev.stopPropagation();
        var list = options();
        insert(list[Math.max(activeIndex(), 0)]);
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        ev.stopPropagation();
        close(true);
      }
      return;
    }
    if (el && el.id === "id_reply_body" && ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      var pos = el.selectionStart;
      if (pos === el.selectionEnd && (pos === 0 || /\s/.test(el.value.charAt(pos - 1)))) {
        // "/" at the start of a word opens the picker on shortcuts.
        ev.preventDefault();
        caret = pos;
        var q = document.getElementById("snippet-q");
        if (!q) return;
        q.value = "/";
        q.focus();
        if (window.htmx) window.htmx.trigger(q, "input");
      }
    }
  }, true);
  document.addEventListener("click", function (ev) {
    var option = ev.target.closest && ev.target.closest("#snippet-list [role=option]");
    if (option) { ev.preventDefault(); insert(option); }
  });
  document.addEventListener("input", function (ev) { if (ev.target && ev.target.id === "id_reply_body") refresh(); });
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "snippet-list") activate(0);
    refresh();
  });
  document.addEventListener("DOMContentLoaded", refresh);
  window.smrcMeasure = measure; // for the browser test

  // --- new work: "N new — show", the tab title, browser notifications ---------------------------------
  // The queue's rows stay put; #queue-news polls a count and says how many arrived. The tab title carries the
  // count, and a user who opted in gets a browser notification for tickets assigned to them and urgent ones,
  // each once (remembered for the tab's session), only while they are looking elsewhere.
  var baseTitle = null;
  function alertsWanted() {
    var body = document.getElementById("queue-body");
    return !!(body && body.dataset.browserAlerts === "1" && "Notification" in window && Notification.permission === "granted");
  }
  function seen() {
    try { return JSON.parse(sessionStorage.getItem("smrc-alerted") || "[]"); } catch (e) { return []; }
  }
  function remember(ids) {
    try { sessionStorage.setItem("smrc-alerted", JSON.stringify(ids.slice(-200))); } catch (e) { /* private mode */ }
  }
  function news() {
    var box = document.getElementById("queue-news");
    if (!box) { if (baseTitle !== null) { document.title = baseTitle; baseTitle = null; } return; }
    if (baseTitle === null) baseTitle = document.title.replace(/^\(\d+\) /, "");
    var n = parseInt(box.dataset.count || "0", 10) || 0;
    document.title = n > 0 ? "(" + n + ") " + baseTitle : baseTitle;
    if (!alertsWanted()) return;
    var ids = seen();
    box.querySelectorAll("[data-alerts] li[data-id]").forEach(function (li) {
      if (ids.indexOf(li.dataset.id) !== -1) return;
      ids.push(li.dataset.id);
      if (document.visibilityState === "visible" && document.hasFocus()) return;
      var note = new Notification(li.dataset.title, { body: li.textContent, tag: "smrc-" + li.dataset.id });
      note.onclick = function () { window.focus(); window.location.href = li.dataset.url; note.close(); };
    });
    remember(ids);
  }
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail && evt.detail.target;
    if (target && (target.id === "queue-news" || target.id === "queue-body")) news();
    else if (evt.detail && evt.detail.boosted) { baseTitle = null; news(); }
  });
  document.addEventListener("DOMContentLoaded", news);
  // Turning notifications on asks the browser's permission in the same click (browsers require a gesture).
  document.addEventListener("click", function (ev) {
    var on = ev.target.closest && ev.target.closest("button[data-alerts-on]");
    if (on && "Notification" in window && Notification.permission === "default") Notification.requestPermission();
  });

})();
