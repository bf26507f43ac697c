//! A tenant's hub storage with unreadable entries still loads: they are set aside (quarantined), logged, kept, and the tenant keeps working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startWranglerDev } from '../support/wrangler-dev.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, logReaderToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => { edge = await startWranglerDev(); });
after(async () => { await edge?.stop(); });

/** The demo tenant's hub storage (SQLite-backed Durable Object), opened while wrangler is stopped. */
async function hubStorage(persistDir) {
  const dir = path.join(persistDir, 'v3/do/tsunagu-PresenceHub');
  const file = (await readdir(dir)).find((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  return new DatabaseSync(path.join(dir, file));
}

/** A string value as Durable Object storage keeps it (V8 serialisation of a one-byte string). */
function storedString(text) {
  const bytes = Buffer.from(text, 'latin1');
  assert.ok(bytes.length < 128, 'one-byte length');
  return Buffer.concat([Buffer.from([0xff, 0x0f, 0x22, bytes.length]), bytes]);
}

/** Waits for a log line of wrangler (its output may lag behind the socket's answer). */
async function logged(event) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = edge.output().split('\n').find((l) => l.includes(`"event":"${event}"`));
    if (line || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signIn(agent) {
  const { session } = await openSession(edge.url, embedToken({ agent, team: 'sales' }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  return { client, welcome: await client.next('welcome', 0, 15_000) };
}

/** Restarts wrangler with `key`'s value replaced by text that is not JSON; returns the keys stored after the next restart. */
async function corruptAndRestart(key) {
  await edge.restart({
    whileStopped: async (dir) => {
      const db = await hubStorage(dir);
      const changed = db.prepare('UPDATE _cf_KV SET value = ? WHERE key = ?').run(storedString('{not json'), key);
      db.close();
      assert.equal(changed.changes, 1, `${key} was stored`);
    },
  });
}

async function storedKeys() {
  let keys;
  await edge.restart({
    whileStopped: async (dir) => {
      const db = await hubStorage(dir);
      keys = db.prepare('SELECT key FROM _cf_KV ORDER BY key').all().map((row) => row.key);
      db.close();
    },
  });
  return keys;
}

test('an unreadable entry is quarantined and the rest of the tenant loads (presence kept)', async () => {
  const sato = await signIn('sato');
  sato.client.send({ type: 'set_status', status: { kind: 'away', reason: 'meeting' } });
  await sato.client.waitFor((m) => m.type === 'status' && m.status.kind === 'away', 'away');
  const suzuki = await signIn('suzuki');
  for (const { client } of [sato, suzuki]) {
    client.ws.close();
    await client.closed;
  }

  await corruptAndRestart('agent/suzuki');
  const again = await signIn('sato');
  assert.deepEqual(again.welcome.status, { kind: 'away', reason: 'meeting' }, 'sato\'s entry still loaded');
  const line = await logged('hub.entry_quarantined');
  assert.ok(line, 'the quarantine is logged');
  assert.match(line, /"key":"agent\/suzuki"/);
  assert.equal(edge.output().includes('"event":"hub.restarted_empty"'), false, 'only the bad entry was set aside');
  const { session } = await openSession(edge.url, logReaderToken());
  const report = await (await fetch(new URL('/api/admin/hub-storage', edge.url), { headers: { authorization: `Bearer ${session}` } })).json();
  assert.deepEqual(report.quarantined.map((item) => item.key), ['agent/suzuki'], 'admins read what was set aside');
  assert.match(report.quarantined[0].entry.reason, /agent entry cannot be read/);
  again.client.ws.close();
  await again.client.closed;

  const keys = await storedKeys();
  assert.ok(keys.includes('quarantine/agent/suzuki'), `kept aside: ${keys.join(', ')}`);
  assert.ok(keys.includes('agent/sato'));
});

test('without a readable meta entry the hub starts afresh instead of refusing the tenant', async () => {
  await corruptAndRestart('meta');
  const again = await signIn('sato');
  assert.equal(again.welcome.type, 'welcome', 'the tenant still signs agents in');
  assert.ok(await logged('hub.restarted_empty'), 'the fresh start is logged');
  assert.equal(edge.output().includes('Uncaught Error'), false, 'no request failed on the way');
  again.client.ws.close();
  await again.client.closed;
  const keys = await storedKeys();
  assert.ok(keys.includes('quarantine/meta'), `kept aside: ${keys.join(', ')}`);
});
