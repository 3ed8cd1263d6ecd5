// clm's live preview: the server adds this script to each HTML page it serves
// (never to the files on disk). A page reloads when the watcher rewrote it,
// keeping its scroll position, and shows an overlay while its rebuild fails.
// The course page refetches its table after each cycle.
(function () {
  "use strict";
  var me = document.currentScript;
  var page = me.getAttribute("data-page");
  var version = me.getAttribute("data-version");
  var key = "clm-scroll:" + page;

  function restoreScroll() {
    var saved = sessionStorage.getItem(key);
    if (!saved) return;
    sessionStorage.removeItem(key);
    var position = JSON.parse(saved);
    window.scrollTo(position[0], position[1]);
    // Images and fonts may still grow the page: once more when everything has loaded.
    window.addEventListener("load", function () { window.scrollTo(position[0], position[1]); });
  }

  function reload(source) {
    sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    source.close();
    window.location.reload();
  }

  function showOverlay(message) {
    var overlay = document.getElementById("clm-overlay");
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "clm-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0a0f;color:#fff;border-top:4px solid #ff4d6a;padding:12px 20px;" +
        "font:15px/1.4 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.4)";
      var title = document.createElement("strong");
      title.textContent = "This page's rebuild failed; it shows the last good version.";
      var close = document.createElement("button");
      close.textContent = "×";
      close.title = "Hide until the next change";
      close.style.cssText =
        "float:right;font-size:20px;background:none;color:#fff;border:0;cursor:pointer";
      close.onclick = function () { overlay.style.display = "none"; };
      var text = document.createElement("pre");
      text.id = "clm-overlay-message";
      text.style.cssText =
        "white-space:pre-wrap;margin:8px 0 0;font:14px/1.4 ui-monospace,monospace;color:#ffd7de";
      overlay.appendChild(close);
      overlay.appendChild(title);
      overlay.appendChild(text);
      document.body.appendChild(overlay);
    }
    overlay.style.display = "block";
    document.getElementById("clm-overlay-message").textContent = message;
  }

  function hideOverlay() {
    var overlay = document.getElementById("clm-overlay");
    if (overlay) overlay.remove();
  }

  // A browser keeps at most six connections to one server, and each open stream
  // holds one: only a tab in view listens. A tab that comes back into view asks
  // again, and reloads at once if its page was rewritten meanwhile.
  function whileVisible(open) {
    var source = null;
    function update() {
      if (document.visibilityState === "hidden") {
        if (source) { source.close(); source = null; }
      } else if (!source) {
        source = open();
      }
    }
    document.addEventListener("visibilitychange", update);
    update();
  }

  function followPage() {
    restoreScroll();
    whileVisible(function () {
      var source = new EventSource(
        "/_clm/events?page=" + encodeURIComponent(page) + "&version=" + encodeURIComponent(version)
      );
      source.addEventListener("page", function (event) {
        var news = JSON.parse(event.data);
        if (news.failed) {
          showOverlay(news.failed);
        } else {
          hideOverlay();
          if (news.reload) reload(source);
        }
      });
      return source;
    });
  }

  function followCourse() {
    var main = document.getElementById("clm-course");
    var fetching = false, again = false;
    function refresh() {
      if (fetching) { again = true; return; }
      fetching = true;
      fetch("/_clm/course", { cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) { if (html !== null) main.innerHTML = html; })
        .catch(function () {})
        .then(function () {
          fetching = false;
          if (again) { again = false; refresh(); }
        });
    }
    whileVisible(function () {
      var source = new EventSource("/_clm/events");
      source.addEventListener("course", refresh);
      // What changed since this page was served, while it was hidden or the server away.
      source.addEventListener("open", refresh);
      return source;
    });
  }

  if (me.hasAttribute("data-course")) followCourse();
  else followPage();
})();
