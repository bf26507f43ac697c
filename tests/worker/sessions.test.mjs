//! Sessions and abuse limits on workerd: single-use embed tokens, sign-out and admin revocation (HTTP
//! 401 and the socket closed with 4004), expiry (4005), sockets that never say hello (4006), oversize
//! socket messages (4007), floods (4008) and oversize bodies (413).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, logReaderToken, openSession } from '../support/auth.mjs';

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

async function signIn(agent, { roles = ['agent'], team = 'sales' } = {}) {
  const { session } = await openSession(edge.url, embedToken({ agent, team, roles }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  return { client, session };
}

/** An authenticated HTTP call that any session may make; its status says whether the session lives. */
async function conversationsStatus(session) {
  const response = await fetch(new URL('/api/conversations', edge.url), {
    headers: { authorization: `Bearer ${session}` },
  });
  await response.arrayBuffer();
  return response.status;
}

function post(path, session, body) {
  return fetch(new URL(path, edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('an embed token opens one session; the same token again is refused with 401', async () => {
  const token = embedToken({ agent: 'sato' });
  await openSession(edge.url, token);
  const again = await fetch(new URL('/api/session', edge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ embed_token: token }),
  });
  assert.equal(again.status, 401);
  assert.match((await again.json()).message, /already used/);
});

test('sign-out revokes the session: its HTTP calls get 401 and its socket is closed with 4004', async () => {
  const sato = await signIn('sato');
  assert.equal(await conversationsStatus(sato.session), 200);
  const response = await post('/api/session/revoke', sato.session);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { revoked: 1 });
  assert.equal(await sato.client.closed, 4004);
  assert.equal(await conversationsStatus(sato.session), 401);
  const hello = await HubClient.connect(edge.url, 'demo', sato.session);
  assert.equal(await hello.closed, 4001, 'a revoked session cannot sign a socket in again');
});

test('an admin revokes one agent\'s sessions; an agent without the admin role gets 403', async () => {
  const sato = await signIn('sato');
  const other = await signIn('suzuki');
  const notAdmin = await post('/api/agents/sato/sessions/revoke', other.session);
  assert.equal(notAdmin.status, 403);
  const admin = await signIn('watanabe', { roles: ['agent', 'admin'] });
  const response = await post('/api/agents/sato/sessions/revoke', admin.session);
  assert.equal(response.status, 200);
  assert.equal(await sato.client.closed, 4004);
  assert.equal(await conversationsStatus(sato.session), 401);
  assert.equal(await conversationsStatus(other.session), 200, 'other agents keep their sessions');
  await other.client.close();
  await admin.client.close();
});

test('an admin revokes every session of the tenant (rotation); signing in again works at once', async () => {
  const sato = await signIn('sato');
  const admin = await signIn('watanabe', { roles: ['agent', 'admin'] });
  const notAdmin = await post('/api/sessions/revoke-all', sato.session);
  assert.equal(notAdmin.status, 403);
  const response = await post('/api/sessions/revoke-all', admin.session);
  assert.equal(response.status, 200);
  assert.equal(await sato.client.closed, 4004);
  assert.equal(await admin.client.closed, 4004);
  assert.equal(await conversationsStatus(sato.session), 401);
  assert.equal(await conversationsStatus(admin.session), 401);
  const fresh = await signIn('sato');
  assert.equal(await conversationsStatus(fresh.session), 200);
  await fresh.client.close();
});

/** How many keys the demo tenant's hub stores (`GET /api/admin/hub-storage`), read by an admin session. */
async function storedKeys(session) {
  const res = await fetch(new URL('/api/admin/hub-storage', edge.url), { headers: { authorization: `Bearer ${session}` } });
  assert.equal(res.status, 200);
  return (await res.json()).stored_keys;
}

test('a socket that never says hello is closed within 5 s with 4006 and writes nothing', async () => {
  // Opened first: a session is itself stored (the ledger lists it).
  const { session: admin } = await openSession(edge.url, logReaderToken());
  const before = await storedKeys(admin);
  const url = new URL('/api/socket?tenant=demo', edge.url);
  url.protocol = 'ws:';
  const started = Date.now();
  const silent = new HubClient(new WebSocket(url));
  // The hub's close frame turns the socket to CLOSING; the TCP connection may linger after it.
  while (silent.ws.readyState !== WebSocket.CLOSING && silent.ws.readyState !== WebSocket.CLOSED) {
    assert.ok(Date.now() - started < 8000, 'the hub closed the socket');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 4000 && elapsed < 7000, `closed after ${elapsed} ms`);
  assert.equal(await silent.closed, 4006);
  assert.deepEqual(silent.messages, [], 'nothing was said to it');
  const after = await storedKeys(admin);
  assert.equal(after, before, 'the silent socket cost the hub no storage');
  // The measure sees writes: a socket that signs in stores its agent's presence.
  await signIn('hello_sayer');
  assert.ok(await storedKeys(admin) > after, 'a signed-in socket is stored');
});

test('a socket message over 24 KiB closes the socket with 4007, unread', async () => {
  const sato = await signIn('sato');
  const mark = sato.client.mark();
  sato.client.ws.send(JSON.stringify({ type: 'ping', padding: 'x'.repeat(25 * 1024) }));
  assert.equal(await sato.client.closed, 4007);
  assert.deepEqual(sato.client.messages.slice(mark), [], 'no answer: the message was not parsed');
});

test('a flood of messages closes the socket with 4008', async () => {
  const sato = await signIn('sato');
  const started = Date.now();
  for (let i = 0; i < 100; i += 1) sato.client.send({ type: 'ping' });
  assert.equal(await sato.client.closed, 4008);
  const elapsed = (Date.now() - started) / 1000;
  const pongs = sato.client.messages.filter((m) => m.type === 'pong').length;
  // The burst of 40 (one went to the hello), plus what the rate (20/s) refilled while the hub
  // worked through the flood, which takes longer on a loaded machine.
  const allowed = 40 + Math.ceil(20 * elapsed);
  assert.ok(pongs <= allowed && pongs < 100, `${pongs} of 100 pings were answered in ${elapsed} s (at most ${allowed})`);
});

test('a request body over 64 KiB is refused with 413 before it is read, declared or chunked', async () => {
  const big = JSON.stringify({ embed_token: 'x'.repeat(70 * 1024) });
  const declared = await fetch(new URL('/api/session', edge.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: big,
  });
  assert.equal(declared.status, 413);
  assert.equal((await declared.json()).message, 'the request body is too large');
  const chunks = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 70; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
      controller.close();
    },
  });
  const chunked = await fetch(new URL('/api/session', edge.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half',
  });
  assert.equal(chunked.status, 413);
  const small = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(JSON.stringify({ embed_token: embedToken({ agent: 'ito' }) })));
      controller.close();
    },
  });
  const fine = await fetch(new URL('/api/session', edge.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: small, duplex: 'half',
  });
  assert.equal(fine.status, 200, 'a small chunked body still reaches its route');
});

