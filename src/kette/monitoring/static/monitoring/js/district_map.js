/* District maps of the monitoring (Leaflet, set up by kette/js/leaflet_setup.js),
   following kette/js/map.js: each .district-map names a GeoJSON URL. Features with a need status (1–4) are coloured with ColorBrewer's
   colour-blind-safe YlOrRd scheme, the indicator map's features bring their
   own class colour; the legend and a table with the same
   content sit beside the map in the page. */
(function () {
  "use strict";
  var STATUS_COLOURS = { 1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#e31a1c" };
  function initMap(element) {
    if (typeof L === "undefined" || !window.ketteMaps) { return; }
    var map = window.ketteMaps.create(element);
    fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          // where the outlines come from (the collection's "attribution")
          attribution: window.ketteMaps.attributionHtml(data.attribution),
          style: function (feature) {
            var props = feature.properties;
            // The indicator map sends its class colour (fill) or marks a suppressed
            // value, hatched with the page's SVG pattern; a page's own classes
            // (map_class, 1–4) take the place of the need status.
            if (props.suppressed) {
              return { color: "#333333", weight: 1, fillColor: "url(#kette-hatch)", fillOpacity: 1 };
            }
            if (props.fill) {
              return { color: "#333333", weight: 1, fillColor: props.fill, fillOpacity: 0.85 };
            }
            var status = props.map_class || props.status;
            return {
              color: "#333333",
              weight: 1,
              fillColor: status ? STATUS_COLOURS[status] : "#b4d3ee",
              fillOpacity: status ? 0.8 : 0.5,
            };
          },
          onEachFeature: function (feature, featureLayer) {
            var props = feature.properties;
            var label = props.name + " (" + props.code + ")";
            var text = props.map_label || props.status_label;
            if (text) { label += ": " + text; }
            window.ketteMaps.textTooltip(featureLayer, label);
          },
        }).addTo(map);
        var bounds = layer.getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
        window.ketteMaps.keepOutOfTabOrder(layer);
      })
      .catch(function () { element.setAttribute("data-failed", "true"); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".district-map[data-geojson-url]").forEach(initMap);
  });
})();
