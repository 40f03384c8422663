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

  // At a zoom below config.pinsZoom the map shows the issues counted per cell (PostGIS groups every
  // matching issue into a grid, GET /api/v1/issues/cells/); from it on, each one as a pin. A view
  // with more pins than config.pinsLimit is drawn as cells too: nothing is ever left off the map.
  var cellsLayer = L.featureGroup().addTo(map);
  var mapNode = document.getElementById("map");
  var openAfterLoad = null; // a pin chosen in the list while the map showed cells
  var nextPage = null; // the side list's cursor (`after`) when there is more

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
        marker.openPopup();
      } else {
        // The map shows cells here: zoom to the pin, and open it once the pins are drawn.
        var c = feature.geometry.coordinates;
        openAfterLoad = p.ref;
        map.setView([c[1], c[0]], Math.max(config.pinsZoom, Math.ceil(map.getZoom())));
      }
    });
    item.appendChild(button);
    return item;
  }

  // The filters, shared by the pins, the cells and the list: the same API filters at every zoom.
  function filterParams() {
    var b = map.getBounds();
    var params = new URLSearchParams();
    params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) { return n.toFixed(6); }).join(","));
    if (filters) {
      var data = new FormData(filters);
      ["group", "category", "status", "district"].forEach(function (name) { if (data.get(name)) { params.set(name, data.get(name)); } });
      if (data.get("overdue")) { params.set("overdue", "true"); }
      if (data.get("mine")) { params.set("mine", "true"); }
    }
    return params;
  }

  function pinsUrl(params, limit, after) {
    var query = new URLSearchParams(params);
    query.set("view", "pins");
    query.set("limit", String(limit));
    if (after) { query.set("after", after); }
    return config.issuesUrl + "?" + query.toString();
  }

  function cellsUrl(params) {
    var query = new URLSearchParams(params);
    query.set("zoom", String(Math.floor(map.getZoom())));
    return config.cellsUrl + "?" + query.toString();
  }

  function pinIcon(p) {
    return L.divIcon({
      className: "issue-pin" + (p.overdue ? " issue-pin-overdue" : ""),
      html: statusMark(p.status, "pin-mark").outerHTML,
      iconSize: [24, 24]
    });
  }

  // The pins are updated in place: a pin still in view keeps its marker, so a pop-up open on it
  // stays open (and is not faded out and opened again) when the map moves or the pins are redrawn.
  function renderPins(collection) {
    cellsLayer.clearLayers();
    var seen = {};
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var p = feature.properties;
      seen[p.ref] = true;
      var marker = markersByRef[p.ref];
      if (marker) {
        var before = marker.feature.properties;
        if (before.status !== p.status || before.overdue !== p.overdue) { marker.setIcon(pinIcon(p)); }
        marker.feature = feature;
        return;
      }
      // Not in the Tab order (the list beside the map is the keyboard's way to every pin).
      marker = L.marker([c[1], c[0]], {
        icon: pinIcon(p),
        keyboard: false,
        title: p.category_name + " — " + (texts.statuses[p.status] || p.status) + (p.overdue ? " — " + texts.overdue : "")
      }).bindPopup(pendingHtml(p, texts.detailsLoading, false), { maxWidth: 260 });
      marker.feature = feature;
      marker.on("popupopen", function () { loadDetails(marker); });
      marker.addTo(issuesLayer);
      markersByRef[p.ref] = marker;
    });
    Object.keys(markersByRef).forEach(function (ref) {
      if (!seen[ref]) {
        issuesLayer.removeLayer(markersByRef[ref]);
        delete markersByRef[ref];
      }
    });
    if (openAfterLoad && markersByRef[openAfterLoad]) { markersByRef[openAfterLoad].openPopup(); }
    openAfterLoad = null;
  }

  // A cell: a circle sized by its count, labelled with it, coloured by the share that is overdue
  // (four steps, .issue-cell-late-0 … -3 in opencity.css; the count is the label, the colour an extra).
  function cellMarker(feature) {
    var p = feature.properties;
    var c = feature.geometry.coordinates;
    var size = Math.round(28 + 8 * Math.log10(p.count) * 2);
    var share = p.overdue / p.count;
    var late = p.overdue === 0 ? 0 : share < 0.1 ? 1 : share < 0.34 ? 2 : 3;
    var label = document.createElement("span");
    label.className = "issue-cell-count";
    label.textContent = String(p.count);
    var marker = L.marker([c[1], c[0]], {
      icon: L.divIcon({ className: "issue-cell issue-cell-late-" + late, html: label.outerHTML, iconSize: [size, size] }),
      keyboard: false,
      title: format(texts.cell, { count: p.count, open: p.open, overdue: p.overdue })
    });
    marker.cell = p;
    // A cell opens up when chosen: two zoom steps in, centred on its issues.
    marker.on("click", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, config.pinsZoom)); });
    return marker;
  }

  function renderCells(data) {
    issuesLayer.clearLayers();
    markersByRef = {};
    cellsLayer.clearLayers();
    data.features.forEach(function (feature) { cellMarker(feature).addTo(cellsLayer); });
  }

  function renderList(collection, append) {
    if (!append) { list.textContent = ""; }
    var more = document.getElementById("issue-list-more");
    if (more) { more.remove(); }
    var first = null;
    collection.features.forEach(function (feature) {
      var item = listItem(feature);
      first = first || item;
      list.appendChild(item);
    });
    nextPage = collection.next || null;
    if (nextPage) {
      var item = document.createElement("li");
      item.id = "issue-list-more";
      item.className = "issue-list-more";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = texts.moreIssues;
      button.addEventListener("click", morePage);
      item.appendChild(button);
      list.appendChild(item);
    }
    return first;
  }

  function morePage() {
    if (!nextPage) { return; }
    fetch(pinsUrl(filterParams(), config.listPage, nextPage), { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (collection) {
        if (!collection) { return; }
        var first = renderList(collection, true);
        // The button is gone: the keyboard goes on from the first issue it brought.
        if (first) { first.querySelector("button").focus(); }
      });
  }

  function getJson(url, signal) {
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin", signal: signal })
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  // The map (pins or cells) and the first page of the list, for the view and the filters.
  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    var signal = pending.signal;
    var params = filterParams();
    var onMap;
    if (map.getZoom() >= config.pinsZoom) {
      onMap = getJson(pinsUrl(params, config.pinsLimit), signal).then(function (pins) {
        if (!pins) { return null; }
        if (!pins.truncated) { return { view: "pins", pins: pins, total: pins.count }; }
        return getJson(cellsUrl(params), signal).then(function (data) {
          return data && { view: "cells", cells: data, total: data.total, crowded: true };
        });
      });
    } else {
      onMap = getJson(cellsUrl(params), signal).then(function (data) {
        return data && { view: "cells", cells: data, total: data.total };
      });
    }
    var onList = getJson(pinsUrl(params, config.listPage), signal);
    return Promise.all([onMap, onList])
      .then(function (answers) {
        var shown = answers[0];
        var page = answers[1];
        if (!shown || !page) { return; }
        if (shown.view === "pins") { renderPins(shown.pins); } else { renderCells(shown.cells); }
        renderList(page, false);
        countBadge.textContent = String(shown.total);
        if (shown.crowded) {
          notice.textContent = format(texts.crowded, { count: shown.total });
          notice.hidden = false;
        } else if (!shown.total) {
          notice.textContent = texts.empty;
          notice.hidden = false;
        } else {
          notice.hidden = true;
        }
        // What the tests and assistive checks wait on: how many issues, drawn how.
        mapNode.dataset.view = shown.view;
        mapNode.dataset.issues = String(shown.total);
      })
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

  if (mapNode.dataset.loaded === "territory") { refresh(); } else { map.once("opencity:territory", refresh); }
})();
