//! The hub's call-log outbox on workerd: log writes D1 refuses are kept and written once D1 takes them again, across a restart too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

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
