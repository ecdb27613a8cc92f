/* The clinic directory's map and its "where from" controls. No build step, no CDN: Leaflet and
   markercluster are served by the project. Without tiles (offline, blocked tile server) the
   markers still show and a note says why the background is empty; without JavaScript the list
   and the filter form still work. */
(function () {
  "use strict";

  var MOSCOW = [55.7558, 37.6173];

  function params() {
    var form = document.getElementById("directory-filters");
    var query = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    query.forEach(function (value, name) {
      if (value !== "" && name !== "page") kept.append(name, value);
    });
    return kept;
  }

  function goFrom(lat, lon, source) {
    var query = params();
    query.delete("metro_id");
    query.set("lat", lat.toFixed(6));
    query.set("lon", lon.toFixed(6));
    query.set("src", source);
    window.location.search = query.toString();
  }

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function popup(marker, originQuery) {
    var box = document.createElement("div");
    box.className = "map-popup";
    if (marker.url) {
      var link = text("a", marker.name);
      link.href = marker.url + (originQuery ? "?" + originQuery : "");
      var title = document.createElement("strong");
      title.appendChild(link);
      box.appendChild(title);
    } else {
      box.appendChild(text("strong", marker.name));
    }
    box.appendChild(document.createElement("br"));
    box.appendChild(text("span", marker.address));
    return box;
  }

  function initMap(el) {
    if (!window.L) return;
    var source = document.getElementById(el.dataset.markers);
    var markers = source ? JSON.parse(source.textContent) : [];
    var map = L.map(el, { scrollWheelZoom: false });
    var note = document.getElementById("map-note");
    var tiles = L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 });
    tiles.on("tileerror", function () {
      if (note) note.hidden = false;
    });
    tiles.addTo(map);

    // Clusters at low zoom; each clinic on its own once the streets are readable.
    var layer = L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, disableClusteringAtZoom: 15 })
      : L.layerGroup();
    var bounds = [];
    markers.forEach(function (m) {
      L.marker([m.lat, m.lon], { title: m.name, alt: m.name })
        .bindPopup(popup(m, el.dataset.originQuery || ""))
        .addTo(layer);
      bounds.push([m.lat, m.lon]);
    });
    layer.addTo(map);

    if (el.dataset.originLat) {
      var origin = [parseFloat(el.dataset.originLat), parseFloat(el.dataset.originLon)];
      L.circleMarker(origin, { radius: 8, color: "#c0262d", fillColor: "#c0262d", fillOpacity: 0.8 })
        .bindTooltip(el.dataset.originLabel || "")
        .addTo(map);
      bounds.push(origin);
    }

    var zoom = parseInt(el.dataset.zoom || "12", 10);
    if (bounds.length === 1) {
      map.setView(bounds[0], zoom);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
    } else {
      map.setView(MOSCOW, 10);
    }

    if (el.hasAttribute("data-pick-origin")) {
      map.on("click", function (event) {
        var box = document.createElement("div");
        var button = text("button", "Искать клиники рядом с этой точкой", "btn small");
        button.type = "button";
        button.addEventListener("click", function () {
          goFrom(event.latlng.lat, event.latlng.lng, "map");
        });
        box.appendChild(button);
        L.popup().setLatLng(event.latlng).setContent(box).openOn(map);
      });
    }
  }

  function initGeo(button) {
    var error = document.getElementById("geo-error");
    function fail(message) {
      if (error) {
        error.textContent = message;
        error.hidden = false;
      }
    }
    if (!("geolocation" in navigator)) {
      button.hidden = true;
      return;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          goFrom(position.coords.latitude, position.coords.longitude, "geo");
        },
        function () {
          button.disabled = false;
          fail("Браузер не сообщил, где вы. Разрешите доступ к местоположению или выберите станцию метро.");
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
      );
    });
  }

  function submit(form) {
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  function initForm(form) {
    // Empty fields stay out of the address, so a shared link reads as what was chosen.
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name && input.value === "" && input.type !== "submit") input.disabled = true;
      });
    });
    // Choosing a station replaces a point from the browser or the map, and applies at once.
    var station = form.querySelector("[data-origin-select]");
    if (station) {
      station.addEventListener("change", function () {
        ["lat", "lon", "src"].forEach(function (name) {
          var input = form.querySelector("input[name=" + name + "]");
          if (input) input.value = "";
        });
        submit(form);
      });
    }
    // Back from the next page restores this one from the cache, disabled fields and all.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (input) {
        input.disabled = false;
      });
    });
    form.querySelectorAll("[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        submit(form);
      });
    });
  }

  document.querySelectorAll("[data-map]").forEach(initMap);
  document.querySelectorAll("[data-geo]").forEach(initGeo);
  var form = document.getElementById("directory-filters");
  if (form) initForm(form);
})();
