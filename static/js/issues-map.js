/* The issues on the city map: markers coloured by status with escaped pop-ups, the filters, and a
   list of what is in view that follows the map. Loaded after map.js on the map page. */
(function () {
  "use strict";

  var OpenCity = window.OpenCity;
  var map = OpenCity.map;
  var config = OpenCity.config;
  var escapeHtml = OpenCity.escapeHtml;
  var format = OpenCity.format;
  var texts = JSON.parse(document.getElementById("map-texts").textContent);
  OpenCity.texts = texts;

  // A status is never told by colour alone: each pin and list dot also carries a mark (and the
  // pin its status in words as its title); the colours are in opencity.css (.status-mark-*).
  var STATUS_MARKS = {
    new: "?", assigned: "!", in_progress: "…", planned: "‖",
    resolved: "✓", closed: "✓", rejected: "✕", duplicate: "="
  };
  function statusMark(status, className) {
    var mark = document.createElement("span");
    mark.className = className + " status-mark-" + (STATUS_MARKS[status] ? status : "other");
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = STATUS_MARKS[status] || "•";
    return mark;
  }

  // --- Issues --------------------------------------------------------------------------------
  var issuesLayer = L.featureGroup().addTo(map);
  var markersByRef = {};
  var list = document.getElementById("issue-list");
  var countBadge = document.getElementById("issue-count");
  var notice = document.getElementById("map-notice");
  var filters = document.getElementById("map-filters");
  var pending = null;

  // The pins carry only what the map and the list show (`view=pins`); a pin's pop-up fetches the
  // issue's details from the issue API when it is opened, once per issue and page.
  var details = {};
  var loading = {};

  function detailUrl(ref) {
    return config.issuesUrl + encodeURIComponent(ref) + "/";
  }

  // The first report picture, as the full layer's thumbnail_url chose it: a photo before a video.
  function thumbnail(media) {
    var shown = (media || []).filter(function (m) { return m.role === "report" && m.status !== "failed"; });
    var photo = shown.filter(function (m) { return m.kind === "photo"; })[0] || shown[0];
    return photo ? photo.thumbnail_url || photo.poster_url : null;
  }

  function popupHtml(p) {
    var date = new Date(p.created_at);
    var picture = thumbnail(p.media);
    var title = p.description.length > 140 ? p.description.slice(0, 140) : p.description;
    return (
      '<div class="popup">' +
      '<p class="popup-category">' + escapeHtml(p.category_name) + "</p>" +
      (picture ? '<img class="popup-photo" src="' + escapeHtml(picture) + '" alt="">' : "") +
      '<p class="popup-title">' + escapeHtml(title) + "</p>" +
      '<p><span class="status status-' + escapeHtml(p.status) + '">' + escapeHtml(texts.statuses[p.status] || p.status) + "</span> " +
      '<span class="muted">' + escapeHtml(date.toLocaleDateString(document.documentElement.lang)) + "</span></p>" +
      (p.support_count ? '<p class="muted">' + escapeHtml(texts.supporters) + ": " + escapeHtml(p.support_count) + "</p>" : "") +
      '<p><a href="' + escapeHtml(p.url) + '">' + escapeHtml(texts.open) + " " + escapeHtml(p.ref) + "</a></p>" +
      "</div>"
    );
  }

  // What a pin's pop-up shows before its details arrive: what the pin knows, and a status line.
  function pendingHtml(p, message, failed) {
    return (
      '<div class="popup" aria-busy="' + (failed ? "false" : "true") + '">' +
      '<p class="popup-category">' + escapeHtml(p.category_name) + "</p>" +
      '<p class="popup-title">' + escapeHtml(p.title) + "</p>" +
      '<p class="' + (failed ? "popup-error" : "popup-loading muted") + '" role="' + (failed ? "alert" : "status") + '">' +
      escapeHtml(message) + "</p>" +
      (failed ? '<p><button type="button" class="popup-retry">' + escapeHtml(texts.retry) + "</button></p>" : "") +
      '<p><a href="' + escapeHtml("/issues/" + encodeURIComponent(p.ref) + "/") + '">' + escapeHtml(texts.open) + " " + escapeHtml(p.ref) + "</a></p>" +
      "</div>"
    );
  }

  // One request per issue at a time, even when the pins are redrawn while it is on its way.
  function fetchDetails(ref) {
    if (!loading[ref]) {
      loading[ref] = fetch(detailUrl(ref), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (issue) { details[ref] = issue; return issue; })
        .finally(function () { delete loading[ref]; });
    }
    return loading[ref];
  }

  function loadDetails(marker) {
    var p = marker.feature.properties;
    if (details[p.ref]) {
      marker.setPopupContent(popupHtml(details[p.ref]));
      return;
    }
    marker.setPopupContent(pendingHtml(p, texts.detailsLoading, false));
    fetchDetails(p.ref)
      .then(function (issue) { marker.setPopupContent(popupHtml(issue)); })
      .catch(function () {
        marker.setPopupContent(pendingHtml(p, texts.detailsFailed, true));
        var popup = marker.isPopupOpen() && marker.getPopup().getElement();
        var retry = popup && popup.querySelector(".popup-retry");
        if (retry) {
          // Stopped here: the button is gone once the content changes, and Leaflet would take a
          // click from outside the pop-up as one on the map, which closes the pop-up.
          retry.addEventListener("click", function (event) { event.stopPropagation(); loadDetails(marker); });
          retry.focus();
        }
      });
  }

  function listItem(feature) {
    var p = feature.properties;
    var item = document.createElement("li");
    item.className = "issue-list-item";
    item.dataset.ref = p.ref;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "issue-list-button";
    var dot = statusMark(p.status, "dot");
    var title = document.createElement("span");
    title.className = "issue-list-title";
    title.textContent = p.category_name;
    var meta = document.createElement("span");
    meta.className = "muted issue-list-meta";
    meta.textContent = (texts.statuses[p.status] || p.status) + (p.overdue ? " · " + texts.overdue : "") + " · " + p.ref + (p.address ? " · " + p.address : "");
    var text = document.createElement("span");
    text.className = "issue-list-text";
    text.textContent = p.title;
    button.append(dot, title, meta, text);
    button.addEventListener("click", function () {
      var marker = markersByRef[p.ref];
      if (marker) {
        map.panTo(marker.getLatLng());
        marker.openPopup();
      }
    });
    item.appendChild(button);
    return item;
  }

  function query() {
    var b = map.getBounds();
    var params = new URLSearchParams();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) { return n.toFixed(6); }).join(","));
    params.set("limit", String(config.listLimit));
    params.set("view", "pins");
    if (filters) {
      var data = new FormData(filters);
      ["group", "status"].forEach(function (name) { if (data.get(name)) { params.set(name, data.get(name)); } });
      if (data.get("mine")) { params.set("mine", "true"); }
    }
    return config.issuesUrl + "?" + params.toString();
  }

  function render(collection) {
    // A pop-up open when the map moved (its own auto-pan moves it too) stays open on the new pins.
    var openRef = null;
    issuesLayer.eachLayer(function (marker) { if (marker.isPopupOpen()) { openRef = marker.feature.properties.ref; } });
    issuesLayer.clearLayers();
    markersByRef = {};
    list.textContent = "";
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var p = feature.properties;
      // Not in the Tab order (the list beside the map is the keyboard's way to every pin).
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({
          className: "issue-pin" + (p.overdue ? " issue-pin-overdue" : ""),
          html: statusMark(p.status, "pin-mark").outerHTML,
          iconSize: [24, 24]
        }),
        keyboard: false,
        title: p.category_name + " — " + (texts.statuses[p.status] || p.status) + (p.overdue ? " — " + texts.overdue : "")
      }).bindPopup(pendingHtml(p, texts.detailsLoading, false), { maxWidth: 260 });
      marker.feature = feature;
      marker.on("popupopen", function () { loadDetails(marker); });
      marker.addTo(issuesLayer);
      markersByRef[p.ref] = marker;
      list.appendChild(listItem(feature));
    });
    if (openRef && markersByRef[openRef]) { markersByRef[openRef].openPopup(); }
    countBadge.textContent = String(collection.count);
    if (collection.truncated) {
      notice.textContent = format(texts.truncated, { count: collection.count });
      notice.hidden = false;
    } else if (!collection.features.length) {
      notice.textContent = texts.empty;
      notice.hidden = false;
    } else {
      notice.hidden = true;
    }
    document.getElementById("map").dataset.issues = String(collection.count);
  }

  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    return fetch(query(), { headers: { Accept: "application/geo+json" }, credentials: "same-origin", signal: pending.signal })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) { if (collection) { render(collection); } })
      .catch(function (error) { if (error.name !== "AbortError") { throw error; } });
  }
  OpenCity.refreshIssues = refresh;

  var timer = null;
  map.on("moveend", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
  if (filters) {
    filters.addEventListener("change", refresh);
    filters.addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  }

  if (document.getElementById("map").dataset.loaded === "territory") { refresh(); } else { map.once("opencity:territory", refresh); }
})();
