// The dashboard's entry point: connects to the daemon, then shows the view the URL's hash names
// (#/ the table, #/graph the dependencies, #/process/ID one instance).
import {Daemon} from './connection.js';
import {renderTable} from './table.js';
import {renderProcess} from './process.js';
import {renderGraph} from './graph.js';
import {duration} from './format.js';

const daemon = new Daemon();
const view = document.getElementById('view');
const banner = document.getElementById('banner');
const live = document.getElementById('live');
let current = null;

function route() {
  if (current && current.close) current.close();
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  document.querySelectorAll('nav a').forEach((a) => a.removeAttribute('aria-current'));
  if (hash.startsWith('process/')) {
    current = renderProcess(view, daemon, hash.slice('process/'.length));
  } else if (hash === 'graph') {
    document.getElementById('nav-graph').setAttribute('aria-current', 'page');
    current = renderGraph(view, daemon);
  } else {
    document.getElementById('nav-table').setAttribute('aria-current', 'page');
    const table = renderTable(view, daemon);
    // Redraws coalesced: a burst of events costs one redraw.
    let pending = false;
    const update = () => {
      if (pending) return;
      pending = true;
      setTimeout(() => { pending = false; table.update(); }, 30);
    };
    daemon.addEventListener('change', update);
    current = {tick: table.tick, close: () => daemon.removeEventListener('change', update)};
  }
}

function showConnection() {
  if (daemon.connected) {
    banner.hidden = true;
    banner.textContent = '';
    live.textContent = 'live';
    live.className = 'live on';
  } else {
    const wait = Math.max(0, daemon.retryAt - Date.now());
    banner.hidden = false;
    banner.textContent = `Lost the connection to the daemon; retrying in ${duration(wait) === '-' ? 'a moment' : duration(wait)}… `
      + '(what you see may be out of date)';
    live.textContent = 'offline';
    live.className = 'live off';
  }
}

daemon.addEventListener('connection', showConnection);

document.getElementById('logout').addEventListener('click', async () => {
  await daemon.post('/logout');
  location.replace('/login');
});

window.addEventListener('hashchange', route);
setInterval(() => {
  if (current && current.tick) current.tick();
  if (!daemon.connected && daemon.retryAt) showConnection();
}, 1000);

daemon.start().then(route, (e) => {
  if (e.message !== 'not logged in') {
    banner.hidden = false;
    banner.textContent = `Cannot reach the daemon: ${e.message}`;
  }
});
