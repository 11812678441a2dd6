// Signage display. Plain ES5, no framework: it must run for months on old browser engines.
// Live updates by server-sent events, polling as fallback; shows "–" and a marker whenever the
// data is unknown or the display has lost contact, never an old number as if it were fresh.
(() => {
  var data = JSON.parse(document.getElementById('page-data').textContent);
  var msg = data.messages;
  var url = '/v1/facilities/' + encodeURIComponent(data.id) + '/availability';
  var STALE_MS = data.staleMs || 25000;
  var POLL_MS = Math.min(5000, STALE_MS / 3);
  var SLOW_POLL_MS = Math.min(10000, STALE_MS / 2);
  // The server rendered the page with fresh data a moment ago.
  var lastOk = new Date().getTime();
  var current = data.initial;
  var history = [];
  var sseOpen = false;
  var el = {
    sign: document.getElementById('sign'),
    count: document.getElementById('count'),
    label: document.getElementById('label'),
    trend: document.getElementById('trend'),
    marker: document.getElementById('marker'),
    updated: document.getElementById('updated'),
  };

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  function trendOf(free) {
    var now = new Date().getTime();
    history.push({ t: now, free: free });
    while (history.length > 1 && now - history[0].t > 15 * 60000) history.shift();
    var old = history[0];
    if (!old || now - old.t < 60000) return '';
    if (free > old.free) return '\u25B2';
    if (free < old.free) return '\u25BC';
    return '';
  }

  // Unknown, closed or out of contact: a plain "–" and a label saying so, never "frei" under it.
  function show() {
    var fresh = new Date().getTime() - lastOk < STALE_MS;
    var status = current ? current.status : 'unknown';
    var ok = fresh && status !== 'unknown' && status !== 'closed';
    el.count.textContent = ok ? String(current.free) : '\u2013';
    el.sign.className = 'sign status-' + (ok ? status : 'unknown') + (ok ? '' : ' no-data') + (fresh ? '' : ' stale');
    el.label.textContent = ok ? msg.free : fresh && status === 'closed' ? msg.closedLabel : msg.noData;
    el.marker.hidden = fresh;
    el.marker.style.display = fresh ? 'none' : '';
    el.marker.textContent = msg.signageStale;
    if (!ok) el.trend.textContent = '';
  }

  function update(body) {
    current = body;
    lastOk = new Date().getTime();
    if (body.status !== 'unknown') el.trend.textContent = trendOf(body.free);
    var d = new Date();
    el.updated.textContent = msg.updated + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
    show();
  }

  var inFlight = false;
  function poll() {
    if (inFlight) return;
    inFlight = true;
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url, true);
    // Revalidate every time: the HTTP cache may answer with a 304-backed copy, never a stale one.
    xhr.setRequestHeader('Cache-Control', 'no-cache');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.timeout = 8000;
    xhr.onreadystatechange = () => {
      if (xhr.readyState !== 4) return;
      inFlight = false;
      if (xhr.status === 200) {
        try {
          update(JSON.parse(xhr.responseText));
        } catch (e) {
          show();
        }
      } else if (xhr.status === 304 && current) {
        lastOk = new Date().getTime();
        show();
      } else {
        show();
      }
    };
    xhr.send();
  }

  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource('/v1/stream?facilities=' + encodeURIComponent(data.id));
    source.onopen = () => {
      sseOpen = true;
      poll();
    };
    source.onmessage = poll;
    source.addEventListener('availability', poll);
    source.onerror = () => {
      sseOpen = false;
      if (source.readyState === 2) {
        // Closed for good (e.g. the server answered with an error): try again later.
        setTimeout(connect, 10000);
      }
    };
  }

  var lastPoll = 0;
  setInterval(() => {
    var now = new Date().getTime();
    if (now - lastPoll >= (sseOpen ? SLOW_POLL_MS : POLL_MS)) {
      lastPoll = now;
      poll();
    }
    show();
  }, 1000);
  poll();
  connect();
})();
