/* Budget works and outages on the shared city map (static/js/map.js creates it).

   Exposes window.OpenCity.layers:
     budget(params)        -> {layer, ready}  budget projects from /api/v1/budget-projects/
     outages(params)       -> {layer, ready}  outages from /api/v1/outages/
     geometry(geojson, o)  -> L.GeoJSON        one object's geometry (detail pages)
     checkPoint(map, latlng, resultElement)   "is my address affected?" via /api/v1/outages/at/
   and wires itself to the page named in #layers-config ("budget", "outages", "budget-project",
   "outage"; none = the main map, which gets a layers control).

   Only two things of map.js are relied on: window.OpenCity.map and the "opencity:territory" map
   event (fired once the community boundary is drawn and the view fitted to it). Every text put
   on the map is escaped. */
(function () {
  "use strict";

  var OpenCity = (window.OpenCity = window.OpenCity || {});
  var configElement = document.getElementById("layers-config");
  if (!configElement || !window.L) { return; }
  var config = JSON.parse(configElement.textContent);
  var T = config.text;
  var locale = config.language === "en" ? "en-GB" : "uk-UA";

  function escapeHtml(value) {
    if (OpenCity.escapeHtml) { return OpenCity.escapeHtml(value); }
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  // Only our own relative links and https links (Prozorro) end up in an href.
  function safeUrl(value) {
    var url = String(value || "");
    return (/^\/(?!\/)/.test(url) || /^https:\/\//.test(url)) ? url : "#";
  }

  var money = new Intl.NumberFormat(locale, { style: "currency", currency: "UAH", maximumFractionDigits: 0 });
  var dateTime = new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: config.timeZone
  });
  var dateOnly = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

  function formatMoney(value) { return value == null ? "" : money.format(Number(value)); }
  function formatTime(iso) { return iso ? dateTime.format(new Date(iso)) : ""; }
  function formatDate(iso) { return iso ? dateOnly.format(new Date(iso + "T00:00:00Z")) : ""; }

  var BUDGET_COLOURS = { planned: "#5b6570", procurement: "#8a5300", in_progress: "#0b5394", done: "#1e7b34" };
  var OUTAGE_COLOURS = { water: "#1565c0", electricity: "#995c00", gas: "#c62828", heating: "#8e24aa" };

  function query(url, params) {
    var parts = [];
    Object.keys(params || {}).forEach(function (key) {
      var value = params[key];
      if (value === null || value === undefined || value === "") { return; }
      if (Array.isArray(value)) { value = value.join(","); }
      parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(value));
    });
    return parts.length ? url + "?" + parts.join("&") : url;
  }

  function getJSON(url, params) {
    return fetch(query(url, params), { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) { var error = new Error(body.detail || response.statusText); error.body = body; throw error; }
          return body;
        });
      });
  }

  // --- Budget -------------------------------------------------------------------------------

  // Our layers live in their own pane above the overlay pane, so the territory that map.js draws
  // (with a light fill when there is no base map) never covers them, whichever loads first.
  var PANE = "opencity-layers";

  function ensurePane(map) {
    if (!map.getPane(PANE)) { map.createPane(PANE).style.zIndex = 450; }
  }

  function isPoint(feature) {
    return feature.geometry && /Point$/.test(feature.geometry.type);
  }

  function budgetStyle(feature) {
    var colour = BUDGET_COLOURS[feature.properties.status] || "#5b6570";
    if (isPoint(feature)) {
      return { color: "#fff", weight: 2, opacity: 1, fillColor: colour, fillOpacity: 0.95 };
    }
    return { color: colour, weight: 5, opacity: 0.9, fillColor: colour, fillOpacity: 0.25 };
  }

  function budgetPopup(p) {
    var rows = [
      "<strong><a href=\"" + escapeHtml(safeUrl(p.url)) + "\">" + escapeHtml(p.title) + "</a></strong>",
      "<span class=\"badge status-" + escapeHtml(p.status) + "\">" + escapeHtml(p.status_label) + "</span> " +
        escapeHtml(p.sector_label),
      escapeHtml(T.planned) + ": " + escapeHtml(formatMoney(p.planned_amount)) + " · " +
        escapeHtml(T.spent) + ": " + escapeHtml(formatMoney(p.spent_amount))
    ];
    if (p.contractor) { rows.push(escapeHtml(T.contractor) + ": " + escapeHtml(p.contractor)); }
    if (p.start_date || p.end_date) {
      rows.push(escapeHtml(T.dates) + ": " + escapeHtml(formatDate(p.start_date) || "…") + " — " +
        escapeHtml(formatDate(p.end_date) || "…"));
    }
    if (p.prozorro_url) {
      rows.push(escapeHtml(T.tender) + ": <a href=\"" + escapeHtml(safeUrl(p.prozorro_url)) +
        "\" rel=\"noopener external\" target=\"_blank\">" + escapeHtml(p.prozorro_tender_id) + "</a>");
    }
    return "<div class=\"popup\">" + rows.join("<br>") + "</div>";
  }

  function budget(params) {
    var layer = L.geoJSON(null, {
      pane: PANE,
      style: budgetStyle,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({ radius: 8, pane: PANE }, budgetStyle(feature)));
      },
      onEachFeature: function (feature, item) {
        item.bindPopup(budgetPopup(feature.properties));
        item.bindTooltip(escapeHtml(feature.properties.title));
      }
    });
    var ready = getJSON(config.budgetUrl, params).then(function (data) { layer.addData(data); return data; });
    return { layer: layer, ready: ready };
  }

  // --- Outages ------------------------------------------------------------------------------

  function outageStyle(feature) {
    var p = feature.properties;
    var colour = OUTAGE_COLOURS[p.kind] || "#b3261e";
    var upcoming = p.state === "upcoming";
    return {
      color: colour, weight: upcoming ? 2 : 3, dashArray: upcoming ? "6 6" : null,
      fillColor: colour, fillOpacity: upcoming ? 0.08 : 0.25
    };
  }

  function outageLines(p) {
    var end = p.expected_end_at ? formatTime(p.expected_end_at) : T.unknown;
    var rows = [
      "<strong><a href=\"" + escapeHtml(safeUrl(p.url)) + "\">" + escapeHtml(p.title) + "</a></strong>",
      "<span class=\"badge state-" + escapeHtml(p.state) + "\">" +
        escapeHtml(p.state === "upcoming" ? T.upcoming : T.activeNow) + "</span>",
      escapeHtml(T.starts) + ": " + escapeHtml(formatTime(p.starts_at)),
      escapeHtml(T.expectedEnd) + ": " + escapeHtml(end)
    ];
    if (p.overdue) { rows.push("<strong class=\"overdue\">" + escapeHtml(T.overdue) + "</strong>"); }
    if (p.affected_streets) {
      rows.push(escapeHtml(T.streets) + ": " + escapeHtml(p.affected_streets).replace(/\r?\n/g, "<br>"));
    }
    var provider = p.provider || {};
    var phone = provider.phone
      ? ", <a href=\"tel:" + escapeHtml(String(provider.phone).replace(/[^0-9+]/g, "")) + "\">" + escapeHtml(provider.phone) + "</a>"
      : "";
    rows.push(escapeHtml(T.provider) + ": " + escapeHtml(provider.name) + phone);
    return rows;
  }

  // options.popups = false: zones show a tooltip only (the outages page answers a tap in its panel).
  function outages(params, options) {
    var popups = !options || options.popups !== false;
    var layer = L.geoJSON(null, {
      pane: PANE,
      style: outageStyle,
      onEachFeature: function (feature, item) {
        if (popups) {
          item.bindPopup("<div class=\"popup\">" + outageLines(feature.properties).join("<br>") + "</div>");
        } else {
          item.bindTooltip(escapeHtml(feature.properties.title), { sticky: true });
        }
      }
    });
    var ready = getJSON(config.outagesUrl, params).then(function (data) { layer.addData(data); return data; });
    return { layer: layer, ready: ready };
  }

  // --- "Is my address affected?" ------------------------------------------------------------

  var chosenMarker = null;

  function renderAnswer(data) {
    if (!data.features.length) {
      return "<p class=\"answer none\">" + escapeHtml(T.noOutages) + "</p>";
    }
    var items = data.features.map(function (feature) {
      return "<li class=\"answer-item kind-" + escapeHtml(feature.properties.kind) + "\" data-outage-id=\"" +
        escapeHtml(feature.properties.id) + "\">" + outageLines(feature.properties).join("<br>") + "</li>";
    });
    return "<p class=\"answer affected\"><strong>" + escapeHtml(T.affected) + "</strong></p><ul class=\"answer-list\">" +
      items.join("") + "</ul>";
  }

  // On a phone the answer is under the map: bring it into view once it is there.
  function revealBelowTheMap(element) {
    var box = element.getBoundingClientRect();
    if (box.top > window.innerHeight - 80 && element.scrollIntoView) {
      element.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  }

  function checkPoint(map, latlng, resultElement) {
    if (chosenMarker) { chosenMarker.setLatLng(latlng); } else {
      ensurePane(map);
      chosenMarker = L.circleMarker(latlng, {
        radius: 9, color: "#1d232a", weight: 3, fillColor: "#ffd500", fillOpacity: 1, pane: PANE, interactive: false
      })
        .bindTooltip(escapeHtml(T.chosenPoint)).addTo(map);
    }
    resultElement.innerHTML = "<p>" + escapeHtml(T.checking) + "</p>";
    resultElement.dataset.state = "checking";
    var point = { lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6) };
    return getJSON(config.outagesAtUrl, point).then(function (data) {
      resultElement.innerHTML = renderAnswer(data);
      resultElement.dataset.state = data.features.length ? "affected" : "none";
      revealBelowTheMap(resultElement);
      return data;
    }).catch(function (error) {
      var message = (error.body && error.body.detail) || T.checkFailed;
      resultElement.innerHTML = "<p class=\"answer error\">" + escapeHtml(message) + "</p>";
      resultElement.dataset.state = "error";
    });
  }

  function geometry(geojson, style) {
    return L.geoJSON(geojson, {
      pane: PANE,
      style: function () { return style; },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 10, color: "#fff", weight: 2, fillColor: style.color, fillOpacity: 0.95, pane: PANE
        });
      }
    });
  }

  // A small key to the colours, as a map control (bottom left, out of the way of the zoom buttons).
  function legend(map, entries, extra) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var element = L.DomUtil.create("div", "map-legend");
      var items = Object.keys(entries.labels).map(function (key) {
        return "<li><span class=\"swatch\" data-colour=\"" + escapeHtml(entries.colours[key] || "#5b6570") +
          "\"></span>" + escapeHtml(entries.labels[key]) + "</li>";
      });
      if (extra) { items.push("<li><span class=\"swatch dashed\"></span>" + escapeHtml(extra) + "</li>"); }
      // Folded on phones, where the map is small; open on wider screens.
      var open = window.matchMedia("(min-width: 40rem)").matches ? " open" : "";
      element.innerHTML = "<details" + open + "><summary>" + escapeHtml(T.legend) + "</summary><ul>" +
        items.join("") + "</ul></details>";
      // Colours through the DOM, not style attributes (which the Content-Security-Policy refuses).
      element.querySelectorAll(".swatch[data-colour]").forEach(function (swatch) {
        swatch.style.background = swatch.dataset.colour;
      });
      L.DomEvent.disableClickPropagation(element);
      return element;
    };
    return control.addTo(map);
  }

  OpenCity.layers = {
    budget: budget, outages: outages, geometry: geometry, checkPoint: checkPoint, ensurePane: ensurePane,
    legend: legend,
    budgetColours: BUDGET_COLOURS, outageColours: OUTAGE_COLOURS
  };

  // --- Pages ----------------------------------------------------------------------------------

  var map = OpenCity.map;
  if (!map) { return; }
  ensurePane(map);
  var mapElement = map.getContainer();

  // Run after map.js has drawn the territory and fitted the view, so our own fit wins.
  function afterTerritory(callback) {
    if (mapElement.dataset.loaded === "territory") { callback(); } else { map.once("opencity:territory", callback); }
  }

  function fitTo(layer, maxZoom) {
    var bounds = layer.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: maxZoom || 16, animate: false }); }
  }

  function loaded(name, data) { mapElement.dataset[name] = String(data.features.length); }

  function initMainMap() {
    var outagesLayer = outages({});
    var budgetLayer = null;
    var budgetGroup = L.layerGroup();
    outagesLayer.layer.addTo(map);
    outagesLayer.ready.then(function (data) { loaded("outages", data); });
    var overlays = {};
    overlays[escapeHtml(T.outagesLayer)] = outagesLayer.layer;
    overlays[escapeHtml(T.budgetLayer) + " " + escapeHtml(config.year)] = budgetGroup;
    L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 40rem)").matches }).addTo(map);
    // The budget layer loads the first time someone turns it on.
    map.on("overlayadd", function (event) {
      if (event.layer === budgetGroup && !budgetLayer) {
        budgetLayer = budget({ year: config.year });
        budgetGroup.addLayer(budgetLayer.layer);
        budgetLayer.ready.then(function (data) { loaded("budget", data); });
      }
    });
  }

  function initBudgetPage() {
    var layer = budget(config.filters);
    layer.layer.addTo(map);
    legend(map, { labels: config.labels.status, colours: BUDGET_COLOURS });
    layer.ready.then(function (data) {
      loaded("budget", data);
      afterTerritory(function () { fitTo(layer.layer, 15); });
    });
  }

  function initOutagesPage() {
    var layer = outages({}, { popups: false });
    layer.layer.addTo(map);
    legend(map, { labels: config.labels.kind, colours: OUTAGE_COLOURS }, T.upcomingDashed);
    layer.ready.then(function (data) {
      loaded("outages", data);
      // Zones are small next to the whole community: show them, not the empty fields around.
      if (data.features.length) { afterTerritory(function () { fitTo(layer.layer, 15); }); }
    });
    var result = document.getElementById("outage-check-result");
    // A tap anywhere on the map, whatever is drawn there: Leaflet's own "click" reaches the map
    // only where no layer is (and the territory and the zones cover the whole community).
    L.DomEvent.on(mapElement, "click", function (event) {
      if (event.target.closest && event.target.closest(".leaflet-control, .leaflet-popup")) { return; }
      if (map.dragging && map.dragging.moved()) { return; }  // the end of a pan, not a tap
      checkPoint(map, map.mouseEventToLatLng(event), result);
    });
    document.getElementById("check-centre").addEventListener("click", function () {
      checkPoint(map, map.getCenter(), result);
    });
    var locate = document.getElementById("check-location");
    if (!navigator.geolocation) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      result.innerHTML = "<p>" + escapeHtml(T.locating) + "</p>";
      navigator.geolocation.getCurrentPosition(function (position) {
        var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 16));
        checkPoint(map, latlng, result);
      }, function () {
        result.innerHTML = "<p class=\"answer error\">" + escapeHtml(T.locationFailed) + "</p>";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
    initStreetFilter();
  }

  // Residents know their street better than the map: filter the list by what they type.
  function initStreetFilter() {
    var input = document.getElementById("street-filter");
    var empty = document.getElementById("street-filter-empty");
    if (!input) { return; }
    var items = Array.prototype.slice.call(document.querySelectorAll(".outage-item"));
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var match = !needle || item.dataset.search.indexOf(needle) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      empty.hidden = !(needle && shown === 0);
    });
  }

  function initDetail(style) {
    var element = document.getElementById("layer-geometry");
    if (!element) { return; }
    var layer = geometry(JSON.parse(element.textContent), style).addTo(map);
    mapElement.dataset.geometry = "shown";
    afterTerritory(function () { fitTo(layer, 17); });
  }

  var page = config.page;
  if (page === "budget") {
    initBudgetPage();
  } else if (page === "outages") {
    initOutagesPage();
  } else if (page === "budget-project") {
    var colour = BUDGET_COLOURS[config.status] || "#0b5394";
    initDetail({ color: colour, weight: 6, fillColor: colour, fillOpacity: 0.3 });
  } else if (page === "outage") {
    var kindColour = OUTAGE_COLOURS[config.kind] || "#b3261e";
    initDetail({ color: kindColour, weight: 3, fillColor: kindColour, fillOpacity: 0.25 });
  } else {
    initMainMap();
  }
})();
