//! Whose call log a session reads: agents their own, supervisors their teams' (or the tenant's by setting), admins everything; paged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

const NOW = Date.now();
const sidOf = (n) => `CA${String(n).padStart(32, '0')}`;

/**
 * Conversations of the demo seed's directory (sales: sato, suzuki, takahashi; support: tanaka, ito,
 * watanabe; c001 is owned by sato, c006 by nobody), each with the agents that took part.
 */
const CONVERSATIONS = {
  A: { n: 1, agents: ['sato'], customer: 'c006', minutesAgo: 40 },
  // Answered by support, but the customer is sato's: sato and sales read it too.
  B: { n: 2, agents: ['tanaka'], customer: 'c001', minutesAgo: 30 },
  C: { n: 3, agents: ['ito'], customer: 'c006', minutesAgo: 20 },
  // Abandoned in the queue: no agent, no known customer.
  D: { n: 4, agents: [], customer: null, minutesAgo: 10 },
};

function conversationBody(name, { n, customer, minutesAgo }) {
  const started = NOW - minutesAgo * 60_000;
  return {
    id: { interaction: sidOf(n) }, interaction: sidOf(n), root_call_sid: sidOf(n), customer,
    customer_number: '+81355550199', channel: 'voice', direction: 'inbound', started_at: started,
    ended_at: started + 60_000, queue: null, queue_time: 0, agent_legs: [], external_legs: [],
    answered_by: null, answered_at: null, time_to_answer: null, team: null, talk_time: 0,
    hold_time: 0, wrap_up_time: 0, transfers: [], recordings: [], outcome: 'in_progress', note: name,
  };
}

let edge;
before(async () => {
  edge = await startHarness();
  const db = edge.env.DB;
  const statements = [];
  for (const [name, conversation] of Object.entries(CONVERSATIONS)) {
    const body = conversationBody(name, conversation);
    statements.push(db.prepare(
      `INSERT INTO conversations (tenant_id, id, customer_id, customer_number, started_at_ms, ended_at_ms, answered_by, outcome, body, event_count)
       VALUES ('demo', ?1, ?2, ?3, ?4, ?5, NULL, 'in_progress', ?6, 1)`,
    ).bind(`interaction:${sidOf(conversation.n)}`, conversation.customer, body.customer_number, body.started_at, body.ended_at, JSON.stringify(body)));
    for (const agent of conversation.agents) {
      statements.push(db.prepare(
        "INSERT INTO conversation_agents (tenant_id, conversation_id, agent_id) VALUES ('demo', ?1, ?2)",
      ).bind(`interaction:${sidOf(conversation.n)}`, agent));
    }
  }
  // An hour available for each of three agents, for per-agent KPI rows.
  for (const [agent, team] of [['sato', 'sales'], ['suzuki', 'sales'], ['tanaka', 'support']]) {
    const interval = { agent, team, state: 'available', start: NOW - 3_600_000, end: NOW - 60_000 };
    statements.push(db.prepare(
      "INSERT INTO presence_intervals (tenant_id, agent_id, status, start_ms, end_ms, body) VALUES ('demo', ?1, 'available', ?2, ?3, ?4)",
    ).bind(agent, interval.start, interval.end, JSON.stringify(interval)));
  }
  await db.batch(statements);
});
after(async () => { await edge?.close(); });

const SESSIONS = {
  sato: { agent: 'sato', team: 'sales', roles: ['agent'] },
  takahashi: { agent: 'takahashi', team: 'sales', roles: ['agent', 'supervisor'] },
  watanabe: { agent: 'watanabe', team: 'support', roles: ['agent', 'supervisor'] },
  admin: { agent: 'ops_admin', roles: ['admin'] },
};

async function as(who, pathAndQuery) {
  const { session } = await openSession(edge.url, embedToken(SESSIONS[who]));
  const res = await fetch(new URL(pathAndQuery, edge.url), { headers: { authorization: `Bearer ${session}` } });
  return { status: res.status, body: await res.json() };
}

/** The names (A–D) of the conversations a reply lists, sorted. */
const names = (reply) => reply.body.conversations.map((c) => c.note).sort().join('');

test('an agent reads the conversations they took part in and those of their customers, nobody else\'s', async () => {
  const list = await as('sato', '/api/conversations');
  assert.equal(list.status, 200);
  assert.equal(list.body.scope, 'own');
  assert.equal(names(list), 'AB');
  assert.equal((await as('sato', `/api/conversations/${sidOf(2)}`)).status, 200, 'B: the customer is sato\'s');
  assert.equal((await as('sato', `/api/conversations/${sidOf(3)}`)).status, 404, 'C is ito\'s: not there for sato');
  const colleague = await as('sato', '/api/conversations?agent=watanabe');
  assert.equal(colleague.status, 403, 'asking for a colleague is refused, not answered empty');
  assert.equal(colleague.body.error, 'forbidden');
  assert.equal(names(await as('sato', '/api/conversations?agent=sato')), 'A');
});

test('a supervisor reads their team\'s conversations (agents and customers of the team)', async () => {
  const sales = await as('takahashi', '/api/conversations');
  assert.equal(sales.body.scope, 'teams');
  assert.equal(names(sales), 'AB');
  assert.equal(names(await as('watanabe', '/api/conversations')), 'BC');
  assert.equal((await as('watanabe', `/api/conversations/${sidOf(1)}`)).status, 404);
});

test('an admin reads everything, paged with a cursor newest first', async () => {
  const all = await as('admin', '/api/conversations');
  assert.equal(all.body.scope, 'tenant');
  assert.equal(names(all), 'ABCD');
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 10; page += 1) {
    const reply = await as('admin', `/api/conversations?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(reply.status, 200);
    seen.push(...reply.body.conversations.map((c) => c.note));
    cursor = reply.body.next;
    if (!cursor) break;
  }
  assert.deepEqual(seen, ['D', 'C', 'B', 'A'], 'every conversation once, newest first');
  const bad = await as('admin', '/api/conversations?cursor=bm90LWEtY3Vyc29y');
  assert.equal(bad.status, 400);
});

test('KPIs follow the same scope: an agent gets their own row, a supervisor their team\'s, an admin everyone\'s', async () => {
  const agents = (reply) => reply.body.rows.map((row) => row.key.agent).sort().join(',');
  const own = await as('sato', '/api/kpi?group=agent');
  assert.equal(own.status, 200);
  assert.equal(own.body.scope, 'own');
  assert.equal(own.body.complete, true);
  assert.equal(agents(own), 'sato');
  assert.equal(agents(await as('takahashi', '/api/kpi?group=agent')), 'sato,suzuki');
  assert.equal(agents(await as('admin', '/api/kpi?group=agent')), 'sato,suzuki,tanaka');
});

test('a tenant may let supervisors read the whole tenant', async () => {
  await edge.env.DB.prepare("UPDATE tenants SET supervisor_reach = 'tenant' WHERE id = 'demo'").run();
  try {
    const everything = await as('takahashi', '/api/conversations');
    assert.equal(everything.body.scope, 'tenant');
    assert.equal(names(everything), 'ABCD');
    assert.equal(names(await as('sato', '/api/conversations')), 'AB', 'agents still read only their own');
  } finally {
    await edge.env.DB.prepare("UPDATE tenants SET supervisor_reach = 'teams' WHERE id = 'demo'").run();
  }
});
