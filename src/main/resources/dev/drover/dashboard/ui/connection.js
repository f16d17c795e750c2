// The page's one link to the daemon: the process list, kept current by the event stream
// (/api/events), resource samples (/dashboard/resources), and commands with the CSRF token.
// When the daemon goes away the stream errors at once: the page says so, retries with capped
// exponential backoff and jitter, resumes the stream from the last event id it saw, then
// reloads the list.

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 15000;
const SAMPLES_KEPT = 120;
const EVENTS_KEPT = 500;

export class Daemon extends EventTarget {
  constructor() {
    super();
    this.processes = new Map();
    this.events = [];
    this.samples = new Map();
    this.lastEventId = null;
    this.csrf = null;
    this.connected = false;
    this.attempt = 0;
    this.stream = null;
    this.resources = null;
    this.retryTimer = null;
    this.refreshing = null;
    this.pendingFetch = new Map();
  }

  async start() {
    await this.session();
    this.open();
    await this.refresh();
  }

  async session() {
    const answer = await fetch('/dashboard/session', {credentials: 'same-origin', cache: 'no-store'});
    if (answer.status === 401) {
      location.replace('/login');
      throw new Error('not logged in');
    }
    if (!answer.ok) throw new Error(`session: ${answer.status}`);
    this.csrf = (await answer.json()).csrf;
  }

  /** Reloads the whole list; events that arrive meanwhile are applied again on top of it. */
  async refresh() {
    const during = [];
    this.refreshing = during;
    try {
      const answer = await fetch('/api/processes', {credentials: 'same-origin', cache: 'no-store'});
      if (answer.status === 401) { location.replace('/login'); return; }
      if (!answer.ok) return;
      const list = (await answer.json()).processes;
      this.processes = new Map(list.map((p) => [p.id, {...p, receivedAt: Date.now()}]));
    } finally {
      this.refreshing = null;
    }
    during.forEach((event) => this.applyToList(event));
    this.emit('change');
  }

  open() {
    const query = this.lastEventId ? `?lastEventId=${encodeURIComponent(this.lastEventId)}` : '';
    const stream = new EventSource(`/api/events${query}`);
    this.stream = stream;
    stream.onopen = () => {
      const wasLost = !this.connected;
      this.connected = true;
      this.attempt = 0;
      this.emit('connection');
      if (wasLost && this.everConnected) this.refresh();
      this.everConnected = true;
    };
    stream.onmessage = (message) => {
      if (message.lastEventId) this.lastEventId = message.lastEventId;
      this.apply(JSON.parse(message.data));
    };
    // The daemon could not replay what was missed (it restarted): the list is reloaded anyway.
    stream.addEventListener('reset', () => this.refresh());
    stream.onerror = () => this.lost();
    this.openResources();
  }

  openResources() {
    if (this.resources) this.resources.close();
    const resources = new EventSource('/dashboard/resources');
    this.resources = resources;
    resources.onmessage = (message) => this.sample(JSON.parse(message.data));
    resources.onerror = () => resources.close();
  }

  lost() {
    if (this.stream) this.stream.close();
    if (this.resources) this.resources.close();
    this.stream = null;
    if (this.retryTimer) return;
    this.connected = false;
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.attempt);
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2); // jitter: half to all of it
    this.attempt++;
    this.retryAt = Date.now() + delay;
    this.emit('connection');
    this.retryTimer = setTimeout(() => this.reconnect(), delay);
  }

  async reconnect() {
    this.retryTimer = null;
    try {
      await this.session(); // also tells whether the daemon is back, and whether we are still logged in
    } catch (e) {
      if (e.message !== 'not logged in') this.lost();
      return;
    }
    this.open();
  }

  apply(event) {
    this.events.push(event);
    if (this.events.length > EVENTS_KEPT) this.events.shift();
    if (this.refreshing) this.refreshing.push(event);
    this.applyToList(event);
    this.emit('event', event);
    this.emit('change');
    this.fetchOne(event.process);
  }

  applyToList(event) {
    const p = this.processes.get(event.process);
    if (!p) return;
    if (event.pid && event.pid !== p.pid) { p.startTime = event.time; p.uptime = 0; }
    Object.assign(p, {
      state: event.state, health: event.health, pid: event.pid,
      restartCount: event.restartCount, reason: event.reason,
    });
    if (event.state !== 'running') p.uptime = 0;
    p.receivedAt = Date.now();
  }

  /** The one process an event was about, for what events do not carry (port, waits, last output). */
  fetchOne(id) {
    if (this.pendingFetch.has(id)) return;
    this.pendingFetch.set(id, setTimeout(async () => {
      this.pendingFetch.delete(id);
      const answer = await fetch(`/api/processes/${encodeURIComponent(id)}`,
        {credentials: 'same-origin', cache: 'no-store'}).catch(() => null);
      if (!answer || !answer.ok) return;
      const fresh = await answer.json();
      // Asked after the event: at least as new; a later event schedules another look.
      this.processes.set(id, {...fresh, receivedAt: Date.now()});
      this.emit('change');
    }, 150));
  }

  sample(sample) {
    for (const [id, [cpu, memory]] of Object.entries(sample.processes)) {
      const series = this.samples.get(id) || [];
      series.push({time: sample.time, cpu, memory});
      while (series.length > SAMPLES_KEPT) series.shift();
      this.samples.set(id, series);
      const p = this.processes.get(id);
      if (p) { p.cpu = cpu; p.memory = memory; }
    }
    this.emit('samples');
    this.emit('change');
  }

  /** A state-changing request, with the session's CSRF token. */
  async post(path, body) {
    const answer = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': this.csrf},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (answer.status === 401) location.replace('/login');
    const text = await answer.text();
    let parsed = null;
    try { parsed = JSON.parse(text); } catch (e) { parsed = {error: text}; }
    return {ok: answer.ok, status: answer.status, body: parsed};
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }
}
