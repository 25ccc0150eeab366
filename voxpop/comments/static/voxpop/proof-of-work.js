/* Voxpop proof-of-work for the comment form; the server's half is voxpop/common/pow.py.
 *
 * When the reader sends the form, this finds a nonce such that
 *
 *   SHA-256(token + "\n" + hex(SHA-256(body as UTF-8)) + "\n" + nonce)
 *
 * starts with `data-vp-pow-bits` zero bits (the form's attribute), puts it in a hidden `pow` field
 * and sends the form. The token is the form's own (the same for every reader of the page), the body
 * what the reader typed, so the page stays public and cacheable and the proof fits this text only.
 * A comment with a proof is counted against the ordinary per-source budget, one without against a
 * stricter one; so nothing here ever stops a reader: without Web Crypto (a page served over plain
 * http), or on any failure, the form goes without a proof.
 *
 * The work runs in slices of about 50 ms between which the page stays responsive; the button says
 * "Checking…" (the form's `data-vp-checking`, translated by the template) meanwhile.
 *
 * Each comment form also gets a random `idempotency_key`, new whenever its text changes, so a form sent twice (a
 * double click, a retry after a lost answer) makes one comment.
 *
 * window.voxpopProof(form) -> Promise: fills the form's `pow` field for its current token and text,
 * for scripts that send the form themselves (fetch); it resolves when done, never rejects.
 *
 * No third-party code, no inline script, no eval: CSP `script-src 'self'` holds.
 */
(function () {
  "use strict";

  var BATCH = 128;     // digests in flight at once
  var SLICE_MS = 50;   // work this long, then give the page a turn
  var GIVE_UP_MS = 8000;  // a slow device sends without a proof (the stricter budget) rather than wait on
  var encoder = new TextEncoder();
  var states = new WeakMap();     // form -> {challenge, promise, solved}
  var busyForms = new WeakMap();  // form -> {count, label}: proofs under way, the button's own label

  function isCommentForm(form) {
    return !!(form && form.tagName === "FORM" && form.querySelector('textarea[name="body"]') &&
              form.querySelector('input[name="token"]'));
  }

  function bits(form) {
    var value = parseInt(form.getAttribute("data-vp-pow-bits") || "0", 10);
    return value > 0 && value <= 256 ? value : 0;
  }

  function canProve(form) {
    return bits(form) > 0 && !!(window.crypto && window.crypto.subtle);
  }

  function hiddenField(form, name) {
    var field = form.querySelector('input[name="' + name + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    return field;
  }

  // What the proof is for: the token and the text, its line breaks as "\n" as the server reads them.
  function challengeOf(form) {
    var body = form.querySelector('textarea[name="body"]').value.replace(/\r\n?/g, "\n");
    return {token: form.querySelector('input[name="token"]').value, body: body,
            key: form.querySelector('input[name="token"]').value + "\n" + body};
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function leadingZeroBits(buffer) {
    var bytes = new Uint8Array(buffer), count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { count += 8; continue; }
      return count + Math.clz32(bytes[i]) - 24;
    }
    return count;
  }

  function randomStart() {
    var word = new Uint32Array(1);
    crypto.getRandomValues(word);
    return word[0];  // two readers solving the same text in the same second find different nonces
  }

  // Resolves with the first nonce (decimal digits) whose hash has `needed` leading zero bits.
  function solve(prefix, needed) {
    var head = encoder.encode(prefix), next = randomStart();
    function candidate(n) {
      var tail = encoder.encode(String(n)), bytes = new Uint8Array(head.length + tail.length);
      bytes.set(head);
      bytes.set(tail, head.length);
      return bytes;
    }
    var begun = performance.now();
    return new Promise(function (resolve, reject) {
      function slice() {
        var started = performance.now();
        if (started - begun > GIVE_UP_MS) return reject(new Error("too slow"));
        (function batch() {
          var base = next, jobs = [];
          for (var i = 0; i < BATCH; i++) jobs.push(crypto.subtle.digest("SHA-256", candidate(base + i)));
          next += BATCH;
          Promise.all(jobs).then(function (digests) {
            for (var i = 0; i < digests.length; i++) {
              if (leadingZeroBits(digests[i]) >= needed) return resolve(String(base + i));
            }
            if (performance.now() - started < SLICE_MS) batch();
            else setTimeout(slice, 0);
          }, reject);
        })();
      }
      slice();
    });
  }

  // "Checking…" on the send button while work runs for the form; returns what puts the button back.
  function showBusy(form) {
    var button = form.querySelector('button[type="submit"], button:not([type])');
    var busy = busyForms.get(form);
    if (!busy) {
      busy = {count: 0, label: button ? button.textContent : "", setBusy: form.getAttribute("aria-busy") !== "true"};
      busyForms.set(form, busy);
      form.setAttribute("aria-busy", "true");
      if (button) {
        button.disabled = true;
        button.textContent = form.getAttribute("data-vp-checking") || "Checking\u2026";
      }
    }
    busy.count += 1;
    return function () {
      if (--busy.count > 0) return;
      busyForms.delete(form);
      if (busy.setBusy) form.removeAttribute("aria-busy");  // not another script's own busy mark
      if (button) {
        button.disabled = false;
        button.textContent = busy.label;
      }
    };
  }

  function proved(form) {
    var state = states.get(form);
    return !!(state && state.solved && state.challenge === challengeOf(form).key);
  }

  function voxpopProof(form) {
    if (!isCommentForm(form) || !canProve(form)) return Promise.resolve();
    var challenge = challengeOf(form), field = hiddenField(form, "pow"), state = states.get(form);
    if (state && state.challenge === challenge.key) return state.promise;  // this text: done or under way
    field.value = "";
    var done = showBusy(form), needed = bits(form);
    state = {challenge: challenge.key, solved: false};
    state.promise = crypto.subtle.digest("SHA-256", encoder.encode(challenge.body))
      .then(function (bodyHash) { return solve(challenge.token + "\n" + hex(bodyHash) + "\n", needed); })
      .then(function (nonce) {
        if (states.get(form) !== state) return;  // the text changed meanwhile: that call fills the field
        field.value = nonce;
        state.solved = true;
      }, function () {                          // no proof: the stricter budget, never an error
        if (states.get(form) === state) states.delete(form);
      })
      .then(done);
    states.set(form, state);
    return state.promise;
  }

  // A new key whenever the reader changes what the form says: the same form sent twice (a double
  // click, a retry) is one comment, and the text edited after going Back is a new one.
  function newIdempotencyKey(form) {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var field = form.querySelector('input[name="idempotency_key"]') || hiddenField(form, "idempotency_key");
    field.value = hex(bytes.buffer);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !isCommentForm(form) || !canProve(form) || proved(form)) return;
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return;  // a second click while checking
    voxpopProof(form).then(function () { HTMLFormElement.prototype.submit.call(form); });
  });

  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    if (isCommentForm(form)) newIdempotencyKey(form);
  });
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && isCommentForm(form)) newIdempotencyKey(form);
  });

  window.voxpopProof = voxpopProof;
})();
