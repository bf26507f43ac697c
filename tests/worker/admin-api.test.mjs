//! The admin API on workerd: tenant settings, teams, agents and customers (create, read, update,
//! delete, search), per-field errors in Japanese and English, who may call it (admin sessions,
//! scoped API keys), and API keys themselves (shown once, stored hashed, last use, revocation).
//! Replies are checked against the OpenAPI document's schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { assertConforms } from '../support/openapi.mjs';

let edge;
let admin;
before(async () => {
  edge = await startHarness();
  admin = await sessionOf(['admin']);
});
after(async () => { await edge?.close(); });

async function sessionOf(roles) {
  const token = embedToken({ agent: `admin_api_${roles.join('_')}`, name: 'Admin API', roles });
  return (await openSession(edge.url, token)).session;
}

/** Calls the API with `bearer` (a session or an API key); returns { status, body }. */
async function api(method, path, { bearer = admin, body } = {}) {
  const headers = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(path, edge.url), {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** The `field code` pairs of a 422, after checking every error has both languages. */
function fieldErrors(reply) {
  assert.equal(reply.status, 422, reply.text);
  assertConforms('Error', reply.body);
  assert.equal(reply.body.error, 'invalid');
  for (const error of reply.body.fields) {
    assert.ok(error.message.ja && error.message.en, JSON.stringify(error));
  }
  return reply.body.fields.map((error) => `${error.field} ${error.code}`);
}

test('tenant settings: read, replace, and every invalid field refused at once in ja and en', async () => {
  const read = await api('GET', '/api/admin/settings');
  assert.equal(read.status, 200);
  assertConforms('TenantSettings', read.body);
  assert.deepEqual(read.body.name, { ja: 'デモ株式会社', en: 'Demo Corp.' });
  assert.deepEqual(read.body.allowed_origins, ["'self'", 'http://localhost:*', 'http://127.0.0.1:*']);

  const wanted = {
    name: { ja: 'デモ株式会社 (新)', en: 'Demo Corp. (new)' },
    allowed_origins: ["'self'", 'http://localhost:*', 'http://127.0.0.1:*', 'https://crm.example.jp'],
    voice_edge: 'singapore',
    supervisor_reach: 'tenant',
    crm_lookup_url: null,
    session_lifetime_minutes: 60,
  };
  assert.equal(read.body.session_lifetime_minutes, 480, 'eight hours unless the tenant says');
  const put = await api('PUT', '/api/admin/settings', { body: wanted });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.body, wanted);
  assert.deepEqual((await api('GET', '/api/admin/settings')).body, wanted);
  // Sessions opened from now on last the tenant's hour.
  const opened = await openSession(edge.url, embedToken({ agent: 'lifetime_check', name: 'Lifetime' }));
  const lasts = opened.expires_at - Math.floor(Date.now() / 1000);
  assert.ok(lasts > 3500 && lasts <= 3600, `a session lasts the tenant's hour: ${lasts} s`);
  // A client that predates the field keeps what is stored.
  const { session_lifetime_minutes: _, ...older } = wanted;
  assert.equal((await api('PUT', '/api/admin/settings', { body: older })).status, 200);
  assert.equal((await api('GET', '/api/admin/settings')).body.session_lifetime_minutes, 60);

  const bad = await api('PUT', '/api/admin/settings', {
    body: { name: { ja: '', en: 'x' }, allowed_origins: ['https://evil.example/<script>'], voice_edge: 'mars', supervisor_reach: 'everyone', crm_lookup_url: 'ftp://crm.example/lookup', session_lifetime_minutes: 10 },
  });
  assert.deepEqual(fieldErrors(bad), [
    'name.ja blank', 'allowed_origins[0] invalid_origin', 'voice_edge unknown_value', 'supervisor_reach unknown_value',
    'crm_lookup_url invalid_webhook_url', 'session_lifetime_minutes not_in_range',
  ]);
  const origin = bad.body.fields[1];
  assert.equal(origin.message.ja, "'self' または https://ホスト名[:ポート] の形式で指定してください");
  assert.equal(origin.message.en, "must be 'self' or https://host[:port]");
  assert.ok(!bad.text.includes('evil.example') && !bad.text.includes('mars'), 'errors never echo the input');
  assert.deepEqual((await api('GET', '/api/admin/settings')).body, wanted, 'a refused write changes nothing');

  assert.equal((await api('PUT', '/api/admin/settings', { body: 'not json{' })).status, 422);
  // Put the seed's settings back for the other tests.
  assert.equal((await api('PUT', '/api/admin/settings', { body: read.body })).status, 200);
});

test('teams: create, list, rename, refuse a duplicate id, refuse deleting a team with agents, delete', async () => {
  const created = await api('POST', '/api/admin/teams', { body: { id: 'billing', name: { ja: '請求', en: 'Billing' } } });
  assert.equal(created.status, 201, created.text);
  assertConforms('Team', created.body);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/teams', { body: { id: 'billing', name: { ja: '請求', en: 'Billing' } } })), ['id taken']);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/teams', { body: { id: 'bad id', name: { en: 'x' } } })), ['id invalid_id', 'name.ja required']);

  const renamed = await api('PUT', '/api/admin/teams/billing', { body: { name: { ja: '請求課', en: 'Billing Dept.' } } });
  assert.equal(renamed.status, 200, renamed.text);
  const list = await api('GET', '/api/admin/teams');
  assert.equal(list.status, 200);
  for (const team of list.body.teams) assertConforms('Team', team);
  assert.deepEqual(list.body.teams.map((t) => t.id), ['billing', 'sales', 'support']);
  assert.deepEqual(list.body.teams[0].name, { ja: '請求課', en: 'Billing Dept.' });
  assert.equal((await api('PUT', '/api/admin/teams/nobody', { body: { name: { ja: 'a', en: 'a' } } })).status, 404);

  const busy = await api('DELETE', '/api/admin/teams/sales');
  assert.equal(busy.status, 409);
  assert.equal(busy.body.error, 'team_not_empty');
  const gone = await api('DELETE', '/api/admin/teams/billing');
  assert.equal(gone.status, 200);
  assertConforms('Deleted', gone.body);
  assert.equal((await api('DELETE', '/api/admin/teams/billing')).status, 404);
});

