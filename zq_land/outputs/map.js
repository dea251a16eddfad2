/* zq_land maps: the page builds its layers from the compact data zq_land.outputs.maps sends.
 *
 * Inlined once into every map's script (before the layers), in the app's component and in a standalone
 * file alike; needs only Leaflet (window.L). Everything a user wrote (names, ids) is escaped here before
 * it reaches the page as HTML. Tested in Chromium (tests/test_maps.py): each layer decoded in the page
 * is compared with the data it was built from.
 */
var zqMap = (function () {
    "use strict";

    /** HTML-escape user text. */
    function escape(s) {
        return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
            return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
        });
    }

    /** GeoJSON geometries from the compact arrays: vertices as integer steps (c) in 1/q degree, vertices
     *  per ring (n, the closing vertex left out), rings per polygon part (r), parts per site (p). */
    function decode(D) {
        var c = D.c, q = D.q, x = 0, y = 0, k = 0, ri = 0, pi = 0, out = [];
        for (var f = 0; f < D.p.length; f++) {
            var parts = [];
            for (var j = 0; j < D.p[f]; j++) {
                var rings = [];
                for (var r = D.r[pi++]; r > 0; r--) {
                    var ring = [];
                    for (var v = D.n[ri++]; v > 0; v--) {
                        x += c[k++];
                        y += c[k++];
                        ring.push([x / q, y / q]);
                    }
                    ring.push(ring[0]);
                    rings.push(ring);
                }
                parts.push(rings);
            }
            out.push(parts.length === 1 ? {type: "Polygon", coordinates: parts[0]}
                                        : {type: "MultiPolygon", coordinates: parts});
        }
        return out;
    }

    /** Every site's path by site id (one map per page: the app's frame or a standalone file). */
    var sites = {};
    var selected = null;
    var SELECTED_STYLE = {color: "#e6007e", weight: 4, opacity: 1};

    /** One category's sites as one GeoJSON layer: one feature (one path) per site, styled by D.s / D.S.
     *  A click selects the site (outlined in magenta until another one is selected). */
    function siteLayer(D) {
        var geoms = decode(D), feats = [];
        for (var f = 0; f < geoms.length; f++) {
            feats.push({type: "Feature", id: D.id[f], properties: D.pr[f], zqStyle: D.s[f], geometry: geoms[f]});
        }
        var layer = L.geoJSON({type: "FeatureCollection", features: feats}, {
            style: function (feature) { return D.S[feature.zqStyle]; },
            onEachFeature: function (feature, path) {
                sites[feature.id] = path;
                path.zqParent = null;
                path.on("click", function () { select(feature.id); });
            }
        });
        layer.eachLayer(function (path) { path.zqParent = layer; });
        return layer;
    }

    /** Outline the site `id` as selected (and no other); false when the map has no such site. */
    function select(id) {
        var path = sites[id];
        if (!path) { return false; }
        if (selected && selected !== path && selected.zqParent) { selected.zqParent.resetStyle(selected); }
        selected = path;
        path.setStyle(SELECTED_STYLE);
        if (path.bringToFront && path._map) { path.bringToFront(); }
        return true;
    }

    /** Zoom to the site `id` (at most to zoom 17), select it and open its popup, as a click would. */
    function focus(map, id) {
        var path = sites[id];
        if (!path) { return false; }
        map.fitBounds(path.getBounds(), {maxZoom: 17, padding: [40, 40], animate: false});
        // as a click: selects it, opens its popup (bound on its layer) and tells a host page (streamlit-folium)
        path.fire("click", {latlng: path.getBounds().getCenter()}, true);
        return true;
    }

    /** Supplier-to-anchor lines: [lat0, lon0, lat1, lon1, tooltip] each, one dashed polyline. */
    function linesLayer(D, className) {
        var g = L.featureGroup();
        D.forEach(function (l) {
            L.polyline([[l[0], l[1]], [l[2], l[3]]], {color: "#d62728", weight: 2, dashArray: "6 4",
                       opacity: 0.8, className: className})
                .bindTooltip(escape(l[4]), {sticky: true}).addTo(g);
        });
        return g;
    }

    /** The context layer: district and zone outlines under the sites (their own pane, not clickable) with
     *  their names; D is a site layer's compact geometry plus names, kinds ("district", "zone") and points. */
    function contextLayer(map, D) {
        if (!map.getPane("zqContext")) {
            var pane = map.createPane("zqContext");
            pane.style.zIndex = 350;  // above the tiles, below the sites (400)
            pane.style.pointerEvents = "none";
        }
        var geoms = decode(D), g = L.featureGroup();
        geoms.forEach(function (geom, i) {
            var zone = D.kinds[i] === "zone";
            L.geoJSON(geom, {pane: "zqContext", interactive: false, style: {
                color: zone ? "#c0392b" : "#555555", weight: zone ? 2.5 : 1.5, dashArray: zone ? "10 5" : "5 4",
                fill: !zone, fillColor: "#f4f1e8", fillOpacity: zone ? 0 : 0.35,
                className: zone ? "zq-context zq-context-zone" : "zq-context zq-context-district"}}).addTo(g);
            L.marker(D.pts[i], {pane: "zqContext", interactive: false, keyboard: false, icon: L.divIcon({
                className: "zq-context-label", iconSize: [0, 0],
                html: "<div style='transform:translate(-50%,-50%);white-space:nowrap;font-size:13px;color:"
                    + (zone ? "#a93226" : "#666") + ";letter-spacing:2px;text-shadow:0 0 3px #fff'>"
                    + escape(D.names[i]) + "</div>"})}).addTo(g);
        });
        return g;
    }

    /** Moved projects as arrows from the old site to the new: [lat0, lon0, lat1, lon1, tooltip] each; the
     *  head is a triangle turned to the direction of travel on the (Web Mercator) map. */
    function arrowsLayer(D, className, color) {
        var g = L.featureGroup();
        function mercY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI; }
        D.forEach(function (a) {
            var tip = escape(a[4]);
            L.polyline([[a[0], a[1]], [a[2], a[3]]], {color: color, weight: 3, opacity: 0.9, className: className})
                .bindTooltip(tip, {sticky: true}).addTo(g);
            var deg = Math.atan2(a[3] - a[1], mercY(a[2]) - mercY(a[0])) * 180 / Math.PI;
            var head = "<div style='width:0;height:0;border-left:7px solid transparent;border-right:7px solid "
                + "transparent;border-bottom:16px solid " + color + ";transform:rotate(" + deg.toFixed(1)
                + "deg);transform-origin:50% 50%'></div>";
            L.marker([a[2], a[3]], {icon: L.divIcon({html: head, iconSize: [14, 16], iconAnchor: [7, 8],
                                                     className: "zq-arrow-head"}), interactive: false}).addTo(g);
        });
        return g;
    }

    /** Plot labels that follow the zoom, one per site: [lat, lon, title, always, [project names], site id].
     *  Below T.zTitle only the `always` ones (plots the data marks, anchors) show their title; from
     *  T.zTitle every plot shows its title and how many projects it holds; from T.zList the names of its
     *  projects (T.maxList at most, then "and n more"). Overlapping labels are hidden (earlier ones win). */
    function plotLabels(map, D, css, T) {
        var g = L.featureGroup(), items = [];
        D.forEach(function (it) {
            var marker = L.marker([it[0], it[1]], {icon: L.divIcon({html: "<div style='" + css + "'></div>",
                                                   iconSize: [0, 0], className: "zq-label"}),
                                   interactive: false, keyboard: false});
            marker.zqItem = it;
            marker.zqTier = -1;
            items.push(marker);
            marker.addTo(g);
        });
        function html(it, tier) {
            var names = it[4] || [], h = "<b>" + escape(it[2]) + "</b>";
            if (tier === 1 && names.length) { h += "<br>" + escape(T.count.replace("{n}", names.length)); }
            if (tier === 2 && names.length) {
                var shown = names.slice(0, T.maxList).map(escape);
                if (names.length > T.maxList) {
                    shown.push(escape(T.more.replace("{n}", names.length - T.maxList)));
                }
                h += "<div class='zq-label-projects' style='font-weight:normal'>" + shown.join("<br>") + "</div>";
            }
            return h;
        }
        function update() {
            var z = map.getZoom();
            items.forEach(function (marker) {
                var it = marker.zqItem;
                var tier = z >= T.zList ? 2 : (z >= T.zTitle ? 1 : (it[3] ? 0 : -1));
                var el = marker.getElement && marker.getElement();
                if (!el) { return; }
                var div = el.firstChild;
                if (tier !== marker.zqTier) {
                    marker.zqTier = tier;
                    div.innerHTML = tier < 0 ? "" : html(it, tier);
                    div.style.display = tier < 0 ? "none" : "inline-block";
                }
            });
        }
        g.on("add", function () { setTimeout(update, 0); });
        map.on("zoomend", update);
        map.whenReady(function () { update(); });
        g.zqUpdate = update;
        return g;
    }

    /** Permanent plot labels ("label") or anchor stars ("anchor"): [lat, lon, text] each. */
    function markersLayer(D, kind, css, star) {
        var g = L.featureGroup();
        D.forEach(function (it) {
            if (kind === "anchor") {
                L.marker([it[0], it[1]], {icon: L.divIcon({html: star, iconSize: [26, 26], iconAnchor: [13, 13],
                                                           className: "zq-anchor"})})
                    .bindTooltip(escape(it[2]), {sticky: true}).addTo(g);
            } else {
                L.marker([it[0], it[1]], {icon: L.divIcon({html: "<div style='" + css + "'>" + escape(it[2])
                                                           + "</div>", iconSize: [0, 0], className: "zq-label"})})
                    .addTo(g);
            }
        });
        return g;
    }

    /** The popup of a site (its compact properties p, the words T of the map's language, with its colon and
     *  brackets: full-width in Chinese), as HTML. */
    function popupHtml(p, T) {
        function list(key) {
            var items = p[key];
            if (!items) { return ""; }
            var li = items.map(function (it) {
                return "<li>" + escape(it[0]) + T.lp + escape(it[1]) + T.rp
                    + (it[2] ? " · " + escape(it[2]) + " " + escape(T.yi) : "") + "</li>";
            }).join("");
            return "<b>" + escape(T.lists[key]) + "</b>" + T.lp + items.length + T.rp
                + "<ul style='margin:0;padding-left:16px;max-height:160px;overflow:auto'>" + li + "</ul>";
        }
        var h = "<div class='zq-popup'><b>" + escape(p.n) + "</b><br>" + escape(T.site_id) + T.c + escape(p.id)
            + " · " + escape(T.kind) + T.c + escape(T.kinds[p.k] || p.k)
            + " · " + escape(T.status) + T.c + escape(T.statuses[p.s] || p.s) + "<br>";
        var facts = [];
        if (p.a) { facts.push(escape(T.area) + T.c + escape(p.a) + " " + escape(T.mu)); }
        if (p.f) { facts.push(escape(T.floor) + T.c + escape(p.f) + " " + escape(T.m2)); }
        if (p.z) { facts.push(escape(T.zone) + T.c + escape(p.z)); }
        if (facts.length) { h += facts.join(" · ") + "<br>"; }
        if (p.ag) {
            h += "<span style='color:#b03a2e'>⚠ " + escape(T.area_geom) + T.c + escape(p.ag[0]) + " " + escape(T.mu)
                + T.lp + escape(p.ag[1]) + T.rp + "</span><br>";
        }
        h += escape(T.industries) + T.c + escape(p.i || T.any) + "<br>";
        if (p.an) { h += escape(T.anchor) + T.c + escape(p.an) + "<br>"; }
        if (p.u) {
            h += escape(T.capacity) + " " + escape(p.u[0]) + " · " + escape(T.used) + " " + escape(p.u[1])
                + " · <b>" + escape(T.free) + " " + escape(p.u[2]) + "</b> " + escape(T[p.u[3]])
                + (p.up ? " · " + escape(T.used_share) + " " + escape(p.up) : "") + "<br>";
        }
        var lists = list("p") + list("in") + list("out") + list("kept");
        if (lists) { h += lists; } else if (p.s !== "occupied") { h += "<i>" + escape(T.none) + "</i>"; }
        return h + "</div>";
    }

    /** Popup and hover tooltip of every feature of a site layer, formatted here from its properties. */
    function popups(layer, T) {
        layer.bindPopup(function (l) { return popupHtml(l.feature.properties, T); }, {maxWidth: 380});
        layer.bindTooltip(function (l) { return escape(l.feature.properties.n); }, {sticky: true});
    }

    /** Hide plot labels that would overlap an earlier one (anchors come first), again after every zoom. */
    function declutter(map) {
        var tries = 0;
        var CELL = 80;
        function run() {
            var grid = {}, unsized = false, box = map.getContainer().getBoundingClientRect();
            var els = Array.prototype.slice.call(map.getContainer().querySelectorAll(".zq-label > div"));
            if (map.getZoom() >= 16) {  // zoomed in on a few plots: the one looked at (nearest the centre) wins
                var cx = (box.left + box.right) / 2, cy = (box.top + box.bottom) / 2;
                els = els.map(function (el) {
                    var r = el.parentNode.getBoundingClientRect();
                    return [Math.pow(r.left - cx, 2) + Math.pow(r.top - cy, 2), el];
                }).sort(function (a, b) { return a[0] - b[0]; }).map(function (p) { return p[1]; });
            }
            els.forEach(function (el) {
                if (el.style.display === "none") { return; }
                el.style.visibility = "visible";
                var r = el.getBoundingClientRect();
                if (r.width === 0) { unsized = true; return; }
                if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) {
                    return;  // outside the view: it cannot hide another
                }
                var cells = [];
                for (var cx = Math.floor(r.left / CELL); cx <= Math.floor(r.right / CELL); cx++) {
                    for (var cy = Math.floor(r.top / CELL); cy <= Math.floor(r.bottom / CELL); cy++) {
                        cells.push(cx + ":" + cy);
                    }
                }
                var hit = cells.some(function (c) {
                    return (grid[c] || []).some(function (o) {
                        return r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top;
                    });
                });
                if (hit) { el.style.visibility = "hidden"; return; }
                cells.forEach(function (c) { (grid[c] = grid[c] || []).push(r); });
            });
            // inside a host page the frame may not be laid out yet: look again shortly
            if ((unsized || tries < 3) && tries++ < 40) { setTimeout(run, 250); }
        }
        // after every change look again a few times: the labels of the new zoom may be drawn after this handler
        map.on("zoomend moveend resize overlayadd", function () { tries = 0; setTimeout(run, 0); });
        map.whenReady(function () { setTimeout(run, 0); });
        zqMap.map = map;  // the page's map, for the search box and for tests
    }

    /** A title box at the top centre of the map (the body is HTML the server escaped). */
    function title(map, body) {
        var div = L.DomUtil.create("div", "zq-title", map.getContainer());
        div.style.cssText = "position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:800;"
            + "background:rgba(255,255,255,0.93);padding:5px 12px;border-radius:4px;text-align:center;"
            + "box-shadow:0 1px 4px rgba(0,0,0,0.35);font-size:13px;line-height:18px;color:#222;"
            + "pointer-events:none;max-width:60%";
        div.innerHTML = body;
        zqMap.map = map;
    }

    /** A search box (top left) over sites and projects: the sites of the page's layers by name and id, then
     *  `projects` ([text, site id] each); picking one zooms to the site, selects it and opens its popup.
     *  T: placeholder, none (no match), plot (the word before a site's id). */
    function search(map, projects, T) {
        zqMap.map = map;
        var entries = Object.keys(sites).map(function (id) {
            return [sites[id].feature.properties.n + " · " + T.plot + " " + id, id];
        }).concat(projects);
        var control = L.control({position: "topleft"});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", "zq-search");
            div.style.cssText = "background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 4px "
                + "rgba(0,0,0,0.35);font-size:12px";
            var listId = "zq-search-list-" + Math.floor(Math.random() * 1e9);
            var input = L.DomUtil.create("input", "zq-search-input", div);
            input.type = "search";
            input.placeholder = T.placeholder;
            input.setAttribute("list", listId);
            input.style.cssText = "width:220px;font-size:12px;padding:3px";
            var list = L.DomUtil.create("datalist", "", div);
            list.id = listId;
            list.innerHTML = entries.map(function (e) {
                return "<option value='" + escape(e[0]) + "'></option>";
            }).join("");
            var note = L.DomUtil.create("div", "zq-search-note", div);
            note.style.cssText = "color:#a00;display:none;padding-top:2px";
            function go() {
                var q = input.value.trim().toLowerCase();
                if (!q) { note.style.display = "none"; return; }
                var hit = null;
                entries.forEach(function (e) { if (!hit && e[0].toLowerCase() === q) { hit = e; } });
                entries.forEach(function (e) { if (!hit && e[0].toLowerCase().indexOf(q) >= 0) { hit = e; } });
                if (hit && focus(map, hit[1])) {
                    note.style.display = "none";
                } else {
                    note.textContent = T.none;
                    note.style.display = "block";
                }
            }
            L.DomEvent.on(input, "change", go);
            L.DomEvent.on(input, "keydown", function (ev) { if (ev.key === "Enter") { go(); } });
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        control.addTo(map);
    }

    /** The legend as a Leaflet control (bottom right); body is HTML the server escaped. */
    function legend(map, body) {
        var control = L.control({position: "bottomright"});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", "zq-legend");
            div.style.cssText = "background:rgba(255,255,255,0.92);padding:6px 9px;border-radius:4px;"
                + "box-shadow:0 1px 4px rgba(0,0,0,0.35);font-size:12px;line-height:18px;color:#222";
            div.innerHTML = body;
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        control.addTo(map);
    }

    var zqMap = {escape: escape, decode: decode, siteLayer: siteLayer, linesLayer: linesLayer,
                 arrowsLayer: arrowsLayer, contextLayer: contextLayer, plotLabels: plotLabels, markersLayer: markersLayer,
                 popupHtml: popupHtml, popups: popups, declutter: declutter, legend: legend, title: title,
                 search: search, select: select, focus: focus, sites: sites, map: null};
    return zqMap;
})();
