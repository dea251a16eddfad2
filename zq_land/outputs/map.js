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

    /** One category's sites as one GeoJSON layer: one feature (one path) per site, styled by D.s / D.S. */
    function siteLayer(D) {
        var geoms = decode(D), feats = [];
        for (var f = 0; f < geoms.length; f++) {
            feats.push({type: "Feature", id: D.id[f], properties: D.pr[f], zqStyle: D.s[f], geometry: geoms[f]});
        }
        return L.geoJSON({type: "FeatureCollection", features: feats},
                         {style: function (feature) { return D.S[feature.zqStyle]; }});
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

    /** The popup of a site (its compact properties p, the words T of the map's language), as HTML. */
    function popupHtml(p, T) {
        function list(key) {
            var items = p[key];
            if (!items) { return ""; }
            var li = items.map(function (it) {
                return "<li>" + escape(it[0]) + " (" + escape(it[1]) + ")"
                    + (it[2] ? " · " + escape(it[2]) + " " + escape(T.yi) : "") + "</li>";
            }).join("");
            return "<b>" + escape(T.lists[key]) + "</b> (" + items.length + ")"
                + "<ul style='margin:0;padding-left:16px;max-height:160px;overflow:auto'>" + li + "</ul>";
        }
        var h = "<div class='zq-popup'><b>" + escape(p.n) + "</b><br>" + escape(T.site_id) + ": " + escape(p.id)
            + " · " + escape(T.kind) + ": " + escape(T.kinds[p.k] || p.k)
            + " · " + escape(T.status) + ": " + escape(T.statuses[p.s] || p.s) + "<br>";
        var facts = [];
        if (p.a) { facts.push(escape(T.area) + ": " + escape(p.a) + " " + escape(T.mu)); }
        if (p.f) { facts.push(escape(T.floor) + ": " + escape(p.f) + " " + escape(T.m2)); }
        if (p.z) { facts.push(escape(T.zone) + ": " + escape(p.z)); }
        if (facts.length) { h += facts.join(" · ") + "<br>"; }
        if (p.ag) {
            h += "<span style='color:#b03a2e'>⚠ " + escape(T.area_geom) + ": " + escape(p.ag[0]) + " " + escape(T.mu)
                + " (" + escape(p.ag[1]) + ")</span><br>";
        }
        h += escape(T.industries) + ": " + escape(p.i || T.any) + "<br>";
        if (p.an) { h += escape(T.anchor) + ": " + escape(p.an) + "<br>"; }
        if (p.u) {
            h += escape(T.capacity) + " " + escape(p.u[0]) + " · " + escape(T.used) + " " + escape(p.u[1])
                + " · <b>" + escape(T.free) + " " + escape(p.u[2]) + "</b> " + escape(T[p.u[3]]) + "<br>";
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
        function run() {
            var shown = [], unsized = false;
            var els = Array.prototype.slice.call(map.getContainer().querySelectorAll(".zq-label > div"));
            els.forEach(function (el) {
                el.style.visibility = "visible";
                var r = el.getBoundingClientRect();
                if (r.width === 0) { unsized = true; return; }
                var hit = shown.some(function (o) {
                    return r.left < o.right && r.right > o.left && r.top < o.bottom && r.bottom > o.top;
                });
                if (hit) { el.style.visibility = "hidden"; } else { shown.push(r); }
            });
            // inside a host page the frame may not be laid out yet: look again shortly
            if ((unsized || tries < 3) && tries++ < 40) { setTimeout(run, 250); }
        }
        map.on("zoomend moveend resize overlayadd", run);
        map.whenReady(function () { setTimeout(run, 0); });
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

    return {escape: escape, decode: decode, siteLayer: siteLayer, linesLayer: linesLayer,
            markersLayer: markersLayer, popupHtml: popupHtml, popups: popups, declutter: declutter,
            legend: legend};
})();
