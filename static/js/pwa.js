/* The installable app, on every page: registers the service worker (/sw.js, the whole site) and
   asks it for the offline copy of the map in this page's language. Signing out forgets the report
   drafts kept on this device (static/js/draft-store.js), so the next person cannot see or send them. */
(function () {
  "use strict";

  var DRAFTS_DB = "opencity-drafts";

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (registration.active && !navigator.serviceWorker.controller) {
          registration.active.postMessage({ type: "claim" });
        }
        if (navigator.onLine && registration.active) {
          registration.active.postMessage({ type: "refresh-shell", lang: document.documentElement.lang || "uk" });
        }
      })
      .catch(function () { /* no worker: the site works as before, without the offline copy */ });
  }

  document.querySelectorAll('form[action$="/accounts/logout/"]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.draftsCleared || !window.indexedDB) { return; }
      event.preventDefault();
      try { sessionStorage.removeItem("opencity.report-drafts"); } catch (error) { /* nothing kept */ }
      var done = function () { form.dataset.draftsCleared = "1"; form.submit(); };
      var request = indexedDB.deleteDatabase(DRAFTS_DB);
      request.onsuccess = request.onerror = request.onblocked = done;
    });
  });
})();
