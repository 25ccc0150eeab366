/* Voxpop's self-sizing iframe, host side: <iframe data-voxpop-frame src="https://comments.example/
 * stories/KEY/comments/" ...> takes the height its page reports (voxpop/frame.js). A message counts
 * only from that iframe's own window and from the origin of its src.
 */
(function () {
  "use strict";
  var MIN = 80, MAX = 100000;

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.voxpop !== "height" || typeof data.height !== "number" || !isFinite(data.height)) return;
    var frames = document.querySelectorAll("iframe[data-voxpop-frame]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, window.location.href).origin !== event.origin) return;
      frame.style.height = Math.max(MIN, Math.min(MAX, Math.ceil(data.height))) + "px";
      return;
    }
  });
})();
