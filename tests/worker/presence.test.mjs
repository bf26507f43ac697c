//! The presence hub on workerd: sign-in over the socket, presence between widgets, hibernation, tenants.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, logReaderToken, openSession, signJwt } from '../support/auth.mjs';

const ACME_SECRET = 'acme-embed-secret-for-tests-only-0123456789';
let edge;
before(async () => {
  edge = await startHarness({ secrets: { TENANT_ACME_EMBED_SECRET: ACME_SECRET } });
  await edge.env.DB.prepare(
    "INSERT INTO tenants (id, name_ja, name_en, allowed_origins) VALUES ('acme', 'アクメ', 'Acme', '''self''')",
  ).run();
});
after(async () => { await edge?.close(); });

async function signIn(agent, { tenant = 'demo', team, secret } = {}) {
  const reply = await openSession(edge.url, embedToken({ tenant, agent, team, secret }));
  const client = await HubClient.connect(edge.url, tenant, reply.session);
  const welcome = await client.next('welcome');
  return { client, welcome, session: reply.session };
}

test('an embed token opens a session; the socket signs in with it and is welcomed', async () => {
  const { client, welcome } = await signIn('sato', { team: 'sales' });
  assert.equal(welcome.agent, 'sato');
  assert.deepEqual(welcome.tenant_name, { ja: 'デモ株式会社', en: 'Demo Corp.' });
  assert.equal(welcome.status.kind, 'available', 'the default policy logs agents in as available');
  await client.close();
});

test('two widgets see each other\'s presence change', async () => {
  const sato = await signIn('sato', { team: 'sales' });
  const suzuki = await signIn('suzuki', { team: 'sales' });
  await sato.client.rosterWith('suzuki', 'available');
  const mark = sato.client.mark();
  suzuki.client.send({ type: 'set_status', status: { kind: 'away', reason: 'break' } });
  const roster = await sato.client.rosterWith('suzuki', 'away', mark);
  const entry = roster.agents.find((a) => a.agent === 'suzuki');
  assert.deepEqual(entry.status, { kind: 'away', reason: 'break' });
  const own = await suzuki.client.next('status', 0);
  assert.equal(own.status.kind, 'away');
  await sato.client.close();
  await suzuki.client.close();
});

test('sockets survive the hub being evicted (hibernation) and the hub keeps presence', async () => {
  const ito = await signIn('ito', { team: 'support' });
  ito.client.send({ type: 'set_status', status: { kind: 'away', reason: 'meeting' } });
  await ito.client.next('status');
  await edge.worker.evictDurableObject('PRESENCE_HUB', { name: 'demo', webSockets: 'hibernate' });
  const mark = ito.client.mark();
  ito.client.send({ type: 'ping' });
  await ito.client.next('pong', mark);
  const other = await signIn('tanaka', { team: 'support' });
  const itoSeen = other.welcome.roster.find((a) => a.agent === 'ito');
  assert.deepEqual(itoSeen.status, { kind: 'away', reason: 'meeting' }, 'presence survived the eviction');
  await ito.client.close();
  await other.client.close();
});