test('agents: create with team, roles, skills and capacity; validate; update; delete releases their customers', async () => {
  const agent = {
    id: 'kimura', display_name: '木村 拓也', team: 'support', roles: ['supervisor', 'agent'],
    skills: { english: 4, billing: 2 }, capacity: { voice: 1, chat: 3 },
  };
  const created = await api('POST', '/api/admin/agents', { body: agent });
  assert.equal(created.status, 201, created.text);
  assertConforms('Agent', created.body);
  assert.deepEqual(created.body.roles, ['agent', 'supervisor']);

  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/agents', { body: { ...agent, id: 'kimura2', team: 'nowhere' } })), ['team unknown_team']);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/agents', {
    body: { id: 'kimura-2', display_name: '', roles: ['root'], skills: { english: 9 }, capacity: { chat: 99 } },
  })), ['id invalid_id', 'display_name blank', 'roles[0] unknown_value', 'skills[0] not_in_range', 'capacity.chat not_in_range']);

  const updated = await api('PUT', '/api/admin/agents/kimura', { body: { ...agent, team: 'sales', skills: {} } });
  assert.equal(updated.status, 200, updated.text);
  const listed = (await api('GET', '/api/admin/agents')).body.agents;
  for (const row of listed) assertConforms('Agent', row);
  const kimura = listed.find((a) => a.id === 'kimura');
  assert.deepEqual(kimura, { ...agent, team: 'sales', skills: {}, roles: ['agent', 'supervisor'] });
  const seeded = listed.find((a) => a.id === 'sato');
  assert.deepEqual(seeded.capacity, { voice: 1, chat: 0 }, 'seeded agents get the default capacity');

  const customer = await api('POST', '/api/admin/customers', { body: { id: 'k001', name: '木村商店', phone: '03-5555-0199', owner: 'kimura' } });
  assert.equal(customer.status, 201, customer.text);
  assert.equal((await api('DELETE', '/api/admin/agents/kimura')).status, 200);
  assert.equal((await api('GET', '/api/admin/customers/k001')).body.owner, null, 'the customer stays, without an owner');
  assert.equal((await api('DELETE', '/api/admin/agents/kimura')).status, 404);
});

