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

  function popupHtml(p) {
    var date = new Date(p.created_at);
    return (
      '<div class="popup">' +
      '<p class="popup-category">' + escapeHtml(p.category_name) + "</p>" +
      (p.thumbnail_url ? '<img class="popup-photo" src="' + escapeHtml(p.thumbnail_url) + '" alt="">' : "") +
      '<p class="popup-title">' + escapeHtml(p.title) + "</p>" +
      '<p><span class="status status-' + escapeHtml(p.status) + '">' + escapeHtml(texts.statuses[p.status] || p.status) + "</span> " +
      '<span class="muted">' + escapeHtml(date.toLocaleDateString(document.documentElement.lang)) + "</span></p>" +
      (p.support_count ? '<p class="muted">' + escapeHtml(texts.supporters) + ": " + escapeHtml(p.support_count) + "</p>" : "") +
      '<p><a href="' + escapeHtml(p.url) + '">' + escapeHtml(texts.open) + " " + escapeHtml(p.ref) + "</a></p>" +
      "</div>"
    );
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
    meta.textContent = (texts.statuses[p.status] || p.status) + " · " + p.ref + (p.address ? " · " + p.address : "");
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
    if (filters) {
      var data = new FormData(filters);
      ["group", "status"].forEach(function (name) { if (data.get(name)) { params.set(name, data.get(name)); } });
      if (data.get("mine")) { params.set("mine", "true"); }
    }
    return config.issuesUrl + "?" + params.toString();
  }

  function render(collection) {
    issuesLayer.clearLayers();
    markersByRef = {};
    list.textContent = "";
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var p = feature.properties;
      // Not in the Tab order (the list beside the map is the keyboard's way to every pin).
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({ className: "issue-pin", html: statusMark(p.status, "pin-mark").outerHTML, iconSize: [24, 24] }),
        keyboard: false,
        title: p.category_name + " — " + (texts.statuses[p.status] || p.status)
      }).bindPopup(popupHtml(p), { maxWidth: 260 });
      marker.feature = feature;
      marker.addTo(issuesLayer);
      markersByRef[p.ref] = marker;
      list.appendChild(listItem(feature));
    });
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
