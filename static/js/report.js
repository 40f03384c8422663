/* The report flow on the map page: put the pin, choose a category (with nearby duplicates offered),
   describe, add photos or a video, send. Uploads start as soon as files are chosen (POST
   /api/v1/media/), so sending is quick on a phone; a photo that knows where it was taken places the pin.

   A report survives a lost connection: the draft (text, pin, category, answers, and the chosen files
   as Blobs) is kept on the device (static/js/draft-store.js) from the first keystroke, so it is still
   there after a reload, a closed page or signing in. "Send" queues it; it is sent at once when online,
   and otherwise when the connection comes back ("online"), retried with backoff. Its Idempotency-Key
   is made once per draft and kept with it, so a retry after a lost answer never makes a second issue. */
(function () {
  "use strict";

  var OpenCity = window.OpenCity;
  var map = OpenCity.map;
  var config = OpenCity.config;
  var texts = OpenCity.texts;
  var format = OpenCity.format;
  var drafts = OpenCity.drafts;
  var RETRY_SECONDS = [2, 4, 8, 16, 32, 60];

  var panel = document.getElementById("report");
  var form = document.getElementById("report-form");
  var startButton = document.getElementById("report-start");
  var whereStatus = document.getElementById("where-status");
  var search = document.getElementById("category-search");
  var nearbyBox = document.getElementById("nearby");
  var nearbyList = document.getElementById("nearby-list");
  var urgent = document.getElementById("urgent-notice");
  var fileInput = document.getElementById("report-photos");
  var mediaList = document.getElementById("media-list");
  var submit = document.getElementById("report-submit");
  var done = document.getElementById("report-done");
  var outbox = document.getElementById("report-outbox");
  var outboxText = document.getElementById("report-outbox-text");
  var outboxRetry = document.getElementById("report-outbox-retry");
  var outboxSignIn = document.getElementById("report-outbox-signin");

  // queued: the draft waits to be sent (the form is locked: what is sent is what was queued).
  var state = { point: null, marker: null, media: [], key: null, active: false, queued: false, createdAt: null };
  var sender = { busy: false, attempt: 0, timer: null };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  // --- Errors -------------------------------------------------------------------------------
  function clearErrors() {
    form.querySelectorAll("[data-errors-for]").forEach(function (list) { list.textContent = ""; });
  }
  function showError(field, message) {
    var list = form.querySelector('[data-errors-for="' + field + '"]') || form.querySelector('[data-errors-for="non_field_errors"]');
    var item = document.createElement("li");
    item.textContent = message;
    list.appendChild(item);
  }
  function showErrors(body) {
    var fields = (body && body.fields) || {};
    var shown = false;
    Object.keys(fields).forEach(function (field) {
      var target = field === "file" ? "media" : field;
      (fields[field] || []).forEach(function (message) { showError(target, message); shown = true; });
    });
    if (!shown) { showError("non_field_errors", (body && body.detail) || texts.failed); }
  }

  // --- The pin ------------------------------------------------------------------------------
  function setPoint(latlng, message) {
    state.point = { lat: latlng.lat, lng: latlng.lng };
    if (!state.marker) {
      state.marker = L.marker(latlng, { draggable: true, keyboard: true, title: texts.pointChosen }).addTo(map);
      state.marker.on("dragend", function () { setPoint(state.marker.getLatLng()); });
      if (state.queued && state.marker.dragging) { state.marker.dragging.disable(); }
    } else {
      state.marker.setLatLng(latlng);
    }
    whereStatus.textContent = message || texts.pointChosen;
    panel.dataset.point = state.point.lng.toFixed(6) + "," + state.point.lat.toFixed(6);
    map.fire("opencity:pin", { latlng: L.latLng(state.point.lat, state.point.lng) });  // address-search.js names it
    saveDraft();
    lookNearby();
  }

  map.on("click", function (event) {
    if (state.active && !state.queued) { setPoint(event.latlng); }
  });

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { whereStatus.textContent = texts.noLocation; return; }
    whereStatus.textContent = texts.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 17));
        setPoint(latlng);
      },
      function () { whereStatus.textContent = texts.noLocation; },
      { enableHighAccuracy: true, timeout: 15000 }
    );
  });

  document.getElementById("use-centre").addEventListener("click", function () {
    setPoint(map.getCenter());
  });

  // --- Categories, urgent notices, nearby duplicates -----------------------------------------
  function chosenCategory() {
    return form.querySelector('input[name="category"]:checked');
  }

  search.addEventListener("input", function () {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    form.querySelectorAll(".category-group").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll(".category-option").forEach(function (option) {
        var haystack = option.dataset.search;
        var match = words.every(function (word) { return haystack.indexOf(word) !== -1; });
        option.hidden = !match;
        if (match) { visible += 1; }
      });
      group.hidden = visible === 0;
    });
  });

  // The chosen category's extra questions (the others are hidden and disabled).
  function showQuestions(code) {
    form.querySelectorAll("[data-questions-for]").forEach(function (box) {
      var mine = box.dataset.questionsFor === code;
      box.hidden = !mine;
      box.disabled = !mine;
    });
  }

  function answers() {
    var category = chosenCategory();
    var result = {};
    if (!category) { return result; }
    var box = form.querySelector('[data-questions-for="' + CSS.escape(category.value) + '"]');
    if (!box) { return result; }
    box.querySelectorAll("[data-attribute]").forEach(function (row) {
      var code = row.dataset.attribute;
      if (row.dataset.datatype === "multivaluelist") {
        var keys = [];
        row.querySelectorAll('input[type="checkbox"]:checked').forEach(function (box) { keys.push(box.value); });
        if (keys.length) { result[code] = keys; }
        return;
      }
      var input = row.querySelector("input, select, textarea");
      if (input && input.value.trim()) { result[code] = input.value.trim(); }
    });
    return result;
  }

  form.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      var notice = radio.dataset.notice;
      urgent.textContent = notice || "";
      urgent.hidden = !notice;
      showQuestions(radio.value);
      saveDraft();
      lookNearby();
    });
  });

  function lookNearby() {
    var category = chosenCategory();
    if (!category || !state.point) { nearbyBox.hidden = true; return; }
    var params = new URLSearchParams({ lon: state.point.lng.toFixed(6), lat: state.point.lat.toFixed(6), category: category.value });
    fetch(config.nearbyUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        nearbyList.textContent = "";
        data.results.forEach(function (row) { nearbyList.appendChild(nearbyItem(row)); });
        nearbyBox.hidden = data.results.length === 0;
      })
      .catch(function () { nearbyBox.hidden = true; });  // offline: nothing to offer
  }

  function nearbyItem(row) {
    var item = document.createElement("li");
    item.className = "nearby-item";
    item.dataset.ref = row.ref;
    var link = document.createElement("a");
    link.href = row.url;
    link.textContent = row.ref;
    var text = document.createElement("span");
    text.textContent = " · " + (texts.statuses[row.status] || row.status) + " · " + format(texts.distance, { metres: Math.round(row.distance_m) });
    var title = document.createElement("p");
    title.textContent = row.title;
    var count = document.createElement("span");
    count.className = "support-count";
    count.textContent = String(row.support_count);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary support-button";
    button.textContent = config.authenticated ? texts.support : texts.signInToSupport;
    button.addEventListener("click", function () {
      if (!config.authenticated) { goSignIn(); return; }
      fetch("/api/v1/issues/" + encodeURIComponent(row.ref) + "/support/", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
      })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (result) {
          if (result.ok) {
            count.textContent = String(result.body.support_count);
            button.textContent = texts.supported;
            button.disabled = true;
          } else {
            button.textContent = result.body.detail || texts.failed;
            button.disabled = true;
          }
        });
    });
    item.append(link, text, title, document.createTextNode(texts.supporters + ": "), count, document.createTextNode(" "), button);
    return item;
  }

  // --- Photos and video ---------------------------------------------------------------------
  // Each chosen file is kept on the device first (a Blob in IndexedDB), then uploaded when possible;
  // one that could not be uploaded yet is sent with the report itself (multipart).
  function kindOf(type) { return /^video\//.test(type || "") ? "video" : "photo"; }

  function mediaRow(entry) {
    var item = document.createElement("li");
    item.className = "media-item";
    var name = document.createElement("span");
    name.className = "media-name";
    name.textContent = entry.name;
    var status = document.createElement("span");
    status.className = "media-status";
    status.textContent = texts.uploading;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = texts.remove;
    remove.addEventListener("click", function () {
      if (state.queued) { return; }
      state.media = state.media.filter(function (other) { return other !== entry; });
      item.remove();
      drafts.removeFile(state.key, entry.fid);
      saveDraft();
    });
    item.append(name, status, remove);
    entry.row = item;
    entry.statusNode = status;
    return item;
  }

  function showThumb(entry, blob) {
    if (entry.kind !== "photo" || !blob || !window.URL || !URL.createObjectURL || entry.row.querySelector(".media-thumb")) { return; }
    // The preview is the person's own file: stored uploads are only served through the checking
    // view once attached to a visible issue (never straight from /media/).
    var thumb = document.createElement("img");
    thumb.src = URL.createObjectURL(blob);
    thumb.alt = "";
    thumb.className = "media-thumb";
    entry.row.prepend(thumb);
  }

  function upload(entry, blob) {
    if (!config.authenticated || !navigator.onLine) {
      entry.statusNode.textContent = entry.kept ? texts.keptOnDevice : texts.uploadFailed;
      return;
    }
    entry.statusNode.textContent = texts.uploading;
    var body = new FormData();
    body.append("file", blob, entry.name);
    fetch(config.mediaUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (response) { return response.json().then(function (data) { return { status: response.status, ok: response.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) {
          if (entry.kept && (result.status >= 500 || result.status === 429)) {
            entry.statusNode.textContent = texts.keptOnDevice;  // sent with the report instead
            return;
          }
          entry.failed = true;
          entry.statusNode.textContent = ((result.data.fields && (result.data.fields.file || [])[0]) || result.data.detail || texts.uploadFailed);
          entry.row.classList.add("failed");
          saveDraft();
          return;
        }
        entry.id = result.data.id;
        entry.kind = result.data.kind;
        entry.statusNode.textContent = texts.uploaded;
        if (result.data.gps) { offerPhotoLocation(result.data.gps); }
        saveDraft();
      })
      .catch(function () {
        // No connection (or no answer): the file stays on the device and goes with the report.
        if (entry.kept) { entry.statusNode.textContent = texts.keptOnDevice; return; }
        entry.failed = true;
        entry.statusNode.textContent = texts.uploadFailed;
      });
  }

  fileInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(fileInput.files);
    fileInput.value = "";
    clearErrors();
    if (state.queued) { return; }
    if (state.media.length + files.length > 5) { showError("media", texts.tooManyPhotos); return; }
    var keeping = files.map(function (file) {
      var entry = { fid: newKey(), name: file.name, type: file.type, id: null, kind: kindOf(file.type), kept: false };
      state.media.push(entry);
      mediaList.appendChild(mediaRow(entry));
      showThumb(entry, file);
      return drafts.putFile(state.key, entry.fid, file, file.name).then(function (kept) {
        entry.kept = kept;
        saveDraft();
        return { entry: entry, file: file };
      });
    });
    Promise.all(keeping).then(function (chosen) {
      // Not signed in: the files are kept with the draft, sent or uploaded after signing in.
      if (config.authenticated === false) { goSignIn(); return; }
      chosen.forEach(function (one) { upload(one.entry, one.file); });
    });
  });

  // A photo's GPS position becomes the pin when none is chosen yet; otherwise it is offered.
  function offerPhotoLocation(gps) {
    var latlng = L.latLng(gps.lat, gps.lon);
    function use() {
      map.setView(latlng, Math.max(map.getZoom(), 17));
      setPoint(latlng, texts.photoLocation);
    }
    if (!state.point) { use(); return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = texts.usePhotoLocation;
    button.addEventListener("click", function () { button.remove(); use(); });
    whereStatus.after(button);
  }

  // --- The draft on this device --------------------------------------------------------------
  function draftRecord() {
    var category = chosenCategory();
    return {
      key: state.key,
      status: state.queued ? "queued" : "editing",
      createdAt: state.createdAt || (state.createdAt = Date.now()),
      point: state.point,
      category: category ? category.value : "",
      description: form.elements.description.value,
      address: form.elements.address.value,
      attributes: answers(),
      csrf: csrfToken(),  // for the service worker, which cannot read cookies (Background Sync)
      media: state.media.filter(function (m) { return !m.failed && (m.id || m.kept); }).map(function (m) {
        return { fid: m.fid || null, id: m.id, name: m.name, type: m.type || "", kind: m.kind, kept: !!m.kept };
      })
    };
  }

  function saveDraft() {
    if (!state.active || !state.key || state.restoring) { return Promise.resolve(); }
    return drafts.put(draftRecord());
  }

  function restoreAnswers(code, values) {
    var box = form.querySelector('[data-questions-for="' + CSS.escape(code) + '"]');
    if (!box || !values) { return; }
    box.querySelectorAll("[data-attribute]").forEach(function (row) {
      var value = values[row.dataset.attribute];
      if (value === undefined) { return; }
      if (row.dataset.datatype === "multivaluelist") {
        row.querySelectorAll('input[type="checkbox"]').forEach(function (box) { box.checked = value.indexOf(box.value) !== -1; });
        return;
      }
      var input = row.querySelector("input, select, textarea");
      if (input) { input.value = value; }
    });
  }

  function restoreDraft(draft) {
    state.key = draft.key;
    state.createdAt = draft.createdAt || Date.now();
    state.restoring = true;  // replaying the draft must not write it back half-done
    open();
    if (draft.category) {
      var radio = form.querySelector('input[name="category"][value="' + CSS.escape(draft.category) + '"]');
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change")); restoreAnswers(draft.category, draft.attributes); }
    }
    form.elements.description.value = draft.description || "";
    form.elements.address.value = draft.address || "";
    (draft.media || []).forEach(function (m) {
      var entry = { fid: m.fid, id: m.id, name: m.name, type: m.type, kind: m.kind, kept: m.kept };
      state.media.push(entry);
      mediaList.appendChild(mediaRow(entry));
      entry.statusNode.textContent = entry.id ? texts.uploaded : texts.keptOnDevice;
      if (entry.kept) {
        drafts.getFile(draft.key, entry.fid).then(function (blob) {
          showThumb(entry, blob);
          // Chosen before signing in or while offline: upload it now, if the report is not queued.
          if (blob && !entry.id && !state.queued && config.authenticated) { upload(entry, blob); }
        });
      }
    });
    if (draft.point) {
      var latlng = L.latLng(draft.point.lat, draft.point.lng);
      OpenCity.keepView = true;
      map.setView(latlng, 17);
      setPoint(latlng);
    }
    state.restoring = false;
    if (draft.status === "queued") {
      lock(true);
      showOutbox(texts.savedOffline);
      send(false);
    } else {
      saveDraft();
    }
  }

  function signInUrl() {
    var next = (config.shell ? "/" : window.location.pathname) + "?report=1";
    return config.loginUrl + "?next=" + encodeURIComponent(next);
  }

  function goSignIn() {
    saveDraft().then(function () { window.location.href = signInUrl(); });
  }

  // --- Opening, sending, confirming ------------------------------------------------------------
  function open() {
    state.active = true;
    if (!state.key) { state.key = newKey(); state.createdAt = Date.now(); }
    panel.hidden = false;
    done.hidden = true;
    form.hidden = false;
    document.body.classList.add("reporting");
    startButton.hidden = true;
    setTimeout(function () { map.invalidateSize(); }, 0);
    document.getElementById("use-location").focus();
  }

  function close() {
    // Closing keeps what was typed (and the uploads) but forgets the pin: reopening starts at "where".
    state.active = false;
    panel.hidden = true;
    startButton.hidden = false;
    document.body.classList.remove("reporting");
    setTimeout(function () { map.invalidateSize(); }, 0);
    if (state.queued) { return; }  // a queued report keeps everything and is still sent
    if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
    state.point = null;
    delete panel.dataset.point;
    whereStatus.textContent = "";
    if (!state.key) { return; }
    var draft = draftRecord();
    if (hasContent(draft)) { drafts.put(draft); } else { drafts.remove(draft.key); }
  }

  function hasContent(draft) {
    return Boolean(draft.point || draft.category || (draft.description || "").trim() || (draft.address || "").trim() || (draft.media || []).length);
  }

  function reset() {
    if (state.key && !state.queued) { drafts.remove(state.key); }
    form.reset();
    state.point = null;
    state.media = [];
    state.key = newKey();
    state.createdAt = Date.now();
    state.queued = false;
    mediaList.textContent = "";
    nearbyBox.hidden = true;
    urgent.hidden = true;
    showQuestions("");
    whereStatus.textContent = "";
    clearErrors();
    lock(false);
    hideOutbox();
  }

  startButton.addEventListener("click", function () {
    open();
    if (state.queued && state.marker === null && state.point) { setPoint(L.latLng(state.point.lat, state.point.lng)); }
  });
  document.getElementById("report-close").addEventListener("click", close);
  document.getElementById("report-again").addEventListener("click", function () {
    if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
    reset();
    open();
  });
  form.addEventListener("input", saveDraft);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (state.queued) { return; }
    clearErrors();
    var category = chosenCategory();
    var problems = 0;
    if (!state.point) { showError("location", texts.choosePoint); problems += 1; }
    if (!category) { showError("category", texts.chooseCategory); problems += 1; }
    if (!form.elements.description.value.trim()) { showError("description", texts.describe); problems += 1; }
    var ready = state.media.filter(function (m) { return !m.failed && (m.id || m.kept); });
    if (category && category.dataset.photoRequired === "1" && !ready.some(function (m) { return m.kind === "photo"; })) {
      showError("media", texts.photoRequired); problems += 1;
    }
    if (problems) { return; }
    if (config.authenticated === false) { showError("non_field_errors", texts.signInFirst); goSignIn(); return; }
    // From here the report is the device's to deliver: queued, locked, sent now or later.
    lock(true);
    drafts.put(draftRecord()).then(function () { askForSync(); send(true); });
  });

  // Where the browser has Background Sync, the service worker sends the queued report even if this
  // page is closed by then (templates/pwa/sw.js). Both may try: the shared key keeps it one issue.
  function askForSync() {
    if (!("serviceWorker" in navigator) || navigator.onLine) { return; }
    navigator.serviceWorker.ready
      .then(function (registration) { return registration.sync && registration.sync.register("opencity-reports"); })
      .catch(function () { /* no Background Sync: this page sends it when it can */ });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "report-sent" && data.key === state.key && state.queued) {
        clearTimeout(sender.timer);
        drafts.remove(data.key).then(function () { confirm(data.issue); });
      }
    });
  }
  submit.dataset.label = submit.textContent;

  // --- The outbox: sending a queued draft exactly once ---------------------------------------------
  function lock(on) {
    state.queued = on;
    form.querySelectorAll(".report-step").forEach(function (step) { step.disabled = on; });
    submit.hidden = on;
    if (state.marker && state.marker.dragging) {
      if (on) { state.marker.dragging.disable(); } else { state.marker.dragging.enable(); }
    }
  }

  function showOutbox(message, options) {
    options = options || {};
    outbox.hidden = false;
    outboxText.textContent = message;
    outboxRetry.hidden = !options.retry;
    outboxRetry.textContent = texts.sendNow;
    outboxSignIn.hidden = !options.signIn;
    outboxSignIn.textContent = texts.signIn;
    outboxSignIn.href = signInUrl();
    panel.dataset.outbox = options.state || "saved";
  }

  function hideOutbox() {
    outbox.hidden = true;
    delete panel.dataset.outbox;
  }

  outboxRetry.addEventListener("click", function () { sender.attempt = 0; send(true); });

  function later() {
    clearTimeout(sender.timer);
    var seconds = RETRY_SECONDS[Math.min(sender.attempt, RETRY_SECONDS.length - 1)];
    sender.attempt += 1;
    sender.timer = setTimeout(function () { send(false); }, seconds * 1000);
    return seconds;
  }

  function send(byHand, withoutIds) {
    if (!state.queued || sender.busy) { return; }
    clearTimeout(sender.timer);
    if (!navigator.onLine) { showOutbox(texts.savedOffline, { state: "saved" }); return; }
    sender.busy = true;
    showOutbox(texts.sendingSaved, { state: "sending" });
    var draft = draftRecord();
    OpenCity.reportRequest(draft, { withIds: !withoutIds, csrf: csrfToken() })
      .then(function (init) { return fetch(config.issuesUrl, init); })
      .then(function (response) {
        return response.json().then(
          function (data) { return { status: response.status, data: data }; },
          function () { return { status: response.status, data: {} }; }
        );
      })
      .then(function (result) {
        sender.busy = false;
        if (result.status === 201 || result.status === 200) {
          sender.attempt = 0;
          drafts.remove(draft.key).then(function () { if (state.key === draft.key) { confirm(result.data); } });
          return;
        }
        if (result.status === 409 && result.data.code === "media_unavailable" && !withoutIds) {
          send(byHand, true);  // an upload expired on the server: send the kept files instead
          return;
        }
        if (result.status === 401 || result.status === 403) {
          if (byHand && config.authenticated !== null) { goSignIn(); return; }
          showOutbox(texts.signInToSend, { state: "sign-in", signIn: true });
          return;
        }
        if (result.status === 400 || result.status === 409) {
          // The server refused what was written: back to the form, with its messages.
          lock(false);
          hideOutbox();
          drafts.put(draftRecord());
          showErrors(result.data);
          return;
        }
        // 429, 5xx, a proxy's page: kept, and tried again later.
        var seconds = later();
        var message = result.status === 429 ? texts.rateLimited : OpenCity.format(texts.retrying, { seconds: seconds });
        showOutbox(message, { state: "waiting", retry: true });
      })
      .catch(function () {
        // No connection, or the answer was lost on the way: the same key makes the retry safe.
        sender.busy = false;
        if (!navigator.onLine) { showOutbox(texts.savedOffline, { state: "saved" }); return; }
        var seconds = later();
        showOutbox(OpenCity.format(texts.retrying, { seconds: seconds }), { state: "waiting", retry: true });
      });
  }

  window.addEventListener("online", function () { sender.attempt = 0; send(false); });
  window.addEventListener("offline", function () {
    if (state.queued && !sender.busy) { clearTimeout(sender.timer); showOutbox(texts.savedOffline, { state: "saved" }); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.queued && !sender.busy && navigator.onLine) { send(false); }
  });

  function confirm(issue) {
    lock(false);
    hideOutbox();
    state.key = null;
    panel.hidden = false;
    startButton.hidden = true;
    document.body.classList.add("reporting");
    form.hidden = true;
    done.hidden = false;
    var link = document.getElementById("done-ref");
    link.textContent = issue.ref;
    link.href = issue.url;
    var next = [];
    if (issue.executor) {
      next.push(format(texts.sentTo, { executor: issue.executor.name }));
      if (issue.response_due_text) { next.push(format(texts.answerBy, { when: issue.response_due_text })); }
    } else if (issue.held_for_confirmation) {
      next.push(texts.waitsConfirmation);
    } else {
      next.push(texts.waitsDispatcher);
    }
    document.getElementById("done-next").textContent = next.join(" ");
    var outage = document.getElementById("done-outage");
    outage.hidden = !issue.outage_notice;
    outage.textContent = issue.outage_notice || "";
    panel.dataset.ref = issue.ref;
    done.focus();
    if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
    state.point = null;
    state.media = [];
    mediaList.textContent = "";
    form.reset();
    if (OpenCity.refreshIssues) { OpenCity.refreshIssues(); }
  }

  // --- On opening the page: a draft kept on this device comes back ---------------------------------
  var params = new URLSearchParams(window.location.search);
  var notice = document.getElementById("offline-notice");
  drafts.all().then(function (list) {
    // Sent by the service worker while no page was open: show what it became, once.
    var sent = list.filter(function (d) { return d.status === "sent"; });
    list = list.filter(function (d) { return d.status !== "sent"; });
    if (sent.length) {
      sent.forEach(function (d) { drafts.remove(d.key); });
      confirm(sent[sent.length - 1].issue);
      panel.dataset.restored = "1";
      return;
    }
    var queued = list.filter(function (d) { return d.status === "queued"; });
    var editing = list.filter(function (d) { return d.status !== "queued" && hasContent(d); });
    var draft = queued[0] || editing[editing.length - 1];
    // One draft at a time: older unfinished ones (and empty ones) are forgotten.
    list.forEach(function (d) { if (d !== draft && d.status !== "queued") { drafts.remove(d.key); } });
    if (draft) {
      restoreDraft(draft);
      if (draft.status !== "queued") { whereStatus.textContent = draft.point ? texts.restored : ""; }
    } else if (params.get("report") === "1" || config.shell) {
      open();
    }
    panel.dataset.restored = "1";  // the page has looked for a kept draft (tests wait for it)
  });
  if (notice) {
    window.addEventListener("online", function () { notice.hidden = true; });
  }
})();
