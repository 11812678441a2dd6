// Operators' dashboard: the map of facilities with problem sensors (the list beside it has the same data).
(() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const el = document.getElementById('ops-map');
  if (!window.L || !el) return;
  if (data.markers.length === 0) {
    el.hidden = true;
    return;
  }
  // Leaflet inserts strings as HTML: tooltips get text nodes, the attribution escaped text.
  const label = (text) => {
    const span = document.createElement('span');
    span.textContent = text;
    return span;
  };
  const asText = (text) => label(text).innerHTML;
  const map = L.map(el, { scrollWheelZoom: false });
  if (data.map.tileUrl) L.tileLayer(data.map.tileUrl, { maxZoom: 19, attribution: asText(data.map.attribution) }).addTo(map);
  const bounds = [];
  for (const m of data.markers) {
    bounds.push([m.lat, m.lon]);
    L.circleMarker([m.lat, m.lon], { radius: 8 + Math.min(12, m.problems), color: '#b00020', weight: 2 })
      .bindTooltip(label(`${m.name}: ${m.problems}`))
      .addTo(map);
  }
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
})();
