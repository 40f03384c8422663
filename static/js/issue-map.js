/* A small map with the pin on the issue page. */
(function () {
  "use strict";
  var element = document.getElementById("issue-map");
  var coords = JSON.parse(document.getElementById("issue-point").textContent);  // [lon, lat]
  var config = document.body.dataset;
  var map = L.map(element, { scrollWheelZoom: false }).setView([coords[1], coords[0]], 16);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  L.circleMarker([coords[1], coords[0]], { radius: 10, color: "#0b5394", weight: 3, fillColor: "#ffd500", fillOpacity: 1 }).addTo(map);
})();
