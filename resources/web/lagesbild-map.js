/* Lägesbild map page: the API that Python drives (window.lagesbild), installed on the
 * folium-built Leaflet map by LagesbildMap.install(map, config, layers).
 *
 * Observations arrive as compact arrays (base64 Float32 latitudes and longitudes, Uint16
 * category indices) and are drawn on one canvas: clusters drawn as donuts of their
 * categories up to config.clusterMaxZoom, single circles above it. No per-point Leaflet
 * objects, so 200,000 points load and redraw in well under a second.
 * Page -> Python goes through QWebChannel (object "lagesbildBridge") when it is there.
 */
(function () {
  "use strict";

  var RADIUS = 56;      // cluster radius, CSS pixels
  var MIN_POINTS = 3;   // fewer points near each other are drawn as they are
  var PAD = 0.25;       // canvas margin around the view, as a fraction of the view size
  var HIT_SLOP = 4;     // pixels of tolerance around a point for clicks
  var MAX_SINGLES = 20000;  // above clusterMaxZoom, keep clustering while more are in view
  var FALLBACK_COLOUR = "#6b6b6b";
  var FONT = "system-ui, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif";

  function decode(b64, Type) {
    var bin = atob(b64), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function install(map, config, layers) {
    var texts = config.texts;
    var numberFormat = new Intl.NumberFormat(config.language === "en" ? "en-GB" : "sv-SE");
    var bridge = null;

    // --- categories -> palette (one legend row per colour) ---------------------------
    var palette = [];        // [{colour, label}]
    var paletteByCode = {};  // code -> palette index
    function setCategories(categories) {
      var byColour = {};
      palette = [];
      paletteByCode = {};
      categories.forEach(function (c) {
        var colour = String(c.colour || "").toLowerCase();
        if (!/^#[0-9a-f]{3,8}$/.test(colour)) colour = FALLBACK_COLOUR;  // it goes into HTML
        if (!(colour in byColour)) {
          byColour[colour] = palette.length;
          palette.push({ colour: colour, label: c.label });
        }
        paletteByCode[c.code] = byColour[colour];
      });
      palette.push({ colour: FALLBACK_COLOUR, label: texts.uncategorised });
    }
    setCategories(config.categories);

    // --- data ------------------------------------------------------------------------
    var data = emptyData();
    var selected = -1;
    var heatOn = false;
    var heatLayer = null;
    var tileLayer = layers.tiles || null;

    function emptyData() {
      return { gen: 0, n: 0, lat: new Float32Array(0), lon: new Float32Array(0),
               pal: new Uint16Array(0), mx: new Float64Array(0), my: new Float64Array(0),
               counts: [] };
    }

    function setObservations(gen, latB64, lonB64, catB64, codes) {
      var t0 = performance.now();
      var lat = decode(latB64, Float32Array), lon = decode(lonB64, Float32Array);
      var cat = decode(catB64, Uint16Array), n = lat.length;
      var codePal = codes.map(function (code) {
        return code in paletteByCode ? paletteByCode[code] : palette.length - 1;
      });
      var pal = new Uint16Array(n), mx = new Float64Array(n), my = new Float64Array(n);
      var counts = palette.map(function () { return 0; });
      var D = Math.PI / 180, MAXLAT = 85.0511287798;
      for (var i = 0; i < n; i++) {
        var p = codePal[cat[i]];
        pal[i] = p;
        counts[p]++;
        var la = Math.max(-MAXLAT, Math.min(MAXLAT, lat[i]));
        mx[i] = lon[i] / 360 + 0.5;
        my[i] = 0.5 - Math.log(Math.tan(Math.PI / 4 + la * D / 2)) / (2 * Math.PI);
      }
      data = { gen: gen, n: n, lat: lat, lon: lon, pal: pal, mx: mx, my: my, counts: counts };
      levels = {};
      selected = -1;
      map.closePopup();
      if (heatOn) updateHeat();
      points.redraw();
      legend.update();
      stats.pushMs = performance.now() - t0;
      return n;
    }

    // --- clustering ------------------------------------------------------------------------
    // Greedy by distance, level by level from clusterMaxZoom down (the supercluster method):
    // each level merges the items of the level above that lie within RADIUS pixels of a
    // seed. A level is built when first drawn and kept until new data arrives.
    var levels = {};

    function levelFor(zoom) {
      zoom = Math.max(Math.round(zoom), map.getMinZoom());
      if (!levels[zoom]) {
        var top = zoom >= config.clusterMaxZoom;
        levels[zoom] = buildLevel(zoom, top ? null : levelFor(zoom + 1));
      }
      return levels[zoom];
    }

    function buildLevel(zoom, above) {
      var n = data.n, m = above ? above.k : n;
      var ax = above ? above.x : data.mx, ay = above ? above.y : data.my;
      var ac = above ? above.cnt : null;
      var r = RADIUS / (256 * Math.pow(2, zoom)), r2 = r * r, inv = 1 / r, ROW = 67108864;
      var cells = new Map(), i, j, t, list;
      for (i = 0; i < m; i++) {
        var key = Math.floor(ax[i] * inv) * ROW + Math.floor(ay[i] * inv);
        list = cells.get(key);
        if (list === undefined) cells.set(key, [i]); else list.push(i);
      }
      var owner = new Int32Array(m).fill(-1), k = 0, near = [];
      var x = new Float64Array(m), y = new Float64Array(m), cnt = new Int32Array(m);
      for (i = 0; i < m; i++) {
        if (owner[i] >= 0) continue;
        var w = ac ? ac[i] : 1, total = w;
        var gx = Math.floor(ax[i] * inv), gy = Math.floor(ay[i] * inv);
        near.length = 0;
        for (var dx = -1; dx <= 1; dx++) {
          for (var dy = -1; dy <= 1; dy++) {
            list = cells.get((gx + dx) * ROW + gy + dy);
            if (list === undefined) continue;
            for (t = 0; t < list.length; t++) {
              j = list[t];
              if (j === i || owner[j] >= 0) continue;
              var ex = ax[j] - ax[i], ey = ay[j] - ay[i];
              if (ex * ex + ey * ey > r2) continue;
              near.push(j);
              total += ac ? ac[j] : 1;
            }
          }
        }
        var c = k++, sx = ax[i] * w, sy = ay[i] * w;
        owner[i] = c;
        if (total < MIN_POINTS) {  // too few to merge: each stays as it is
          x[c] = ax[i]; y[c] = ay[i]; cnt[c] = w;
          for (t = 0; t < near.length; t++) {
            j = near[t];
            var cj = k++;
            owner[j] = cj;
            x[cj] = ax[j]; y[cj] = ay[j]; cnt[cj] = ac ? ac[j] : 1;
          }
          continue;
        }
        for (t = 0; t < near.length; t++) {
          j = near[t];
          owner[j] = c;
          w = ac ? ac[j] : 1;
          sx += ax[j] * w;
          sy += ay[j] * w;
        }
        x[c] = sx / total;
        y[c] = sy / total;
        cnt[c] = total;
      }
      // Per cluster: its mix of colours, its extent and one of its points.
      var P = palette.length, mix = new Int32Array(k * P), first = new Int32Array(k).fill(-1);
      var x0 = new Float64Array(k).fill(Infinity), y0 = new Float64Array(k).fill(Infinity);
      var x1 = new Float64Array(k).fill(-Infinity), y1 = new Float64Array(k).fill(-Infinity);
      var pointItem = new Int32Array(n), up = above ? above.pointItem : null;
      for (var p = 0; p < n; p++) {
        var cc = owner[up ? up[p] : p], px = data.mx[p], py = data.my[p];
        pointItem[p] = cc;
        mix[cc * P + data.pal[p]]++;
        if (first[cc] < 0) first[cc] = p;
        if (px < x0[cc]) x0[cc] = px;
        if (px > x1[cc]) x1[cc] = px;
        if (py < y0[cc]) y0[cc] = py;
        if (py > y1[cc]) y1[cc] = py;
      }
      return { zoom: zoom, k: k, x: x.subarray(0, k), y: y.subarray(0, k),
               cnt: cnt.subarray(0, k), pointItem: pointItem, mix: mix, first: first,
               x0: x0, y0: y0, x1: x1, y1: y1 };
    }

    // --- drawing -----------------------------------------------------------------------
    var stats = { drawMs: 0, pushMs: 0, visible: 0, clusters: 0, draws: 0 };
    var hits = { kind: [], ref: [], x: [], y: [], r: [] };

    function pointRadius(zoom) {
      return zoom >= 16 ? 6.5 : zoom >= 14 ? 5.5 : zoom >= 12 ? 4.5 : 4;
    }

    function clusterRadius(count) {
      return Math.min(36, 12 + 5 * Math.log10(count));
    }

    function shortCount(count) {
      return count < 10000 ? String(count) : Math.round(count / 1000) + "k";
    }

    function draw(layer) {
      var t0 = performance.now();
      var ctx = layer.ctx, w = layer.w, h = layer.h, dpr = layer.dpr;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      hits = { kind: [], ref: [], x: [], y: [], r: [] };
      stats.visible = 0;
      stats.clusters = 0;
      // In heat mode the canvas draws only the selection.
      if (data.n > 0 && !heatOn) {
        var zoom = map.getZoom();
        var clustered = zoom <= config.clusterMaxZoom ||
          (zoom <= config.clusterMaxZoom + 3 && countInView(layer, zoom) > MAX_SINGLES);
        if (clustered) drawClustered(ctx, layer, zoom);
        else drawPoints(ctx, layer, zoom);
      }
      drawSelection(ctx, layer);
      stats.drawMs = performance.now() - t0;
      stats.draws++;
    }

    function drawBatches(ctx, batches, r) {
      ctx.lineWidth = r >= 5 ? 1.5 : 1;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      for (var p = 0; p < batches.length; p++) {
        var xs = batches[p];
        if (!xs || xs.length === 0) continue;
        ctx.beginPath();
        for (var j = 0; j < xs.length; j += 2) {
          ctx.moveTo(xs[j] + r, xs[j + 1]);
          ctx.arc(xs[j], xs[j + 1], r, 0, 2 * Math.PI);
        }
        ctx.fillStyle = palette[p].colour;
        ctx.fill();
        ctx.stroke();
      }
    }

    function countInView(layer, zoom) {
      var scale = 256 * Math.pow(2, zoom), mx = data.mx, my = data.my, count = 0;
      var x0 = layer.ox / scale, y0 = layer.oy / scale;
      var x1 = (layer.ox + layer.w) / scale, y1 = (layer.oy + layer.h) / scale;
      for (var i = 0; i < data.n; i++) {
        if (mx[i] >= x0 && mx[i] <= x1 && my[i] >= y0 && my[i] <= y1) count++;
      }
      return count;
    }

    function drawPoints(ctx, layer, zoom) {
      var scale = 256 * Math.pow(2, zoom), ox = layer.ox, oy = layer.oy;
      var w = layer.w, h = layer.h, r = pointRadius(zoom), m = r + 2;
      var mx = data.mx, my = data.my, pal = data.pal, batches = [];
      for (var i = 0; i < data.n; i++) {
        var x = mx[i] * scale - ox, y = my[i] * scale - oy;
        if (x < -m || y < -m || x > w + m || y > h + m) continue;
        var b = batches[pal[i]] || (batches[pal[i]] = []);
        b.push(x, y);
        hits.kind.push(0); hits.ref.push(i); hits.x.push(x); hits.y.push(y); hits.r.push(r);
      }
      stats.visible = hits.ref.length;
      drawBatches(ctx, batches, r);
    }

    function drawClustered(ctx, layer, zoom) {
      var cl = levelFor(zoom), P = palette.length, scale = 256 * Math.pow(2, zoom);
      var ox = layer.ox, oy = layer.oy, w = layer.w, h = layer.h, r = pointRadius(zoom);
      var batches = [], bubbles = [];
      for (var c = 0; c < cl.k; c++) {
        var count = cl.cnt[c], x = cl.x[c] * scale - ox, y = cl.y[c] * scale - oy;
        if (count === 1) {
          if (x < -r || y < -r || x > w + r || y > h + r) continue;
          var i = cl.first[c], b = batches[data.pal[i]] || (batches[data.pal[i]] = []);
          b.push(x, y);
          hits.kind.push(0); hits.ref.push(i); hits.x.push(x); hits.y.push(y); hits.r.push(r);
          stats.visible++;
        } else {
          var R = clusterRadius(count);
          if (x < -R || y < -R || x > w + R || y > h + R) continue;
          bubbles.push(c, x, y, R);
          stats.visible += count;
        }
      }
      drawBatches(ctx, batches, r);
      ctx.font = "600 12px " + FONT;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      for (var j = 0; j < bubbles.length; j += 4) {
        var cc = bubbles[j], bx = bubbles[j + 1], by = bubbles[j + 2], br = bubbles[j + 3];
        drawDonut(ctx, cl, cc, bx, by, br, P);
        hits.kind.push(1); hits.ref.push(cc); hits.x.push(bx); hits.y.push(by); hits.r.push(br);
      }
      stats.clusters = bubbles.length / 4;
    }

    function drawDonut(ctx, cl, c, x, y, R, P) {
      var count = cl.cnt[c], ring = Math.max(4, R * 0.3);
      ctx.save();
      ctx.shadowColor = "rgba(30,40,60,0.35)";
      ctx.shadowBlur = 5;
      ctx.shadowOffsetY = 1;
      ctx.beginPath();
      ctx.arc(x, y, R + 1.5, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff";
      ctx.fill();
      ctx.restore();
      var start = -Math.PI / 2;
      ctx.lineWidth = ring;
      for (var p = 0; p < P; p++) {
        var part = cl.mix[c * P + p];
        if (!part) continue;
        var end = start + 2 * Math.PI * part / count;
        ctx.beginPath();
        ctx.arc(x, y, R - ring / 2, start, end);
        ctx.strokeStyle = palette[p].colour;
        ctx.stroke();
        start = end;
      }
      ctx.fillStyle = "#1f2933";
      ctx.fillText(shortCount(count), x, y + 0.5);
    }

    function drawSelection(ctx, layer) {
      if (selected < 0 || selected >= data.n) return;
      var scale = 256 * Math.pow(2, map.getZoom());
      var x = data.mx[selected] * scale - layer.ox, y = data.my[selected] * scale - layer.oy;
      var r = pointRadius(map.getZoom()) + 2;
      ctx.beginPath();
      ctx.arc(x, y, r + 7, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(17,24,39,0.18)";
      ctx.fill();
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = palette[data.pal[selected]].colour;
      ctx.fill();
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.beginPath();
      ctx.arc(x, y, r + 3, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#111827";
      ctx.stroke();
    }

    // One canvas over the view (plus a margin), moved and redrawn after each pan or zoom.
    var PointsLayer = L.Layer.extend({
      onAdd: function () {
        this.canvas = L.DomUtil.create("canvas", "lagesbild-points leaflet-zoom-animated",
                                       map.getPane("lagesbildPoints"));
        this.ctx = this.canvas.getContext("2d");
        map.on("moveend viewreset resize", this.reset, this);
        if (map.options.zoomAnimation) map.on("zoomanim", this.animateZoom, this);
        this.reset();
      },
      onRemove: function () {
        L.DomUtil.remove(this.canvas);
        map.off("moveend viewreset resize", this.reset, this);
        map.off("zoomanim", this.animateZoom, this);
      },
      animateZoom: function (e) {
        var scale = map.getZoomScale(e.zoom);
        var offset = map._latLngBoundsToNewLayerBounds(this.bounds, e.zoom, e.center).min;
        L.DomUtil.setTransform(this.canvas, offset, scale);
      },
      reset: function () {
        var size = map.getSize(), pad = size.multiplyBy(PAD).round();
        var topLeft = map.containerPointToLayerPoint(pad.multiplyBy(-1));
        var dpr = window.devicePixelRatio || 1;
        this.w = size.x + 2 * pad.x;
        this.h = size.y + 2 * pad.y;
        this.dpr = dpr;
        L.DomUtil.setPosition(this.canvas, topLeft);
        this.canvas.width = Math.round(this.w * dpr);
        this.canvas.height = Math.round(this.h * dpr);
        this.canvas.style.width = this.w + "px";
        this.canvas.style.height = this.h + "px";
        var origin = topLeft.add(map.getPixelOrigin());
        this.ox = origin.x;
        this.oy = origin.y;
        this.bounds = L.latLngBounds(map.layerPointToLatLng(topLeft),
                                     map.layerPointToLatLng(topLeft.add([this.w, this.h])));
        draw(this);
      },
      redraw: function () {
        if (this._map) draw(this);
      },
      toCanvas: function (latlng) {
        var p = map.project(latlng, map.getZoom());
        return { x: p.x - this.ox, y: p.y - this.oy };
      }
    });

    map.createPane("lagesbildHeat").style.zIndex = 440;
    map.createPane("lagesbildLabels").style.zIndex = 460;
    map.createPane("lagesbildPoints").style.zIndex = 450;
    map.getPane("lagesbildHeat").style.pointerEvents = "none";
    map.getPane("lagesbildLabels").style.pointerEvents = "none";
    map.getPane("lagesbildPoints").style.pointerEvents = "none";
    var points = new PointsLayer().addTo(map);

    // --- heatmap (leaflet.heat) ----------------------------------------------------------
    function updateHeat() {
      var n = data.n, latlngs = new Array(n);
      for (var i = 0; i < n; i++) latlngs[i] = [data.lat[i], data.lon[i]];
      var options = { pane: "lagesbildHeat", radius: 20, blur: 16, minOpacity: 0.06, maxZoom: 14,
                      max: Math.max(1, Math.min(6, n / 1500)),
                      gradient: { 0.2: "#2c7fb8", 0.45: "#41b6c4", 0.65: "#fecc5c",
                                  0.85: "#fd8d3c", 1.0: "#e31a1c" } };
      if (!heatLayer) heatLayer = L.heatLayer(latlngs, options);
      else { heatLayer.setOptions(options); heatLayer.setLatLngs(latlngs); }
    }

    function setHeatmap(on, fromPage) {
      on = !!on;
      if (on === heatOn) return heatOn;
      heatOn = on;
      if (on) {
        updateHeat();
        heatLayer.addTo(map);
      } else if (heatLayer) {
        map.removeLayer(heatLayer);
      }
      points.redraw();
      modeControl.update();
      legend.update();
      if (fromPage && bridge) bridge.heatmapToggled(on);
      return heatOn;
    }

    // --- hit testing, clicks, hover ------------------------------------------------------
    // A cluster under the pointer wins (clusters are drawn on top), else the nearest point.
    function hitAt(latlng) {
      if (!points._map) return null;
      var p = points.toCanvas(latlng), best = null, bestD = Infinity;
      for (var j = hits.x.length - 1; j >= 0; j--) {
        var dx = hits.x[j] - p.x, dy = hits.y[j] - p.y, d = Math.sqrt(dx * dx + dy * dy);
        if (hits.kind[j] === 1 && d <= hits.r[j]) return { kind: 1, ref: hits.ref[j] };
        if (d <= hits.r[j] + HIT_SLOP && d < bestD) {
          bestD = d;
          best = { kind: hits.kind[j], ref: hits.ref[j] };
        }
      }
      return best;
    }

    function zoomToCluster(c) {
      var cl = levelFor(map.getZoom()), scale = 256 * Math.pow(2, cl.zoom);
      var bounds = L.latLngBounds(map.unproject([cl.x0[c] * scale, cl.y1[c] * scale], cl.zoom),
                                  map.unproject([cl.x1[c] * scale, cl.y0[c] * scale], cl.zoom));
      var target = map.getBoundsZoom(bounds, false, L.point(80, 80));
      var cap = Math.min(Math.max(config.clusterMaxZoom + 1, cl.zoom + 1), map.getMaxZoom());
      target = Math.min(Math.max(target, cl.zoom + 1), cap);
      map.setView(bounds.getCenter(), target);
    }

    map.on("click", function (e) {
      var hit = heatOn ? null : hitAt(e.latlng);
      if (hit && hit.kind === 1) {
        zoomToCluster(hit.ref);
      } else if (hit) {
        selected = hit.ref;
        points.redraw();
        if (bridge) bridge.pointClicked(data.gen, hit.ref);
      } else if (bridge) {
        bridge.mapClicked(e.latlng.lat, e.latlng.lng);
      }
      stats.lastClick = hit ? (hit.kind ? "cluster" : "point") : "map";
    });

    var hoverPending = null;
    map.on("mousemove", function (e) {
      if (hoverPending) { hoverPending = e; return; }
      hoverPending = e;
      requestAnimationFrame(function () {
        var hit = heatOn ? null : hitAt(hoverPending.latlng);
        map.getContainer().style.cursor = hit ? "pointer" : "";
        hoverPending = null;
      });
    });

    // --- selection and details -----------------------------------------------------------
    function select(gen, index, pan) {
      map.closePopup();
      if (gen !== data.gen || index < 0 || index >= data.n) {
        selected = -1;
        points.redraw();
        return false;
      }
      selected = index;
      if (pan) {
        var target = L.latLng(data.lat[index], data.lon[index]);
        var zoom = Math.max(map.getZoom(), config.selectMinZoom);
        if (zoom !== map.getZoom()) map.setView(target, zoom);
        else map.panTo(target);
      }
      points.redraw();
      return true;
    }

    function showDetails(gen, index, heading, lines) {
      if (gen !== data.gen || index < 0 || index >= data.n) return false;
      var html = '<div class="lb-popup"><div class="lb-popup-title">' + escapeHtml(heading) +
        "</div>" + lines.map(function (line) {
          return '<div class="lb-popup-line">' + escapeHtml(line) + "</div>";
        }).join("") + "</div>";
      L.popup({ offset: [0, -6], maxWidth: 320, autoPanPadding: [40, 40] })
        .setLatLng([data.lat[index], data.lon[index]]).setContent(html).openOn(map);
      return true;
    }

    // --- tiles and borders ---------------------------------------------------------------
    function styleAreas() {
      if (!layers.areas) return;
      var withTiles = !!tileLayer, detail = map.getZoom() >= config.subAreaLabelZoom - 1;
      layers.areas.setStyle(function (feature) {
        var top = !feature.properties.parent;
        if (top) {
          return { color: withTiles ? "#24324a" : "#5b6b82", weight: withTiles ? 2.5 : 2,
                   opacity: 0.9, fill: true, fillColor: "#fbfaf6",
                   fillOpacity: withTiles ? 0.0 : 1.0 };
        }
        // Sub-areas only when zoomed in: further out they are specks that look like data.
        return { color: withTiles ? "#24324a" : "#8a97aa", weight: 1.2,
                 opacity: detail ? 0.85 : 0, dashArray: "4 4", fill: false };
      });
    }

    function setTiles(url, options) {
      if (tileLayer) map.removeLayer(tileLayer);
      tileLayer = null;
      if (url) {
        options = options || {};
        var tileOptions = { maxZoom: map.getMaxZoom(),
                            attribution: escapeHtml(options.attribution || "") };
        if (options.maxNativeZoom != null) tileOptions.maxNativeZoom = options.maxNativeZoom;
        if (options.minNativeZoom != null) tileOptions.minNativeZoom = options.minNativeZoom;
        if (options.bounds) tileOptions.bounds = L.latLngBounds(options.bounds);
        tileLayer = L.tileLayer(url, tileOptions).addTo(map);
      }
      map.getContainer().classList.toggle("lagesbild-no-tiles", !tileLayer);
      styleAreas();
      return !!tileLayer;
    }

    // Names of the areas, above the points (with a halo); sub-area names only when zoomed in.
    (config.labels || []).forEach(function (label) {
      L.marker([label.lat, label.lon], {
        pane: "lagesbildLabels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "lb-area-label " + (label.top ? "lb-top" : "lb-sub"),
                          html: "<span>" + escapeHtml(label.name) + "</span>",
                          iconSize: null })
      }).addTo(map);
    });
    function updateLabelDetail() {
      map.getContainer().classList.toggle("lb-show-sub", map.getZoom() >= config.subAreaLabelZoom);
    }
    map.on("zoomend", updateLabelDetail);
    map.on("zoomend", styleAreas);
    updateLabelDetail();

    // --- controls: zoom, scale, mode switch, legend ----------------------------------------
    L.control.zoom({ position: "topleft", zoomInTitle: texts.zoomIn, zoomOutTitle: texts.zoomOut }).addTo(map);
    L.control.scale({ position: "bottomleft", metric: true, imperial: false, maxWidth: 160 }).addTo(map);
    if (map.attributionControl) {
      map.attributionControl.setPrefix("Leaflet");
      if (config.areasAttribution) map.attributionControl.addAttribution(escapeHtml(config.areasAttribution));
    }

    var ModeControl = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "lb-mode leaflet-bar");
        this.pointsButton = this.button(box, texts.points, false);
        this.heatButton = this.button(box, texts.heatmap, true);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
      button: function (box, label, on) {
        var b = L.DomUtil.create("button", "lb-mode-button", box);
        b.type = "button";
        b.textContent = label;
        L.DomEvent.on(b, "click", function () { setHeatmap(on, true); });
        return b;
      },
      update: function () {
        this.pointsButton.classList.toggle("lb-active", !heatOn);
        this.heatButton.classList.toggle("lb-active", heatOn);
        this.pointsButton.setAttribute("aria-pressed", String(!heatOn));
        this.heatButton.setAttribute("aria-pressed", String(heatOn));
      }
    });
    var modeControl = new ModeControl().addTo(map);
    modeControl.update();

    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        this.box = L.DomUtil.create("div", "lb-legend");
        L.DomEvent.disableClickPropagation(this.box);
        L.DomEvent.disableScrollPropagation(this.box);
        this.update();
        return this.box;
      },
      update: function () {
        if (!this.box) return;
        var html = '<div class="lb-legend-title">' + escapeHtml(texts.legend) + "</div>";
        if (heatOn) {
          html += '<div class="lb-heat-bar"></div><div class="lb-heat-ends"><span>' +
            escapeHtml(texts.fewer) + "</span><span>" + escapeHtml(texts.more) + "</span></div>";
        } else if (data.n === 0) {
          html += '<div class="lb-legend-empty">' + escapeHtml(texts.noObservations) + "</div>";
        } else {
          var rows = [];
          data.counts.forEach(function (count, p) { if (count) rows.push([count, p]); });
          rows.sort(function (a, b) { return b[0] - a[0]; });
          rows.forEach(function (row) {
            var entry = palette[row[1]];
            html += '<div class="lb-legend-row"><span class="lb-dot" style="background:' +
              entry.colour + '"></span><span class="lb-legend-label">' + escapeHtml(entry.label) +
              '</span><span class="lb-legend-count">' + numberFormat.format(row[0]) + "</span></div>";
          });
        }
        if (data.n > 0) {
          html += '<div class="lb-legend-total">' +
            escapeHtml((data.n === 1 ? texts.oneObservation : texts.observations)
              .replace("{n}", numberFormat.format(data.n))) + "</div>";
        }
        this.box.innerHTML = html;
      }
    });
    var legend = new Legend().addTo(map);

    // Keep what is fitted clear of the legend in the bottom-right corner, unless the map
    // is so narrow that the legend would leave too little room.
    function fitOptions(extra) {
      var box = legend.box, options = { paddingTopLeft: [20, 20], animate: false };
      var aside = box ? box.offsetWidth : 0;
      if (aside > map.getSize().x / 2) aside = 0;
      options.paddingBottomRight = [aside + 20, 20];
      for (var key in extra) options[key] = extra[key];
      return options;
    }

    if (config.fitAreas && layers.areas && layers.areas.getBounds().isValid()) {
      map.fitBounds(layers.areas.getBounds(), fitOptions({}));
    }
    styleAreas();
    map.getContainer().classList.toggle("lagesbild-no-tiles", !tileLayer);


    // --- a safety walk's route: a line, numbered stops, and a drawing mode ---------------------
    // The line and stops arrive as [lat, lon] ([number, lat, lon] for stops). In drawing
    // mode a click on the map appends a point and each point is a draggable marker; every
    // change goes back to Python as a JSON list of [lat, lon].
    var route = { line: [], stops: [], editing: false };
    var routeLayer = L.layerGroup().addTo(map);
    var routeEditLayer = L.layerGroup().addTo(map);
    var routeLine = null;

    function stopIcon(number) {
      return L.divIcon({
        className: "lb-stop",
        html: '<span style="display:block;width:22px;height:22px;border-radius:11px;' +
          "background:#1d4ed8;color:#fff;border:2px solid #fff;box-sizing:border-box;" +
          "font:600 11px/18px " + FONT + ';text-align:center;' +
          'box-shadow:0 1px 3px rgba(0,0,0,0.4)">' + escapeHtml(number) + "</span>",
        iconSize: [22, 22], iconAnchor: [11, 11] });
    }

    var vertexIcon = L.divIcon({
      className: "lb-route-vertex",
      html: '<span style="display:block;width:12px;height:12px;border-radius:6px;' +
        'background:#fff;border:3px solid #1d4ed8;box-sizing:border-box"></span>',
      iconSize: [12, 12], iconAnchor: [6, 6] });

    function drawRouteLine() {
      if (routeLine) { routeEditLayer.removeLayer(routeLine); routeLayer.removeLayer(routeLine); }
      routeLine = null;
      if (route.line.length >= 2 || (route.editing && route.line.length >= 1)) {
        routeLine = L.polyline(route.line, { color: "#1d4ed8", weight: 4, opacity: 0.85,
                                             dashArray: route.editing ? "6 6" : null,
                                             interactive: false });
        (route.editing ? routeEditLayer : routeLayer).addLayer(routeLine);
      }
    }

    function drawRoute() {
      routeLayer.clearLayers();
      routeEditLayer.clearLayers();
      routeLine = null;
      drawRouteLine();
      route.stops.forEach(function (stop) {
        L.marker([stop[1], stop[2]], { icon: stopIcon(stop[0]), keyboard: false,
                                       interactive: false }).addTo(routeLayer);
      });
      if (route.editing) {
        route.line.forEach(function (point, i) {
          var marker = L.marker(point, { icon: vertexIcon, draggable: true, keyboard: false })
            .addTo(routeEditLayer);
          marker.on("drag", function (e) {
            var p = e.target.getLatLng();
            route.line[i] = [p.lat, p.lng];
            drawRouteLine();
          });
          marker.on("dragend", reportRoute);
        });
      }
    }

    function reportRoute() {
      if (bridge && bridge.routeEdited) bridge.routeEdited(JSON.stringify(route.line));
      stats.routeReports = (stats.routeReports || 0) + 1;
    }

    function fitRoute() {
      var all = route.line.concat(route.stops.map(function (s) { return [s[1], s[2]]; }));
      if (all.length === 0) return false;
      var bounds = L.latLngBounds(all);
      if (all.length === 1 || bounds.getNorthEast().equals(bounds.getSouthWest())) {
        map.setView(bounds.getCenter(), Math.max(map.getZoom(), 16), { animate: false });
      } else {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
      }
      return true;
    }

    function setRoute(line, stops, fit) {
      route.line = (line || []).map(function (p) { return [+p[0], +p[1]]; });
      route.stops = (stops || []).map(function (s) { return [String(s[0]), +s[1], +s[2]]; });
      drawRoute();
      if (fit !== false) fitRoute();
      return route.line.length;
    }

    function editRoute(on) {
      route.editing = !!on;
      map.getContainer().style.cursor = route.editing ? "crosshair" : "";
      drawRoute();
      return route.editing;
    }

    map.on("click", function (e) {
      if (!route.editing) return;
      route.line.push([e.latlng.lat, e.latlng.lng]);
      drawRoute();
      reportRoute();
    });

    // --- a rectangle for an offline area: four draggable corners and a middle handle -----------
    // Bounds travel as [south, west, north, east]; every drag end goes back to Python.
    var area = { bounds: null, layer: L.layerGroup().addTo(map), rect: null };
    var areaIcon = L.divIcon({ className: "lb-area-handle", iconSize: [14, 14], iconAnchor: [7, 7] });
    var areaMoveIcon = L.divIcon({ className: "lb-area-handle lb-area-move", iconSize: [18, 18],
                                   iconAnchor: [9, 9] });

    function areaJson() {
      if (!area.bounds) return "";
      var b = area.bounds;
      return JSON.stringify([b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]);
    }

    function reportArea() {
      if (bridge && bridge.areaEdited) bridge.areaEdited(areaJson());
      stats.areaReports = (stats.areaReports || 0) + 1;
    }

    function drawArea() {
      area.layer.clearLayers();
      if (!area.bounds) return;
      var b = area.bounds;
      area.rect = L.rectangle(b, { color: "#b45309", weight: 2, dashArray: "6 4",
                                   fillColor: "#f59e0b", fillOpacity: 0.12,
                                   interactive: false }).addTo(area.layer);
      var corners = [b.getSouthWest(), b.getNorthWest(), b.getNorthEast(), b.getSouthEast()];
      corners.forEach(function (corner, i) {
        var marker = L.marker(corner, { icon: areaIcon, draggable: true, keyboard: false })
          .addTo(area.layer);
        var opposite = corners[(i + 2) % 4];
        marker.on("drag", function (e) {
          area.bounds = L.latLngBounds(opposite, e.target.getLatLng());
          area.rect.setBounds(area.bounds);
        });
        marker.on("dragend", function () { drawArea(); reportArea(); });
      });
      var middle = L.marker(b.getCenter(), { icon: areaMoveIcon, draggable: true, keyboard: false })
        .addTo(area.layer);
      middle.on("drag", function (e) {
        var c = b.getCenter(), p = e.target.getLatLng();
        var dLat = p.lat - c.lat, dLng = p.lng - c.lng;
        area.bounds = L.latLngBounds([b.getSouth() + dLat, b.getWest() + dLng],
                                     [b.getNorth() + dLat, b.getEast() + dLng]);
        area.rect.setBounds(area.bounds);
      });
      middle.on("dragend", function () { drawArea(); reportArea(); });
    }

    function editArea(on, bounds) {
      if (!on) {
        area.bounds = null;
        drawArea();
        return "";
      }
      if (bounds) {
        area.bounds = L.latLngBounds([bounds[0], bounds[1]], [bounds[2], bounds[3]]);
      } else {  // the middle of the visible map, a sixth in from each side
        var v = map.getBounds(), dy = (v.getNorth() - v.getSouth()) / 6;
        var dx = (v.getEast() - v.getWest()) / 6;
        area.bounds = L.latLngBounds([v.getSouth() + dy, v.getWest() + dx],
                                     [v.getNorth() - dy, v.getEast() - dx]);
      }
      drawArea();
      return areaJson();  // a fresh rectangle goes back to Python as this result
    }

    // --- the API Python calls (every call returns something small) ----------------------------
    var api = {
      setObservations: setObservations,
      setCategories: function (categories) {
        setCategories(categories);
        legend.update();
        return palette.length;
      },
      select: select,
      showDetails: showDetails,
      setHeatmap: function (on) { return setHeatmap(on, false); },
      setTiles: setTiles,
      fitObservations: function () {
        if (data.n === 0) return false;
        var s = 90, w = 180, n = -90, e = -180;
        for (var i = 0; i < data.n; i++) {
          var la = data.lat[i], lo = data.lon[i];
          if (la < s) s = la; if (la > n) n = la; if (lo < w) w = lo; if (lo > e) e = lo;
        }
        map.fitBounds([[s, w], [n, e]], fitOptions({ maxZoom: config.selectMinZoom }));
        return true;
      },
      fitAreas: function () {
        if (!layers.areas || !layers.areas.getBounds().isValid()) return false;
        map.fitBounds(layers.areas.getBounds(), fitOptions({}));
        return true;
      },
      setView: function (lat, lon, zoom) { map.setView([lat, lon], zoom, { animate: false }); return 0; },
      drawnCount: function () { return data.n; },
      // The points/heatmap switch and the legend are for observations: a walk's map hides them.
      showObservationControls: function (on) {
        var shown = on ? "" : "none";
        modeControl.getContainer().style.display = shown;
        if (legend.box) legend.box.style.display = shown;
        return !!on;
      },
      setRoute: setRoute,
      editRoute: editRoute,
      editArea: editArea,
      areaInfo: function () {
        return JSON.stringify({ bounds: area.bounds ? JSON.parse(areaJson()) : null,
                                reports: stats.areaReports || 0 });
      },
      viewBounds: function () {
        var v = map.getBounds();
        return JSON.stringify([v.getWest(), v.getSouth(), v.getEast(), v.getNorth()]);
      },
      // Where a place is on screen, "x,y" in CSS pixels of the map container.
      containerPointOfLatLng: function (lat, lon) {
        var p = map.latLngToContainerPoint([lat, lon]);
        return p.x + "," + p.y;
      },
      fitRoute: fitRoute,
      routeInfo: function () {
        return JSON.stringify({ points: route.line.length, line: route.line,
          stops: route.stops.map(function (s) { return s[0]; }), editing: route.editing,
          reports: stats.routeReports || 0 });
      },
      stats: function () {
        var c = map.getCenter();
        return JSON.stringify({ count: data.n, gen: data.gen, mode: heatOn ? "heatmap" : "points",
          zoom: map.getZoom(), center: [c.lat, c.lng], visible: stats.visible,
          clusters: stats.clusters, drawMs: stats.drawMs, pushMs: stats.pushMs,
          draws: stats.draws, selected: selected, tiles: !!tileLayer,
          lastClick: stats.lastClick || null });
      },
      // Where a point is on screen, "x,y" in CSS pixels of the map container; "" if none.
      containerPointOf: function (index) {
        if (index < 0 || index >= data.n) return "";
        var p = map.latLngToContainerPoint([data.lat[index], data.lon[index]]);
        return p.x + "," + p.y;
      },
      map: map
    };

    function connect() {
      if (!(window.qt && window.qt.webChannelTransport && window.QWebChannel)) return;
      new window.QWebChannel(window.qt.webChannelTransport, function (channel) {
        bridge = channel.objects.lagesbildBridge;
        if (bridge) bridge.pageReady();
      });
    }
    connect();
    return api;
  }

  window.LagesbildMap = { install: install };
})();

