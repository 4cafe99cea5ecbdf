/* The family guide's map: clustered markers of the offers on the page,
   synchronised with the list (a marker click highlights and scrolls to its list
   item; "Show on the map" in the list opens its marker). The list works without
   this script and is the accessible alternative. Set up by
   kette/js/leaflet_setup.js. */
(function () {
  "use strict";
  function init() {
    var element = document.getElementById("guide-map");
    var dataElement = element && document.getElementById(element.dataset.markers);
    if (!element || !dataElement || typeof L === "undefined" || !window.ketteMaps) { return; }
    var points = JSON.parse(dataElement.textContent);
    var map = window.ketteMaps.create(element, { maxZoom: 18 });
    var group = typeof L.markerClusterGroup === "function"
      ? L.markerClusterGroup({ iconCreateFunction: window.ketteMaps.clusterIcon })
      : L.featureGroup();
    var byId = {};
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name });
      marker.serviceId = String(point.id);
      // the name is German data: its language in another interface (point.lang)
      var popup = document.createElement(point.url ? "a" : "span");
      if (point.url) { popup.href = point.url; }
      if (point.lang) { popup.lang = point.lang; }
      popup.textContent = point.name;
      marker.bindPopup(popup);
      marker.on("click", function () { highlight(marker.serviceId, true); });
      (byId[marker.serviceId] = byId[marker.serviceId] || []).push(marker);
      group.addLayer(marker);
    });
    group.addTo(map);
    var bounds = group.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 }); }
    element.setAttribute("data-markers-shown", String(points.length));

    function highlight(id, scroll) {
      document.querySelectorAll(".guide-item.is-highlighted").forEach(function (item) {
        item.classList.remove("is-highlighted");
      });
      var item = document.getElementById("angebot-" + id);
      if (!item) { return; }
      item.classList.add("is-highlighted");
      if (scroll) {
        item.scrollIntoView({ behavior: "smooth", block: "nearest" });
        var heading = item.querySelector("a");
        if (heading) { heading.focus({ preventScroll: true }); }
      }
    }

    document.querySelectorAll("[data-marker]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var markers = byId[link.dataset.marker];
        if (!markers) { return; }
        event.preventDefault();
        var marker = markers[0];
        highlight(link.dataset.marker, false);
        element.scrollIntoView({ behavior: "smooth", block: "nearest" });
        if (typeof group.zoomToShowLayer === "function") {
          group.zoomToShowLayer(marker, function () { marker.openPopup(); });
        } else {
          map.setView(marker.getLatLng(), 16);
          marker.openPopup();
        }
      });
    });
    document.documentElement.classList.add("has-guide-map");
  }
  document.addEventListener("DOMContentLoaded", init);
})();
