//! The server API for CRM backends on workerd: an API key with `calls:write` asks a signed-in agent's widget (a real socket) to call a number (shown with Call / Cancel, or at once with direct dialing allowed) or to show a record; refusals 404 / 409 / 422 with ja/en messages; keys without the scope and agent sessions get 403.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { readCenterSettings, setCenterSettings } from '../support/center-settings.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { assertConforms } from '../support/openapi.mjs';
import { startRestRecorder } from '../support/twilio.mjs';

let edge;
let rest;
let admin;
let original;
const keys = {};
const signedIn = [];
before(async () => {
  rest = await startRestRecorder();
  edge = await startHarness({ vars: { TWILIO_API_BASE: rest.url } });
  original = await readCenterSettings(edge.env.DB, 'demo');
  admin = (await openSession(edge.url, embedToken({ agent: 'on_behalf_admin', name: 'Admin', roles: ['admin'] }))).session;
  for (const [name, scopes] of Object.entries({ calls: ['calls:write'], directory: ['directory:write'], admin: ['admin'] })) {
    const created = await api('POST', '/api/admin/api-keys', { bearer: admin, body: { name, scopes } });
    assert.equal(created.status, 201, created.text);
    keys[name] = created.body.key;
  }
});
after(async () => {
  await edge?.close();
  await rest?.close();
});
afterEach(async () => {
  for (const client of signedIn.splice(0)) {
    client.send({ type: 'set_status', status: { kind: 'offline' } });
    await client.close();
  }
  await setCenterSettings(edge.env.DB, 'demo', original);
});

