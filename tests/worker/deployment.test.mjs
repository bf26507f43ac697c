//! Deployment safety: no serving the internet with .dev.vars secrets, callback URLs from PUBLIC_ORIGIN, lean Access Tokens.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { startHarness } from '../support/harness.mjs';
import { ROOT } from '../support/paths.mjs';
import { DEV_VARS, embedToken, openSession } from '../support/auth.mjs';
import { inboundCallParams, postWebhook, sid } from '../support/twilio.mjs';

const ACCOUNT = 'AC00000000000000000000000000000d30';
const MAIN_LINE = '+815012345678';

/** A master keyring of the production's kind (32 random bytes), not the public development one. */
const REAL_MASTER_KEYS = `prod1:${Buffer.alloc(32, 0x5a).toString('base64')}`;

/** Production-like secrets: every .dev.vars secret replaced by another value of the same kind. */
const REAL_SECRETS = Object.fromEntries(
  Object.entries(DEV_VARS)
    .filter(([name]) => /SECRET|TOKEN|KEYS/.test(name))
    .map(([name, value]) => [name, name === 'TSUNAGU_MASTER_KEYS' ? REAL_MASTER_KEYS : `${value}-rotated-for-production`]),
);

/** A request as it reaches the worker through a public hostname (the Host header names it). */
function requestAs(baseUrl, host, { method = 'GET', path = '/', headers = {}, body } = {}) {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...headers, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const edges = [];
after(async () => { await Promise.all(edges.map((edge) => edge.close())); });

async function harness(options) {
  const edge = await startHarness(options);
  edges.push(edge);
  return edge;
}

test('with a .dev.vars secret in force, every request for a public host is refused with 503; loopback still works', async () => {
  const edge = await harness();
  for (const path of ['/healthz', '/embed.js', '/widget?tenant=demo', '/api/tenants/demo']) {
    const publicHost = await requestAs(edge.url, 'tsunagu.example.jp', { path });
    assert.equal(publicHost.status, 503, path);
    assert.equal(JSON.parse(publicHost.text).error, 'unavailable');
    for (const value of Object.values(REAL_SECRETS)) assert.equal(publicHost.text.includes(value.replace('-rotated-for-production', '')), false, 'no secret in the refusal');
  }
  assert.equal((await requestAs(edge.url, 'localhost', { path: '/healthz' })).status, 200);
  assert.equal((await fetch(new URL('/healthz', edge.url))).status, 200);
  // The content-hashed files skip the worker (wrangler.toml's run_worker_first), so the asset
  // server hands them out even then: public code without a secret (secrets.test.mjs scans them),
  // useless without the widget page and the API, which stay refused.
  const boot = readdirSync(join(ROOT, 'build', 'site', 'assets')).find((name) => name.startsWith('boot.'));
  const asset = await requestAs(edge.url, 'tsunagu.example.jp', { path: `/assets/${boot}` });
  assert.equal(asset.status, 200);
  assert.match(asset.text, /import init/);
});

test('with real secrets, public hosts are served; without PUBLIC_ORIGIN no call is placed from a Host header', async () => {
  const edge = await harness({ secrets: REAL_SECRETS });
  assert.equal((await requestAs(edge.url, 'tsunagu.example.jp', { path: '/healthz' })).status, 200);
  const token = embedToken({ agent: 'sato', secret: REAL_SECRETS.TENANT_DEMO_EMBED_SECRET });
  const { session } = await openSession(edge.url, token);
  const dial = await requestAs(edge.url, 'attacker.example.net', {
    method: 'POST', path: '/api/calls',
    headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: '03-5555-0101' }),
  });
  assert.equal(dial.status, 500, dial.text);
  assert.equal(dial.text.includes('attacker'), false);
});

test('the development master key alone in force still refuses public hosts (503)', async () => {
  assert.ok(DEV_VARS.TSUNAGU_MASTER_KEYS, '.dev.vars holds a development master key');
  const { TSUNAGU_MASTER_KEYS: _real, ...others } = REAL_SECRETS;
  const edge = await harness({ secrets: others });
  const publicHost = await requestAs(edge.url, 'tsunagu.example.jp', { path: '/healthz' });
  assert.equal(publicHost.status, 503, publicHost.text);
  assert.equal(publicHost.text.includes(DEV_VARS.TSUNAGU_MASTER_KEYS), false, 'no key in the refusal');
});

test('PUBLIC_ORIGIN, not the Host header, names every callback URL in the TwiML', async () => {
  const edge = await harness({ vars: { PUBLIC_ORIGIN: 'https://edge.example.jp' } });
  const callSid = sid();
  const res = await postWebhook(new URL('/twilio/voice/demo/incoming', edge.url).href,
    inboundCallParams({ callSid, from: '+81355550101', to: MAIN_LINE, accountSid: ACCOUNT }),
    { authToken: DEV_VARS.TENANT_DEMO_TWILIO_AUTH_TOKEN });
  const xml = await res.text();
  assert.equal(res.status, 200, xml);
  const urls = [...xml.matchAll(/(?:action|url|waitUrl|statusCallback)="([^"]+)"/gi)].map((m) => m[1]);
  assert.ok(urls.length > 0, xml);
  for (const url of urls) assert.ok(url.startsWith('https://edge.example.jp/twilio/voice/demo/'), url);
});

test('a Voice Access Token grants incoming calls only, with nbf and iat as Twilio\'s libraries write them', async () => {
  const edge = await harness();
  const { session } = await openSession(edge.url, embedToken({ agent: 'sato' }));
  const before = Math.floor(Date.now() / 1000);
  const reply = await (await fetch(new URL('/api/token', edge.url), { method: 'POST', headers: { authorization: `Bearer ${session}` } })).json();
  const claims = JSON.parse(Buffer.from(reply.token.split('.')[1], 'base64url'));
  assert.deepEqual(claims.grants.voice, { incoming: { allow: true } });
  assert.equal(typeof claims.nbf, 'number');
  assert.equal(claims.nbf, claims.iat);
  assert.ok(claims.nbf >= before - 1 && claims.nbf <= before + 5);
});
