/* The gazetteer on the map page: find a street or an address and show it on the map; and name a
   new pin of the report form with its address (the nearest one, or "near <street>, <district>"),
   which the citizen can still edit. Needs map.js (window.OpenCity.map); report.js announces each
   pin with the map event "opencity:pin". Every text placed in the page goes through textContent. */
(function () {
  "use strict";

  var OpenCity = window.OpenCity || {};
  var map = OpenCity.map;
  var form = document.getElementById("address-search");
  if (!map || !form) { return; }
  var input = document.getElementById("address-q");
  var status = document.getElementById("address-status");
  var list = document.getElementById("address-results");
  var marker = null;
  var searchNumber = 0;

  function show(result, button) {
    var latlng = L.latLng(result.lat, result.lon);
    map.setView(latlng, result.kind === "address" ? 18 : 17);
    if (!marker) {
      marker = L.circleMarker(latlng, { radius: 9, color: "#0b5394", weight: 3, fillColor: "#ffd500", fillOpacity: 0.9,
                                        interactive: false }).addTo(map);
    } else {
      marker.setLatLng(latlng);
    }
    document.getElementById("map").dataset.addressShown = result.label;
    list.querySelectorAll(".address-result").forEach(function (other) { other.removeAttribute("aria-current"); });
    if (button) { button.setAttribute("aria-current", "true"); }
    status.textContent = form.dataset.textShown + " " + result.label;
  }

  function item(result) {
    var li = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "address-result";
    button.textContent = result.label;
    if (result.district) {
      var district = document.createElement("span");
      district.className = "address-result-district";
      district.textContent = result.district;
      button.appendChild(district);
    }
    button.addEventListener("click", function () { show(result, button); });
    li.appendChild(button);
    return li;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    list.textContent = "";
    if (!text) { status.textContent = ""; return; }
    var mine = ++searchNumber;
    var params = new URLSearchParams({ q: text, limit: "8" });
    fetch(form.action + "?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { count: 0, results: [] }; })
      .then(function (data) {
        if (mine !== searchNumber) { return; }  // a newer search was started meanwhile
        if (!data.results.length) { status.textContent = form.dataset.textNone; return; }
        data.results.forEach(function (result) { list.appendChild(item(result)); });
        show(data.results[0], list.querySelector(".address-result"));
        if (data.results.length > 1) {
          status.textContent = form.dataset.textFound + " " + data.results.length + ". " + status.textContent;
        }
      })
      .catch(function () { if (mine === searchNumber) { status.textContent = form.dataset.textFailed; } });
  });

  // --- A new pin gets its address --------------------------------------------------------------
  var addressField = document.getElementById("report-address");
  var pinNumber = 0;
  if (addressField) {
    // What the citizen typed is theirs: only a value we filled in ourselves is replaced.
    addressField.addEventListener("input", function () { delete addressField.dataset.filled; });
    map.on("opencity:pin", function (event) {
      if (addressField.value.trim() && addressField.dataset.filled !== addressField.value) { return; }
      var mine = ++pinNumber;
      var params = new URLSearchParams({ lat: event.latlng.lat.toFixed(6), lon: event.latlng.lng.toFixed(6) });
      fetch(form.dataset.reverseUrl + "?" + params.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || mine !== pinNumber) { return; }
          if (addressField.value.trim() && addressField.dataset.filled !== addressField.value) { return; }
          addressField.value = data.label;
          addressField.dataset.filled = data.label;
        })
        .catch(function () { /* the field stays as it was: the server names the pin when the report is sent */ });
    });
  }
})();
