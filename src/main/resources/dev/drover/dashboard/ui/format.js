// Small helpers shared by the views: building elements (text only, never HTML from data) and
// formatting figures the way `drover ps` does.

/** Creates an HTML element with attributes (on* are listeners) and children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** The same for SVG elements (links inside a drawing included). */
export function svg(tag, attributes = {}, ...children) {
  return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attributes, children);
}

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function duration(ms) {
  if (!ms || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor(s / 3600) % 24}h`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '-';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n}B` : `${n.toFixed(1)}${units[i]}`;
}

export function percent(n) {
  return n === null || n === undefined ? '-' : `${n.toFixed(1)}%`;
}

export function time(ms) {
  return new Date(ms).toLocaleTimeString();
}

/** Why a process waits, failed or is not ready: what the `ps` notes say. */
export function why(p) {
  if (p.waitingFor) return `waiting for ${p.waitingFor}`;
  if (p.role === 'surge') return 'surge: the rollout\'s replacement';
  if (p.role === 'old') return 'old: replaced by a rollout, draining';
  if (p.heldOutOfRotation) return 'drained by hand';
  if (p.state === 'backoff' && p.nextStartTime) {
    return `restarting in ${duration(p.nextStartTime - Date.now()) || '0s'}` + (p.reason ? ` (${p.reason})` : '');
  }
  if (['fatal', 'exited', 'stopped', 'backoff'].includes(p.state) || p.health === 'not_ready') {
    return p.reason || p.lastHealthCheck || '';
  }
  return '';
}

/** A CSS class per health, for colouring rows and graph nodes. */
export function tone(p) {
  if (p.state === 'fatal') return 'bad';
  if (p.state === 'running' && p.health === 'ready') return 'good';
  if (p.state === 'running' && p.health === 'not_ready') return 'bad';
  if (p.state === 'exited') return 'done';
  if (p.state === 'backoff' || p.state === 'starting' || p.state === 'stopping') return 'warn';
  return 'idle';
}