test('customers: create with any phone form (stored as E.164), read, update, search by name or number, page, delete', async () => {
  const created = await api('POST', '/api/admin/customers', {
    body: { id: 'c100', name: '斉藤 優', company: '斉藤建設', phone: '０９０－５５５５－０１００', owner: 'sato' },
  });
  assert.equal(created.status, 201, created.text);
  assertConforms('Customer', created.body);
  assert.equal(created.body.phone, '+819055550100');
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/customers', {
    body: { id: 'c101', name: 'x', phone: '12', owner: 'nobody' },
  })), ['phone invalid_phone']);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/customers', {
    body: { id: 'c101', name: 'x', phone: '090-5555-0101', owner: 'nobody' },
  })), ['owner unknown_agent']);

  const byNumber = await api('GET', `/api/admin/customers?q=${encodeURIComponent('090 5555 0100')}`);
  assertConforms('CustomerPage', byNumber.body);
  assert.deepEqual(byNumber.body.customers.map((c) => c.id), ['c100']);
  const byName = await api('GET', `/api/admin/customers?q=${encodeURIComponent('斉藤')}`);
  assert.deepEqual(byName.body.customers.map((c) => c.id), ['c100']);
  const literal = await api('GET', `/api/admin/customers?q=${encodeURIComponent('%')}`);
  assert.deepEqual(literal.body.customers, [], '% matches itself, not everything');

  const updated = await api('PUT', '/api/admin/customers/c100', { body: { name: '斉藤 優', phone: '+81 3 5555 0100' } });
  assert.equal(updated.status, 200, updated.text);
  assert.deepEqual((await api('GET', '/api/admin/customers/c100')).body,
    { id: 'c100', name: '斉藤 優', company: '', phone: '+81355550100', owner: null, attributes: {} });
  assert.equal((await api('PUT', '/api/admin/customers/nobody', { body: { name: 'x', phone: '03-5555-0101' } })).status, 404);

  const seen = [];
  let after = null;
  let pages = 0;
  do {
    const page = await api('GET', `/api/admin/customers?limit=3${after ? `&after=${after}` : ''}`);
    assert.equal(page.status, 200, page.text);
    assertConforms('CustomerPage', page.body);
    assert.ok(page.body.customers.length <= 3);
    seen.push(...page.body.customers.map((c) => c.id));
    after = page.body.next_after;
    pages += 1;
  } while (after && pages < 20);
  const all = [...seen].sort();
  assert.deepEqual(seen, all, 'pages come in id order');
  assert.equal(new Set(seen).size, seen.length, 'no customer on two pages');
  assert.ok(seen.includes('c001') && seen.includes('c008') && seen.includes('c100'), seen.join());
  assert.equal(pages, Math.ceil(seen.length / 3));
  assert.deepEqual(fieldErrors(await api('GET', '/api/admin/customers?limit=500')), ['limit not_in_range']);

  assert.equal((await api('DELETE', '/api/admin/customers/c100')).status, 200);
  assert.equal((await api('GET', '/api/admin/customers/c100')).status, 404);
});

test('only admins: other roles get 403, no credentials 401', async () => {
  for (const roles of [['agent'], ['supervisor'], ['agent', 'supervisor']]) {
    const session = await sessionOf(roles);
    for (const [method, path] of [['GET', '/api/admin/teams'], ['GET', '/api/admin/settings'], ['POST', '/api/admin/api-keys']]) {
      const reply = await api(method, path, { bearer: session, body: method === 'POST' ? {} : undefined });
      assert.equal(reply.status, 403, `${roles} ${method} ${path}`);
      assert.equal(reply.body.error, 'missing_role');
    }
  }
  assert.equal((await api('GET', '/api/admin/teams', { bearer: null })).status, 401);
});

