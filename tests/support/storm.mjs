//! A reconnect storm: many signed-in widget sockets drop at once and come back at once, as after a
//! deploy; measures how long the tenant takes to settle and checks that no presence state or offer
//! is lost. Shared by `tests/load/reconnect.mjs` (large) and `tests/worker/reconnect-storm.test.mjs`.
import WebSocket from 'ws';
import { embedToken, openSession } from './auth.mjs';

const AWAY_REASONS = ['break', 'meeting', 'lunch', 'training'];

/** The status agent `index` chooses before the storm: a third available, the rest away for varied reasons. */
export function chosenStatus(index) {
  return index % 3 === 0 ? { kind: 'available' } : { kind: 'away', reason: AWAY_REASONS[index % AWAY_REASONS.length] };
}

/**
 * One agent's widget socket, kept light (thousands run in one process): it remembers its welcome,
 * its own latest status and the offers it was sent (acknowledging each, as a live widget does),
 * and nothing else — rosters are counted, not stored.
 */
class AgentSocket {
  static open(baseUrl, tenant, session) {
    const url = new URL(`/api/socket?tenant=${encodeURIComponent(tenant)}`, baseUrl);
    url.protocol = url.protocol.replace('http', 'ws');
    const socket = new AgentSocket(new WebSocket(url));
    return new Promise((resolve, reject) => {
      socket.ws.once('open', () => {
        socket.ws.send(JSON.stringify({ type: 'hello', protocol: 2, session }));
        resolve(socket);
      });
      socket.ws.once('error', reject);
      socket.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.welcome = null;
    this.status = null;
    this.offers = new Set();
    this.rosters = 0;
    this.listeners = new Set();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'welcome') {
        this.welcome = message;
        this.status = message.status;
      } else if (message.type === 'status') {
        this.status = message.status;
      } else if (message.type === 'offer') {
        this.offers.add(message.offer.interaction);
        ws.send(JSON.stringify({ type: 'ack_offer', offer: message.offer }));
      } else if (message.type === 'roster') {
        this.rosters += 1;
      }
      for (const listener of this.listeners) listener();
    });
    // A refused or dropped socket must not crash the run; the storm counts it instead.
    ws.on('error', () => {});
  }

  /** Resolves once `predicate(this)` holds (checked after every message); rejects after `ms`. */
  until(predicate, what, ms) {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const check = () => {
        if (!predicate(this)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      this.listeners.add(check);
    });
  }

  send(message) {
    this.ws.send(JSON.stringify(message));
  }
}

const sameStatus = (a, b) => a?.kind === b?.kind && (a?.kind !== 'away' || a.reason === b.reason);

/**
 * Signs `count` agents in (a session and a socket each, `batch` at a time), each in one of 20
 * teams, and sets each to its `chosenStatus`. Resolves with [{ agent, session, socket, chosen }].
 */
export async function signInAgents(baseUrl, count, { prefix = 'storm', batch = 50, timeoutMs = 60_000 } = {}) {
  const agents = [];
  for (let i = 0; i < count; i += batch) {
    const group = [];
    for (let j = i; j < Math.min(count, i + batch); j += 1) {
      group.push((async () => {
        const agent = `${prefix}_${j}`;
        const { session } = await openSession(baseUrl, embedToken({ agent, team: `team${j % 20}` }));
        const socket = await AgentSocket.open(baseUrl, 'demo', session);
        await socket.until((s) => s.welcome, `${agent}'s welcome`, timeoutMs);
        const chosen = chosenStatus(j);
        if (!sameStatus(socket.status, chosen)) {
          socket.send({ type: 'set_status', status: chosen });
          await socket.until((s) => sameStatus(s.status, chosen), `${agent} ${chosen.kind}`, timeoutMs);
        }
        return { agent, session, socket, chosen };
      })());
    }
    agents.push(...await Promise.all(group));
  }
  return agents;
}

/** Opens a socket, retrying a refused connection with a jittered back-off as the widget does. */
async function reconnect(baseUrl, session, retries) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { socket: await AgentSocket.open(baseUrl, 'demo', session), attempts: attempt + 1 };
    } catch (err) {
      if (attempt >= retries) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400 * (attempt + 1)));
    }
  }
}

