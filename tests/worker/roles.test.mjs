//! Roles on the server: every route of the worker's route table × every role, plus whose log each role reads.
//!
//! The route list is read from `worker/src/lib.rs` (the one route table), so a route added there
//! without a row here fails this test: no later route can skip the role check unnoticed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { HubClient } from '../support/socket.mjs';
import { routeTable } from '../support/routes.mjs';

/** The sessions a request can carry: none, or one signed in with exactly these roles. */
const ROLES = { anonymous: null, agent: ['agent'], supervisor: ['supervisor'], admin: ['admin'] };

/**
 * What each kind of route answers per role. `ok` means the role check let it through (any status
 * but 401 and 403); a number is the exact refusal.
 */
const ACCESS = {
  public: { anonymous: 'ok', agent: 'ok', supervisor: 'ok', admin: 'ok' },
  // Signed by Twilio or nothing: a session of any role is no signature.
  twilio: { anonymous: 403, agent: 403, supervisor: 403, admin: 403 },
  // Trades an embed token (of any role) for a session.
  embed_token: { anonymous: 401, agent: 'ok', supervisor: 'ok', admin: 'ok' },
  handle_calls: { anonymous: 401, agent: 'ok', supervisor: 403, admin: 403 },
  read_log: { anonymous: 401, agent: 'ok', supervisor: 'ok', admin: 'ok' },
  // Why calls went where they went (it names colleagues and why they were skipped).
  read_routing_audit: { anonymous: 401, agent: 403, supervisor: 'ok', admin: 'ok' },
  administer: { anonymous: 401, agent: 403, supervisor: 403, admin: 'ok' },
  // The admin API's directory: the admin role (or an API key's directory scope, see admin-api.test.mjs).
  read_directory: { anonymous: 401, agent: 403, supervisor: 403, admin: 'ok' },
  write_directory: { anonymous: 401, agent: 403, supervisor: 403, admin: 'ok' },
  // Asking an agent's widget to call or show a record (the server API; API keys with calls:write).
  push_to_agents: { anonymous: 401, agent: 403, supervisor: 403, admin: 'ok' },
  // Any signed-in session, whatever its roles (signing out).
  session: { anonymous: 401, agent: 'ok', supervisor: 'ok', admin: 'ok' },
  // The platform operator's key (`OPERATOR_KEY`), never a tenant's session of any role.
  operator: { anonymous: 401, agent: 401, supervisor: 401, admin: 401 },
};

/**
 * Every route of `worker/src/lib.rs`, by the key `METHOD path` (prefix routes end in `*`), with a
 * request that reaches it and its access kind. The hub socket is checked apart (below).
 */
