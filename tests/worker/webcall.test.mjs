//! Web calls on workerd: the customer socket beside widget sockets in one hub, across hibernation; signalling relay; the per-tenant cap; protocol mismatch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHarness } from '../support/harness.mjs';
import { setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => {
  edge = await startHarness({ secrets: { TENANT_ACME_EMBED_SECRET: 'acme-embed-secret-for-tests-only-0123456789' } });
  await edge.env.DB.prepare("INSERT INTO tenants (id, name_ja, name_en, allowed_origins) VALUES ('acme', 'アクメ', 'Acme', '')").run();
  await setCenterSettings(edge.env.DB, 'acme', { web_calls_enabled: true, max_web_calls: 1, web_call_start_within: 1000 });
});
after(async () => { await edge?.close(); });

async function signIn(agent, tenant = 'demo') {
  const reply = await openSession(edge.url, embedToken({ tenant, agent, team: 'sales' }));
  const client = await HubClient.connect(edge.url, tenant, reply.session);
  await client.next('welcome');
  return client;
}

/** A customer page's socket (sent with the worker's own origin, as the call page does). */
async function customer(tenant = 'demo', start = { type: 'start', protocol: 2, name: '山田 太郎' }) {
  const url = new URL(`/api/webcall/socket?tenant=${tenant}`, edge.url);
  url.protocol = url.protocol.replace('http', 'ws');
  const client = new HubClient(new WebSocket(url, { origin: new URL(edge.url).origin }));
  await new Promise((resolve, reject) => {
    client.ws.once('open', resolve);
    client.ws.once('error', reject);
  });
  if (start) client.send(start);
  return client;
}

test('a customer socket and widget sockets share the hub across hibernation: queue, offer, accept, relay, hang-up', async () => {
  const sato = await signIn('sato');
  sato.send({ type: 'set_status', status: { kind: 'away', reason: 'meeting' } });
  await sato.next('status');

  const caller = await customer();
  const { conversation } = await caller.next('started');
  assert.match(conversation, /^WC[0-9a-f]{32}$/);
  assert.deepEqual(await caller.next('queued'), { type: 'queued', position: 1 });

  await edge.worker.evictDurableObject('PRESENCE_HUB', { name: 'demo', webSockets: 'hibernate' });
  let mark = sato.mark();
  sato.send({ type: 'set_status', status: { kind: 'available' } });
  const offer = await sato.waitFor((m) => m.type === 'offer' && m.conversation === conversation, 'the web offer', mark);
  assert.equal(offer.channel, 'web_call');
  assert.equal(offer.screen_pop.caller_name, '山田 太郎');
  await caller.next('ringing');

  sato.send({ type: 'accept_offer', offer: offer.offer });
  await caller.next('connected');
  caller.send({ type: 'signal', signal: { kind: 'offer', sdp: 'v=0 customer' } });
  assert.deepEqual((await sato.next('signal')).signal, { kind: 'offer', sdp: 'v=0 customer' });
  sato.send({ type: 'signal', conversation, signal: { kind: 'answer', sdp: 'v=0 agent' } });
  assert.deepEqual((await caller.next('signal')).signal, { kind: 'answer', sdp: 'v=0 agent' });

  // Evicted again: the customer socket is still a customer socket (never a widget's).
  await edge.worker.evictDurableObject('PRESENCE_HUB', { name: 'demo', webSockets: 'hibernate' });
  mark = sato.mark();
  caller.send({ type: 'hang_up' });
  assert.deepEqual(await caller.next('ended'), { type: 'ended', reason: 'caller_hung_up' });
  assert.equal(await caller.closed, 4002);
  await sato.waitFor((m) => m.type === 'status' && m.status.kind === 'wrap_up', 'wrap-up', mark);
  await sato.rosterWith('sato', 'wrap_up', mark);

  const heard = new Set(caller.messages.map((m) => m.type));
  assert.deepEqual([...heard].sort(), ['connected', 'ended', 'ice_servers', 'queued', 'ringing', 'signal', 'started'],
    'the customer socket hears only its own call, never rosters or statuses');
  await sato.close();
});

test('customer sockets beyond the tenant\'s max_web_calls are refused with 503; a line frees when a call ends', async () => {
  const first = await customer('acme');
  await first.next('started');
  assert.equal(await upgradeStatus('acme'), 503);
  first.send({ type: 'hang_up' });
  assert.deepEqual(await first.next('ended'), { type: 'ended', reason: 'caller_hung_up' });
  assert.equal(await first.closed, 4002);
  const second = await customer('acme');
  await second.next('started');
  second.send({ type: 'hang_up' });
  await second.next('ended');
});

/** The HTTP status of a customer socket's upgrade at `tenant` (101 when it opened; closed at once). */
function upgradeStatus(tenant) {
  const url = new URL(`/api/webcall/socket?tenant=${tenant}`, edge.url);
  url.protocol = 'ws:';
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { origin: new URL(edge.url).origin });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.once('error', () => {});
  });
}

test('a customer socket that never starts a call holds its line only for web_call_start_within', async () => {
  const idle = await customer('acme', null);
  assert.equal(await upgradeStatus('acme'), 503, 'within the window the idle page still holds the only line');
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const next = await customer('acme');
  assert.match((await next.next('started')).conversation, /^WC[0-9a-f]{32}$/);
  assert.equal(await idle.closed, 4003, 'the idle page was closed to free the line');
  next.send({ type: 'hang_up' });
  await next.next('ended');
});

test('a customer socket must start first, in this protocol version, and is refused widget messages', async () => {
  const early = await customer('demo', { type: 'hang_up' });
  assert.match((await early.next('rejected')).reason, /start/);
  early.send({ type: 'hello', protocol: 2, session: 'x' });
  await early.waitFor((m) => m.type === 'rejected' && m.reason === 'unrecognised message', 'refused hello');
  early.send({ type: 'ping' });
  await early.next('pong');
  await early.close();

  const old = await customer('demo', { type: 'start', protocol: 1 });
  assert.deepEqual(await old.next('incompatible_protocol'), { type: 'incompatible_protocol', server: 2, client: 1 });
  assert.equal(await old.closed, 4000);
});
