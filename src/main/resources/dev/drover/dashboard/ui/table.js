// The process table: one row per instance, as `drover ps` shows them, redrawn when an event or
// a resource sample changes something, and once a second for the uptimes.
import {h, duration, bytes, percent, why, tone} from './format.js';

const COLUMNS = ['NAME', 'REPLICA', 'STATE', 'HEALTH', 'PID', 'UPTIME', 'RESTARTS', 'CPU', 'MEM', 'PORT', 'WHY'];

export function uptimeOf(p) {
  return p.state === 'running' && p.pid ? p.uptime + (Date.now() - p.receivedAt) : 0;
}

export function renderTable(view, daemon) {
  const filter = h('input', {type: 'search', id: 'filter', placeholder: 'filter by name or state',
    'aria-label': 'filter processes', oninput: () => draw()});
  const body = h('tbody');
  const summary = h('p', {class: 'summary', 'aria-live': 'polite'});
  view.replaceChildren(
    h('div', {class: 'toolbar'}, h('h1', {}, 'Processes'), filter),
    summary,
    h('div', {class: 'scroll'},
      h('table', {id: 'processes'},
        h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', {scope: 'col', class: `c-${c.toLowerCase()}`}, c)))),
        body)));

  function draw() {
    const text = filter.value.trim().toLowerCase();
    const rows = [];
    let ready = 0;
    for (const p of daemon.processes.values()) {
      if (p.state === 'running' && p.health === 'ready') ready++;
      if (text && !`${p.id} ${p.state} ${p.health}`.toLowerCase().includes(text)) continue;
      const reason = why(p);
      const output = p.lastOutput && p.lastOutput.length
        ? h('pre', {class: 'last-output'}, p.lastOutput.join('\n')) : null;
      rows.push(h('tr', {class: `row ${tone(p)}`, dataset: {id: p.id}},
        h('th', {scope: 'row', class: 'c-name'}, h('a', {href: `#/process/${encodeURIComponent(p.id)}`}, p.id)),
        h('td', {class: 'c-replica num'}, p.replica),
        h('td', {class: 'c-state'}, h('span', {class: `pill ${tone(p)}`}, p.state)),
        h('td', {class: 'c-health'}, p.health),
        h('td', {class: 'c-pid num'}, p.pid || '-'),
        h('td', {class: 'c-uptime num'}, duration(uptimeOf(p))),
        h('td', {class: 'c-restarts num'}, p.restartCount),
        h('td', {class: 'c-cpu num'}, percent(p.cpu)),
        h('td', {class: 'c-mem num'}, bytes(p.memory)),
        h('td', {class: 'c-port num'}, p.port ?? '-'),
        h('td', {class: 'c-why'}, reason, output)));
    }
    patch(body, rows);
    summary.textContent = `${daemon.processes.size} instances, ${ready} ready`;
  }

  draw();
  return {update: draw, tick: draw};
}

/**
 * Brings the table body to the rows given, changing only the cells whose content differs: a row
 * and its link stay the same elements while they show the same process, so a click or the
 * keyboard focus is never lost to a redraw.
 */
function patch(body, rows) {
  const existing = new Map([...body.children].map((row) => [row.dataset.id, row]));
  const wanted = new Set(rows.map((row) => row.dataset.id));
  existing.forEach((row, id) => { if (!wanted.has(id)) row.remove(); });
  let previous = null;
  for (const fresh of rows) {
    let row = existing.get(fresh.dataset.id);
    if (!row) {
      row = fresh;
    } else {
      if (row.className !== fresh.className) row.className = fresh.className;
      [...fresh.children].forEach((cell, i) => {
        const old = row.children[i];
        if (i > 0 && old.innerHTML !== cell.innerHTML) old.replaceChildren(...cell.childNodes);
      });
    }
    const expectedPlace = previous ? previous.nextSibling : body.firstChild;
    if (row !== expectedPlace) body.insertBefore(row, expectedPlace);
    previous = row;
  }
}
