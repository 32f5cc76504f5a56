// An export's page (templates/exports/detail.html) while the file is prepared: asks the
// server for the progress part every few seconds, swaps it in, and tells screen readers what
// changed through the page's live region. Without this script the page has a "Check again"
// link. Stops when the file is ready or has failed.
(function () {
  "use strict";
  var panel = document.querySelector("[data-export-progress]");
  var live = document.getElementById("export-announce");
  if (!panel || !window.fetch || !panel.querySelector("[data-unfinished]")) return;
  var url = panel.getAttribute("data-progress-url");
  var delay = 1000;
  var said = "";

  function announce() {
    var part = panel.querySelector("[data-announce]");
    var text = part ? part.getAttribute("data-announce") : "";
    if (live && text && text !== said) {
      live.textContent = text;
      said = text;
    }
  }

  function poll() {
    // redirect: "manual": a login that has expired sends the fragment's request to the login
    // page, which must not be swapped into this one; the page itself is reloaded instead.
    fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 404 || response.status === 410) {
          window.location.reload(); // logged out, deleted, or not ours: the page says so
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var holder = document.createElement("div");
        holder.innerHTML = html; // our own server's fragment, same origin
        panel.replaceChildren.apply(panel, Array.prototype.slice.call(holder.childNodes));
        announce();
        if (panel.querySelector("[data-unfinished]")) {
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); // a blip: try again, more slowly
      });
  }

  said = (panel.querySelector("[data-announce]") || { getAttribute: function () { return ""; } })
    .getAttribute("data-announce");
  window.setTimeout(poll, delay);
})();
