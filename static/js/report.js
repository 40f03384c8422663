/* The report flow on the map page: put the pin, choose a category (with nearby duplicates offered),
   describe, add photos or a video, send. What the citizen typed is kept in sessionStorage across
   signing in. Uploads start as soon as files are chosen (POST /api/v1/media/), so sending is quick
   on a phone; a photo that knows where it was taken places the pin. */
(function () {
  "use strict";

  var OpenCity = window.OpenCity;
  var map = OpenCity.map;
  var config = OpenCity.config;
  var texts = OpenCity.texts;
  var format = OpenCity.format;
  var DRAFT_KEY = "opencity.report-draft";

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

  var state = { point: null, marker: null, media: [], key: null, active: false };

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
    if (state.active) { setPoint(event.latlng); }
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
      });
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
      state.media = state.media.filter(function (other) { return other !== entry; });
      item.remove();
      saveDraft();
    });
    item.append(name, status, remove);
    entry.row = item;
    entry.statusNode = status;
    return item;
  }

  fileInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(fileInput.files);
    fileInput.value = "";
    clearErrors();
    if (!config.authenticated) { saveDraft(); goSignIn(); return; }
    if (state.media.length + files.length > 5) { showError("media", texts.tooManyPhotos); return; }
    files.forEach(function (file) {
      var entry = { name: file.name, id: null, kind: null };
      state.media.push(entry);
      mediaList.appendChild(mediaRow(entry));
      var body = new FormData();
      body.append("file", file);
      fetch(config.mediaUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
        .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
        .then(function (result) {
          if (!result.ok) {
            entry.failed = true;
            entry.statusNode.textContent = ((result.data.fields && (result.data.fields.file || [])[0]) || result.data.detail || texts.uploadFailed);
            entry.row.classList.add("failed");
            return;
          }
          entry.id = result.data.id;
          entry.kind = result.data.kind;
          entry.statusNode.textContent = texts.uploaded;
          // The preview is the person's own file: stored uploads are only served through the
          // checking view once attached to a visible issue (never straight from /media/).
          if (result.data.kind === "photo" && window.URL && URL.createObjectURL) {
            var thumb = document.createElement("img");
            thumb.src = URL.createObjectURL(file);
            thumb.alt = "";
            thumb.className = "media-thumb";
            entry.row.prepend(thumb);
          }
          if (result.data.gps) { offerPhotoLocation(result.data.gps); }
          saveDraft();
        })
        .catch(function () { entry.failed = true; entry.statusNode.textContent = texts.uploadFailed; });
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

  // --- Keeping what was typed across signing in ----------------------------------------------
  function saveDraft() {
    if (!state.active) { return; }
    var category = chosenCategory();
    var draft = {
      key: state.key,
      point: state.point,
      category: category ? category.value : "",
      description: form.elements.description.value,
      address: form.elements.address.value,
      media: state.media.filter(function (m) { return m.id; }).map(function (m) { return { id: m.id, name: m.name, kind: m.kind }; })
    };
    try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft)); } catch (error) { /* private mode: nothing to keep */ }
  }

  function restoreDraft() {
    var raw = null;
    try { raw = sessionStorage.getItem(DRAFT_KEY); } catch (error) { return false; }
    if (!raw) { return false; }
    var draft = JSON.parse(raw);
    open();
    state.key = draft.key || newKey();
    if (draft.category) {
      var radio = form.querySelector('input[name="category"][value="' + CSS.escape(draft.category) + '"]');
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change")); }
    }
    form.elements.description.value = draft.description || "";
    form.elements.address.value = draft.address || "";
    (draft.media || []).forEach(function (m) {
      var entry = { id: m.id, name: m.name, kind: m.kind };
      state.media.push(entry);
      mediaList.appendChild(mediaRow(entry));
      entry.statusNode.textContent = texts.uploaded;
    });
    if (draft.point) {
      var latlng = L.latLng(draft.point.lat, draft.point.lng);
      OpenCity.keepView = true;
      map.setView(latlng, 17);
      setPoint(latlng);
    }
    return true;
  }

  function goSignIn() {
    saveDraft();
    var next = window.location.pathname + "?report=1";
    window.location.href = config.loginUrl + "?next=" + encodeURIComponent(next);
  }

  // --- Opening, sending, confirming ------------------------------------------------------------
  function open() {
    state.active = true;
    state.key = state.key || newKey();
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
    if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
    state.point = null;
    delete panel.dataset.point;
    whereStatus.textContent = "";
    setTimeout(function () { map.invalidateSize(); }, 0);
  }

  function reset() {
    form.reset();
    state.point = null;
    state.media = [];
    state.key = newKey();
    mediaList.textContent = "";
    nearbyBox.hidden = true;
    urgent.hidden = true;
    showQuestions("");
    whereStatus.textContent = "";
    clearErrors();
    try { sessionStorage.removeItem(DRAFT_KEY); } catch (error) { /* nothing kept */ }
  }

  startButton.addEventListener("click", open);
  document.getElementById("report-close").addEventListener("click", close);
  document.getElementById("report-again").addEventListener("click", function () {
    if (state.marker) { map.removeLayer(state.marker); state.marker = null; }
    reset();
    open();
  });
  form.addEventListener("input", saveDraft);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var category = chosenCategory();
    var problems = 0;
    if (!state.point) { showError("location", texts.choosePoint); problems += 1; }
    if (!category) { showError("category", texts.chooseCategory); problems += 1; }
    if (!form.elements.description.value.trim()) { showError("description", texts.describe); problems += 1; }
    var ready = state.media.filter(function (m) { return m.id && !m.failed; });
    if (category && category.dataset.photoRequired === "1" && !ready.some(function (m) { return m.kind === "photo"; })) {
      showError("media", texts.photoRequired); problems += 1;
    }
    if (problems) { return; }
    if (!config.authenticated) { showError("non_field_errors", texts.signInFirst); goSignIn(); return; }
    submit.disabled = true;
    submit.textContent = texts.sending;
    var body = {
      category: category.value,
      description: form.elements.description.value,
      address: form.elements.address.value,
      location: { type: "Point", coordinates: [Number(state.point.lng.toFixed(7)), Number(state.point.lat.toFixed(7))] },
      media: ready.map(function (m) { return m.id; }),
      attributes: answers()
    };
    fetch(config.issuesUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Idempotency-Key": state.key },
      body: JSON.stringify(body)
    })
      .then(function (response) { return response.json().then(function (data) { return { status: response.status, data: data }; }); })
      .then(function (result) {
        submit.disabled = false;
        submit.textContent = submit.dataset.label;
        if (result.status === 201 || result.status === 200) { confirm(result.data); return; }
        if (result.status === 401 || result.status === 403) { goSignIn(); return; }
        if (result.status === 429) { showError("non_field_errors", texts.rateLimited); return; }
        showErrors(result.data);
      })
      .catch(function () {
        submit.disabled = false;
        submit.textContent = submit.dataset.label;
        showError("non_field_errors", texts.failed);
      });
  });
  submit.dataset.label = submit.textContent;

  function confirm(issue) {
    try { sessionStorage.removeItem(DRAFT_KEY); } catch (error) { /* nothing kept */ }
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
    OpenCity.refreshIssues();
  }

  var params = new URLSearchParams(window.location.search);
  if (!restoreDraft() && params.get("report") === "1") { open(); }
})();