test('API keys: shown once, stored hashed, scoped, last use recorded, revocable', async () => {
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/api-keys', { body: { name: 'CRM', scopes: ['directory:read', 'root'] } })), ['scopes[1] unknown_value']);
  const created = await api('POST', '/api/admin/api-keys', { body: { name: 'CRM backend', scopes: ['directory:read'] } });
  assert.equal(created.status, 201, created.text);
  assertConforms('ApiKeyCreated', created.body);
  const { key, id } = created.body;
  assert.equal(created.body.created_by, 'admin_api_admin');
  assert.equal(created.body.last_used_at_ms, null);

  // Stored hashed: the table holds no form of the secret.
  const secret = key.split('_').at(-1);
  const rows = await edge.env.DB.prepare('SELECT * FROM api_keys').all();
  assert.ok(!JSON.stringify(rows.results).includes(secret), 'the secret is not stored');

  const reads = await api('GET', '/api/admin/teams', { bearer: key });
  assert.equal(reads.status, 200, reads.text);
  const write = await api('POST', '/api/admin/teams', { bearer: key, body: { id: 'keyteam', name: { ja: 'a', en: 'a' } } });
  assert.equal(write.status, 403, 'directory:read does not write');
  assert.equal(write.body.error, 'missing_role');
  assert.equal((await api('GET', '/api/admin/settings', { bearer: key })).status, 403, 'nor read settings');
  assert.equal((await api('GET', '/api/admin/api-keys', { bearer: key })).status, 403, 'nor list keys');

  // Shown once: the list never shows the key again, and says when it was last used.
  const list = await api('GET', '/api/admin/api-keys');
  assert.equal(list.status, 200);
  for (const row of list.body.api_keys) assertConforms('ApiKey', row);
  assert.ok(!list.text.includes(secret), 'the list does not show the secret');
  const listed = list.body.api_keys.find((k) => k.id === id);
  assert.equal(listed.key, undefined);
  assert.equal(typeof listed.last_used_at_ms, 'number', 'last use recorded');

  // A writer key, and the admin scope.
  const writer = (await api('POST', '/api/admin/api-keys', { body: { name: 'Sync', scopes: ['directory:write'] } })).body.key;
  const team = await api('POST', '/api/admin/teams', { bearer: writer, body: { id: 'keyteam', name: { ja: '鍵', en: 'Key' } } });
  assert.equal(team.status, 201, team.text);
  const adminKey = (await api('POST', '/api/admin/api-keys', { body: { name: 'Ops', scopes: ['admin'] } })).body.key;
  assert.equal((await api('GET', '/api/admin/settings', { bearer: adminKey })).status, 200);
  assert.equal((await api('DELETE', '/api/admin/teams/keyteam', { bearer: adminKey })).status, 200);

  // Forged and altered keys: 401 with one message for every reason.
  const wrongSecret = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
  for (const forged of [wrongSecret, key.replace('tsk_demo_', 'tsk_other_'), 'tsk_garbage']) {
    const reply = await api('GET', '/api/admin/teams', { bearer: forged });
    assert.equal(reply.status, 401, forged);
    assert.equal(reply.body.message, 'this API key is not valid or was revoked');
  }

  // Revoked: 401 from then on, and listed as revoked.
  const revoked = await api('DELETE', `/api/admin/api-keys/${id}`);
  assert.equal(revoked.status, 200);
  assert.equal((await api('GET', '/api/admin/teams', { bearer: key })).status, 401);
  const after = (await api('GET', '/api/admin/api-keys')).body.api_keys.find((k) => k.id === id);
  assert.equal(typeof after.revoked_at_ms, 'number');
  assert.equal((await api('DELETE', '/api/admin/api-keys/ffffffffffffffff')).status, 404);
});

