/* Voxpop progressive embed: the comment thread and form inside the host page, posting without a
 * page load. No framework, no third-party requests, no inline script or eval (CSP-compatible).
 *
 * Markup (docs/embedding.md):
 *   <div data-voxpop-embed><a href="https://comments.example/stories/KEY/comments/">Comments</a></div>
 *   <script src="https://comments.example/static/voxpop/embed.js" defer></script>
 *
 * Without JavaScript, or when Voxpop cannot be reached, the link stays: the reader opens the plain
 * thread page. With it, the link's address (signed registration parameters included) names the
 * thread; its HTML fragment replaces the link. The form is posted with fetch: a receipt shows a
 * link to it, a refusal shows Voxpop's own message (in the story's language) with the reader's
 * text left in place. A network failure falls back to posting the form the plain way.
 */
(function () {
  "use strict";

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function parse(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    Array.prototype.forEach.call(doc.querySelectorAll("script"), function (s) { s.remove(); });
    return doc;
  }

  function Embed(root, link) {
    this.root = root;
    this.thread = new URL(link.href, location.href);
  }

  Embed.prototype.fragmentUrl = function (search) {
    var url = new URL(this.thread.href);
    url.pathname = url.pathname.replace(/\/?$/, "/") + "fragment";
    if (search !== undefined) url.search = search;
    url.hash = "";
    return url.href;
  };

  // `then(loaded)`: after the fragment is shown (true), or when it could not be had (false) and
  // what was shown stays (the link or the last thread).
  Embed.prototype.load = function (search, then) {
    var self = this;
    return fetch(this.fragmentUrl(search), {credentials: "omit"}).then(function (response) {
      if (!response.ok) throw new Error("fragment " + response.status);
      return response.text();
    }).then(function (html) {
      self.render(parse(html));
      return true;
    }).catch(function () { return false; }).then(function (loaded) {
      if (then) then(loaded);
    });
  };

  // Links and the form come with addresses relative to the thread page; anchor them there.
  Embed.prototype.render = function (doc) {
    var base = this.thread;
    Array.prototype.forEach.call(doc.querySelectorAll("a[href]"), function (a) {
      var href = a.getAttribute("href");
      if (href.charAt(0) !== "#") a.setAttribute("href", new URL(href, base).href);
    });
    Array.prototype.forEach.call(doc.querySelectorAll("form"), function (form) {
      form.setAttribute("action", new URL(form.getAttribute("action") || "", base).href);
      if (!form.querySelector('textarea[name="body"]') || form.querySelector('input[name="idempotency_key"]')) return;
      var key = doc.createElement("input");
      key.type = "hidden";
      key.name = "idempotency_key";
      key.value = randomKey();
      form.appendChild(key);
    });
    var nodes = Array.prototype.map.call(doc.body.childNodes, function (n) { return document.adoptNode(n); });
    this.root.replaceChildren.apply(this.root, nodes);
    this.root.classList.add("vp-embedded");
  };

  Embed.prototype.isThreadLink = function (a) {
    var url = new URL(a.href);
    return url.origin === this.thread.origin && url.pathname === this.thread.pathname;
  };

  Embed.prototype.onClick = function (event) {
    var a = event.target.closest && event.target.closest("a[href]");
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    var hash = a.getAttribute("href").charAt(0) === "#" ? a.getAttribute("href") : null;
    if (hash) {
      var target = this.root.querySelector(hash);
      if (target) { event.preventDefault(); target.scrollIntoView(); }
      return;
    }
    if (!this.isThreadLink(a)) return;
    event.preventDefault();
    var url = new URL(a.href), root = this.root;
    this.load(url.search, function (loaded) {
      if (!loaded) { window.location.href = a.href; return; }  // Voxpop's own page instead
      var focus = url.searchParams.get("reply_to") ? root.querySelector('textarea[name="body"]') : null;
      if (focus) focus.focus();
    });
  };

  Embed.prototype.onSubmit = function (event) {
    var form = event.target;
    if (!form.querySelector('textarea[name="body"]')) return;
    event.preventDefault();
    var self = this, button = form.querySelector('button[type="submit"], button:not([type])');
    if (form.getAttribute("aria-busy") === "true") return;
    form.setAttribute("aria-busy", "true");
    if (button) button.disabled = true;
    var done = function () { form.removeAttribute("aria-busy"); if (button) button.disabled = false; };
    // With Voxpop's proof-of-work script on the page, a proof buys the ordinary budget (never fails).
    var proof = window.voxpopProof ? window.voxpopProof(form) : Promise.resolve();
    proof.then(function () {
      return fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "omit"});
    })
      .then(function (response) {
        return response.text().then(function (html) {
          var doc = parse(html);
          // A 5xx without Voxpop's own message (a proxy's error page): send the form the plain way.
          if (response.status >= 500 && !doc.querySelector(".vp-errors, #vp-unavailable-heading")) {
            throw new Error("server " + response.status);
          }
          done();
          if (response.ok && /\/receipts\//.test(new URL(response.url).pathname)) {
            self.received(doc, response.url);
          } else {
            self.refused(form, doc);
          }
        });
      })
      .catch(function () { done(); HTMLFormElement.prototype.submit.call(form); });
  };

  // The receipt: Voxpop's own words and a link to the private receipt page; then a fresh form.
  Embed.prototype.received = function (doc, receiptUrl) {
    var self = this;
    var status = document.createElement("div");
    status.className = "vp-embed-status";
    status.setAttribute("role", "status");
    status.setAttribute("tabindex", "-1");
    var heading = doc.querySelector("#vp-receipt h1, #vp-receipt h2");
    var notice = doc.querySelector("#vp-receipt .vp-notice");
    [heading, notice].forEach(function (node) {
      if (!node) return;
      var p = document.createElement("p");
      p.textContent = node.textContent;
      status.appendChild(p);
    });
    var p = document.createElement("p"), a = document.createElement("a");
    a.href = receiptUrl;
    a.className = "vp-receipt-link";
    a.target = "_blank";
    a.rel = "noopener";
    a.textContent = (doc.title || receiptUrl).trim();
    p.appendChild(a);
    status.appendChild(p);
    // Shown whether or not the fresh thread arrives: the reader must see it was received.
    this.load(undefined, function () {
      var compose = self.root.querySelector("#vp-form") || self.root.firstChild;
      compose.insertBefore(status, compose.querySelector("form") || null);
      status.focus();
    });
  };

  // A refusal: Voxpop's message replaces any earlier one; the typed text is never touched.
  Embed.prototype.refused = function (form, doc) {
    // Voxpop's own message; a page without one (the 503 page, a 404 of a removed story) gives its
    // heading or first paragraph, so the reader is never left without a word.
    var errors = doc.querySelector(".vp-errors");
    if (!errors) {
      var said = doc.querySelector("h1, main p");
      errors = document.createElement("div");
      errors.className = "vp-errors";
      errors.setAttribute("role", "alert");
      var line = document.createElement("p");
      line.textContent = said ? said.textContent.trim() : (doc.title || "").trim();
      errors.appendChild(line);
    }
    var old = this.root.querySelector(".vp-errors");
    if (old) old.remove();
    if (errors) {
      form.parentNode.insertBefore(document.adoptNode(errors), form);
      errors.setAttribute("tabindex", "-1");
      errors.focus();
    }
    var token = doc.querySelector('form input[name="token"]'), mine = form.querySelector('input[name="token"]');
    if (token && mine) mine.value = token.value;
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (f) {
      f.removeAttribute("aria-invalid");
    });
    Array.prototype.forEach.call(doc.querySelectorAll('form [aria-invalid="true"][name]'), function (f) {
      var field = form.querySelector('[name="' + f.getAttribute("name") + '"]');
      if (field) field.setAttribute("aria-invalid", "true");
    });
  };

  function start(root) {
    var link = root.querySelector("a[href]");
    if (!link || root.voxpopEmbed || !window.fetch || !window.URLSearchParams) return;
    var embed = root.voxpopEmbed = new Embed(root, link);
    root.addEventListener("click", function (e) { embed.onClick(e); });
    root.addEventListener("submit", function (e) { embed.onSubmit(e); });
    embed.load(embed.thread.search);
  }

  function startAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-voxpop-embed]"), start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
