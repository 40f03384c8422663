/* The alert form: show only the place of the kind chosen (a district, a drawn area, a point and a
   distance). Without JavaScript every place is shown and the kind's radio button decides. The maps
   (django-leaflet's widgets; outage-form.js draws the community on them) are told their size when
   their part is shown, because a map laid out while hidden has none. */
(function () {
  "use strict";

  var form = document.querySelector(".alert-form");
  if (!form) { return; }
  var places = form.querySelectorAll(".alert-place");
  var maps = [];

  window.addEventListener("map:init", function (event) { maps.push(event.detail.map); });

  function chosenKind() {
    var checked = form.querySelector("input[name='kind']:checked");
    return checked ? checked.value : "district";
  }

  // Fit a map that has just become visible: to what is drawn on it, else to the community.
  function refit(map) {
    var drawn = L.latLngBounds([]);
    var territory = L.latLngBounds([]);
    map.eachLayer(function (layer) {
      var bounds = layer.getBounds ? layer.getBounds() : (layer.getLatLng ? L.latLngBounds([layer.getLatLng()]) : null);
      if (!bounds || !bounds.isValid()) { return; }
      if (layer.options && layer.options.interactive === false) { territory.extend(bounds); } else { drawn.extend(bounds); }
    });
    var target = drawn.isValid() ? drawn : territory;
    if (target.isValid()) { map.fitBounds(target, { padding: [12, 12], maxZoom: 16, animate: false }); }
  }

  function show() {
    var kind = chosenKind();
    places.forEach(function (place) { place.hidden = place.dataset.place !== kind; });
    maps.forEach(function (map) {
      if (map.getContainer().offsetParent === null) { return; }
      map.invalidateSize({ animate: false });
      refit(map);
    });
  }

  form.querySelectorAll("input[name='kind']").forEach(function (radio) {
    radio.addEventListener("change", show);
  });
  window.addEventListener("load", function () { window.setTimeout(show, 0); });
  show();
})();