test('Twilio SIDs: read, replaced after creation (null clears one), each checked for its prefix and form', async () => {
  const read = await api('GET', '/api/admin/twilio');
  assert.equal(read.status, 200, read.text);
  assertConforms('TwilioSids', read.body);
  assert.deepEqual(read.body, {
    account_sid: 'AC00000000000000000000000000000d30',
    api_key_sid: 'SK00000000000000000000000000000d30',
    twiml_app_sid: 'AP00000000000000000000000000000d30',
  });
  const bad = await api('PUT', '/api/admin/twilio', { body: { account_sid: 'AC123', api_key_sid: `AP${'0'.repeat(32)}`, twiml_app_sid: 7 } });
  assert.deepEqual(fieldErrors(bad), ['account_sid invalid_id', 'api_key_sid invalid_id', 'twiml_app_sid not_text']);
  const moved = { account_sid: `AC${'ab'.repeat(16)}`, api_key_sid: `SK${'cd'.repeat(16)}`, twiml_app_sid: null };
  const put = await api('PUT', '/api/admin/twilio', { body: moved });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual((await api('GET', '/api/admin/twilio')).body, moved);
  const restored = await api('PUT', '/api/admin/twilio', { body: read.body });
  assert.equal(restored.status, 200, restored.text);
});

test('phone lines: add main and legacy lines in any number form, validate the announcement, change, remove', async () => {
  const listed = await api('GET', '/api/admin/phone-lines');
  assert.equal(listed.status, 200);
  for (const line of listed.body.phone_lines) assertConforms('PhoneLine', line);
  const plain = { required_skills: {}, priority: 0, skill_relax_after_secs: 60, hours: null, queue: null, after_hours: null };
  assert.deepEqual(listed.body.phone_lines, [
    { number: '+81312345678', kind: 'legacy', announce: '+815012345678', ...plain },
    { number: '+815012345678', kind: 'main', announce: null, ...plain },
    { number: '+815012345679', kind: 'main', announce: null, ...plain },
    { number: '+815055550200', kind: 'main', announce: null, required_skills: { billing: 1 }, priority: 1, skill_relax_after_secs: 60, hours: null, queue: null, after_hours: null },
  ]);

  const created = await api('POST', '/api/admin/phone-lines', { body: { number: '06-6555-0300', kind: 'main' } });
  assert.equal(created.status, 201, created.text);
  assertConforms('PhoneLine', created.body);
  assert.equal(created.body.number, '+81665550300');
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/phone-lines', { body: { number: '+81 6 6555 0300', kind: 'main' } })), ['number taken']);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/phone-lines', { body: { number: '06-6555-0301', kind: 'legacy' } })), ['announce required']);
  assert.deepEqual(fieldErrors(await api('POST', '/api/admin/phone-lines', {
    body: { number: '06-6555-0301', kind: 'main', announce: '06-6555-0300' },
  })), ['announce not_allowed']);

  const changed = await api('PUT', `/api/admin/phone-lines/${encodeURIComponent('+81665550300')}`, {
    body: { kind: 'legacy', announce: '050-1234-5678' },
  });
  assert.equal(changed.status, 200, changed.text);
  assert.deepEqual(changed.body, { number: '+81665550300', kind: 'legacy', announce: '+815012345678', ...plain });
  const row = await edge.env.DB.prepare("SELECT kind, announce_e164 FROM phone_lines WHERE e164 = '+81665550300'").first();
  assert.deepEqual({ ...row }, { kind: 'legacy', announce_e164: '+815012345678' }, 'what incoming calls read');
  assert.equal((await api('PUT', '/api/admin/phone-lines/+81665550399', { body: { kind: 'main' } })).status, 404);

  const key = (await api('POST', '/api/admin/api-keys', { body: { name: 'Directory only', scopes: ['directory:write'] } })).body.key;
  assert.equal((await api('GET', '/api/admin/phone-lines', { bearer: key })).status, 403, 'lines need the admin scope');

  assert.equal((await api('DELETE', '/api/admin/phone-lines/06-6555-0300')).status, 200);
  assert.equal((await api('DELETE', '/api/admin/phone-lines/06-6555-0300')).status, 404);
});

