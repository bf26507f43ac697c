//! A WebSocket client for worker tests that collects the server's JSON messages and awaits them.
import WebSocket from 'ws';

export class HubClient {
  /** Opens a socket to `baseUrl` + `/api/socket?tenant=…`, says hello with `session` as the widget
   *  does (or sends `hello` verbatim when given an object), and resolves once it is open. */
  static async connect(baseUrl, tenant, hello) {
    const url = new URL(`/api/socket?tenant=${encodeURIComponent(tenant)}`, baseUrl);
    url.protocol = url.protocol.replace('http', 'ws');
    const client = new HubClient(new WebSocket(url));
    const first = typeof hello === 'string' ? { type: 'hello', protocol: 2, session: hello } : hello;
    await new Promise((resolve, reject) => {
      client.ws.once('open', () => { if (first) client.send(first); resolve(); });
      client.ws.once('error', reject);
      client.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  constructor(ws) {
    this.ws = ws;
    this.messages = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      this.waiters = this.waiters.filter((w) => !w());
    });
  }

  send(message) {
    this.ws.send(JSON.stringify(message));
  }

  /** A cursor: pass it to `waitFor`/`snapshotWith` to only consider messages received after now. */
  mark() {
    return this.messages.length;
  }

  /** Resolves with the first message since `since` (already received or future) that satisfies
   *  `predicate`. */
  waitFor(predicate, what = 'message', since = 0, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`)),
        timeoutMs,
      );
      const check = () => {
        const found = this.messages.slice(since).find(predicate);
        if (found) { clearTimeout(timer); resolve(found); return true; }
        return false;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  /** Resolves with the first `type` message since `since`. */
  next(type, since = 0, timeoutMs = 5000) {
    return this.waitFor((m) => m.type === type, `a ${type} message`, since, timeoutMs);
  }

  /** Resolves with a roster (received after `since`) in which `agent` has status `kind`. */
  rosterWith(agent, kind, since = 0, timeoutMs = 5000) {
    return this.waitFor(
      (m) => (m.type === 'roster' || m.type === 'welcome')
        && (m.type === 'roster' ? m.agents : m.roster).some((a) => a.agent === agent && a.status.kind === kind),
      `${agent} ${kind} in a roster`,
      since,
      timeoutMs,
    );
  }

  close() {
    this.ws.close();
    return this.closed;
  }
}
