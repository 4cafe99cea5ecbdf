/* Maps of outlines (Leaflet, set up by leaflet_setup.js). Each .map element
   names a GeoJSON URL. Every map has the same content as a table or list
   beside it. */
(function () {
  "use strict";
  function initMap(element) {
    if (typeof L === "undefined" || !window.ketteMaps) { return; }
    var map = window.ketteMaps.create(element, { zoomSnap: 0.25 });
    var focus = element.dataset.focus;
    fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var focused = null;
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var isFocus = focus && feature.properties.slug === focus;
            return {
              color: "#073763",
              weight: isFocus ? 3 : 1.5,
              fillColor: isFocus ? "#0b5394" : (feature.properties.cohort === 2012 ? "#6fa8dc" : "#b4d3ee"),
              fillOpacity: focus && !isFocus ? 0.15 : 0.55,
            };
          },
          onEachFeature: function (feature, featureLayer) {
            var props = feature.properties;
            var link = document.createElement("a");
            link.href = props.url;
            link.textContent = props.name;
            window.ketteMaps.textTooltip(featureLayer, props.name);
            featureLayer.bindPopup(link);
            if (focus && props.slug === focus) { focused = featureLayer; }
          },
        }).addTo(map);
        var bounds = focused ? focused.getBounds() : layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        window.ketteMaps.keepOutOfTabOrder(layer);
      })
      .catch(function () { element.setAttribute("data-failed", "true"); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-geojson-url]").forEach(initMap);
  });
})();