test('a socket must sign in before anything else, and a bad session is refused with 4001', async () => {
  const anonymous = await HubClient.connect(edge.url, 'demo', { type: 'ping' });
  const refused = await anonymous.next('unauthorized');
  assert.match(refused.reason, /hello/);
  assert.equal(await anonymous.closed, 4001);

  const forged = await HubClient.connect(edge.url, 'demo', 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA');
  assert.equal((await forged.next('unauthorized')).reason.includes('eyJ'), false, 'no echo');
  assert.equal(await forged.closed, 4001);
});

test('a widget speaking another protocol version is told so and closed', async () => {
  const old = await HubClient.connect(edge.url, 'demo', { type: 'hello', protocol: 1 });
  const reply = await old.next('incompatible_protocol');
  assert.deepEqual(reply, { type: 'incompatible_protocol', server: 2, client: 1 });
  assert.equal(await old.closed, 4000);
});

test('garbage on a signed-in socket is rejected without echo', async () => {
  const { client } = await signIn('watanabe', { team: 'support' });
  client.ws.send('{"type":"<script>"}');
  const reply = await client.next('rejected');
  assert.deepEqual(reply, { type: 'rejected', reason: 'unrecognised message' });
  await client.close();
});

test('a session of tenant A can neither join nor read tenant B', async () => {
  // An admin of acme: nothing but the tenant keeps demo's log from it.
  const acme = await openSession(edge.url, embedToken({ tenant: 'acme', agent: 'kim', roles: ['agent', 'admin'], secret: ACME_SECRET }));
  assert.equal(acme.tenant, 'acme');
  const intruder = await HubClient.connect(edge.url, 'demo', acme.session);
  const refused = await intruder.next('unauthorized');
  assert.match(refused.reason, /another tenant/);
  assert.equal(await intruder.closed, 4001);

  // The call log answers for the session's own tenant only; no parameter names another.
  await edge.env.DB.prepare(
    `INSERT INTO conversations (tenant_id, id, customer_number, started_at_ms, outcome, body)
     VALUES ('demo', 'interaction:CAdemo', '+81355550101', 1, 'answered', '{"id":"demo-only"}')`,
  ).run();
  for (const query of ['', '?tenant=demo', '?number=%2B81355550101']) {
    const res = await fetch(new URL(`/api/conversations${query}`, edge.url), {
      headers: { authorization: `Bearer ${acme.session}` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).conversations, [], `acme sees nothing of demo (${query})`);
  }
  const demo = await openSession(edge.url, logReaderToken());
  const res = await fetch(new URL('/api/conversations?number=03-5555-0101', edge.url), {
    headers: { authorization: `Bearer ${demo.session}` },
  });
  assert.deepEqual((await res.json()).conversations, [{ id: 'demo-only' }], 'demo sees its own, by a national number');
});

test('expired, forged, unknown-tenant and weakly signed embed tokens get a clear 401', async () => {
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    [embedToken({ agent: 'sato', now: now - 3600 }), /expired/],
    [embedToken({ agent: 'sato', secret: 'not-the-demo-secret-but-long-enough-000' }), /signature/],
    [embedToken({ tenant: 'nowhere', agent: 'sato', secret: 'x'.repeat(40) }), /unknown tenant/],
    [embedToken({ agent: 'sato', ttl: 3600 }), /lifetime/],
    [signJwt({ iss: 'demo', aud: 'tsunagu-embed', sub: 'sato', name: 'x', iat: now, exp: now + 60 }, 's', { alg: 'none' }), /HS256/],
    ['not a token', /malformed/],
  ];
  for (const [token, message] of cases) {
    const res = await fetch(new URL('/api/session', edge.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ embed_token: token }),
    });
    assert.equal(res.status, 401, String(message));
    const body = await res.json();
    assert.equal(body.error, 'unauthorized');
    assert.match(body.message, message);
    assert.equal(body.message.includes(token.slice(0, 20)), false, 'no echo of the token');
  }
});

test('/api/token mints a Voice access token for the session agent only, at the Tokyo edge', async () => {
  const unauthenticated = await fetch(new URL('/api/token', edge.url), { method: 'POST' });
  assert.equal(unauthenticated.status, 401);

  const { session } = await openSession(edge.url, embedToken({ agent: 'sato' }));
  const res = await fetch(new URL('/api/token', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${session}` },
  });
  assert.equal(res.status, 200);
  const reply = await res.json();
  assert.equal(reply.identity, 'demo_sato', 'the identity names the tenant, then the agent');
  assert.equal(reply.edge, 'tokyo');
  const [header, claims] = reply.token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  assert.equal(header.cty, 'twilio-fpa;v=1');
  assert.equal(claims.grants.identity, 'demo_sato');
  assert.equal(claims.grants.voice.incoming.allow, true);
  assert.equal(claims.exp - claims.iat, 3600);
  assert.equal(reply.expires_at, claims.exp);
});

test('the demo CRM backend signs embed tokens for its own agents only', async () => {
  const res = await fetch(new URL('/demo/embed-token', edge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'takahashi' }),
  });
  assert.equal(res.status, 200);
  const { embed_token: token } = await res.json();
  const session = await openSession(edge.url, token);
  assert.equal(session.name, '高橋 美咲');
  assert.equal(session.team, 'sales');
  assert.deepEqual(session.roles.sort(), ['agent', 'supervisor']);

  const unknown = await fetch(new URL('/demo/embed-token', edge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent: 'mallory' }),
  });
  assert.equal(unknown.status, 400);
  assert.equal((await unknown.text()).includes('mallory'), false, 'no echo');
});
