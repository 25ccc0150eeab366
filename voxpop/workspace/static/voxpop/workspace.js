/*
 * Voxpop moderation workspace: keyboard shortcuts on top of pages that work without them.
 *
 * Every action stays a plain form post or link; this script only finds the right form and submits
 * it. Keys are ignored while typing in a field or when Ctrl, Alt or Meta is held.
 *
 *   j / k        next / previous comment in the queue (the "current" one)
 *   a            approve the current comment
 *   r, then 1-9  reject under that house rule (Esc cancels)
 *   e            queue: edit the current comment; comment page: focus the editor
 *   o or Enter   open the current comment
 *   x            select the current comment for a bulk action
 *   u            undo your last decision
 *   m            in the editor, with text selected: replace it with [removed] (also the Mask button)
 *   m            comment page, outside a field: mask the next highlighted span in the editor
 *   n            in the editor, on a highlighted span or just after a mask: select the next span
 *   ?            show or hide the shortcut help
 *
 * After a decision the server redirects to the queue at #c<next id>, which becomes current here.
 *
 * Redaction spans: the editor's textarea carries the spans scoring flagged in the current text as
 * data-spans="[[start, end], ...]", in Unicode code points (the server's unit); they are turned
 * into the UTF-16 indices a textarea counts in, then kept in step with every change to the text
 * (a span that is masked or typed over leaves the list). On a held comment (data-held: personal
 * data on a sensitive story) the first span is selected when the page opens. Clicking a highlight
 * in the current text masks that span in the editor.
 */