test('an API key with conversations:read reads the whole call log and KPIs; other scopes do not', async () => {
  const reader = (await api('POST', '/api/admin/api-keys', { body: { name: 'CRM log', scopes: ['conversations:read'] } })).body.key;
  const page = await api('GET', '/api/conversations', { bearer: reader });
  assert.equal(page.status, 200, page.text);
  assert.equal(page.body.scope, 'tenant');
  const kpi = await api('GET', '/api/kpi', { bearer: reader });
  assert.equal(kpi.status, 200, kpi.text);
  assert.equal(kpi.body.scope, 'tenant');
  assert.equal((await api('GET', '/api/conversations/CAnone', { bearer: reader })).status, 404);
  assert.equal((await api('GET', '/api/admin/teams', { bearer: reader })).status, 403, 'no directory access');

  const directory = (await api('POST', '/api/admin/api-keys', { body: { name: 'Directory', scopes: ['directory:write'] } })).body.key;
  const refused = await api('GET', '/api/conversations', { bearer: directory });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error, 'missing_role');
  assert.equal((await api('POST', '/api/token', { bearer: reader })).status, 401, 'no key takes calls');
});

test('tenant isolation: an admin or a key of one tenant never sees or changes another tenant', async () => {
  const db = edge.env.DB;
  await db.batch([
    db.prepare("INSERT INTO tenants (id, name_ja, name_en) VALUES ('acme', 'アクメ', 'Acme')"),
    db.prepare("INSERT INTO teams (tenant_id, id, name_ja, name_en) VALUES ('acme', 'acme_only', 'A', 'A')"),
    db.prepare("INSERT INTO customers (tenant_id, id, name, phone_e164) VALUES ('acme', 'acme_c1', 'Acme customer', '+81355550999')"),
  ]);
  const key = (await api('POST', '/api/admin/api-keys', { body: { name: 'Demo', scopes: ['admin'] } })).body.key;
  for (const bearer of [admin, key]) {
    assert.ok(!(await api('GET', '/api/admin/teams', { bearer })).text.includes('acme_only'));
    assert.equal((await api('PUT', '/api/admin/teams/acme_only', { bearer, body: { name: { ja: 'x', en: 'x' } } })).status, 404);
    assert.equal((await api('DELETE', '/api/admin/teams/acme_only', { bearer })).status, 404);
    assert.equal((await api('GET', '/api/admin/customers/acme_c1', { bearer })).status, 404);
    assert.deepEqual((await api('GET', '/api/admin/customers?q=%2B81355550999', { bearer })).body.customers, []);
  }
  const team = await db.prepare("SELECT name_en FROM teams WHERE tenant_id = 'acme' AND id = 'acme_only'").first('name_en');
  assert.equal(team, 'A', "the other tenant's team is untouched");
  // A demo key relabelled as acme's is no key of acme's.
  assert.equal((await api('GET', '/api/admin/teams', { bearer: key.replace('tsk_demo_', 'tsk_acme_') })).status, 401);
});

test("a key's last use is written at most once a minute, not on every request", async () => {
  const created = (await api('POST', '/api/admin/api-keys', { body: { name: 'Busy', scopes: ['directory:read'] } })).body;
  const lastUsed = async () => (await api('GET', '/api/admin/api-keys')).body.api_keys.find((k) => k.id === created.id).last_used_at_ms;
  assert.equal((await api('GET', '/api/admin/teams', { bearer: created.key })).status, 200);
  const first = await lastUsed();
  assert.equal(typeof first, 'number');
  await new Promise((resolve) => setTimeout(resolve, 20));
  for (let i = 0; i < 3; i += 1) assert.equal((await api('GET', '/api/admin/teams', { bearer: created.key })).status, 200);
  assert.equal(await lastUsed(), first, 'uses within the minute are not written');
  // A minute later (moved back in the table rather than waited for), the next use is written.
  await edge.env.DB.prepare('UPDATE api_keys SET last_used_at_ms = last_used_at_ms - 61000 WHERE id = ?').bind(created.id).run();
  assert.equal((await api('GET', '/api/admin/teams', { bearer: created.key })).status, 200);
  assert.ok((await lastUsed()) > first - 61000, 'written again after a minute');
});