test('the hub closes an expired session\'s socket with 4005', async () => {
  // Long enough for the socket to sign in on a busy CI machine (2 s was not), short for a test.
  const short = await startHarness({ vars: { SESSION_TTL_SECS: '6' } });
  try {
    // A machine busy enough to take the whole 6 s between the session and its hello gets the
    // expiry at hello instead (also right, but not what this test is about): it tries again.
    for (let attempt = 1; ; attempt++) {
      const { session, expires_at: expiresAt } = await openSession(short.url, embedToken({ agent: 'sato', team: 'sales' }));
      assert.ok(expiresAt - Date.now() / 1000 <= 6.5);
      const client = await HubClient.connect(short.url, 'demo', session);
      const first = await client.waitFor((m) => m.type === 'welcome' || m.type === 'unauthorized', 'welcome', 0, 10_000);
      if (first.type === 'unauthorized' && attempt < 3) {
        assert.match(first.reason, /expired/);
        await client.close();
        continue;
      }
      assert.equal(first.type, 'welcome', JSON.stringify(first));
      assert.equal(await client.closed, 4005);
      break;
    }
  } finally {
    await short.close();
  }
});

test('the directory, not the embed token, says which team a listed agent is in', async () => {
  // tanaka is in support in the directory; a CRM token still saying sales does not move him.
  const listed = await openSession(edge.url, embedToken({ agent: 'tanaka', team: 'sales' }));
  assert.equal(listed.team, 'support');
  const unlisted = await openSession(edge.url, embedToken({ agent: 'newcomer', team: 'sales' }));
  assert.equal(unlisted.team, 'sales', 'an agent the directory does not list keeps the token\'s team');
  // The hub places him by the session: his socket is support's.
  const client = await HubClient.connect(edge.url, 'demo', listed.session);
  const welcome = await client.next('welcome');
  assert.deepEqual(welcome.teams, ['support']);
  await client.close();
});