/**
 * The storm. `placeCall(i)` (optional) places call `i` before the storm and resolves with its
 * interaction id; `calls` of them ring available agents when the sockets drop. Then every socket
 * is terminated at once and every agent reconnects at once. Settled means: every agent has its
 * welcome, every away agent is away for the same reason, every available agent is available or
 * ringing, and every call placed before the storm was offered again to a reconnected socket.
 * Resolves with the numbers; `statuses_lost` and `offers_lost` must be 0 (`pushed_away_by_missed_offer`
 * counts available agents a call rang on their dropped socket: see `missedOffer`).
 */
export async function reconnectStorm(baseUrl, agents, { calls = 0, placeCall, settleMs = 60_000, retries = 10 } = {}) {
  const placed = [];
  for (let i = 0; i < calls; i += 1) placed.push(await placeCall(i));
  // Every placed call rings someone before the storm (or waits in the queue when all are busy).
  const ringing = () => new Set(agents.flatMap((a) => [...a.socket.offers]));
  const offeredBefore = await waitUntil(() => placed.every((id) => ringing().has(id)), Math.max(5_000, calls * 200))
    .then(() => placed.length, () => placed.filter((id) => ringing().has(id)).length);

  const started = performance.now();
  for (const agent of agents) agent.socket.ws.terminate();
  let retried = 0;
  let refused = 0;
  await Promise.all(agents.map(async (agent) => {
    try {
      const { socket, attempts } = await reconnect(baseUrl, agent.session, retries);
      retried += attempts - 1;
      agent.socket = socket;
    } catch {
      refused += 1;
      agent.socket = null;
    }
  }));
  const connectedMs = performance.now() - started;

  // An available agent may come back away(missed_offer): a call was offered to the socket that had
  // already dropped (the hub had not seen it close yet) and nobody acknowledged it in time. That is
  // the missed-offer rule doing its job on a dead socket, counted apart from a forgotten status.
  const missedOffer = (a) => a.chosen.kind === 'available' && a.socket?.welcome
    && sameStatus(a.socket.welcome.status, { kind: 'away', reason: 'missed_offer' });
  const settledAgent = (a) => a.socket?.welcome
    && (a.chosen.kind === 'away' ? sameStatus(a.socket.welcome.status, a.chosen)
      : ['available', 'reserved'].includes(a.socket.welcome.status.kind) || missedOffer(a));
  const offeredAfter = () => new Set(agents.flatMap((a) => (a.socket ? [...a.socket.offers] : [])));
  const settled = () => agents.every(settledAgent) && placed.every((id) => offeredAfter().has(id));
  const ok = await waitUntil(settled, settleMs).then(() => true, () => false);
  const settleTime = performance.now() - started;
  const statusesLost = agents.filter((a) => !settledAgent(a)).length;
  const offersLost = placed.filter((id) => !offeredAfter().has(id)).length;
  // What the first few lost agents chose and what they came back to, for whoever reads the run.
  const pushedAway = agents.filter(missedOffer).length;
  const lostExamples = agents.filter((a) => !settledAgent(a)).slice(0, 5)
    .map((a) => ({ agent: a.agent, chosen: a.chosen, welcomed_with: a.socket?.welcome?.status ?? null, now: a.socket?.status ?? null }));
  return {
    agents: agents.length,
    calls: placed.length,
    offered_before_storm: offeredBefore,
    reconnected_s: +(connectedMs / 1000).toFixed(2),
    settled_s: ok ? +(settleTime / 1000).toFixed(2) : null,
    reconnects_retried: retried,
    reconnects_refused: refused,
    statuses_lost: statusesLost,
    pushed_away_by_missed_offer: pushedAway,
    offers_lost: offersLost,
    lost_examples: lostExamples,
  };
}

/** Polls `condition` every 50 ms; rejects after `ms`. */
async function waitUntil(condition, ms) {
  const until = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Closes every socket (end of a run). */
export function closeAll(agents) {
  for (const agent of agents) agent.socket?.ws.terminate();
}
