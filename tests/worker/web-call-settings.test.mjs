//! The admin API's web-call settings on workerd: read with their defaults, replaced whole (seconds and minutes on the wire), refused field by field in Japanese and English, in force for the next customer socket (one per address), and the Turnstile site key set through the API making the call page demand the challenge — its missing secret reported until the secret is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';
import { embedToken, openSession } from '../support/auth.mjs';
import { assertConforms } from '../support/openapi.mjs';
import { startSiteverify } from '../support/turnstile.mjs';

const TURNSTILE_SECRET = 'demo-turnstile-secret-set-through-the-api';
const SITE_KEY = '1x00000000000000000000AA';

let edge;
let siteverify;
before(async () => {
  siteverify = await startSiteverify({ secret: TURNSTILE_SECRET, passing: ['good-token'] });
  edge = await startHarness({ vars: { TURNSTILE_VERIFY_URL: siteverify.url } });
});
after(async () => { await edge?.close(); await siteverify?.close(); });

async function session(agent, roles) {
  return (await openSession(edge.url, embedToken({ agent, team: 'sales', roles }))).session;
}

async function api(method, path, bearer, body) {
  const res = await fetch(new URL(path, edge.url), {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text };
}

/** Opens a customer socket of the demo tenant as the call page does, from `ip`: { status, client, body }. */
function open({ ip, extra = '' }) {
  const url = new URL(`/api/webcall/socket?tenant=demo${extra}`, edge.url);
  url.protocol = 'ws:';
  const ws = new WebSocket(url, { origin: new URL(edge.url).origin, headers: { 'CF-Connecting-IP': ip } });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, client: new HubClient(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', () => {});
  });
}

async function startedCall(options) {
  const { status, client, body } = await open(options);
  assert.equal(status, 101, `the socket opens: ${body}`);
  client.send({ type: 'start', protocol: 2 });
  await client.next('started');
  return client;
}

async function hangUp(client) {
  client.send({ type: 'hang_up' });
  await client.next('ended');
}

/** The call page's embedded configuration and its challenge element, if any. */
async function callPage() {
  const res = await fetch(new URL('/call/demo', edge.url));
  const html = await res.text();
  const config = JSON.parse(html.match(/<script[^>]*id="webcall-config"[^>]*>([^<]*)<\/script>/)[1]);
  return { config, html, csp: res.headers.get('content-security-policy') };
}

test('an admin reads the web-call settings with their defaults, replaces them whole and reads them back; the routing switch stays', async () => {
  const admin = await session('webcalls_admin', ['admin']);
  const before = await api('GET', '/api/admin/web-calls', admin);
  assert.equal(before.status, 200, before.text);
  assertConforms('WebCallSettings', before.body);
  assert.deepEqual(before.body, {
    max_web_calls: 20,
    max_web_calls_per_address: 2,
    web_call_start_within_secs: 10,
    max_web_queue_wait_secs: 300,
    max_web_call_length_minutes: 60,
    turnstile_site_key: null,
    turnstile_secret_missing: false,
  });
  const routingBefore = (await api('GET', '/api/admin/routing', admin)).body;
  assert.equal(routingBefore.web_calls_enabled, true, 'the demo tenant takes web calls');

  const wanted = {
    max_web_calls: 12,
    max_web_calls_per_address: 3,
    web_call_start_within_secs: 20,
    max_web_queue_wait_secs: 90,
    max_web_call_length_minutes: 45,
    turnstile_site_key: null,
  };
  try {
    const put = await api('PUT', '/api/admin/web-calls', admin, wanted);
    assert.equal(put.status, 200, put.text);
    assertConforms('WebCallSettings', put.body);
    assert.deepEqual(put.body, { ...wanted, turnstile_secret_missing: false });
    assert.deepEqual((await api('GET', '/api/admin/web-calls', admin)).body, put.body, 'read back through the center');
    // Stored in the center's unit, in the typed columns.
    const row = await edge.env.DB.prepare('SELECT max_web_calls, max_web_calls_per_address, web_call_start_within_ms, max_web_queue_wait_ms, max_web_call_length_ms, turnstile_site_key FROM tenants WHERE id = ?').bind('demo').first();
    assert.deepEqual({ ...row }, {
      max_web_calls: 12, max_web_calls_per_address: 3, web_call_start_within_ms: 20000,
      max_web_queue_wait_ms: 90000, max_web_call_length_ms: 2700000, turnstile_site_key: null,
    });
    assert.deepEqual((await api('GET', '/api/admin/routing', admin)).body, routingBefore, 'the routing, its on/off switch included, did not move');
  } finally {
    assert.equal((await api('PUT', '/api/admin/web-calls', admin, before.body)).status, 200, 'the GET view goes back as a PUT body');
  }
});