// Night theme (used in a dark car): the base map and background dimmed, the points kept
// in their category colours. Added to the API object from outside `install` on purpose,
// so it stays one self-contained function.
window.LagesbildMap.setNight = function (on) {
  var id = "lagesbild-night-style";
  if (!document.getElementById(id)) {
    var style = document.createElement("style");
    style.id = id;
    style.textContent =
      "html.lagesbild-night .leaflet-container { background: #14171b; }" +
      "html.lagesbild-night .leaflet-tile-pane {" +
      " filter: brightness(0.6) invert(1) contrast(3) hue-rotate(200deg) saturate(0.3)" +
      " brightness(0.7); }" +
      "html.lagesbild-night .leaflet-overlay-pane svg {" +
      " filter: invert(0.9) hue-rotate(180deg) brightness(0.85); }" +
      "html.lagesbild-night .leaflet-control-scale-line {" +
      " background: rgba(35, 39, 46, 0.8); color: #dcdfe4; border-color: #8a93a0; }" +
      "html.lagesbild-night .lb-area-label span { color: #9aa3b0; text-shadow: none; }" +
      "html.lagesbild-night .leaflet-control, html.lagesbild-night .leaflet-popup-content-wrapper," +
      " html.lagesbild-night .leaflet-popup-tip, html.lagesbild-night .leaflet-bar a {" +
      " background: #23272e; color: #dcdfe4; border-color: #3a3f47; }";
    document.head.appendChild(style);
  }
  document.documentElement.classList.toggle("lagesbild-night", !!on);
  return document.documentElement.classList.contains("lagesbild-night");
};
