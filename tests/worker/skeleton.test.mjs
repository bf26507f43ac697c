//! Worker tests on workerd: HTTP routes, D1 reads, security headers, and socket routing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness } from '../support/harness.mjs';
import { HubClient } from '../support/socket.mjs';

let edge;
before(async () => { edge = await startHarness(); });
after(async () => { await edge?.close(); });

test('healthz answers ok', async () => {
  const res = await fetch(new URL('/healthz', edge.url));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('tenant names come from D1', async () => {
  const res = await fetch(new URL('/api/tenants/demo', edge.url));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: 'demo', name: { ja: 'デモ株式会社', en: 'Demo Corp.' } });

  // A row written straight into D1 is served, so the route really reads the table.
  await edge.env.DB.prepare("INSERT INTO tenants (id, name_ja, name_en) VALUES ('acme', 'アクメ', 'Acme')").run();
  const acme = await fetch(new URL('/api/tenants/acme', edge.url));
  assert.deepEqual(await acme.json(), { id: 'acme', name: { ja: 'アクメ', en: 'Acme' } });
});

test('unknown tenants and paths are clean JSON errors that do not echo input', async () => {
  const res = await fetch(new URL('/api/tenants/%3Cscript%3Enope', edge.url));
  assert.equal(res.status, 404);
  const body = await res.text();
  assert.equal(body, '{"error":"unknown_tenant","message":"unknown tenant"}');

  const bad = await fetch(new URL('/widget?tenant=%3Cb%3E', edge.url));
  assert.equal(bad.status, 400);
  assert.doesNotMatch(await bad.text(), /<b>/);
});

test('the widget page may only be framed by the tenant\'s allowed origins', async () => {
  const res = await fetch(new URL('/widget?tenant=demo', edge.url));
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /frame-ancestors 'self' http:\/\/localhost:\* http:\/\/127\.0\.0\.1:\*/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const html = await res.text();
  const asset = html.match(/\/assets\/(boot\.[0-9a-f]{12}\.js)/);
  assert.ok(asset, 'widget page names a content-hashed boot script');
  const boot = await fetch(new URL(`/assets/${asset[1]}`, edge.url));
  assert.equal(boot.status, 200);
  assert.equal(boot.headers.get('cache-control'), 'public, max-age=31536000, immutable');
});

test('embed.js is served with a short cache', async () => {
  const res = await fetch(new URL('/embed.js', edge.url));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /javascript/);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
});

test('sockets for unknown tenants are refused', async () => {
  await assert.rejects(HubClient.connect(edge.url, 'nope'), /HTTP 404/);
});