test('web-call settings are refused field by field, in Japanese and English, and change nothing; only admins', async () => {
  const admin = await session('webcalls_admin2', ['admin']);
  const before = (await api('GET', '/api/admin/web-calls', admin)).body;
  const { turnstile_site_key: _, ...withoutKey } = before;
  const bad = await api('PUT', '/api/admin/web-calls', admin, {
    ...withoutKey,
    max_web_calls: 0,
    max_web_calls_per_address: 51,
    max_web_call_length_minutes: 211,
  });
  assert.equal(bad.status, 422, bad.text);
  assertConforms('Error', bad.body);
  assert.deepEqual(bad.body.fields.map((f) => `${f.field} ${f.code}`), [
    'max_web_calls not_in_range',
    'max_web_calls_per_address not_in_range',
    'max_web_call_length_minutes not_in_range',
    'turnstile_site_key required',
  ]);
  for (const field of bad.body.fields) assert.ok(field.message.ja && field.message.en, JSON.stringify(field));
  const key = await api('PUT', '/api/admin/web-calls', admin, { ...before, turnstile_site_key: '"><script>' });
  assert.equal(key.status, 422, key.text);
  assert.deepEqual(key.body.fields.map((f) => `${f.field} ${f.code}`), ['turnstile_site_key invalid_site_key']);
  assert.deepEqual((await api('GET', '/api/admin/web-calls', admin)).body, before, 'nothing changed');

  const supervisor = await session('webcalls_supervisor', ['supervisor']);
  assert.equal((await api('GET', '/api/admin/web-calls', supervisor)).status, 403);
  assert.equal((await api('PUT', '/api/admin/web-calls', supervisor, before)).status, 403);
});

test('max_web_calls_per_address 1 set through the API refuses a second socket from that address; another address still gets a line', async () => {
  const admin = await session('webcalls_admin3', ['admin']);
  const before = (await api('GET', '/api/admin/web-calls', admin)).body;
  const { turnstile_secret_missing: _, ...body } = before;
  // Before: two sockets from one address are let in (the default 2).
  const first = await startedCall({ ip: '203.0.113.61' });
  const second = await open({ ip: '203.0.113.61' });
  assert.equal(second.status, 101, 'the default lets a second page of the address in');
  await second.client.close();
  await hangUp(first);

  assert.equal((await api('PUT', '/api/admin/web-calls', admin, { ...body, max_web_calls_per_address: 1 })).status, 200);
  try {
    const one = await startedCall({ ip: '203.0.113.62' });
    const refused = await open({ ip: '203.0.113.62' });
    assert.equal(refused.status, 429, `a second socket from the address is refused: ${refused.body}`);
    const other = await startedCall({ ip: '198.51.100.62' });
    await hangUp(one);
    await hangUp(other);
  } finally {
    assert.equal((await api('PUT', '/api/admin/web-calls', admin, body)).status, 200, 'restored');
  }
});

test('a Turnstile site key set through the API makes the call page demand the challenge; its missing secret is reported until set', async () => {
  const admin = await session('webcalls_admin4', ['admin']);
  const before = (await api('GET', '/api/admin/web-calls', admin)).body;
  const { turnstile_secret_missing: _, ...body } = before;
  assert.doesNotMatch((await callPage()).html, /cf-turnstile/, 'no challenge before');

  // The key first: taken, and the reply says calls now need the secret.
  const put = await api('PUT', '/api/admin/web-calls', admin, { ...body, turnstile_site_key: ` ${SITE_KEY} ` });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.turnstile_site_key, SITE_KEY, 'trimmed');
  assert.equal(put.body.turnstile_secret_missing, true, 'reported at once');
  assert.equal((await api('GET', '/api/admin/web-calls', admin)).body.turnstile_secret_missing, true);
  try {
    const page = await callPage();
    assert.equal(page.config.turnstile_site_key, SITE_KEY);
    assert.match(page.html, new RegExp(`class="cf-turnstile" data-sitekey="${SITE_KEY}"`));
    assert.match(page.csp, /script-src 'self' https:\/\/challenges\.cloudflare\.com/);
    const noSecret = await open({ ip: '203.0.113.70', extra: '&challenge=good-token' });
    assert.equal(noSecret.status, 403, 'without the secret no call gets through (fails closed)');
    assert.equal(JSON.parse(noSecret.body).error, 'challenge_failed');

    // Then the secret, through the tenant-secrets API: nothing missing, the challenge checked.
    const secret = await api('PUT', '/api/admin/secrets/turnstile_secret', admin, { value: TURNSTILE_SECRET });
    assert.equal(secret.status, 200, secret.text);
    assert.equal((await api('GET', '/api/admin/web-calls', admin)).body.turnstile_secret_missing, false);
    const without = await open({ ip: '203.0.113.71' });
    assert.equal(without.status, 403, 'no token: refused');
    assert.equal(JSON.parse(without.body).error, 'challenge_failed');
    const passed = await startedCall({ ip: '203.0.113.71', extra: '&challenge=good-token' });
    assert.deepEqual(siteverify.requests.at(-1).body, { secret: TURNSTILE_SECRET, response: 'good-token', remoteip: '203.0.113.71' });
    await hangUp(passed);
  } finally {
    // No key: the page shows no challenge again and loads nothing from Cloudflare.
    const cleared = await api('PUT', '/api/admin/web-calls', admin, { ...body, turnstile_site_key: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.turnstile_secret_missing, false);
  }
  const page = await callPage();
  assert.equal(page.config.turnstile_site_key, undefined);
  assert.doesNotMatch(page.csp, /challenges\.cloudflare\.com/);
  const plain = await startedCall({ ip: '203.0.113.72' });
  await hangUp(plain);
});
