// The dependency graph: processes in layers (a process sits one layer right of its deepest
// dependency), an arrow from each dependency to its dependent labelled with the condition, each
// node coloured by the health of its instances.
import {h, svg, tone} from './format.js';

const NODE_W = 150;
const NODE_H = 44;
const GAP_X = 90;
const GAP_Y = 26;

export function renderGraph(view, daemon) {
  const holder = h('div', {class: 'graph scroll', id: 'graph'});
  view.replaceChildren(h('div', {class: 'toolbar'}, h('h1', {}, 'Dependencies')),
    h('p', {class: 'summary'}, 'An arrow goes from a dependency to the process that waits for it, labelled with the condition.'),
    holder);
  let graph = null;

  fetch('/dashboard/graph', {credentials: 'same-origin', cache: 'no-store'})
    .then((answer) => answer.ok ? answer.json() : Promise.reject(new Error(answer.status)))
    .then((g) => { graph = g; draw(); })
    .catch((e) => holder.replaceChildren(h('p', {}, `cannot load the graph: ${e.message}`)));

  function instances(name) {
    return [...daemon.processes.values()].filter((p) => p.name === name);
  }

  function toneOf(name) {
    const tones = instances(name).map(tone);
    for (const t of ['bad', 'warn', 'idle', 'done', 'good']) if (tones.includes(t)) return t;
    return 'idle';
  }

  function draw() {
    if (!graph) return;
    const deps = new Map(graph.nodes.map((n) => [n.name, []]));
    graph.edges.forEach((e) => deps.get(e.from)?.push(e));
    const layer = new Map();
    const depth = (name, seen = new Set()) => {
      if (layer.has(name)) return layer.get(name);
      if (seen.has(name)) return 0; // validation rejects cycles; never loop regardless
      seen.add(name);
      const d = Math.max(-1, ...(deps.get(name) || []).map((e) => depth(e.to, seen))) + 1;
      layer.set(name, d);
      return d;
    };
    graph.nodes.forEach((n) => depth(n.name));
    const columns = [];
    graph.nodes.forEach((n) => (columns[layer.get(n.name)] ||= []).push(n.name));
    const position = new Map();
    columns.forEach((names, x) => names.forEach((name, y) =>
      position.set(name, {x: 10 + x * (NODE_W + GAP_X), y: 10 + y * (NODE_H + GAP_Y)})));
    const width = 20 + columns.length * (NODE_W + GAP_X) - GAP_X;
    const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (NODE_H + GAP_Y) - GAP_Y;
    const edges = graph.edges.map((e) => {
      const a = position.get(e.to);
      const b = position.get(e.from);
      if (!a || !b) return null;
      const x1 = a.x + NODE_W;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x;
      const y2 = b.y + NODE_H / 2;
      const mid = (x1 + x2) / 2;
      return svg('g', {class: `edge ${e.condition}`},
        svg('path', {d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2 - 6},${y2}`, 'marker-end': 'url(#arrow)'}),
        svg('text', {x: mid, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle'}, e.condition));
    });
    const nodes = graph.nodes.map((n) => {
      const p = position.get(n.name);
      const list = instances(n.name);
      const ready = list.filter((i) => i.state === 'running' && i.health === 'ready').length;
      const states = [...new Set(list.map((i) => i.state))].join(', ') || 'unknown';
      const target = list.length === 1 ? list[0].id : n.name + (n.replicas > 1 ? '.0' : '');
      const link = svg('a', {href: `#/process/${encodeURIComponent(target)}`, dataset: {node: n.name}},
        svg('rect', {x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 6, class: `node ${toneOf(n.name)}`}),
        svg('text', {x: p.x + 10, y: p.y + 18, class: 'node-name'}, n.name),
        svg('text', {x: p.x + 10, y: p.y + 35, class: 'node-state'}, `${states} · ${ready}/${list.length} ready`),
        svg('title', {}, `${n.name}: ${states}`));
      return link;
    });
    holder.replaceChildren(svg('svg', {viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
      'aria-label': 'dependency graph'},
      svg('defs', {}, svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
        orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head'}))),
      ...edges, ...nodes));
  }

  daemon.addEventListener('change', draw);
  return {close: () => daemon.removeEventListener('change', draw)};
}
