//! The session ledger is bounded: past its cap a new session gets 503 instead of the tenant's hub
//! storage growing, and the sessions already open keep working. The cap is lowered for the test
//! (`SESSION_LEDGER_MAX_ENTRIES`; production: 20,000 entries, two per session).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => { edge = await startHarness({ vars: { SESSION_LEDGER_MAX_ENTRIES: '6' } }); });
after(async () => { await edge?.close(); });

const sessionRequest = (token) => fetch(new URL('/api/session', edge.url), {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ embed_token: token }),
});

test('a full session ledger refuses new sessions with 503 and keeps the open ones', async () => {
  // Each session holds two entries (its embed token's jti and itself): three fill six.
  const open = [];
  for (const agent of ['sato', 'suzuki', 'tanaka']) open.push((await openSession(edge.url, embedToken({ agent, team: 'sales' }))).session);
  const refused = await sessionRequest(embedToken({ agent: 'ito', team: 'sales' }));
  assert.equal(refused.status, 503);
  assert.equal((await refused.json()).message, 'too many sessions are open for this tenant; try again later');

  const client = await HubClient.connect(edge.url, 'demo', open[0]);
  await client.next('welcome');
  await client.close();
});
