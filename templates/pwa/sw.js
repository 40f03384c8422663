{% autoescape off %}/* Open City's service worker (served by opencity.pwa.service_worker at /sw.js, scope "/").

   What it stores, in one cache per static version ("opencity-<version>"; older ones are deleted on
   activate): the offline copy of the map (the shell page, rendered for nobody in particular, so it
   holds no personal data) and static files. Nothing else is ever put in the cache: the APIs and the
   personal and staff pages always go to the network, and a page is never stored from a navigation.

   - Static files: from the cache first; a hashed name never changes. A name without a hash (not
     collected with the manifest storage, i.e. development) goes to the network first.
   - Navigations (opening a page): the network; without one, the offline map.
   - Everything else (API calls, uploads, media, POSTs): not touched.

   Background Sync: a report queued without a connection (static/js/report.js) is sent by the worker
   when the browser regains one, even if no page is open; its Idempotency-Key keeps it one issue
   whoever sends it. */
"use strict";

var CONFIG = {{ config }};
// The drafts kept on the device and the request that sends one: shared with the page.
importScripts(CONFIG.draftStore);
var CACHE = "opencity-" + CONFIG.version;
var SHELL_MAX_AGE_MS = 60 * 60 * 1000;
var HASHED = /\.[0-9a-f]{12}\.[A-Za-z0-9]+$/;

function isNetworkOnly(path) {
  return CONFIG.networkOnly.some(function (prefix) { return path.indexOf(prefix) === 0; });
}

// The shell is fetched without cookies: the server renders it anonymously anyway, and the
// language comes from the page that asked for it.
function fetchShell(cache, lang) {
  var url = CONFIG.shellUrl + (lang ? "?lang=" + encodeURIComponent(lang) : "");
  return fetch(url, { credentials: "omit", cache: "no-store" }).then(function (response) {
    if (!response.ok) { throw new Error("shell " + response.status); }
    return response.clone().text().then(function (html) {
      // Whatever static file the shell links (a script added to the map page later) is kept too.
      var linked = [];
      var pattern = /(?:src|href)="([^"]+)"/g;
      var match;
      while ((match = pattern.exec(html))) {
        if (match[1].indexOf(CONFIG.staticUrl) === 0) { linked.push(match[1]); }
      }
      return Promise.all([
        cache.put(CONFIG.shellUrl, response),
        Promise.all(linked.map(function (url) {
          return cache.match(url).then(function (hit) { return hit || cache.add(url); }).catch(function () {});
        }))
      ]);
    });
  });
}

// One more try for a request that fails on a busy server: a failed install waits for the next page.
function twice(work) {
  return work().catch(function () { return work(); });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(CONFIG.assets.map(function (url) {
        return twice(function () { return cache.add(url); });
      })).then(function () { return twice(function () { return fetchShell(cache, ""); }); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("opencity-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// A page asks for the offline map in its own language, and for a fresh one now and then (new
// categories); only when the copy is in another language or older than an hour.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "claim") {
    // A page that opened while the worker was activating missed its clients.claim(): take it now,
    // so that it too is answered offline.
    event.waitUntil(self.clients.claim());
    return;
  }
  if (data.type !== "refresh-shell") { return; }
  var work = caches.open(CACHE).then(function (cache) {
    return cache.match(CONFIG.shellUrl).then(function (hit) {
      var fresh = hit && hit.headers.get("Content-Language") === data.lang &&
        Date.now() - new Date(hit.headers.get("Date") || 0).getTime() < SHELL_MAX_AGE_MS;
      return fresh ? null : fetchShell(cache, data.lang);
    });
  }).catch(function () {});
  if (event.waitUntil) { event.waitUntil(work); }
});

function fromCacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") { cache.put(request, response.clone()); }
        return response;
      });
    });
  });
}

function fromNetworkFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") { cache.put(request, response.clone()); }
      return response;
    }).catch(function () {
      return cache.match(request).then(function (hit) { return hit || Response.error(); });
    });
  });
}

function navigate(request) {
  return fetch(request).catch(function () {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(CONFIG.shellUrl).then(function (hit) { return hit || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || isNetworkOnly(url.pathname)) { return; }
  if (url.pathname.indexOf(CONFIG.staticUrl) === 0) {
    var precached = CONFIG.assets.indexOf(url.pathname) !== -1;
    event.respondWith(precached || HASHED.test(url.pathname) ? fromCacheFirst(request) : fromNetworkFirst(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  }
});
// --- Background Sync: sending the reports queued on this device ----------------------------------
function sendQueued() {
  return self.OpenCity.drafts.all().then(function (list) {
    return Promise.all(list.filter(function (draft) { return draft.status === "queued"; }).map(sendOne));
  });
}

function sendOne(draft) {
  return self.OpenCity.reportRequest(draft, { csrf: draft.csrf }).then(function (init) {
    return fetch(CONFIG.issuesUrl, init);
  }).then(function (response) {
    if (response.status === 200 || response.status === 201) {
      return response.json().then(function (issue) {
        return self.OpenCity.drafts.markSent(draft.key, issue).then(function () {
          return self.clients.matchAll({ type: "window" }).then(function (pages) {
            pages.forEach(function (page) { page.postMessage({ type: "report-sent", key: draft.key, issue: issue }); });
          });
        });
      });
    }
    // No answer worth keeping: the browser tries the sync again later. A refusal (4xx) is left to
    // the page, which shows its messages (or asks to sign in).
    if (response.status >= 500 || response.status === 429) { throw new Error("try again later"); }
    return null;
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "opencity-reports") { event.waitUntil(sendQueued()); }
});
{% endautoescape %}
