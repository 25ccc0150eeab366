/* Voxpop inside an iframe: tells the host page how tall the thread is, whenever that changes.
 * The host page's voxpop/frame-host.js sets the iframe's height from it. Only a number is sent, so
 * when the browser cannot say which page holds the frame (no location.ancestorOrigins), sending
 * it to any origin reveals nothing; the host side checks the sender's origin and window. Without
 * JavaScript the iframe keeps its fixed height and scrolls.
 */
(function () {
  "use strict";
  if (window.parent === window) return;
  var ancestors = window.location.ancestorOrigins;
  var target = ancestors && ancestors.length ? ancestors[0] : "*";
  var last = -1;

  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({voxpop: "height", height: height}, target);
  }

  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
