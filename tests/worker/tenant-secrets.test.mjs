//! Tenant secrets in D1: a tenant onboarded without any Worker secret gets its embed secret and Twilio auth token through the admin API, sealed, rotated with a grace, never shown.
//!
//! Bootstrap (README "Tenant secrets"): the platform operator creates the tenant row and its first
//! admin API key (scope `admin`, only its SHA-256 stored), as the demo seed creates the demo
//! tenant; everything after that goes through the API with that key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { startHarness } from '../support/harness.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { postWebhook, sid } from '../support/twilio.mjs';

/** The grace of a replaced embed secret in this file (seconds): short, so the test sees it end. */
const GRACE_SECS = 3;
const TENANT = 'acme-jp';
const EMBED_SECRET = 'acme-embed-secret-set-through-the-admin-api-0001';
const EMBED_SECRET_2 = 'acme-embed-secret-rotated-through-the-admin-api-0002';
const AUTH_TOKEN = 'acme-twilio-auth-token-set-through-the-api';
const ACCOUNT = 'AC0000000000000000000000000000acme';

let edge;
let adminKey;
before(async () => {
  edge = await startHarness({ vars: { SECRET_ROTATION_GRACE_SECS: String(GRACE_SECS) } });
  adminKey = await onboard(TENANT);
});
after(async () => { await edge?.close(); });

/** What the platform operator does for a new tenant: its row and one admin API key. No Worker secret. */
async function onboard(tenant) {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const db = edge.env.DB;
  await db.batch([
    db.prepare("INSERT INTO tenants (id, name_ja, name_en, allowed_origins) VALUES (?1, 'アクメ', 'Acme', '''self''')").bind(tenant),
    db.prepare(`INSERT INTO api_keys (tenant_id, id, name, scopes, secret_sha256, created_by, created_at_ms)
                VALUES (?1, ?2, 'Onboarding', 'admin', ?3, 'operator', ?4)`)
      .bind(tenant, id, createHash('sha256').update(secret).digest('hex'), Date.now()),
  ]);
  return `tsk_${tenant}_${id}_${secret}`;
}

async function api(method, path, { bearer = adminKey, body } = {}) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, edge.url), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

/** Opens a session with an embed token for the tenant signed with `secret`; resolves with the status. */
async function signIn(secret, { agent = 'acme_admin', roles = ['admin'] } = {}) {
  const res = await fetch(new URL('/api/session', edge.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ embed_token: embedToken({ tenant: TENANT, agent, roles, secret }) }),
  });
  const body = await res.json();
  return { status: res.status, body };
}

/** A call's status callback for the tenant, signed with `authToken`. */
async function statusWebhook(authToken) {
  const url = new URL(`/twilio/voice/${TENANT}/status`, edge.url).href;
  const res = await postWebhook(url, {
    AccountSid: ACCOUNT, CallSid: sid(), CallStatus: 'completed', Direction: 'inbound',
    From: '+81355550101', To: '+815012340000', SequenceNumber: '0',
  }, { authToken });
  return { status: res.status, text: await res.text() };
}

const VALUES = [EMBED_SECRET, EMBED_SECRET_2, AUTH_TOKEN];
function assertNoValue(what, text) {
  for (const value of VALUES) assert.equal(text.includes(value), false, `${what} shows a secret value`);
}

test('a tenant without Worker secrets: its admin sets them through the API, then embed tokens and webhooks verify against them', async () => {
  assert.equal((await signIn(EMBED_SECRET)).status, 401, 'no embed secret yet');
  assert.equal((await statusWebhook(AUTH_TOKEN)).status, 403, 'no auth token yet');

  const set = await api('PUT', '/api/admin/secrets/embed_secret', { body: { value: EMBED_SECRET } });
  assert.equal(set.status, 200, set.text);
  assertNoValue('PUT reply', set.text);
  assert.equal(set.body.source, 'd1');
  assert.equal(set.body.key_id, 'dev1');
  assert.equal(set.body.previous_valid_until_ms, null, 'nothing replaced');
  const token = await api('PUT', '/api/admin/secrets/twilio_auth_token', { body: { value: AUTH_TOKEN } });
  assert.equal(token.status, 200, token.text);

  const session = await signIn(EMBED_SECRET);
  assert.equal(session.status, 200, JSON.stringify(session.body));
  assert.deepEqual(session.body.roles, ['admin']);
  assert.equal((await signIn('x'.repeat(48))).status, 401, 'another secret does not sign');

  const accepted = await statusWebhook(AUTH_TOKEN);
  assert.ok(accepted.status >= 200 && accepted.status < 300, `${accepted.status} ${accepted.text}`);
  assert.equal((await statusWebhook('forged-auth-token-of-someone-else')).status, 403);
  assert.equal((await statusWebhook(DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN)).status, 403, "another tenant's token");
});