const ROUTES = {
  'GET /healthz': { path: '/healthz', access: 'public' },
  'GET /': { path: '/', access: 'public' },
  'GET /demo': { path: '/demo', access: 'public' },
  'GET /embed.js': { path: '/embed.js', access: 'public' },
  'GET /widget': { path: '/widget?tenant=demo', access: 'public' },
  'GET /widget/version': { path: '/widget/version', access: 'public' },
  'GET /media/hold-music.wav': { path: '/media/hold-music.wav', access: 'public' },
  'GET /api/socket': { path: '/api/socket?tenant=demo', access: 'socket' },
  'GET /api/webcall/socket': { path: '/api/webcall/socket?tenant=demo', access: 'public' },
  'GET /api/webcall/ice': { path: '/api/webcall/ice?conversation=WC00000000000000000000000000000000', access: 'handle_calls' },
  'GET /webcall.js': { path: '/webcall.js', access: 'public' },
  'GET /call/*': { path: '/call/demo', access: 'public' },
  'POST /demo/embed-token': { path: '/demo/embed-token', body: { agent: 'sato' }, access: 'public' },
  'POST /demo/simulate-call': { path: '/demo/simulate-call', body: {}, access: 'public' },
  'GET /demo/simulate-call': { path: '/demo/simulate-call?sid=none', access: 'public' },
  'POST /demo/simulate-call/hangup': { path: '/demo/simulate-call/hangup', body: {}, access: 'public' },
  'POST /api/session': { path: '/api/session', access: 'embed_token' },
  'POST /api/session/revoke': { path: '/api/session/revoke', access: 'session' },
  'POST /api/sessions/revoke-all': { path: '/api/sessions/revoke-all', access: 'administer' },
  // One prefix arm answers every per-agent route; each is checked (`also`).
  'POST /api/agents/*': {
    path: '/api/agents/nobody_here/sessions/revoke',
    access: 'administer',
    also: [
      // The server API's pushes: an API key with `calls:write` (on-behalf.test.mjs) or the admin role.
      { path: '/api/agents/nobody_here/calls', body: { to: '03-5555-0101' }, access: 'push_to_agents' },
      { path: '/api/agents/nobody_here/screen-pop', body: { title: 'x' }, access: 'push_to_agents' },
    ],
  },
  'POST /api/token': { path: '/api/token', access: 'handle_calls' },
  'POST /api/calls': { path: '/api/calls', body: { to: 'not a number' }, access: 'handle_calls' },
  'GET /api/conversations': { path: '/api/conversations', access: 'read_log' },
  'GET /api/conversations/*': { path: '/api/conversations/CAnone', access: 'read_log' },
  'GET /api/kpi': { path: '/api/kpi', access: 'read_log' },
  'POST /api/routing/dry-run': { path: '/api/routing/dry-run', body: { from: '03-5555-0101' }, access: 'read_routing_audit' },
  'GET /api/admin/hub-storage': { path: '/api/admin/hub-storage', access: 'administer' },
  'POST /api/admin/directory/sync': { path: '/api/admin/directory/sync', access: 'administer' },
  'GET /api/admin/twilio': { path: '/api/admin/twilio', access: 'administer' },
  'PUT /api/admin/twilio': { path: '/api/admin/twilio', body: { account_sid: 'not a sid' }, access: 'administer' },
  'GET /api/openapi.json': { path: '/api/openapi.json', access: 'public' },
  'POST /api/operator/tenants': { path: '/api/operator/tenants', body: { id: 'roles-test' }, access: 'operator' },
  'GET /api/admin/settings': { path: '/api/admin/settings', access: 'administer' },
  'PUT /api/admin/settings': { path: '/api/admin/settings', body: {}, access: 'administer' },
  'GET /api/admin/calling': { path: '/api/admin/calling', access: 'administer' },
  'PUT /api/admin/calling': { path: '/api/admin/calling', body: {}, access: 'administer' },
  'GET /api/admin/web-calls': { path: '/api/admin/web-calls', access: 'administer' },
  'PUT /api/admin/web-calls': { path: '/api/admin/web-calls', body: {}, access: 'administer' },
  'GET /api/admin/routing': { path: '/api/admin/routing', access: 'administer' },
  'PUT /api/admin/routing': { path: '/api/admin/routing', body: {}, access: 'administer' },
  'GET /api/admin/teams': { path: '/api/admin/teams', access: 'read_directory' },
  'POST /api/admin/teams': { path: '/api/admin/teams', body: {}, access: 'write_directory' },
  'PUT /api/admin/teams/*': { path: '/api/admin/teams/nobody_here', body: {}, access: 'write_directory' },
  'DELETE /api/admin/teams/*': { path: '/api/admin/teams/nobody_here', access: 'write_directory' },
  'GET /api/admin/agents': { path: '/api/admin/agents', access: 'read_directory' },
  'POST /api/admin/agents': { path: '/api/admin/agents', body: {}, access: 'write_directory' },
  'PUT /api/admin/agents/*': { path: '/api/admin/agents/nobody_here', body: {}, access: 'write_directory' },
  'DELETE /api/admin/agents/*': { path: '/api/admin/agents/nobody_here', access: 'write_directory' },
  'GET /api/admin/customers': { path: '/api/admin/customers', access: 'read_directory' },
  'POST /api/admin/customers/import': { path: '/api/admin/customers/import?dry_run=true', body: {}, access: 'write_directory' },
  'GET /api/admin/customers/export': { path: '/api/admin/customers/export', access: 'read_directory' },
  'POST /api/admin/customers': { path: '/api/admin/customers', body: {}, access: 'write_directory' },
  'GET /api/admin/customers/*': { path: '/api/admin/customers/nobody_here', access: 'read_directory' },
  'PUT /api/admin/customers/*': { path: '/api/admin/customers/nobody_here', body: {}, access: 'write_directory' },
  'DELETE /api/admin/customers/*': { path: '/api/admin/customers/nobody_here', access: 'write_directory' },
  'GET /api/admin/ivr-menus/*': { path: '/api/admin/ivr-menus/+819000000000', access: 'administer' },
  'PUT /api/admin/ivr-menus/*': { path: '/api/admin/ivr-menus/+819000000000', body: {}, access: 'administer' },
  'DELETE /api/admin/ivr-menus/*': { path: '/api/admin/ivr-menus/+819000000000', access: 'administer' },
  'GET /api/admin/queues': { path: '/api/admin/queues', access: 'administer' },
  'PUT /api/admin/queues/*': { path: '/api/admin/queues/billing', body: {}, access: 'administer' },
  'DELETE /api/admin/queues/*': { path: '/api/admin/queues/billing', access: 'administer' },
  'GET /api/admin/phone-lines': { path: '/api/admin/phone-lines', access: 'administer' },
  'POST /api/admin/phone-lines': { path: '/api/admin/phone-lines', body: {}, access: 'administer' },
  'PUT /api/admin/phone-lines/*': { path: '/api/admin/phone-lines/+819000000000', body: {}, access: 'administer' },
  'DELETE /api/admin/phone-lines/*': { path: '/api/admin/phone-lines/+819000000000', access: 'administer' },
  'GET /api/admin/api-keys': { path: '/api/admin/api-keys', access: 'administer' },
  'POST /api/admin/api-keys': { path: '/api/admin/api-keys', body: {}, access: 'administer' },
  'DELETE /api/admin/api-keys/*': { path: '/api/admin/api-keys/0000000000000000', access: 'administer' },
  'GET /api/admin/secrets': { path: '/api/admin/secrets', access: 'administer' },
  'PUT /api/admin/secrets/*': { path: '/api/admin/secrets/embed_secret', body: {}, access: 'administer' },
  'DELETE /api/admin/secrets/*': { path: '/api/admin/secrets/turnstile_secret', access: 'administer' },
  'GET /api/admin/webhooks': { path: '/api/admin/webhooks', access: 'administer' },
  'POST /api/admin/webhooks': { path: '/api/admin/webhooks', body: {}, access: 'administer' },
  'DELETE /api/admin/webhooks/*': { path: '/api/admin/webhooks/wh_none', access: 'administer' },
  'GET /api/admin/webhooks/*': { path: '/api/admin/webhooks/wh_none/deliveries', access: 'administer' },
  'POST /api/admin/webhooks/deliveries/*': { path: '/api/admin/webhooks/deliveries/dlv_none/redeliver', body: {}, access: 'administer' },
  'POST /twilio/voice/*': { path: '/twilio/voice/demo/incoming', form: 'CallSid=CA1', access: 'twilio' },
  'GET /api/tenants/*': { path: '/api/tenants/demo', access: 'public' },
};


