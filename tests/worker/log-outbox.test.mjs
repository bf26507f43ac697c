//! The hub's call-log outbox on workerd: log writes D1 refuses are kept and written once D1 takes them again, across a restart too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { sid } from '../support/twilio.mjs';
import { demoCalls } from '../support/demo-calls.mjs';

let edge;
before(async () => {
  // Retries every 300 ms here (10 s in production).
  edge = await startHarness({ vars: { LOG_RETRY_MS: '300' } });
});
after(async () => { await edge?.close(); });

const intervalsOf = async (agent) => (await edge.env.DB.prepare(
  "SELECT status, start_ms, end_ms FROM presence_intervals WHERE tenant_id = 'demo' AND agent_id = ? ORDER BY start_ms",
).bind(agent).all()).results;

test('presence intervals the database refused are written when it takes writes again, once each', async () => {
  // D1 refuses every new interval, as during an outage.
  await edge.env.DB.prepare(
    "CREATE TRIGGER refuse_intervals BEFORE INSERT ON presence_intervals BEGIN SELECT RAISE(ABORT, 'outage'); END",
  ).run();
  const { session } = await openSession(edge.url, embedToken({ agent: 'outbox', team: 'sales' }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'away');
  client.send({ type: 'set_status', status: { kind: 'available' } });
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'available', 'available again');
  // Two intervals closed (available, then away); several retries fail meanwhile.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.deepEqual(await intervalsOf('outbox'), [], 'nothing could be written during the outage');

  await edge.env.DB.prepare('DROP TRIGGER refuse_intervals').run();
  const deadline = Date.now() + 10_000;
  let rows = [];
  while (Date.now() < deadline) {
    rows = await intervalsOf('outbox');
    if (rows.length >= 2) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(rows.map((r) => r.status), ['available', 'away (break)'], 'both intervals arrived after the outage');
  assert.equal(rows[0].end_ms, rows[1].start_ms, 'contiguous, as the hub closed them');
  // Later retries find nothing left and write nothing twice.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal((await intervalsOf('outbox')).length, 2);
  await client.close();
});

test('a call whose log writes D1 refuses mid-call ends with every event stored once and its conversation stitched from all of them', async () => {
  // After its first write the hub writes a conversation from the events it holds in memory
  // (calllog.rs); a refused write must not leave it believing D1 holds what it does not.
  const caller = '+81355550177';
  const calls = demoCalls(edge.url);
  const { session } = await openSession(edge.url, embedToken({ agent: 'midcall', team: 'support' }));
  const agent = await HubClient.connect(edge.url, 'demo', session);
  await agent.next('welcome');
  const call = sid();
  const ring = await calls.incoming(call, caller);
  assert.equal(ring.status, 200, ring.xml);
  assert.match(ring.xml, /demo_midcall/, 'rings the only free agent');
  const offer = await agent.next('offer');
  agent.send({ type: 'ack_offer', offer: offer.offer });
  const conversation = () => edge.env.DB.prepare(
    "SELECT event_count, outcome, answered_by, body FROM conversations WHERE tenant_id = 'demo' AND id = ?",
  ).bind(`interaction:${call}`).first();
  const stored = async () => (await edge.env.DB.prepare(
    "SELECT COUNT(*) AS n FROM call_events WHERE tenant_id = 'demo' AND interaction_id = ?",
  ).bind(call).first()).n;
  const until = async (what, done) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await what();
      if (done(value)) return value;
      if (Date.now() > deadline) assert.fail(`timed out; last: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await until(conversation, (row) => row !== null);

  await edge.env.DB.prepare(
    "CREATE TRIGGER refuse_events BEFORE INSERT ON call_events BEGIN SELECT RAISE(ABORT, 'outage'); END",
  ).run();
  const before = await stored();
  const leg = sid();
  try {
    for (const [status, sequence] of [['ringing', 1], ['in-progress', 2]]) {
      assert.equal((await calls.agentLeg(call, 'midcall', leg, status, sequence, caller)).status, 200);
    }
    await agent.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'on the call');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(await stored(), before, 'nothing reached D1 meanwhile');
  } finally {
    await edge.env.DB.prepare('DROP TRIGGER refuse_events').run();
  }
  // The hang-up is written at once; the refused events come from the outbox's retries.
  assert.equal((await calls.agentLeg(call, 'midcall', leg, 'completed', 3, caller)).status, 200);
  assert.equal((await calls.callerLeg(call, 'completed', 3, caller, { CallDuration: '30' })).status, 200);
  await agent.waitFor((m) => m.type === 'status' && m.status.kind !== 'on_call', 'off the call');
  const legs = async () => (await edge.env.DB.prepare(
    "SELECT COUNT(*) AS n FROM call_events WHERE tenant_id = 'demo' AND interaction_id = ? AND kind = 'leg_status'",
  ).bind(call).first()).n;
  await until(legs, (n) => n >= 4);
  const total = await stored();
  const row = await until(conversation, (r) => r.event_count === total);
  assert.equal(row.outcome, 'answered', row.body);
  assert.equal(row.answered_by, 'midcall');
  const body = JSON.parse(row.body);
  assert.ok(body.ended_at, `the conversation ended: ${row.body}`);
  const keys = (await edge.env.DB.prepare(
    "SELECT event_key FROM call_events WHERE tenant_id = 'demo' AND interaction_id = ?",
  ).bind(call).all()).results.map((r) => r.event_key);
  assert.equal(new Set(keys).size, keys.length, 'each event stored once');
  // Later retries find nothing left: the count stays.
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal((await conversation()).event_count, total);
  assert.equal(await stored(), total);
  await agent.close();
});

test('writes D1 refused before the worker restarted are written by the next life of the hub', async () => {
  // The real `wrangler dev`, killed and started again on the same storage: whatever was in flight in
  // memory is gone; only the outbox entries stored with the presence changes remain.
  const dev = await startWranglerDev({ vars: { LOG_RETRY_MS: '300' } });
  try {
    const rowsOf = (agent) => dev.d1(
      `SELECT status, start_ms, end_ms FROM presence_intervals WHERE tenant_id = 'demo' AND agent_id = '${agent}' ORDER BY start_ms`,
    );
    await dev.d1("CREATE TRIGGER refuse_intervals BEFORE INSERT ON presence_intervals BEGIN SELECT RAISE(ABORT, 'outage'); END");
    const { session } = await openSession(dev.url, embedToken({ agent: 'evicted', team: 'sales' }));
    const client = await HubClient.connect(dev.url, 'demo', session);
    await client.next('welcome');
    client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
    await client.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'away');
    client.send({ type: 'set_status', status: { kind: 'available' } });
    await client.waitFor((m) => m.type === 'status' && m.status.kind === 'available', 'available again');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(await rowsOf('evicted'), [], 'nothing could be written during the outage');

    await dev.restart();
    await dev.d1('DROP TRIGGER refuse_intervals');
    // Any request wakes the hub, which finds the entries its earlier life left and retries them.
    const other = await HubClient.connect(dev.url, 'demo', (await openSession(dev.url, embedToken({ agent: 'waker', team: 'sales' }))).session);
    await other.next('welcome');
    const deadline = Date.now() + 15_000;
    let rows = [];
    while (Date.now() < deadline) {
      rows = await rowsOf('evicted');
      if (rows.length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.deepEqual(rows.slice(0, 2).map((r) => r.status), ['available', 'away (break)'], 'both intervals arrived after the restart');
    assert.equal(new Set(rows.map((r) => r.start_ms)).size, rows.length, 'no interval written twice');
    await other.close();
  } finally {
    await dev.stop();
  }
});
