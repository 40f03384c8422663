/* The shared city map: Leaflet, the base tiles (when configured), the community boundary and its
   districts. Pages add their layers on top: issues-map.js (the issues, the list, the filters),
   layers.js (budget works, outages), report.js (the report flow). They rely on window.OpenCity
   (map, config, escapeHtml, format) and on the "opencity:territory" map event. Every text placed
   into the page goes through escapeHtml or textContent: much of it is written by the public. */
(function () {
  "use strict";

  var OpenCity = (window.OpenCity = window.OpenCity || {});

  function escapeHtml(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  function format(template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }
  OpenCity.escapeHtml = escapeHtml;
  OpenCity.format = format;

  var config = JSON.parse(document.getElementById("map-config").textContent);
  OpenCity.config = config;

  var map = L.map("map", { zoomControl: true, zoomSnap: 0.25 }).setView(config.center, config.zoom);
  OpenCity.map = map;
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }

  // --- The community and its districts -----------------------------------------------------
  var territory = L.geoJSON(null, {
    interactive: false,
    style: function (feature) {
      if (feature.properties.layer === "boundary") {
        // Without a base map the territory itself is the background: a light fill.
        return { color: "#0b5394", weight: 3, fillColor: "#ffffff", fillOpacity: config.tileUrl ? 0 : 0.85 };
      }
      return { color: "#6a8caf", weight: 1, dashArray: "4 4", fillColor: "#0b5394", fillOpacity: 0.03 };
    }
  }).addTo(map);

  fetch(config.territoryUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      territory.addData(data);
      var bounds = territory.getBounds();
      if (bounds.isValid() && !OpenCity.keepView) { map.fitBounds(bounds, { padding: [8, 8], animate: false }); }
      document.getElementById("map").dataset.loaded = "territory";
      map.fire("opencity:territory");
    });
})();
