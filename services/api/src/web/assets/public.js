// Public page: filters, optional map, live numbers over server-sent events with a polling fallback.
(() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const msg = data.messages;
  const list = document.getElementById('facility-list');
  const items = Array.from(list.querySelectorAll('li.facility'));
  const byId = new Map(items.map((li) => [li.dataset.id, li]));
  const categories = new Map(data.facilities.map((f) => [f.id, f.byCategory || {}]));
  const symbols = { open: '●', almost_full: '◐', full: '■', closed: '✕', unknown: '?' };
  let filter = 'all';
  let origin = null;

  const CATEGORY_FILTERS = ['camper', 'disabled', 'ev'];
  const isCategoryFilter = () => CATEGORY_FILTERS.includes(filter);

  // What a list item shows: the facility's numbers, or with a category filter that category's
  // numbers and its own status (never the facility's status beside a category's count).
  function shownFor(li) {
    if (isCategoryFilter()) return categories.get(li.dataset.id)?.[filter] || null;
    return li._availability || null;
  }

  function render(id) {
    const li = byId.get(id);
    if (!li) return;
    const shown = shownFor(li);
    if (!shown) return;
    // The facility page then leads with the same category's numbers.
    const link = li.querySelector('.facility-name');
    const url = new URL(link.href);
    if (isCategoryFilter()) url.searchParams.set('category', filter);
    else url.searchParams.delete('category');
    link.href = url.toString();
    const p = li.querySelector('.availability');
    const status = shown.status;
    p.className = `availability status-${status}`;
    p.querySelector('.free-count').textContent = status === 'unknown' ? '–' : String(shown.free);
    p.querySelector('.capacity').textContent = String(shown.capacity);
    p.querySelector('.status-symbol').textContent = symbols[status] || '?';
    p.querySelector('.status-text').textContent = msg[`status_${status}`] || status;
    if (markers.has(id)) markers.get(id).setTooltipContent(tooltip(li));
  }

  function matches(li) {
    if (filter === 'all') return true;
    if (filter === 'car') return li.dataset.kind !== 'rv_site';
    return (li.dataset.categories || '').split(' ').includes(filter);
  }

  function applyFilter() {
    let visible = 0;
    for (const li of items) {
      const show = matches(li);
      li.hidden = !show;
      if (show) visible += 1;
      render(li.dataset.id);
      const marker = markers.get(li.dataset.id);
      if (marker && map) show ? marker.addTo(map) : marker.remove();
    }
    document.getElementById('no-match').hidden = visible > 0;
  }

  for (const input of document.querySelectorAll('input[name="filter"]')) {
    input.addEventListener('change', () => {
      filter = input.value;
      applyFilter();
      scheduleRefresh();
    });
  }

  function distanceKm(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad;
    const dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function sortByDistance() {
    const withDistance = items.map((li) => ({ li, d: distanceKm(origin, { lat: Number(li.dataset.lat), lon: Number(li.dataset.lon) }) }));
    withDistance.sort((a, b) => a.d - b.d);
    for (const { li, d } of withDistance) {
      const el = li.querySelector('.distance');
      el.hidden = false;
      el.textContent = d < 1 ? `${Math.round(d * 1000)} m` : `${d.toFixed(1)} km`;
      list.appendChild(li);
    }
  }

  const status = document.getElementById('locate-status');
  document.getElementById('locate').addEventListener('click', () => {
    if (!navigator.geolocation) {
      status.textContent = msg.locationDenied;
      return;
    }
    status.textContent = msg.locating;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        origin = { lat: pos.coords.latitude, lon: pos.coords.longitude };
        status.textContent = '';
        sortByDistance();
      },
      () => {
        status.textContent = msg.locationDenied;
      },
      { timeout: 10000, maximumAge: 60000 },
    );
  });

  // Map (optional): the list stays complete when tiles or Leaflet cannot load.
  const markers = new Map();
  let map = null;
  // Leaflet inserts strings as HTML: tooltips get text nodes, the attribution escaped text.
  function label(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span;
  }
  const asText = (text) => label(text).innerHTML;
  function tooltip(li) {
    const name = li.querySelector('.facility-name').textContent;
    const free = li.querySelector('.free-count').textContent;
    return label(`${name}: ${free} ${msg.free}`);
  }
  if (data.map.tileUrl && window.L) {
    try {
      map = L.map('map', { scrollWheelZoom: false });
      const tiles = L.tileLayer(data.map.tileUrl, { maxZoom: 19, attribution: asText(data.map.attribution) });
      let tileErrors = 0;
      tiles.on('tileerror', () => {
        tileErrors += 1;
        if (tileErrors === 4) document.getElementById('map-fallback').hidden = false;
      });
      tiles.addTo(map);
      const bounds = [];
      for (const li of items) {
        const ll = [Number(li.dataset.lat), Number(li.dataset.lon)];
        bounds.push(ll);
        const marker = L.circleMarker(ll, { radius: 9, weight: 2 }).bindTooltip(tooltip(li));
        marker.on('click', () => {
          location.href = li.querySelector('a').href;
        });
        marker.addTo(map);
        markers.set(li.dataset.id, marker);
      }
      if (bounds.length) map.fitBounds(bounds, { padding: [24, 24] });
    } catch {
      document.getElementById('map-fallback').hidden = false;
    }
  } else if (data.map.tileUrl) {
    document.getElementById('map-fallback').hidden = false;
  }
  if (!map) markers.clear();

  // Live numbers: any change event → one refetch of the list (debounced); polling when SSE is not there.
  const connection = document.getElementById('connection');
  function setConnected(ok) {
    connection.classList.toggle('offline', !ok);
    connection.querySelector('.text').textContent = ok ? msg.live : msg.offline;
  }
  let pending = null;
  // Reads every page of a list; `category` asks the API for that category's counts and status.
  async function fetchAll(category, onItem) {
    let cursor = null;
    for (let page = 0; page < 20; page++) {
      const query = `limit=200${category ? `&category=${category}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      // Revalidate: the list is cacheable for a few seconds, and a change was just announced.
      const res = await fetch(`/v1/facilities?${query}`, { cache: 'no-cache', headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(String(res.status));
      const body = await res.json();
      for (const f of body.items) onItem(f);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
  }
  async function refresh() {
    pending = null;
    try {
      await fetchAll(null, (f) => {
        const li = byId.get(f.id);
        if (li) li._availability = f.availability;
      });
      if (isCategoryFilter()) {
        const category = filter;
        await fetchAll(category, (f) => {
          if (!f.category) return;
          const known = categories.get(f.id) || {};
          known[category] = f.category;
          categories.set(f.id, known);
        });
      }
      for (const li of items) render(li.dataset.id);
      setConnected(true);
    } catch {
      setConnected(false);
    }
  }
  function scheduleRefresh() {
    if (!pending) pending = setTimeout(refresh, 300);
  }
  // Polls fast while the event stream is down, slowly (as a safety net) while it is up.
  let sseOpen = false;
  let lastPoll = 0;
  if (window.EventSource) {
    const ids = items.map((li) => li.dataset.id).join(',');
    const source = new EventSource(`/v1/stream?facilities=${encodeURIComponent(ids)}`);
    source.onmessage = scheduleRefresh;
    source.addEventListener('availability', scheduleRefresh);
    source.onopen = () => {
      sseOpen = true;
      scheduleRefresh();
    };
    source.onerror = () => {
      sseOpen = false;
    };
  }
  setInterval(() => {
    if (Date.now() - lastPoll >= (sseOpen ? 30000 : 5000)) {
      lastPoll = Date.now();
      void refresh();
    }
  }, 1000);
  applyFilter();
})();
