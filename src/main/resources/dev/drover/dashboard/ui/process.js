// One instance's page: its figures, commands, probe results, live log tail, recent events and a
// small CPU / memory chart of the last minutes.
import {h, svg, duration, bytes, percent, why, tone, time} from './format.js';
import {uptimeOf} from './table.js';

const SIGNALS = ['HUP', 'INT', 'TERM', 'USR1', 'USR2', 'KILL'];
const LINES_KEPT = 2000;

export function renderProcess(view, daemon, id) {
  const facts = h('dl', {class: 'facts'});
  const probe = h('dl', {class: 'facts'});
  const notice = h('p', {class: 'notice', role: 'status', 'aria-live': 'polite'});
  const signal = h('select', {id: 'signal', 'aria-label': 'signal'}, SIGNALS.map((s) => h('option', {value: s}, s)));
  const log = h('pre', {id: 'log', class: 'log', tabindex: '0', 'aria-label': 'log tail', 'aria-live': 'off'});
  const filter = h('input', {type: 'search', id: 'log-filter', placeholder: 'filter lines',
    'aria-label': 'filter log lines', oninput: () => redrawLog()});
  const pause = h('button', {type: 'button', id: 'log-pause', 'aria-pressed': 'false', onclick: () => togglePause()}, 'Pause');
  const events = h('ol', {id: 'events', class: 'events', reversed: true});
  const chart = h('div', {class: 'chart', id: 'chart'});
  const lines = [];
  let paused = false;
  let held = [];

  async function command(action, body) {
    if (action === 'stop' && !confirm(`Stop ${id}?`)) return;
    if (action === 'signal' && !confirm(`Send SIG${body.signal} to ${id}?`)) return;
    notice.textContent = `${action}…`;
    const answer = await daemon.post(`/api/processes/${encodeURIComponent(id)}/${action}`, body);
    notice.textContent = answer.ok ? `${action}: queued` : `${action} failed: ${answer.body.error}`;
  }

  view.replaceChildren(
    h('div', {class: 'toolbar'},
      h('h1', {}, h('a', {href: '#/'}, 'Processes'), ' / ', id),
      h('div', {class: 'actions'},
        h('button', {type: 'button', id: 'act-start', onclick: () => command('start')}, 'Start'),
        h('button', {type: 'button', id: 'act-stop', class: 'danger', onclick: () => command('stop')}, 'Stop'),
        h('button', {type: 'button', id: 'act-restart', onclick: () => command('restart')}, 'Restart'),
        signal,
        h('button', {type: 'button', id: 'act-signal', class: 'danger',
          onclick: () => command('signal', {signal: signal.value})}, 'Send signal'))),
    notice,
    h('div', {class: 'panels'},
      h('section', {'aria-labelledby': 'h-facts'}, h('h2', {id: 'h-facts'}, 'Now'), facts),
      h('section', {'aria-labelledby': 'h-probe'}, h('h2', {id: 'h-probe'}, 'Probes'), probe),
      h('section', {'aria-labelledby': 'h-chart'}, h('h2', {id: 'h-chart'}, 'CPU and memory, last minutes'), chart)),
    h('section', {'aria-labelledby': 'h-log'},
      h('div', {class: 'toolbar'}, h('h2', {id: 'h-log'}, 'Output'), filter, pause,
        h('button', {type: 'button', id: 'log-download', onclick: () => download()}, 'Download')),
      log),
    h('section', {'aria-labelledby': 'h-events'}, h('h2', {id: 'h-events'}, 'Recent events'), events));

  function drawFacts() {
    const p = daemon.processes.get(id);
    if (!p) {
      facts.replaceChildren(h('dt', {}, 'state'), h('dd', {}, 'unknown process'));
      return;
    }
    const entries = [
      ['state', h('span', {class: `pill ${tone(p)}`, id: 'state'}, p.state)], ['health', p.health],
      ['pid', h('span', {id: 'pid'}, p.pid || '-')], ['uptime', duration(uptimeOf(p))],
      ['restarts', h('span', {id: 'restarts'}, p.restartCount)], ['port', p.port ?? '-'],
      ['cpu', percent(p.cpu)], ['memory', bytes(p.memory)], ['why', why(p) || '-'],
    ];
    facts.replaceChildren(...entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    probe.replaceChildren(
      h('dt', {}, 'health'), h('dd', {}, p.health),
      h('dt', {}, 'failures in a row'), h('dd', {}, p.healthCheckFailures),
      h('dt', {}, 'last check'), h('dd', {}, p.lastHealthCheck || '-'),
      h('dt', {}, 'failed starts'), h('dd', {}, p.failedStarts));
  }

  function drawEvents() {
    const mine = daemon.events.filter((e) => e.process === id).slice(-30).reverse();
    events.replaceChildren(...mine.map((e) => h('li', {},
      h('time', {}, time(e.time)), ` ${e.previousState} → ${e.state} (${e.health})`,
      e.pid ? ` pid ${e.pid}` : '', `: ${e.reason}`)));
  }

  function drawChart() {
    const series = daemon.samples.get(id) || [];
    chart.replaceChildren(spark('CPU', series.map((s) => s.cpu), percent),
      spark('memory', series.map((s) => s.memory), bytes));
  }

  function lineElement(entry) {
    return h('span', {class: `line ${entry.stream}`},
      h('span', {class: 'stream'}, entry.stream === 'stderr' ? 'err' : entry.stream === 'drover' ? 'drv' : 'out'),
      ` ${entry.line}\n`);
  }

  function visible(entry) {
    const text = filter.value.trim().toLowerCase();
    return !text || entry.line.toLowerCase().includes(text);
  }

  function redrawLog() {
    log.replaceChildren(...lines.filter(visible).map(lineElement));
    log.scrollTop = log.scrollHeight;
  }

  function add(entry) {
    if (paused) { held.push(entry); return; }
    lines.push(entry);
    if (lines.length > LINES_KEPT) lines.shift();
    if (visible(entry)) {
      const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
      log.append(lineElement(entry));
      while (log.childNodes.length > LINES_KEPT) log.firstChild.remove();
      if (atEnd) log.scrollTop = log.scrollHeight;
    }
  }

  function togglePause() {
    paused = !paused;
    pause.textContent = paused ? `Resume` : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      const waiting = held;
      held = [];
      waiting.forEach(add);
    }
  }

  function download() {
    const text = lines.map((e) => `${new Date(e.time).toISOString()} ${e.stream} ${e.line}`).join('\n') + '\n';
    const link = h('a', {href: URL.createObjectURL(new Blob([text], {type: 'text/plain'})),
      download: `${id}.log`});
    document.body.append(link);
    link.click();
    link.remove();
  }

  // The log tail is its own stream; the browser resumes it after a drop (with the last lines again).
  let tail = null;
  function follow() {
    if (tail) tail.close();
    lines.length = 0;
    log.replaceChildren();
    tail = new EventSource(`/api/processes/${encodeURIComponent(id)}/logs?lines=200&follow=true`);
    tail.onmessage = (message) => add(JSON.parse(message.data));
    tail.onerror = () => tail.close();
  }
  follow();

  const onChange = () => drawFacts();
  const onEvent = () => drawEvents();
  const onSamples = () => drawChart();
  const onConnection = () => { if (daemon.connected) follow(); };
  daemon.addEventListener('change', onChange);
  daemon.addEventListener('event', onEvent);
  daemon.addEventListener('samples', onSamples);
  daemon.addEventListener('connection', onConnection);
  drawFacts();
  drawEvents();
  drawChart();
  return {
    tick: drawFacts,
    close() {
      if (tail) tail.close();
      daemon.removeEventListener('change', onChange);
      daemon.removeEventListener('event', onEvent);
      daemon.removeEventListener('samples', onSamples);
      daemon.removeEventListener('connection', onConnection);
    },
  };
}

/** A tiny line chart of the values, with the last one written beside it. */
function spark(label, values, format) {
  const width = 240;
  const height = 48;
  const max = Math.max(...values, label === 'CPU' ? 100 : 1);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - (v / max) * (height - 2) - 1).toFixed(1)}`);
  const last = values.length ? format(values[values.length - 1]) : 'no samples yet';
  return h('figure', {},
    svg('svg', {viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `${label}: ${last}`},
      svg('rect', {x: 0, y: 0, width, height, class: 'spark-bg'}),
      points.length ? svg('polyline', {points: points.join(' '), class: 'spark-line'}) : null),
    h('figcaption', {}, `${label} ${last}`));
}