(function () {
  "use strict";

  var MASK = "[removed]";
  var items = Array.prototype.slice.call(document.querySelectorAll("ol.mw-items > li.mw-item"));
  var current = null;
  var rejectPrompt = null;  // the visible "Reject under rule" prompt while reject mode is on
  var busy = false;         // a form was sent or a link followed: ignore keys until the next page loads

  function setCurrent(item, focus) {
    if (!item) return;
    if (current) {
      current.classList.remove("mw-current");
      current.removeAttribute("aria-current");
    }
    current = item;
    item.classList.add("mw-current");
    item.setAttribute("aria-current", "true");
    if (focus) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var next = items[items.indexOf(current) + step];
    if (next) setCurrent(next, true);
  }

  // The part of the page the decision keys act on: the current queue item, or the comment page.
  function scope() {
    return items.length ? current : document;
  }

  function find(selector) {
    var root = scope();
    return root ? root.querySelector(selector) : null;
  }

  function submit(form) {
    if (!form || busy || !form.reportValidity()) return;
    busy = true;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function follow(link) {
    if (!link || busy) return;
    busy = true;
    location.href = link.href;
  }

  function startReject() {
    var form = find("form.mw-reject");
    if (!form) return;
    rejectPrompt = document.createElement("p");
    rejectPrompt.className = "mw-msg mw-msg-warning mw-prompt";
    rejectPrompt.setAttribute("role", "status");
    rejectPrompt.textContent = "Reject under rule: press 1-9, Esc to cancel";
    form.parentNode.insertBefore(rejectPrompt, form.nextSibling);
    rejectPrompt.scrollIntoView({ block: "nearest" });
  }

  function stopReject() {
    if (rejectPrompt) rejectPrompt.remove();
    rejectPrompt = null;
  }

  // The digit a key stands for, also where digits need Shift (AZERTY) or come from the keypad.
  function digit(event) {
    if (/^[1-9]$/.test(event.key)) return event.key;
    var code = /^(?:Digit|Numpad)([1-9])$/.exec(event.code || "");
    return code ? code[1] : "";
  }

  // In reject mode: a digit picks the rule and submits; Esc or any other key leaves the mode.
  function rejectKey(event) {
    if (event.key === "Shift" || event.key === "CapsLock") return;
    var key = digit(event);
    if (event.key === "Escape" || event.key.length === 1) event.preventDefault();
    if (!key) {
      stopReject();
      return;
    }
    var form = find("form.mw-reject");
    var option = form && form.querySelector('option[data-number="' + key + '"]');
    if (!option) {
      rejectPrompt.textContent = "There is no rule " + key + " here: press 1-9, Esc to cancel";
      return;
    }
    option.selected = true;
    stopReject();
    submit(form);
  }

  // Replace [start, end) of the textarea's text with MASK and leave the caret after it.
  function replaceWithMask(area, start, end) {
    if (area === spanArea) pendingEdit = { start: start, end: end, length: MASK.length };
    area.setRangeText(MASK, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Replace the textarea's selection with MASK and leave the caret after it.
  function mask(area) {
    if (area.selectionStart === area.selectionEnd) return false;
    replaceWithMask(area, area.selectionStart, area.selectionEnd);
    area.focus();
    return true;
  }

  // --- Redaction spans ------------------------------------------------------------------------

  var spanArea = document.querySelector("textarea[data-redact][data-spans]");
  var spans = [];         // {start, end}: UTF-16 indices into spanArea.value; {from, to}: code points
  var spanCount = 0;
  var lastValue = "";
  var pendingEdit = null;  // the exact range of a mask this script makes, so no guessing is needed

  // The UTF-16 index of the code point at `codePoints` in `text` (an emoji counts 1 there, 2 here).
  function utf16Index(text, codePoints) {
    var index = 0;
    for (var n = 0; n < codePoints && index < text.length; n++) {
      var code = text.charCodeAt(index);
      var next = text.charCodeAt(index + 1);
      index += code >= 0xD800 && code <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF ? 2 : 1;
    }
    return index;
  }

  function loadSpans(area) {
    var pairs;
    try {
      pairs = JSON.parse(area.getAttribute("data-spans"));
    } catch (error) {
      return [];
    }
    if (!Array.isArray(pairs)) return [];
    var text = area.value;
    return pairs.filter(function (pair) {
      return Array.isArray(pair) && pair.length === 2 && pair[0] < pair[1];
    }).map(function (pair) {
      return { from: pair[0], to: pair[1], start: utf16Index(text, pair[0]), end: utf16Index(text, pair[1]) };
    }).filter(function (span) { return span.start < span.end; });
  }

  // The highlight of a span in the current text (the stored revision, which does not change here).
  function markOf(span) {
    return document.querySelector('#current-text mark.mw-sig[data-start="' + span.from + '"][data-end="' +
                                  span.to + '"]');
  }

  function spanStatus() {
    var status = document.getElementById("edit-spans-status");
    if (!status) return;
    var done = spanCount - spans.length;
    status.textContent = done ? "Masked or changed in the editor: " + done + " of " + spanCount +
      " highlighted spans. Save the edit to keep it." : "";
  }

  // Keep the spans on the same text while it changes: find the changed stretch (exact for our own
  // masks, else by common prefix and suffix), drop the spans it touches, shift the ones after it.
  function trackEdit() {
    var before = lastValue, after = spanArea.value;
    lastValue = after;
    var start, end, delta = after.length - before.length;
    if (pendingEdit) {
      start = pendingEdit.start;
      end = pendingEdit.end;
      pendingEdit = null;
    } else {
      var shorter = Math.min(before.length, after.length);
      start = 0;
      while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
      var suffix = 0;
      while (suffix < shorter - start &&
             before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
      end = before.length - suffix;
    }
    if (before === after) return;
    spans = spans.filter(function (span) {
      if (span.end <= start) return true;
      if (span.start >= end) {
        span.start += delta;
        span.end += delta;
        return true;
      }
      var mark = markOf(span);
      if (mark) mark.classList.add("mw-sig-masked");
      return false;
    });
    spanStatus();
  }

  function selectedSpan() {
    var at = spanArea.selectionStart, to = spanArea.selectionEnd;
    return spans.filter(function (span) { return span.start === at && span.end === to; })[0] || null;
  }

  // The span after the selection, wrapping round to the first.
  function nextSpan() {
    var after = spanArea.selectionEnd;
    return spans.filter(function (span) { return span.start >= after; })[0] || spans[0] || null;
  }

  function selectSpan(span, focus) {
    if (!span) return false;
    if (focus) spanArea.focus();
    spanArea.setSelectionRange(span.start, span.end);
    return true;
  }

  // Mask one span in the editor from outside it: the focus stays where it is, so m, m, m masks them in turn.
  function maskSpan(span) {
    if (!span) return;
    replaceWithMask(spanArea, span.start, span.end);
    spanArea.scrollIntoView({ block: "nearest" });
  }

  // The span the page-level m masks: the one selected in the editor, else the next after the caret.
  function currentSpan() {
    return selectedSpan() || spans.filter(function (span) { return span.start >= spanArea.selectionStart; })[0] ||
      spans[0] || null;
  }

  // In the editor, n moves through the spans only when it could not mean typing the letter: on a
  // selected span (typing would replace it) or right after a mask.
  function spanKey(area) {
    if (!spans.length) return false;
    var caretAfterMask = area.selectionStart === area.selectionEnd &&
      area.value.slice(area.selectionStart - MASK.length, area.selectionStart) === MASK;
    if (!selectedSpan() && !caretAfterMask) return false;
    return selectSpan(nextSpan(), false);
  }

  if (spanArea) {
    spans = loadSpans(spanArea);
    spanCount = spans.length;
    lastValue = spanArea.value;
    spanArea.addEventListener("input", trackEdit);
    document.querySelectorAll("#current-text mark.mw-sig").forEach(function (mark) {
      mark.classList.add("mw-sig-maskable");
      mark.addEventListener("click", function () {
        var from = Number(mark.getAttribute("data-start")), to = Number(mark.getAttribute("data-end"));
        maskSpan(spans.filter(function (span) { return span.from === from && span.to === to; })[0]);
      });
    });
    // Sensitive story: the personal data is selected for masking before the moderator does anything.
    if (spanArea.hasAttribute("data-held")) selectSpan(spans[0], false);
  }

  function typing(el) {
    if (!el || !el.tagName) return false;
    if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
    return el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
  }

  function toggleHelp() {
    var help = document.getElementById("mw-help");
    if (help) help.hidden = !help.hidden;
  }

  var actions = {
    j: function () { move(1); },
    k: function () { move(-1); },
    a: function () { submit(find("form.mw-approve")); },
    r: startReject,
    e: function () {
      if (items.length) {
        follow(find("a.mw-edit"));
      } else {
        var body = document.getElementById("edit-body");
        if (body) body.focus();
      }
    },
    o: function () { if (items.length) follow(find("a.mw-open")); },
    x: function () {
      var box = find('input[type="checkbox"][name="selected"]');
      if (box) {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    },
    u: function () { submit(document.querySelector("form.mw-undo")); },
    m: function () { if (spanArea) maskSpan(currentSpan()); },
    "?": toggleHelp
  };
  actions.Enter = actions.o;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing || event.defaultPrevented) return;
    var target = event.target;
    if (event.key === "m" && target.matches && target.matches("textarea[data-redact]")) {
      if (mask(target)) event.preventDefault();  // without a selection, m is just a letter
      return;
    }
    if (event.key === "n" && target === spanArea) {
      if (spanKey(target)) event.preventDefault();
      return;
    }
    if (busy || typing(target)) return;
    if (rejectPrompt) {
      rejectKey(event);
      return;
    }
    if (event.key === "Escape") {
      var help = document.getElementById("mw-help");
      if (help && !help.hidden) help.hidden = true;
      return;
    }
    // Enter on a link or button keeps its own meaning.
    if (event.key === "Enter" && target.closest && target.closest("a, button, summary")) return;
    var action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // Back from a page with a form we submitted (bfcache): accept keys again.
  window.addEventListener("pageshow", function () { busy = false; });

  var selectAll = document.querySelector(".mw-select-all");
  if (selectAll) {
    selectAll.hidden = false;
    selectAll.addEventListener("click", function () {
      document.querySelectorAll('input[type="checkbox"][name="selected"]').forEach(function (box) {
        box.checked = true;
      });
    });
  }

  document.querySelectorAll("button.mw-mask").forEach(function (button) {
    var area = button.form && button.form.querySelector("textarea[data-redact]");
    if (!area) return;
    button.hidden = false;
    button.addEventListener("click", function () { mask(area); });
  });

  if (items.length) {
    // Clicking or tabbing into an item makes it current too, so mouse and keyboard agree.
    items.forEach(function (item) {
      item.addEventListener("focusin", function () { if (item !== current) setCurrent(item, false); });
    });
    var named = location.hash && document.getElementById(location.hash.slice(1));
    setCurrent(items.indexOf(named) >= 0 ? named : items[0], true);
  } else if (location.hash === "#edit") {
    // After the browser's own jump to #edit, which would take the focus back.
    window.addEventListener("load", function () { setTimeout(actions.e); });
  }
})();