test('D1 holds only sealed values: no plaintext in any column', async () => {
  const { results } = await edge.env.DB.prepare('SELECT * FROM tenant_secrets WHERE tenant_id = ?1 ORDER BY name').bind(TENANT).all();
  assert.deepEqual(results.map((r) => r.name), ['embed_secret', 'twilio_auth_token']);
  for (const row of results) {
    const text = JSON.stringify(row);
    assertNoValue('the row', text);
    assertNoValue('the row in base64', VALUES.reduce((t, v) => t.replaceAll(Buffer.from(v).toString('base64'), v), text));
    const ciphertext = Buffer.from(row.ciphertext, 'base64');
    for (const value of VALUES) assert.equal(ciphertext.includes(Buffer.from(value)), false, 'the ciphertext holds the plaintext');
    assert.equal(Buffer.from(row.nonce, 'base64').length, 12);
    assert.equal(row.key_id, 'dev1');
  }
  assert.notEqual(results[0].nonce, results[1].nonce, 'a fresh nonce per value');
});

test('GET lists every secret, where it comes from, never a value; the demo tenant shows its Worker secrets', async () => {
  const list = await api('GET', '/api/admin/secrets');
  assert.equal(list.status, 200, list.text);
  assertNoValue('GET', list.text);
  assert.deepEqual(list.body.master_key, { configured: true, sealing_key_id: 'dev1' });
  const byName = Object.fromEntries(list.body.secrets.map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(byName), ['embed_secret', 'twilio_auth_token', 'twilio_api_key_secret', 'turnstile_secret', 'crm_lookup_secret']);
  assert.equal(byName.embed_secret.set, true);
  assert.equal(byName.embed_secret.source, 'd1');
  assert.equal(byName.embed_secret.key_in_force, true);
  assert.equal(typeof byName.embed_secret.updated_at_ms, 'number');
  assert.deepEqual(byName.twilio_api_key_secret, {
    name: 'twilio_api_key_secret', set: false, source: null, key_id: null, key_in_force: null, updated_at_ms: null, previous_valid_until_ms: null,
  });
  for (const entry of list.body.secrets) assert.deepEqual(Object.keys(entry).sort(), ['key_id', 'key_in_force', 'name', 'previous_valid_until_ms', 'set', 'source', 'updated_at_ms']);

  const { session } = await openSession(edge.url, embedToken({ agent: 'demo_admin', roles: ['admin'] }));
  const demo = await api('GET', '/api/admin/secrets', { bearer: session });
  assert.equal(demo.status, 200, demo.text);
  for (const [name, value] of Object.entries(DEV_VARS)) {
    if (/SECRET|TOKEN|KEYS/.test(name)) assert.equal(demo.text.includes(value), false, `GET shows ${name}`);
  }
  const demoByName = Object.fromEntries(demo.body.secrets.map((s) => [s.name, s.source]));
  assert.deepEqual(demoByName, { embed_secret: 'worker_secret', twilio_auth_token: 'worker_secret', twilio_api_key_secret: 'worker_secret', turnstile_secret: null, crm_lookup_secret: null });
});

