/* What every kette map shares (Leaflet), loaded after leaflet.js and before the
   page's map script (core/partials/_leaflet.html): zoom buttons named in the
   page's language, the attribution without Leaflet's English link title,
   tiles only when the operator configured a tile URL (data-tile-url), and
   shapes kept out of the tab order. */
(function () {
  "use strict";
  var script = document.currentScript;
  var labels = {
    zoomIn: script.dataset.zoomIn,
    zoomOut: script.dataset.zoomOut,
    cluster: script.dataset.cluster,
  };

  function create(element, options) {
    var map = L.map(element, Object.assign({ scrollWheelZoom: false, zoomControl: false }, options));
    L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (element.dataset.tileUrl) {
      L.tileLayer(element.dataset.tileUrl, {
        maxZoom: 18, attribution: element.dataset.tileAttribution || "",
      }).addTo(map);
    }
    return map;
  }

  // Chromium puts SVG shapes with focus listeners (Leaflet's tooltips) into the
  // tab order: one stop per district without a name or an action. The table
  // beside every map is the keyboard's and the screen reader's way in. Call it
  // once the map has a view: until then Leaflet has not drawn the shapes.
  function keepOutOfTabOrder(layer) {
    layer.eachLayer(function (shape) {
      var element = typeof shape.getElement === "function" && shape.getElement();
      if (element) { element.setAttribute("tabindex", "-1"); }
    });
  }

  // A tooltip as text: names come from data (a district named "<img …>").
  function textTooltip(featureLayer, text) {
    featureLayer.bindTooltip(document.createTextNode(text));
  }

  // Cluster icons of the guide's map, named by what they do ("2" alone
  // said nothing to a screen reader).
  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var inner = document.createElement("div");
    var number = document.createElement("span");
    number.textContent = String(count);
    number.setAttribute("aria-hidden", "true");
    inner.appendChild(number);
    var name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = labels.cluster.replace("{count}", String(count));
    inner.appendChild(name);
    return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
  }

  // A data source's attribution as Leaflet's HTML: the text is typed by
  // coordinators (the source of their district outlines).
  function attributionHtml(text) {
    var holder = document.createElement("span");
    holder.textContent = text || "";
    return holder.innerHTML;
  }

  window.ketteMaps = {
    create: create,
    attributionHtml: attributionHtml,
    keepOutOfTabOrder: keepOutOfTabOrder,
    textTooltip: textTooltip,
    clusterIcon: clusterIcon,
  };
})();