let edge;
const tokens = {};
before(async () => {
  edge = await startHarness();
  for (const [role, roles] of Object.entries(ROLES)) {
    if (roles) tokens[role] = () => embedToken({ agent: `role_${role}`, name: role, roles });
  }
});

/** A fresh session of `role` (embed tokens are single-use, and some routes revoke sessions). */
async function sessionOf(role) {
  return tokens[role] ? (await openSession(edge.url, tokens[role]())).session : null;
}
after(async () => { await edge?.close(); });

test('the route table and this test name the same routes', async () => {
  const table = await routeTable();
  assert.ok(table.length >= 20, `parsed the route table: ${table.join(', ')}`);
  const missing = table.filter((key) => !(key in ROUTES));
  assert.deepEqual(missing, [], 'routes without a row in this test: add them, with their access');
  const stale = Object.keys(ROUTES).filter((key) => !table.includes(key));
  assert.deepEqual(stale, [], 'rows of this test that the route table no longer has');
});

async function call(key, route, role) {
  const [method] = key.split(' ');
  const headers = {};
  let body;
  if (route.access === 'embed_token') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ embed_token: role === 'anonymous' ? 'not-a-token' : tokens[role]() });
  } else if (route.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = route.form;
  } else if (route.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(route.body);
  }
  const session = route.access === 'embed_token' ? null : await sessionOf(role);
  if (session) headers.authorization = `Bearer ${session}`;
  const res = await fetch(new URL(route.path, edge.url), { method, headers, body });
  await res.arrayBuffer();
  return res.status;
}

for (const [key, row] of Object.entries(ROUTES)) {
  if (row.access === 'socket') continue;
  for (const route of [row, ...(row.also ?? [])]) {
    test(`${key}: ${route.access}${route === row ? '' : ` (${route.path})`}`, async () => {
      for (const role of Object.keys(ROLES)) {
        const expected = ACCESS[route.access][role];
        const status = await call(key, route, role);
        if (expected === 'ok') {
          assert.ok(status !== 401 && status !== 403, `${key} ${route.path} as ${role}: got ${status}, expected past the role check`);
        } else {
          assert.equal(status, expected, `${key} ${route.path} as ${role}`);
        }
      }
    });
  }
}

test('GET /api/socket: the hub signs in only sessions with the agent role', async () => {
  const outcomes = {};
  for (const role of ['agent', 'supervisor', 'admin']) {
    const client = await HubClient.connect(edge.url, 'demo', await sessionOf(role));
    const first = await client.waitFor((m) => m.type === 'welcome' || m.type === 'unauthorized', 'welcome or unauthorized');
    outcomes[role] = first.type;
    client.ws.close();
  }
  assert.deepEqual(outcomes, { agent: 'welcome', supervisor: 'unauthorized', admin: 'unauthorized' });
  const anonymous = await HubClient.connect(edge.url, 'demo', 'not-a-session');
  assert.equal((await anonymous.next('unauthorized')).type, 'unauthorized');
  assert.equal(await anonymous.closed, 4001);
});
