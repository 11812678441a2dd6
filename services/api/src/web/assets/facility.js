// Facility page: today's occupancy against the typical curve for this weekday (SVG), and the forecast.
(() => {
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const msg = data.messages;
  const base = `/v1/facilities/${encodeURIComponent(data.id)}`;
  const DAY = 86400000;

  async function getJson(url) {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return res.json();
  }

  function midnight(d) {
    const m = new Date(d);
    m.setHours(0, 0, 0, 0);
    return m;
  }

  // Occupied share per hour of day (0..23) from a history response; null where no data.
  function hourly(points, dayStart) {
    const sums = new Array(24).fill(0);
    const counts = new Array(24).fill(0);
    for (const p of points) {
      const t = new Date(p.start).getTime();
      const hour = Math.floor((t - dayStart.getTime()) / 3600000);
      const occupied = p.occupiedAvg;
      const capacity = p.capacity ?? data.capacity;
      if (hour < 0 || hour > 23 || occupied == null || !capacity) continue;
      sums[hour] += occupied / capacity;
      counts[hour] += 1;
    }
    return sums.map((s, i) => (counts[i] ? s / counts[i] : null));
  }

  function path(values, w, h) {
    let d = '';
    values.forEach((v, i) => {
      if (v == null) return;
      const x = (i / 23) * w;
      const y = h - v * h;
      d += `${d === '' || values[i - 1] == null ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)} `;
    });
    return d.trim();
  }

  async function drawChart() {
    const today = midnight(new Date());
    const days = [0, 7, 14, 21, 28].map((n) => new Date(today.getTime() - n * DAY));
    const series = await Promise.all(
      days.map((d) =>
        getJson(`${base}/history?from=${d.toISOString()}&to=${new Date(Math.min(Date.now(), d.getTime() + DAY)).toISOString()}&interval=1h`)
          .then((body) => hourly(body.items, d))
          .catch(() => new Array(24).fill(null)),
      ),
    );
    const [todayValues, ...past] = series;
    const typical = todayValues.map((_, h) => {
      const vs = past.map((s) => s[h]).filter((v) => v != null);
      return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : null;
    });
    if (!todayValues.some((v) => v != null) && !typical.some((v) => v != null)) return;
    const w = 600;
    const h = 200;
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `-44 -10 ${w + 74} ${h + 32}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${msg.today} / ${msg.typical}`);
    const add = (name, attrs, text) => {
      const el = document.createElementNS(ns, name);
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      if (text) el.textContent = text;
      svg.appendChild(el);
    };
    for (const pct of [0, 50, 100]) {
      add('line', { x1: 0, x2: w, y1: h - (pct / 100) * h, y2: h - (pct / 100) * h, class: 'grid' });
      add('text', { x: -6, y: h - (pct / 100) * h + 4, 'text-anchor': 'end', class: 'axis' }, `${pct}%`);
    }
    for (const hour of [0, 6, 12, 18, 23])
      add('text', { x: (hour / 23) * w, y: h + 18, 'text-anchor': 'middle', class: 'axis' }, `${hour}:00`);
    add('path', { d: path(typical, w, h), class: 'typical' });
    add('path', { d: path(todayValues, w, h), class: 'today' });
    todayValues.forEach((v, i) => {
      if (v != null) add('circle', { cx: (i / 23) * w, cy: h - v * h, r: 4, class: 'today-point' });
    });
    const chart = document.getElementById('chart');
    chart.textContent = '';
    chart.appendChild(svg);
    const legend = document.createElement('p');
    legend.className = 'legend';
    for (const [key, text] of [
      ['today', msg.today],
      ['typical', msg.typical],
    ]) {
      const swatch = document.createElement('span');
      swatch.className = `key ${key}`;
      legend.append(swatch, ' ', text, ' ');
    }
    chart.appendChild(legend);
  }

  async function showForecast() {
    const list = document.getElementById('forecast');
    const section = list.closest('section');
    const hours = [1, 2, 3];
    const results = await Promise.all(
      hours.map((h) => getJson(`${base}/forecast?at=${new Date(Date.now() + h * 3600000).toISOString()}`).catch(() => null)),
    );
    if (!results.some(Boolean)) {
      section.hidden = true;
      return;
    }
    results.forEach((r, i) => {
      if (!r || r.free == null) return;
      const li = document.createElement('li');
      const free = r.free;
      li.textContent = `${msg.forecastIn.replace('{h}', String(hours[i]))}: ${Math.round(free)} ${msg.expectedFree}`;
      list.appendChild(li);
    });
  }

  drawChart().catch(() => {});
  showForecast().catch(() => {});
})();
