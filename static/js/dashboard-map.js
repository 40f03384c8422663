/* The dashboard's map: on the shared city map (map.js), the period's reports per grid square
   (shaded by how many) and the numbered problem spots. The data comes with the page
   (#dashboard-layers), computed by PostGIS; no request is made. */
(function () {
  "use strict";
  var OpenCity = window.OpenCity;
  var map = OpenCity.map;
  var data = JSON.parse(document.getElementById("dashboard-layers").textContent);

  // The squares get a pane of their own above the territory (drawn later, in the overlay pane,
  // with an almost opaque white fill when there is no base map, which washed them out) and below
  // the numbered spots. Their shades come with the data (dashboard.charts.heat_colour).
  map.createPane("opencity-heat");
  map.getPane("opencity-heat").style.zIndex = 450;
  var cells = L.geoJSON(data.cells, {
    pane: "opencity-heat",
    style: function (feature) {
      return { color: "#3a1000", weight: 1, opacity: 0.9, fillColor: feature.properties.colour, fillOpacity: 0.85 };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(OpenCity.escapeHtml(data.text.reports) + ": " + feature.properties.issues);
    }
  }).addTo(map);

  var spots = L.layerGroup(data.spots.map(function (spot) {
    var marker = L.marker([spot.lat, spot.lon], {
      icon: L.divIcon({ className: "spot-marker", html: String(spot.rank), iconSize: [30, 30] }),
      keyboard: true,
      title: data.text.spot + " " + spot.rank
    });
    marker.bindPopup(
      "<p><strong>" + OpenCity.escapeHtml(data.text.spot) + " " + spot.rank + "</strong></p>" +
      "<p>" + OpenCity.escapeHtml(data.text.openIssues) + ": " + spot.issues + "</p>" +
      "<p>" + OpenCity.escapeHtml(spot.category) + "</p>"
    );
    return marker;
  })).addTo(map);

  // Once the territory is drawn (it sets the view), frame the period's reports.
  map.on("opencity:territory", function () {
    var bounds = cells.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.05), { animate: false, maxZoom: 16 });
    }
    document.getElementById("map").dataset.dashboard = "ready";
  });
  OpenCity.dashboardLayers = { cells: cells, spots: spots };
})();
