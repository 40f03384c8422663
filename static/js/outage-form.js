/* The outage desk's drawing map (django-leaflet's widget): draw the community boundary and the
   districts underneath, so the zone can be drawn where it belongs even without a base map, and fit
   the view to the zone being edited or else to the community. */
(function () {
  "use strict";

  var urlElement = document.getElementById("territory-url");
  if (!urlElement) { return; }
  var territoryUrl = JSON.parse(urlElement.textContent);

  function escapeHtml(value) {
    return String(value == null ? "" : value)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var territory = L.geoJSON(null, {
      interactive: false,
      style: function (feature) {
        return feature.properties.layer === "boundary"
          ? { color: "#0b5394", weight: 3, fill: false }
          : { color: "#6a8caf", weight: 1, dashArray: "4 4", fill: false };
      }
    }).addTo(map);
    fetch(territoryUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        territory.addData(data);
        territory.eachLayer(function (layer) {
          if (layer.feature.properties.layer === "district") {
            layer.bindTooltip(escapeHtml(layer.feature.properties.name), { sticky: true });
          }
          layer.bringToBack();
        });
        // Fit to the zone already drawn (editing), else to the community.
        var drawn = L.featureGroup();
        map.eachLayer(function (layer) {
          if (layer instanceof L.Polygon && !territory.hasLayer(layer)) { drawn.addLayer(layer); }
        });
        var bounds = drawn.getLayers().length ? drawn.getBounds() : territory.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], animate: false }); }
        map.getContainer().dataset.loaded = "territory";
      });
  });
})();