/** Calls the API with `bearer` (an API key by default); returns { status, body, text }. */
async function api(method, path, { bearer = keys.calls, body } = {}) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, edge.url), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** `agent` signed in to the widget over a real socket (of the demo directory's agents). */
async function signIn(agent, team = 'sales') {
  const { session } = await openSession(edge.url, embedToken({ agent, team, roles: ['agent'] }));
  const client = await HubClient.connect(edge.url, 'demo', session);
  await client.next('welcome');
  signedIn.push(client);
  return { session, client };
}

const callFor = (agent, body, options) => api('POST', `/api/agents/${agent}/calls`, { body, ...options });
const popFor = (agent, body, options) => api('POST', `/api/agents/${agent}/screen-pop`, { body, ...options });

/** A refusal: its status, code and reason, after checking the body and both languages. */
function refusal(reply) {
  assertConforms('Error', reply.body);
  assert.ok(reply.body.messages?.ja && reply.body.messages?.en, reply.text);
  return [reply.status, reply.body.error, reply.body.reason ?? null];
}

test('click-to-call on behalf of an agent: the widget shows the number and the customer with Call / Cancel; nothing is dialled', async () => {
  const { client } = await signIn('sato');
  const since = client.mark();
  const reply = await callFor('sato', { to: '03-5555-0101' });
  assert.equal(reply.status, 202, reply.text);
  assertConforms('PushAccepted', reply.body);
  assert.deepEqual(reply.body, {
    status: 'offered_to_agent', agent: 'sato', to: '+81355550101', to_display: '03-5555-0101',
    customer: { id: 'c001', name: '山田 太郎（山田商事株式会社）' },
  });
  const message = await client.next('dial_request', since);
  assert.deepEqual(message, {
    type: 'dial_request', to: '+81355550101', to_display: '03-5555-0101',
    customer: { id: 'c001', name: '山田 太郎（山田商事株式会社）', owner: 'sato', team: 'sales' }, confirm: true,
  });
  // The customer the CRM names wins over the number's.
  const named = await callFor('sato', { to: '090-1234-5678', customer_id: 'c006' });
  assert.equal(named.status, 202, named.text);
  assert.deepEqual(named.body.customer, { id: 'c006', name: '山本 あかり（山本デザイン事務所）' });
  assert.equal(rest.requests.filter((r) => r.method === 'POST').length, 0, 'Twilio is not asked: the agent clicks first');
});

test('with direct dialing allowed, the widget is told to call at once (as Tsunagu.dial() would)', async () => {
  await setCenterSettings(edge.env.DB, 'demo', { ...original, direct_dial_from_host: true });
  const { client } = await signIn('sato');
  const since = client.mark();
  const reply = await callFor('sato', { to: '0120-555-108' });
  assert.equal(reply.status, 202, reply.text);
  assert.equal(reply.body.status, 'dialing');
  const message = await client.next('dial_request', since);
  assert.equal(message.confirm, false);
  assert.equal(message.to, '+81120555108');
});

test('refusals: unknown agent 404, not signed in 409, the dial policy 422 with its reason in ja and en, a bad number 400', async () => {
  const { client } = await signIn('sato');
  const since = client.mark();
  assert.equal((await callFor('nobody_here', { to: '03-5555-0101' })).status, 404);
  assert.deepEqual(refusal(await callFor('suzuki', { to: '03-5555-0101' })), [409, 'not_signed_in', null]);
  assert.deepEqual(refusal(await callFor('sato', { to: '0990-123-456' })), [422, 'dial_refused', 'premium_rate']);
  assert.deepEqual(refusal(await callFor('sato', { to: '0570-555-108' })), [422, 'dial_refused', 'shared_cost']);
  assert.deepEqual(refusal(await callFor('sato', { to: '+44 20 7946 0107' })), [422, 'dial_refused', 'international']);
  // The policy answers for an agent who is not signed in too: the number is refused whoever is asked.
  assert.deepEqual(refusal(await callFor('suzuki', { to: '0990-123-456' })), [422, 'dial_refused', 'premium_rate']);
  const premium = await callFor('sato', { to: '0990-123-456' });
  assert.equal(premium.body.messages.ja, 'この番号（有料番号 0990 など）には発信できません。');
  assert.equal((await callFor('sato', { to: 'not a number' })).status, 400);
  assert.equal((await callFor('sato', {})).status, 400);
  // Nothing reached the widget (presence broadcasts aside).
  client.send({ type: 'ping' });
  await client.next('pong', since);
  assert.deepEqual(client.messages.slice(since).map((m) => m.type).filter((type) => type !== 'roster'), ['pong']);
});

test('screen pop: a directory customer or a record the CRM describes reaches every widget of the agent', async () => {
  const { client } = await signIn('sato');
  const { client: second } = await signIn('sato');
  const since = client.mark();
  const secondSince = second.mark();
  const url = 'https://crm.example.jp/customers/c001?tab=history';
  const reply = await popFor('sato', { customer_id: 'c001', url });
  assert.equal(reply.status, 202, reply.text);
  assertConforms('PushAccepted', reply.body);
  assert.deepEqual(reply.body, { status: 'shown', agent: 'sato', customer: { id: 'c001', name: '山田 太郎' } });
  const expected = {
    type: 'show_record',
    record: { customer: 'c001', title: '山田 太郎', subtitle: '山田商事株式会社', number: '03-5555-0101', url },
  };
  assert.deepEqual(await client.next('show_record', since), expected);
  assert.deepEqual(await second.next('show_record', secondSince), expected);

  const described = await popFor('sato', { title: '  案件 #4411  ', subtitle: '更新のご相談' });
  assert.equal(described.status, 202, described.text);
  assert.deepEqual(
    (await client.waitFor((m) => m.type === 'show_record' && !m.record.customer, 'the CRM record', since)).record,
    { title: '案件 #4411', subtitle: '更新のご相談' },
  );
});

test('screen pop refusals: invalid records 422 with the problem, unknown agent 404, not signed in 409', async () => {
  await signIn('sato');
  const problem = async (body) => refusal(await popFor('sato', body));
  assert.deepEqual(await problem({ title: 'x', url: 'http://crm.example.jp/c001' }), [422, 'invalid_record', 'url_not_https']);
  assert.deepEqual(await problem({ title: 'x', url: 'javascript:alert(1)' }), [422, 'invalid_record', 'url_not_https']);
  assert.deepEqual(await problem({ title: 'x', url: 'https://crm.example.jp@evil.test/' }), [422, 'invalid_record', 'url_invalid']);
  assert.deepEqual(await problem({ title: 'x', url: `https://crm.example.jp/${'a'.repeat(2048)}` }), [422, 'invalid_record', 'url_too_long']);
  assert.deepEqual(await problem({ title: 'あ'.repeat(121) }), [422, 'invalid_record', 'title_too_long']);
  assert.deepEqual(await problem({ title: 'a\nb' }), [422, 'invalid_record', 'control_characters']);
  assert.deepEqual(await problem({}), [422, 'invalid_record', 'title_missing']);
  assert.deepEqual(await problem({ customer_id: 'c999' }), [422, 'invalid_record', 'unknown_customer']);
  assert.equal((await popFor('sato', { customer_id: 'c001', title: 'x' })).status, 400);
  assert.equal((await popFor('nobody_here', { customer_id: 'c001' })).status, 404);
  assert.deepEqual(refusal(await popFor('suzuki', { customer_id: 'c001' })), [409, 'not_signed_in', null]);
});

test('who may push: calls:write and admin keys, admin sessions; not other scopes, agents or anonymous callers', async () => {
  await signIn('sato');
  const { session: agent } = await signIn('suzuki');
  for (const [path, body] of [['calls', { to: '03-5555-0101' }], ['screen-pop', { customer_id: 'c001' }]]) {
    const as = (bearer) => api('POST', `/api/agents/sato/${path}`, { bearer, body });
    assert.equal((await as(keys.admin)).status, 202, path);
    assert.equal((await as(admin)).status, 202, path);
    const scoped = await as(keys.directory);
    assert.equal(scoped.status, 403, path);
    assert.equal(scoped.body.error, 'missing_role');
    assert.match(scoped.body.message, /calls:write/);
    assert.equal((await as(agent)).status, 403, `${path}: a plain agent session`);
    assert.equal((await as(null)).status, 401, path);
  }
});

// Last: the agent stays on the call.
test('a busy agent: 409 agent_busy for a call; a record is still shown', async () => {
  const { session, client } = await signIn('sato');
  const placed = await fetch(new URL('/api/calls', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: '03-5555-0101' }),
  });
  assert.equal(placed.status, 200, await placed.text());
  await client.waitFor((m) => m.type === 'status' && m.status.kind === 'on_call', 'on a call');
  assert.deepEqual(refusal(await callFor('sato', { to: '03-5555-0102' })), [409, 'agent_busy', null]);
  assert.equal((await popFor('sato', { customer_id: 'c001' })).status, 202);
});

test('pushes to one agent are rate limited: thirty at once, then 429 too_many_pushes with ja/en messages', async () => {
  const { client } = await signIn('ito', 'support');
  const since = client.mark();
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: 45 }, (_, n) => popFor('ito', { title: `通知 ${n}` })));
  const elapsedSecs = (Date.now() - started) / 1000;
  const accepted = replies.filter((reply) => reply.status === 202).length;
  const limited = replies.filter((reply) => reply.status === 429);
  assert.ok(limited.length > 0, `some pushes are refused: ${replies.map((r) => r.status)}`);
  // Nobody pushed to ito before: thirty at once, plus two a second for however long the requests took on this machine.
  assert.ok(accepted >= 30 && accepted <= 30 + 2 * Math.ceil(elapsedSecs), `${accepted} accepted in ${elapsedSecs} s`);
  assert.deepEqual(refusal(limited[0]), [429, 'too_many_pushes', null]);
  await client.waitFor(() => client.messages.slice(since).filter((m) => m.type === 'show_record').length === accepted, 'each accepted push shown');
  // Another agent has a bucket of their own.
  await signIn('watanabe', 'support');
  assert.equal((await popFor('watanabe', { title: '別の担当者' })).status, 202);
});
