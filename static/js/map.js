/* The city map: the community boundary and its districts, and (with a tile URL set) a base map.
   Plain JavaScript on top of Leaflet; every text placed on the map goes through escapeHtml. */
(function () {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  window.OpenCity = window.OpenCity || {};
  window.OpenCity.escapeHtml = escapeHtml;

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var map = L.map("map", { zoomControl: true, zoomSnap: 0.25 }).setView(config.center, config.zoom);
  window.OpenCity.map = map;
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }

  var territory = L.geoJSON(null, {
    style: function (feature) {
      if (feature.properties.layer === "boundary") {
        // Without a base map the territory itself is the background: a light fill.
        return { color: "#0b5394", weight: 3, fillColor: "#ffffff", fillOpacity: config.tileUrl ? 0 : 0.85 };
      }
      return { color: "#6a8caf", weight: 1, dashArray: "4 4", fillColor: "#0b5394", fillOpacity: 0.03 };
    },
    onEachFeature: function (feature, layer) {
      if (feature.properties.layer === "district") {
        layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
      }
    }
  }).addTo(map);

  fetch(config.territoryUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      territory.addData(data);
      var bounds = territory.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8], animate: false }); }
      document.getElementById("map").dataset.loaded = "territory";
      map.fire("opencity:territory");
    });
})();
