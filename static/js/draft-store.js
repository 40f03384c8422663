/* Report drafts kept on this device, in IndexedDB: a draft survives a closed page, a reload and a
   lost connection. Two stores: "drafts" (one record per report, keyed by its Idempotency-Key, with
   its text, pin, category, answers and the list of its files) and "files" (the chosen photos and
   video as Blobs, "<draft key>/<file id>", written once so that typing does not rewrite them).
   Without IndexedDB (some private modes) the text is kept in sessionStorage and the files are not.
   Everything is forgotten on sign-out (static/js/pwa.js). */
(function (root) {
  "use strict";

  // The page and the service worker (importScripts, for Background Sync) share this file.
  var OpenCity = (root.OpenCity = root.OpenCity || {});
  var NAME = "opencity-drafts";
  var FALLBACK_KEY = "opencity.report-drafts";
  var opening = null;

  function open() {
    if (opening) { return opening; }
    opening = new Promise(function (resolve, reject) {
      if (!root.indexedDB) { reject(new Error("IndexedDB is not available")); return; }
      var request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("drafts")) { db.createObjectStore("drafts", { keyPath: "key" }); }
        if (!db.objectStoreNames.contains("files")) { db.createObjectStore("files", { keyPath: "id" }); }
      };
      request.onsuccess = function () {
        var db = request.result;
        // Another page deleting the database (signing out) must not wait for this one.
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = function () { reject(request.error); };
      request.onblocked = function () { reject(new Error("IndexedDB is blocked")); };
    });
    opening.catch(function () { opening = null; });
    return opening;
  }

  // One transaction; resolves with the last request's result once it has committed.
  function run(stores, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores, mode);
        var result;
        var request = work(tx);
        if (request) { request.onsuccess = function () { result = request.result; }; }
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  // --- sessionStorage fallback (text only) ---------------------------------------------------
  function fallbackAll() {
    try { return JSON.parse(sessionStorage.getItem(FALLBACK_KEY) || "[]"); } catch (error) { return []; }
  }
  function fallbackWrite(list) {
    try { sessionStorage.setItem(FALLBACK_KEY, JSON.stringify(list)); } catch (error) { /* nothing to keep */ }
  }

  function fileRange(key) { return IDBKeyRange.bound(key + "/", key + "/\uffff"); }

  OpenCity.drafts = {
    /** Every draft on this device, oldest first. */
    all: function () {
      return run(["drafts"], "readonly", function (tx) { return tx.objectStore("drafts").getAll(); })
        .then(function (list) { return (list || []).sort(function (a, b) { return (a.createdAt || 0) - (b.createdAt || 0); }); })
        .catch(function () { return fallbackAll(); });
    },
    /** Store (or replace) a draft record. */
    put: function (draft) {
      return run(["drafts"], "readwrite", function (tx) { return tx.objectStore("drafts").put(draft); })
        .catch(function () {
          fallbackWrite(fallbackAll().filter(function (d) { return d.key !== draft.key; }).concat([draft]));
        });
    },
    /** Forget a draft and its files. */
    remove: function (key) {
      return run(["drafts", "files"], "readwrite", function (tx) {
        tx.objectStore("files").delete(fileRange(key));
        return tx.objectStore("drafts").delete(key);
      }).catch(function () {
        fallbackWrite(fallbackAll().filter(function (d) { return d.key !== key; }));
      });
    },
    /** Keep a chosen photo or video; resolves true when it is stored. */
    putFile: function (key, fileId, blob, name) {
      return run(["files"], "readwrite", function (tx) {
        return tx.objectStore("files").put({ id: key + "/" + fileId, blob: blob, name: name });
      }).then(function () { return true; }, function () { return false; });
    },
    /** The stored file, or null. */
    getFile: function (key, fileId) {
      return run(["files"], "readonly", function (tx) { return tx.objectStore("files").get(key + "/" + fileId); })
        .then(function (record) { return record ? record.blob : null; }, function () { return null; });
    },
    removeFile: function (key, fileId) {
      return run(["files"], "readwrite", function (tx) { return tx.objectStore("files").delete(key + "/" + fileId); })
        .catch(function () { /* nothing kept */ });
    },
    /** The report went (sent by the service worker): keep its answer for the page to show, once,
        unless the page already forgot the draft (it sent it itself). */
    markSent: function (key, issue) {
      return run(["drafts", "files"], "readwrite", function (tx) {
        var drafts = tx.objectStore("drafts");
        var request = drafts.get(key);
        request.onsuccess = function () {
          if (!request.result) { return; }
          drafts.put({ key: key, status: "sent", createdAt: request.result.createdAt, issue: issue });
          tx.objectStore("files").delete(fileRange(key));
        };
        // Not returned: run() would replace this request's onsuccess with its own.
      });
    },
    /** Forget everything (signing out: the next person on this device must not see it). */
    clear: function () {
      try { sessionStorage.removeItem(FALLBACK_KEY); } catch (error) { /* nothing kept */ }
      return new Promise(function (resolve) {
        if (!root.indexedDB) { resolve(); return; }
        var request = indexedDB.deleteDatabase(NAME);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }
  };

  /* The POST that sends a queued draft (fetch's init): JSON when every file is uploaded already, else
     multipart with the files kept on the device. `withIds` false sends the kept files instead of
     earlier uploads (one expired on the server). The Idempotency-Key is the draft's own key. */
  OpenCity.reportRequest = function (draft, options) {
    var withIds = options.withIds !== false;
    var headers = { "X-CSRFToken": options.csrf || "", "Idempotency-Key": draft.key };
    var payload = {
      category: draft.category,
      description: draft.description,
      address: draft.address,
      location: { type: "Point", coordinates: [Number(draft.point.lng.toFixed(7)), Number(draft.point.lat.toFixed(7))] },
      attributes: draft.attributes || {}
    };
    var uploaded = draft.media.filter(function (m) { return withIds && m.id; });
    var toSend = draft.media.filter(function (m) { return !(withIds && m.id) && m.kept; });
    var init = { method: "POST", credentials: "same-origin", headers: headers };
    if (!toSend.length) {
      payload.media = uploaded.map(function (m) { return m.id; });
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
      return Promise.resolve(init);
    }
    return Promise.all(toSend.map(function (m) { return OpenCity.drafts.getFile(draft.key, m.fid); })).then(function (blobs) {
      var body = new FormData();
      body.append("category", payload.category);
      body.append("description", payload.description);
      body.append("address", payload.address);
      body.append("location", JSON.stringify(payload.location));
      body.append("attributes", JSON.stringify(payload.attributes));
      uploaded.forEach(function (m) { body.append("media", m.id); });
      toSend.forEach(function (m, index) {
        if (blobs[index]) { body.append(m.kind === "video" ? "video" : "photos", blobs[index], m.name); }
      });
      init.body = body;
      return init;
    });
  };
})(typeof window !== "undefined" ? window : self);