test('rotation: the replaced embed secret still signs during the grace and not after; the new one at once', async () => {
  const { session } = await openSession(edge.url, embedToken({ tenant: TENANT, agent: 'acme_admin', roles: ['admin'], secret: EMBED_SECRET }));
  const rotated = await api('PUT', '/api/admin/secrets/embed_secret', { bearer: session, body: { value: EMBED_SECRET_2 } });
  assert.equal(rotated.status, 200, rotated.text);
  assertNoValue('PUT reply', rotated.text);
  const until = rotated.body.previous_valid_until_ms;
  assert.ok(until > Date.now() && until <= Date.now() + GRACE_SECS * 1000 + 1000, `grace ends at ${until}`);

  assert.equal((await signIn(EMBED_SECRET_2)).status, 200, 'the new secret signs at once');
  assert.equal((await signIn(EMBED_SECRET)).status, 200, 'the old one still signs within the grace');

  // The grace is a point in time, not an event: wait until the worker's own deadline has passed.
  await delay(Math.max(0, until - Date.now()) + 100);
  const late = await signIn(EMBED_SECRET);
  assert.equal(late.status, 401, JSON.stringify(late.body));
  assert.equal((await signIn(EMBED_SECRET_2)).status, 200);
  const listed = (await api('GET', '/api/admin/secrets')).body.secrets.find((s) => s.name === 'embed_secret');
  assert.equal(listed.previous_valid_until_ms, null, 'the grace is over');
});

test('secrets we sign with switch at once: the Twilio API key secret keeps no previous value', async () => {
  const first = await api('PUT', '/api/admin/secrets/twilio_api_key_secret', { body: { value: 'a'.repeat(32) } });
  assert.equal(first.status, 200, first.text);
  const second = await api('PUT', '/api/admin/secrets/twilio_api_key_secret', { body: { value: 'b'.repeat(32) } });
  assert.equal(second.body.previous_valid_until_ms, null);
  const { results } = await edge.env.DB.prepare("SELECT previous_ciphertext FROM tenant_secrets WHERE tenant_id = ?1 AND name = 'twilio_api_key_secret'").bind(TENANT).all();
  assert.equal(results[0].previous_ciphertext, null);
});

test('bad names and values get typed errors in Japanese and English, without the value', async () => {
  const unknown = await api('PUT', '/api/admin/secrets/session_secret', { body: { value: 'x'.repeat(40) } });
  assert.equal(unknown.status, 422, unknown.text);
  assert.deepEqual(unknown.body.fields.map((f) => `${f.field} ${f.code}`), ['name unknown_value']);
  const short = await api('PUT', '/api/admin/secrets/embed_secret', { body: { value: 'too-short-secret' } });
  assert.equal(short.status, 422, short.text);
  assert.deepEqual(short.body.fields.map((f) => [f.field, f.code, f.min]), [['value', 'too_short', 32]]);
  assert.match(short.body.fields[0].message.ja, /32 文字以上/);
  assert.equal(short.text.includes('too-short-secret'), false);
  const blank = await api('PUT', '/api/admin/secrets/twilio_auth_token', { body: { value: `${'y'.repeat(20)} ` } });
  assert.deepEqual(blank.body.fields.map((f) => f.code), ['whitespace']);
  assert.equal((await api('DELETE', '/api/admin/secrets/nothing')).status, 422);
});

test('only admins: agents and supervisors get 403, no credentials 401', async () => {
  for (const roles of [['agent'], ['supervisor']]) {
    const { session } = await openSession(edge.url, embedToken({ tenant: TENANT, agent: `acme_${roles[0]}`, roles, secret: EMBED_SECRET_2 }));
    for (const [method, path, body] of [['GET', '/api/admin/secrets'], ['PUT', '/api/admin/secrets/embed_secret', { value: 'z'.repeat(40) }], ['DELETE', '/api/admin/secrets/embed_secret']]) {
      const res = await api(method, path, { bearer: session, body });
      assert.equal(res.status, 403, `${method} ${path} as ${roles}`);
      assert.equal(res.body.error, 'missing_role');
    }
  }
  assert.equal((await api('GET', '/api/admin/secrets', { bearer: null })).status, 401);
  assert.equal((await signIn(EMBED_SECRET_2)).status, 200, 'the refused PUT changed nothing');
});