test('routing: read the ladder, wait, fallback numbers and business hours; replace them; errors per field', async () => {
  const before = await api('GET', '/api/admin/routing');
  assert.equal(before.status, 200, before.text);
  assertConforms('RoutingSettings', before.body);
  assert.deepEqual(before.body, {
    ladder: [
      { target: 'owner', timeout: 15000 }, { target: 'owner_team', timeout: 20000 }, { target: 'anyone', timeout: 30000 },
    ],
    max_wait: 180000,
    fallback_numbers: ['+819012340000'],
    hours: { time_zone: 'Asia/Tokyo', weekly: null, closed_on_national_holidays: false, year_end_closure: false, closures: [] },
    web_calls_enabled: true,
  });
  const columns = "SELECT max_wait_ms, ladder_json, hours_json, fallback_numbers_json, web_calls_enabled FROM tenants WHERE id = 'demo'";
  const originalColumns = await edge.env.DB.prepare(columns).first();

  const wanted = {
    ladder: [{ target: { team: 'support' }, timeout: 20000 }, { target: { agents: ['sato', 'suzuki'] }, timeout: 15000 }, { target: 'anyone', timeout: 30000 }],
    max_wait: 120000,
    fallback_numbers: ['090-1234-5555'],
    hours: {
      time_zone: 'Asia/Tokyo',
      weekly: [{ day: 'mon', open: '09:00', close: '18:00' }, { day: 'sat', open: '10:00', close: '24:00' }],
      closed_on_national_holidays: true,
      year_end_closure: true,
      closures: [{ from: '2026-08-13', until: '2026-08-16', reason: '夏季休業' }],
    },
    web_calls_enabled: false,
  };
  const put = await api('PUT', '/api/admin/routing', { body: wanted });
  assert.equal(put.status, 200, put.text);
  const stored = { ...wanted, fallback_numbers: ['+819012345555'] };
  assert.deepEqual(put.body, stored);
  // Read back through the contact center's own configuration (what calls are routed by).
  assert.deepEqual((await api('GET', '/api/admin/routing')).body, stored);
  // Stored in the tenant's typed columns (migration 0017), each field its own.
  const written = await edge.env.DB.prepare(columns).first();
  assert.equal(written.max_wait_ms, 120000);
  assert.equal(written.web_calls_enabled, 0);
  assert.deepEqual(JSON.parse(written.ladder_json), wanted.ladder);
  assert.deepEqual(JSON.parse(written.fallback_numbers_json), ['+819012345555']);
  assert.deepEqual(JSON.parse(written.hours_json).closures, wanted.hours.closures);

  const refused = await api('PUT', '/api/admin/routing', {
    body: { ...wanted, fallback_numbers: ['+44 20 7946 0107'], hours: { time_zone: 'Asia/Tokyo', weekly: [{ day: 'mon', open: '18:00', close: '09:00' }] } },
  });
  assert.deepEqual(fieldErrors(refused), ['hours.weekly[0].close closes_before_opening']);
  const abroad = await api('PUT', '/api/admin/routing', { body: { ...wanted, fallback_numbers: ['+44 20 7946 0107'] } });
  assert.deepEqual(fieldErrors(abroad), ['fallback_numbers[0] refused_by_dial_policy']);
  assert.deepEqual((await api('GET', '/api/admin/routing')).body, stored, 'refused writes change nothing');

  assert.equal((await api('PUT', '/api/admin/routing', { body: before.body })).status, 200);
  const restored = await edge.env.DB.prepare(columns).first();
  assert.equal(restored.max_wait_ms, originalColumns.max_wait_ms);
  assert.equal(restored.web_calls_enabled, originalColumns.web_calls_enabled);
});
