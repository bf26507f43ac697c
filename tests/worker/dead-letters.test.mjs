//! Call-log writes that keep failing stop being retried: set aside as dead letters, readable by admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, logReaderToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => {
  // Retries every 200 ms, and gives up after 3 failed retries (10 s and 360 in production).
  edge = await startHarness({ vars: { LOG_RETRY_MS: '200', LOG_DEAD_LETTER_AFTER: '3' } });
});
after(async () => { await edge?.close(); });

async function report(token) {
  const { session } = await openSession(edge.url, token);
  const res = await fetch(new URL('/api/admin/hub-storage', edge.url), { headers: { authorization: `Bearer ${session}` } });
  return { status: res.status, body: await res.json() };
}

test('a write D1 keeps refusing becomes a dead letter after the set number of retries', async () => {
  // Only this agent's intervals are refused: a poison write, not an outage.
  await edge.env.DB.prepare(
    "CREATE TRIGGER refuse_poison BEFORE INSERT ON presence_intervals WHEN NEW.agent_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poison row'); END",
  ).run();
  const { session } = await openSession(edge.url, embedToken({ agent: 'poison', team: 'sales' }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'away');

  const deadline = Date.now() + 15_000;
  let letters = [];
  while (Date.now() < deadline) {
    letters = (await report(logReaderToken())).body.dead_letters;
    if (letters.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(letters.length, 1, 'the refused interval is set aside');
  assert.equal(letters[0].entry.attempts, 3);
  assert.match(letters[0].entry.error, /poison row/);
  assert.match(letters[0].entry.write_preview, /poison/);

  // Set aside means no more retries: the log stays quiet about it from now on.
  const failures = () => edge.env.DB.prepare("SELECT COUNT(*) AS n FROM presence_intervals WHERE agent_id = 'poison'").first('n');
  assert.equal(await failures(), 0);
  assert.equal((await report(logReaderToken())).body.dead_letters.length, 1, 'still one, not retried into a second');
  await client.close();
});

test('only admins read the hub\'s set-aside entries', async () => {
  assert.equal((await report(embedToken({ agent: 'sato', roles: ['agent', 'supervisor'] }))).status, 403);
  const admin = await report(logReaderToken());
  assert.equal(admin.status, 200);
  assert.ok(Array.isArray(admin.body.quarantined));
});
