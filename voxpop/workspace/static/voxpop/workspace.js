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
 *   ?            show or hide the shortcut help
 *
 * After a decision the server redirects to the queue at #c<next id>, which becomes current here.
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

  // Replace the textarea's selection with MASK and leave the caret after it.
  function mask(area) {
    if (area.selectionStart === area.selectionEnd) return false;
    area.setRangeText(MASK, area.selectionStart, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
    area.focus();
    return true;
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