test('D1 down: a warm cache still verifies without it; a cold cache without a Worker secret fails closed (503), never open', async () => {
  const db = edge.env.DB;
  const breakD1 = () => db.prepare('ALTER TABLE tenant_secrets RENAME TO tenant_secrets_outage').run();
  const mendD1 = () => db.prepare('ALTER TABLE tenant_secrets_outage RENAME TO tenant_secrets').run();
  assert.ok((await statusWebhook(AUTH_TOKEN)).status < 300, 'warms the cache');
  await breakD1();
  try {
    assert.ok((await statusWebhook(AUTH_TOKEN)).status < 300, 'verified from the cache');
    assert.equal((await statusWebhook('forged-auth-token-of-someone-else')).status, 403);
  } finally {
    await mendD1();
  }
  // Setting the token again empties this isolate's copy: the next lookup must read D1.
  assert.equal((await api('PUT', '/api/admin/secrets/twilio_auth_token', { body: { value: AUTH_TOKEN } })).status, 200);
  await breakD1();
  try {
    for (const token of [AUTH_TOKEN, 'forged-auth-token-of-someone-else']) {
      const res = await statusWebhook(token);
      assert.equal(res.status, 503, res.text);
      assert.equal(JSON.parse(res.text).error, 'unavailable');
    }
  } finally {
    await mendD1();
  }
  assert.ok((await statusWebhook(AUTH_TOKEN)).status < 300, 'back once D1 is');
});

test('DELETE removes the sealed value: the tenant has no auth token again (no Worker secret to fall back to)', async () => {
  const deleted = await api('DELETE', '/api/admin/secrets/twilio_auth_token');
  assert.equal(deleted.status, 200, deleted.text);
  assert.deepEqual(deleted.body, { deleted: true });
  assert.equal((await statusWebhook(AUTH_TOKEN)).status, 403);
  assert.equal((await api('DELETE', '/api/admin/secrets/twilio_auth_token')).status, 404);
});

test('moving the demo tenant off its Worker secret: the legacy embed secret keeps signing through the grace', async () => {
  const { session } = await openSession(edge.url, embedToken({ agent: 'demo_admin', roles: ['admin'] }));
  const moved = await api('PUT', '/api/admin/secrets/embed_secret', { bearer: session, body: { value: `demo-embed-secret-in-d1-${'0'.repeat(16)}` } });
  assert.equal(moved.status, 200, moved.text);
  assert.ok(moved.body.previous_valid_until_ms > Date.now(), 'the Worker secret is the previous value');
  assert.equal((await openSession(edge.url, embedToken({ agent: 'sato' }))).roles[0], 'agent', 'signed with the legacy secret');
  assert.equal((await openSession(edge.url, embedToken({ agent: 'sato', secret: `demo-embed-secret-in-d1-${'0'.repeat(16)}` }))).agent, 'sato');
  const back = await api('DELETE', '/api/admin/secrets/embed_secret', { bearer: session });
  assert.equal(back.status, 200, 'and back to the Worker secret');
  assert.equal((await openSession(edge.url, embedToken({ agent: 'sato' }))).agent, 'sato');
});

test('without master keys: secrets are not stored (typed 409), and Worker-secret tenants are still served', async () => {
  const bare = await startHarness({ secrets: { TSUNAGU_MASTER_KEYS: '' } });
  try {
    const { session } = await openSession(bare.url, embedToken({ agent: 'demo_admin', roles: ['admin'] }));
    const res = await fetch(new URL('/api/admin/secrets/embed_secret', bare.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: EMBED_SECRET }),
    });
    const body = await res.json();
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.error, 'no_master_key');
    const { results } = await bare.env.DB.prepare('SELECT COUNT(*) AS n FROM tenant_secrets').all();
    assert.equal(results[0].n, 0, 'nothing stored, in plain or otherwise');
    const listed = await (await fetch(new URL('/api/admin/secrets', bare.url), { headers: { authorization: `Bearer ${session}` } })).json();
    assert.deepEqual(listed.master_key, { configured: false, sealing_key_id: null });
  } finally {
    await bare.close();
  }
});
